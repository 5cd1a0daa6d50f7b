//! xlsx, xlsm, xlsb, xls and ods through calamine.

use super::{Format, Limits, RawBook, RawSheet, Value};
use crate::cell::a1;
use crate::text::nfc;
use crate::{Error, Result};
use calamine::{
    Data, Dimensions, Ods, Range, Reader, SheetType, SheetVisible, Xls, Xlsb, Xlsx, XlsxError,
};
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
pub(super) fn guarded<T>(file: &str, f: impl FnOnce() -> T) -> Result<T> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|_| {
        Error::unreadable(
            file,
            "tệp bị hỏng (bộ đọc bảng tính gặp lỗi cấu trúc); hãy mở bằng Excel và lưu lại",
        )
    })
}

pub(super) fn open_error(file: &str, err: impl std::fmt::Display) -> Error {
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
    // Bounds calamine does not keep are checked before it sees the bytes.
    match format {
        Format::Xls => super::cfbguard::check(bytes, file, limits)?,
        _ => super::zipguard::check(Cursor::new(bytes), file, format, limits)?,
    }
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
                "tệp có {} trang tính, vượt giới hạn {}; hãy xoá các trang không cần hoặc tách thành nhiều tệp",
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
        let hidden = meta.visible != SheetVisible::Visible;
        let sheet_file = format!("{file}, trang \"{name}\"");
        let mut sheet = match &mut book {
            // Cell by cell: calamine's Range would allocate the whole used rectangle first,
            // which a hostile file can make astronomically large with two far-apart cells.
            Book::Xlsx(_) | Book::Xlsb(_) => {
                let cells = guarded(file, || stream_cells(&mut book, &name, file, limits))?
                    .map_err(|e| match e {
                        Cut::Bound(e) => e,
                        Cut::Calamine(m) => open_error(&sheet_file, m),
                    })?;
                from_cells(&name, hidden, cells)
            }
            _ => {
                let range = guarded(file, || match &mut book {
                    Book::Xls(b) => b.worksheet_range(&name).map_err(|e| e.to_string()),
                    Book::Ods(b) => b.worksheet_range(&name).map_err(|e| e.to_string()),
                    _ => Ok(Range::default()),
                })?
                .map_err(|e| open_error(&sheet_file, e))?;
                to_raw(file, &name, hidden, &range, limits)?
            }
        };
        let merges: Vec<Dimensions> = guarded(file, || match &mut book {
            Book::Xlsx(b) => b.merge_cells_by_sheet_name(&name).unwrap_or_default(),
            Book::Xls(b) => b.merge_cells_by_sheet_name(&name).unwrap_or_default(),
            _ => Vec::new(),
        })?;
        fill_merges(&mut sheet.rows, &merges, file, &name, limits)?;
        sheet.merges = merges
            .iter()
            .map(|m| (m.start.0, m.start.1, m.end.0, m.end.1))
            .collect();
        out.sheets.push(sheet);
    }
    Ok(out)
}

/// Why a streamed sheet stopped: a bound of ours (already worded) or calamine's error.
enum Cut {
    Bound(Error),
    Calamine(String),
}

/// The largest row and column index Excel allows (1,048,576 rows × 16,384 columns).
const MAX_ROW: u32 = 1_048_575;
const MAX_COL: u32 = 16_383;

