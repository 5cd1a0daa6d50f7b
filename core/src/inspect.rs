//! read → layout → normalise for one file: what the reader understood.

use crate::layout::{layout_sheet, LayoutTables, EXPECTED_HEADERS};
use crate::model::{SheetKind, Workbook};
use crate::normalize::{apply, Tables};
use crate::read::{read, Limits};
use crate::{Error, Result};

/// Read, lay out and normalise a file. A file where no sheet holds a recognisable table is an
/// error that lists the headers we expected; unknown sheets beside a known one are fine.
pub fn inspect(bytes: &[u8], file_name: &str, tables: &Tables) -> Result<Workbook> {
    inspect_with_limits(bytes, file_name, tables, &Limits::default())
}

pub fn inspect_with_limits(
    bytes: &[u8],
    file_name: &str,
    tables: &Tables,
    limits: &Limits,
) -> Result<Workbook> {
    let raw = read(bytes, file_name, limits)?;
    let lt = LayoutTables {
        headers: &tables.headers,
    };
    let mut sheets = Vec::with_capacity(raw.sheets.len());
    for rs in &raw.sheets {
        let mut sheet = layout_sheet(rs, &lt);
        for line in &mut sheet.lines {
            apply(line, tables);
        }
        sheets.push(sheet);
    }
    if sheets.iter().all(|s| s.kind == SheetKind::Unknown) {
        let why = match sheets.len() {
            0 => "tệp không có trang tính nào".to_string(),
            _ => format!(
                "không tìm thấy bảng hàng hóa nào: không có dòng tiêu đề nhận ra được (cần các cột như: {EXPECTED_HEADERS}); hãy kiểm tra tệp có đúng là danh mục hàng hóa"
            ),
        };
        let mut notes = raw.notes.clone();
        notes.retain(|n| !n.starts_with("mã hoá"));
        let why = match notes.first() {
            Some(n) => format!("{why}; {n}"),
            None => why,
        };
        return Err(Error::NoTable {
            file: file_name.to_string(),
            reason: why,
        });
    }
    Ok(Workbook {
        file: file_name.to_string(),
        format: raw.format.id().to_string(),
        sheets,
        notes: raw.notes,
    })
}
