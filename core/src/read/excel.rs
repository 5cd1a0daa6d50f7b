//! xlsx, xlsm, xlsb, xls and ods through calamine.

use super::{Format, Limits, RawBook, RawSheet, Value};
use crate::cell::a1;
use crate::text::nfc;
use crate::{Error, Result};
use calamine::{Data, Dimensions, Ods, Range, Reader, SheetType, SheetVisible, Xls, Xlsb, Xlsx};
use std::io::Cursor;
use std::panic::{catch_unwind, AssertUnwindSafe};

type Src<'a> = Cursor<&'a [u8]>;

enum Book<'a> {
    Xlsx(Xlsx<Src<'a>>),
    Xlsb(Xlsb<Src<'a>>),
    Xls(Xls<Src<'a>>),
    Ods(Ods<Src<'a>>),
}

/// calamine is third-party code fed hostile bytes: a panic in it becomes this file's error.
fn guarded<T>(file: &str, f: impl FnOnce() -> T) -> Result<T> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|_| {
        Error::unreadable(
            file,
            "tệp bị hỏng (bộ đọc bảng tính gặp lỗi cấu trúc); hãy mở bằng Excel và lưu lại",
        )
    })
}

fn open_error(file: &str, err: impl std::fmt::Display) -> Error {
    let msg = err.to_string();
    if msg.to_lowercase().contains("password") || msg.to_lowercase().contains("encrypt") {
        Error::unreadable(
            file,
            "tệp được đặt mật khẩu (mã hoá); hãy mở bằng Excel, bỏ mật khẩu rồi lưu lại",
        )
    } else {
        Error::unreadable(
            file,
            format!("tệp bị hỏng hoặc không đúng định dạng ({msg}); hãy mở bằng Excel hoặc LibreOffice và lưu lại"),
        )
    }
}

pub fn read_excel(bytes: &[u8], file: &str, format: Format, limits: &Limits) -> Result<RawBook> {
    let src = Cursor::new(bytes);
    let book = guarded(file, || -> std::result::Result<Book<'_>, String> {
        Ok(match format {
            Format::Xlsx | Format::Xlsm => Book::Xlsx(Xlsx::new(src).map_err(|e| e.to_string())?),
            Format::Xlsb => Book::Xlsb(Xlsb::new(src).map_err(|e| e.to_string())?),
            Format::Xls => Book::Xls(Xls::new(src).map_err(|e| e.to_string())?),
            _ => Book::Ods(Ods::new(src).map_err(|e| e.to_string())?),
        })
    })?;
    let mut book = book.map_err(|e| open_error(file, e))?;

    let metas: Vec<calamine::Sheet> = match &book {
        Book::Xlsx(b) => b.sheets_metadata().to_vec(),
        Book::Xlsb(b) => b.sheets_metadata().to_vec(),
        Book::Xls(b) => b.sheets_metadata().to_vec(),
        Book::Ods(b) => b.sheets_metadata().to_vec(),
    };
    if metas.len() > limits.max_sheets {
        return Err(Error::unreadable(
            file,
            format!(
                "tệp có {} trang tính, vượt giới hạn {}",
                metas.len(),
                limits.max_sheets
            ),
        ));
    }
    let mut out = RawBook {
        format,
        sheets: Vec::new(),
        notes: Vec::new(),
    };
    for meta in metas {
        if meta.typ != SheetType::WorkSheet {
            continue;
        }
        let name = meta.name.clone();
        let range = guarded(file, || match &mut book {
            Book::Xlsx(b) => b.worksheet_range(&name).map_err(|e| e.to_string()),
            Book::Xlsb(b) => b.worksheet_range(&name).map_err(|e| e.to_string()),
            Book::Xls(b) => b.worksheet_range(&name).map_err(|e| e.to_string()),
            Book::Ods(b) => b.worksheet_range(&name).map_err(|e| e.to_string()),
        })?
        .map_err(|e| open_error(&format!("{file}, trang \"{name}\""), e))?;
        let merges: Vec<Dimensions> = guarded(file, || match &mut book {
            Book::Xlsx(b) => b.merge_cells_by_sheet_name(&name).unwrap_or_default(),
            Book::Xls(b) => b.merge_cells_by_sheet_name(&name).unwrap_or_default(),
            _ => Vec::new(),
        })?;
        let sheet = to_raw(
            file,
            &name,
            meta.visible != SheetVisible::Visible,
            &range,
            &merges,
            limits,
        )?;
        out.sheets.push(sheet);
    }
    Ok(out)
}