/// Non-empty cells of an xlsx/xlsb sheet with their (row, column), refusing as soon as the used
/// rectangle passes `max_cells`, a cell lies outside Excel's grid or a text is too long.
fn stream_cells(
    book: &mut Book<'_>,
    name: &str,
    file: &str,
    limits: &Limits,
) -> std::result::Result<Vec<(u32, u32, Value)>, Cut> {
    let mut cells: Vec<(u32, u32, Value)> = Vec::new();
    let mut bounds: Option<(u32, u32, u32, u32)> = None;
    let mut push = |r: u32, c: u32, d: Data| -> std::result::Result<(), Cut> {
        if matches!(d, Data::Empty) {
            return Ok(());
        }
        if r > MAX_ROW || c > MAX_COL {
            return Err(Cut::Bound(Error::unreadable(
                file,
                format!(
                    "trang \"{name}\" có ô ở dòng {} cột {}, ngoài lưới của Excel (1.048.576 dòng × 16.384 cột): tệp bị hỏng; hãy mở bằng Excel và lưu lại",
                    r as u64 + 1,
                    c as u64 + 1
                ),
            )));
        }
        let (r0, c0, r1, c1) = match bounds {
            None => (r, c, r, c),
            Some((r0, c0, r1, c1)) => (r0.min(r), c0.min(c), r1.max(r), c1.max(c)),
        };
        let (h, w) = ((r1 - r0) as u64 + 1, (c1 - c0) as u64 + 1);
        if h * w > limits.max_cells {
            return Err(Cut::Bound(too_many_cells(
                file,
                name,
                h,
                w,
                limits,
                Some((r, c)),
            )));
        }
        bounds = Some((r0, c0, r1, c1));
        let v = convert(&d);
        check_text(&v, file, name, r, c, limits).map_err(Cut::Bound)?;
        cells.push((r, c, v));
        Ok(())
    };
    match book {
        Book::Xlsx(b) => {
            let mut rd = match b.worksheet_cells_reader(name) {
                Ok(rd) => rd,
                // A part the workbook lists as a sheet but which holds no cells (dialog sheet).
                Err(XlsxError::NotAWorksheet(_)) => return Ok(cells),
                Err(e) => return Err(Cut::Calamine(e.to_string())),
            };
            while let Some(cell) = rd.next_cell().map_err(|e| Cut::Calamine(e.to_string()))? {
                let (r, c) = cell.get_position();
                push(r, c, Data::from(cell.get_value().clone()))?;
            }
        }
        Book::Xlsb(b) => {
            let mut rd = b
                .worksheet_cells_reader(name)
                .map_err(|e| Cut::Calamine(e.to_string()))?;
            while let Some(cell) = rd.next_cell().map_err(|e| Cut::Calamine(e.to_string()))? {
                let (r, c) = cell.get_position();
                push(r, c, Data::from(cell.get_value().clone()))?;
            }
        }
        _ => {}
    }
    Ok(cells)
}

/// Ragged rows from sparse cells: row i holds columns 0..=its last value (a later duplicate of
/// a position wins, as in calamine).
fn from_cells(name: &str, hidden: bool, mut cells: Vec<(u32, u32, Value)>) -> RawSheet {
    cells.sort_by_key(|&(r, c, _)| (r, c));
    let mut rows: Vec<Vec<Value>> = Vec::new();
    for (r, c, v) in cells {
        let (r, c) = (r as usize, c as usize);
        if rows.len() <= r {
            rows.resize(r + 1, Vec::new());
        }
        if let Some(row) = rows.get_mut(r) {
            if row.len() <= c {
                row.resize(c + 1, Value::Empty);
            }
            if let Some(cell) = row.get_mut(c) {
                *cell = v;
            }
        }
    }
    for row in &mut rows {
        while matches!(row.last(), Some(Value::Empty)) {
            row.pop();
        }
    }
    RawSheet {
        name: name.to_string(),
        hidden,
        rows,
        merges: Vec::new(),
    }
}

fn too_many_cells(
    file: &str,
    name: &str,
    h: u64,
    w: u64,
    limits: &Limits,
    at: Option<(u32, u32)>,
) -> Error {
    let at = at
        .map(|(r, c)| format!(" (tới ô {})", a1(r, c)))
        .unwrap_or_default();
    Error::unreadable(
        file,
        format!(
            "trang \"{name}\" có {h} dòng × {w} cột = {} ô{at}, vượt giới hạn {} ô; hãy xoá các dòng/cột thừa hoặc tách tệp",
            h * w,
            limits.max_cells
        ),
    )
}

fn check_text(v: &Value, file: &str, name: &str, r: u32, c: u32, limits: &Limits) -> Result<()> {
    if let Value::Text(t) = v {
        if t.len() > limits.max_cell_chars && t.chars().count() > limits.max_cell_chars {
            return Err(Error::unreadable(
                file,
                format!(
                    "trang \"{name}\", ô {}: nội dung dài quá {} ký tự; hãy rút gọn ô này (Excel cũng chỉ cho tối đa 32.767 ký tự)",
                    a1(r, c),
                    limits.max_cell_chars
                ),
            ));
        }
    }
    Ok(())
}

