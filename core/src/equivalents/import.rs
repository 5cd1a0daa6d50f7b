//! `registry import`: the official catalogue annex layout (`Số TT | Tên mặt hàng | Mã số theo
//! biểu thuế | Ký hiệu quy cách, mô tả đặc tính kỹ thuật`) → catalogue entries citing the
//! circular. Every HS code is checked against the nomenclature; rows without a valid code are
//! left out and listed, never guessed.

use super::data::{EntryRaw, EvidenceRaw};
use crate::normalize::Tables;
use crate::read::{read, Limits, Value};
use crate::text::fold;
use crate::{Error, Result};

/// Which circular the annex belongs to.
#[derive(Debug, Clone)]
pub struct Circular {
    /// "TT 04/2012/TT-BKHĐT".
    pub number: String,
    /// ISO date of issue.
    pub date: String,
    /// What the evidence is worth, written into each entry ("bản 2012: …").
    pub note: String,
}

impl Default for Circular {
    fn default() -> Circular {
        Circular {
            number: "TT 04/2012/TT-BKHĐT".to_string(),
            date: "2012-08-13".to_string(),
            note: "bản 2012: chứng cứ hàng trong nước đã sản xuất được năm 2012; các thông tư sau (14/2015, 01/2018, 05/2021, 01/2023) đã thay thế".to_string(),
        }
    }
}

#[derive(Debug, Default)]
pub struct Imported {
    pub entries: Vec<EntryRaw>,
    /// Rows left out: "file:sheet:row: why".
    pub skipped: Vec<String>,
}

/// Columns of the annex layout, found by their header text.
#[derive(Debug, Default)]
struct Columns {
    row_no: Option<usize>,
    name: usize,
    /// The code may be split over Nhóm | Phân nhóm | last two digits.
    hs: Vec<usize>,
    spec: Option<usize>,
    annex: Option<usize>,
}

/// How far down a sheet the header may be.
const HEADER_ROWS: usize = 40;

fn find_header(rows: &[Vec<Value>]) -> Option<(usize, Columns)> {
    for (r, row) in rows.iter().take(HEADER_ROWS).enumerate() {
        let f: Vec<String> = row.iter().map(|v| fold(&v.display())).collect();
        let name = f
            .iter()
            .position(|c| c.contains("ten mat hang") || c.contains("ten hang"))?;
        let Some(hs0) = f.iter().position(|c| {
            c.starts_with("ma so") || c.starts_with("ma hs") || c.contains("bieu thue")
        }) else {
            continue;
        };
        let spec = f
            .iter()
            .position(|c| c.contains("quy cach") || c.contains("mo ta") || c.contains("dac tinh"));
        // The code columns run from the "Mã số" header to the next named column.
        let mut hs = vec![hs0];
        let mut c = hs0 + 1;
        while c < f.len()
            && Some(c) != spec
            && f.get(c).is_some_and(|h| h.is_empty() || h.contains("nhom"))
            && hs.len() < 3
        {
            hs.push(c);
            c += 1;
        }
        let row_no = f
            .iter()
            .position(|c| matches!(c.as_str(), "so tt" | "stt" | "tt" | "so thu tu"));
        let annex = f.iter().position(|c| c.starts_with("phu luc"));
        return Some((
            r,
            Columns {
                row_no,
                name,
                hs,
                spec,
                annex,
            },
        ));
    }
    None
}

/// Read an annex table (xlsx, ods, csv…) into catalogue entries.
pub fn import(bytes: &[u8], file_name: &str, tables: &Tables, circ: &Circular) -> Result<Imported> {
    let book = read(bytes, file_name, &Limits::default())?;
    let mut out = Imported::default();
    let mut found = false;
    for sheet in &book.sheets {
        let Some((h, cols)) = find_header(&sheet.rows) else {
            continue;
        };
        found = true;
        for (i, row) in sheet.rows.iter().enumerate().skip(h + 1) {
            let cell = |c: Option<usize>| {
                c.and_then(|c| row.get(c))
                    .map(|v| v.display().split_whitespace().collect::<Vec<_>>().join(" "))
                    .unwrap_or_default()
            };
            let at = format!("{file_name}:{}:{}", sheet.name, i + 1);
            let name = cell(Some(cols.name));
            let raw_hs: Vec<String> = cols.hs.iter().map(|&c| cell(Some(c))).collect();
            let raw_hs = raw_hs.join(" ").trim().to_string();
            if name.is_empty() {
                continue; // sub-header (Nhóm | Phân nhóm), blank or numbering row
            }
            let info = tables.hs.lookup(&raw_hs, false);
            let code = match (&info.code, info.valid) {
                (Some(c), true) => c.clone(),
                _ => {
                    let why = info
                        .reason
                        .clone()
                        .unwrap_or_else(|| "không có mã".to_string());
                    out.skipped.push(format!(
                        "{at}: “{name}”: mã HS “{raw_hs}” không dùng được ({why})"
                    ));
                    continue;
                }
            };
            let annex = match cell(cols.annex) {
                a if a.is_empty() => sheet.name.clone(),
                a => a,
            };
            let row_no = cell(cols.row_no);
            let reference = if row_no.is_empty() {
                format!("{}, {annex}", circ.number)
            } else {
                format!("{}, {annex}, dòng {row_no}", circ.number)
            };
            out.entries.push(EntryRaw {
                product: name,
                hs: dotted(&code),
                spec: cell(cols.spec),
                evidence: vec![EvidenceRaw {
                    kind: "catalogue".to_string(),
                    reference,
                    date: circ.date.clone(),
                    note: circ.note.clone(),
                    ..EvidenceRaw::default()
                }],
                ..EntryRaw::default()
            });
        }
    }
    if !found {
        return Err(Error::NoTable {
            file: file_name.to_string(),
            reason: "không thấy bảng danh mục: cần dòng tiêu đề có “Tên mặt hàng” và “Mã số theo biểu thuế” (và “Ký hiệu quy cách, mô tả đặc tính kỹ thuật”)".to_string(),
        });
    }
    Ok(out)
}

/// "84713020" → "8471.30.20".
pub fn dotted(code: &str) -> String {
    let parts: Vec<&str> = [code.get(..4), code.get(4..6), code.get(6..8)]
        .into_iter()
        .flatten()
        .filter(|p| !p.is_empty())
        .collect();
    parts.join(".")
}