fn to_raw(
    file: &str,
    name: &str,
    hidden: bool,
    range: &Range<Data>,
    merges: &[Dimensions],
    limits: &Limits,
) -> Result<RawSheet> {
    let mut sheet = RawSheet {
        name: name.to_string(),
        hidden,
        rows: Vec::new(),
    };
    let Some((r0, c0)) = range.start() else {
        return Ok(sheet);
    };
    let (h, w) = range.get_size();
    let cells = h as u64 * w as u64;
    if cells > limits.max_cells {
        return Err(Error::unreadable(
            file,
            format!(
                "trang \"{name}\" có {h} dòng × {w} cột = {cells} ô, vượt giới hạn {} ô; hãy xoá các dòng/cột thừa hoặc tách tệp",
                limits.max_cells
            ),
        ));
    }
    sheet.rows = vec![Vec::new(); r0 as usize];
    for (i, row) in range.rows().enumerate() {
        let mut out = vec![Value::Empty; c0 as usize];
        out.reserve(row.len());
        for (j, d) in row.iter().enumerate() {
            let v = convert(d);
            if let Value::Text(t) = &v {
                if t.chars().count() > limits.max_cell_chars {
                    return Err(Error::unreadable(
                        file,
                        format!(
                            "trang \"{name}\", ô {}: nội dung dài quá {} ký tự",
                            a1(r0 + i as u32, c0 + j as u32),
                            limits.max_cell_chars
                        ),
                    ));
                }
            }
            out.push(v);
        }
        while matches!(out.last(), Some(Value::Empty)) {
            out.pop();
        }
        sheet.rows.push(out);
    }
    fill_merges(&mut sheet.rows, merges);
    Ok(sheet)
}

/// Copy each merged range's top-left value into the cells it covers, within the rows read.
fn fill_merges(rows: &mut [Vec<Value>], merges: &[Dimensions]) {
    for m in merges {
        let (r0, c0) = (m.start.0 as usize, m.start.1 as usize);
        let (r1, c1) = (m.end.0 as usize, m.end.1 as usize);
        if r1 < r0 || c1 < c0 || r0 >= rows.len() {
            continue;
        }
        let Some(v) = rows.get(r0).and_then(|r| r.get(c0)).cloned() else {
            continue;
        };
        if v.is_empty() {
            continue;
        }
        let last = r1.min(rows.len() - 1);
        // A hostile file may declare a huge merge; only fill what exists plus the merge width.
        let width = (c1 - c0 + 1).min(16_384);
        for row in rows.iter_mut().take(last + 1).skip(r0) {
            let end = c0 + width;
            if row.len() < end {
                row.resize(end, Value::Empty);
            }
            for cell in row.iter_mut().take(end).skip(c0) {
                if cell.is_empty() {
                    *cell = v.clone();
                }
            }
        }
    }
}

fn convert(d: &Data) -> Value {
    match d {
        Data::Empty => Value::Empty,
        Data::Int(i) => Value::Number(*i as f64),
        Data::Float(f) => Value::Number(*f),
        Data::String(s) => Value::Text(nfc(s)),
        Data::Bool(b) => Value::Bool(*b),
        Data::DateTime(dt) => {
            if dt.is_datetime() {
                let (y, mo, d, h, mi, s, _) = dt.to_ymd_hms_milli();
                if h == 0 && mi == 0 && s == 0 {
                    Value::Date(format!("{y:04}-{mo:02}-{d:02}"))
                } else {
                    Value::Date(format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}"))
                }
            } else {
                Value::Number(dt.as_f64())
            }
        }
        Data::DateTimeIso(s) => Value::Date(s.clone()),
        Data::DurationIso(s) => Value::Text(s.clone()),
        Data::Error(e) => Value::Error(format!("#{e:?}")),
    }
}