fn to_raw(
    file: &str,
    name: &str,
    hidden: bool,
    range: &Range<Data>,
    limits: &Limits,
) -> Result<RawSheet> {
    let mut sheet = RawSheet {
        name: name.to_string(),
        hidden,
        rows: Vec::new(),
        merges: Vec::new(),
    };
    let Some((r0, c0)) = range.start() else {
        return Ok(sheet);
    };
    let (h, w) = range.get_size();
    if h as u64 * w as u64 > limits.max_cells {
        return Err(too_many_cells(file, name, h as u64, w as u64, limits, None));
    }
    sheet.rows = vec![Vec::new(); r0 as usize];
    for (i, row) in range.rows().enumerate() {
        let mut out = vec![Value::Empty; c0 as usize];
        out.reserve(row.len());
        for (j, d) in row.iter().enumerate() {
            let v = convert(d);
            check_text(&v, file, name, r0 + i as u32, c0 + j as u32, limits)?;
            out.push(v);
        }
        while matches!(out.last(), Some(Value::Empty)) {
            out.pop();
        }
        sheet.rows.push(out);
    }
    Ok(sheet)
}

/// Copy each merged range's top-left value into the cells it covers, within the rows read.
/// A hostile file may declare many huge merges: the cells they add count against `max_cells`.
fn fill_merges(
    rows: &mut [Vec<Value>],
    merges: &[Dimensions],
    file: &str,
    name: &str,
    limits: &Limits,
) -> Result<()> {
    let mut cells: u64 = rows.iter().map(|r| r.len() as u64).sum();
    // Cells the merges cover, filled or not: many overlapping merges cost time, not memory.
    let mut covered: u64 = 0;
    for m in merges {
        let (r0, c0) = (m.start.0 as usize, m.start.1 as usize);
        let (r1, c1) = (m.end.0 as usize, m.end.1 as usize);
        if r1 < r0 || c1 < c0 || r0 >= rows.len() || c0 > MAX_COL as usize {
            continue;
        }
        let Some(v) = rows.get(r0).and_then(|r| r.get(c0)).cloned() else {
            continue;
        };
        if v.is_empty() {
            continue;
        }
        let last = r1.min(rows.len() - 1);
        let end = c1.min(MAX_COL as usize) + 1;
        // Count what this merge adds before allocating any of it.
        let add: u64 = rows
            .iter()
            .take(last + 1)
            .skip(r0)
            .map(|r| end.saturating_sub(r.len()) as u64)
            .sum();
        cells += add;
        covered += (last + 1 - r0) as u64 * (end - c0) as u64;
        if cells > limits.max_cells || covered > limits.max_cells.saturating_mul(4) {
            return Err(Error::unreadable(
                file,
                format!(
                    "trang \"{name}\": các vùng gộp ô (từ {}) mở rộng quá {} ô; hãy bỏ gộp các vùng thừa rồi lưu lại",
                    a1(m.start.0, m.start.1),
                    limits.max_cells
                ),
            ));
        }
        for row in rows.iter_mut().take(last + 1).skip(r0) {
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
    Ok(())
}

/// A date cell as ISO text (with the time when it has one); a duration stays a number.
pub(super) fn datetime(dt: &calamine::ExcelDateTime) -> Value {
    if !dt.is_datetime() {
        return Value::Number(dt.as_f64());
    }
    let (y, mo, d, h, mi, s, _) = dt.to_ymd_hms_milli();
    if h == 0 && mi == 0 && s == 0 {
        Value::Date(format!("{y:04}-{mo:02}-{d:02}"))
    } else {
        Value::Date(format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}"))
    }
}

fn convert(d: &Data) -> Value {
    match d {
        Data::Empty => Value::Empty,
        Data::Int(i) => Value::Number(*i as f64),
        Data::Float(f) => Value::Number(*f),
        Data::String(s) => Value::Text(nfc(s)),
        Data::Bool(b) => Value::Bool(*b),
        Data::DateTime(dt) => datetime(dt),
        Data::DateTimeIso(s) => Value::Date(s.clone()),
        Data::DurationIso(s) => Value::Text(s.clone()),
        Data::Error(e) => Value::Error(format!("#{e:?}")),
    }
}
