//! The read stage: bytes + file name → sheets of cells with A1 addresses.
//!
//! The format is sniffed from the bytes (zip → xlsx/xlsm/xlsb/ods, OLE → xls, else text → csv);
//! the extension only breaks ties. Merged ranges are filled so a merged header names every column
//! under it; formula cells give their cached values; hidden sheets are kept and marked.

pub mod cells;
mod cfbguard;
mod excel;
mod legacy;
mod packed;
pub mod pipe;
mod sniff;
mod source;
mod text;
mod xlsx_stream;
mod zipguard;

pub use legacy::detect_legacy_font;
pub use sniff::Format;
pub use source::{At, Source};
pub use text::stream_text;
pub use xlsx_stream::{stream_xlsx, RowSink, Streamed};

/// The format of a file from its first and last bytes (a zip's part names sit in its central
/// directory at the end) and its name; Err is a reason for the user.
pub fn sniff_format(bytes: &[u8], file_name: &str) -> std::result::Result<Format, String> {
    sniff::sniff(bytes, file_name)
}

use crate::{Error, Result};
use std::io::{Read, Seek};

/// Whether `stream` reads this format row by row (the others are read whole by `read`).
pub fn streams(format: Format) -> bool {
    matches!(
        format,
        Format::Xlsx | Format::Xlsm | Format::Csv | Format::Tsv
    )
}

/// `stream`, with `second` (the same bytes on another reader) for work beside the main read:
/// the xlsx merge pre-pass runs on its own thread (native builds).
pub fn stream_beside<R: Read + Seek + Send, S: Read + Seek + Send>(
    src: R,
    second: Option<S>,
    file_name: &str,
    format: Format,
    limits: &Limits,
    sink: &mut dyn RowSink,
) -> Result<Streamed> {
    #[cfg(not(target_arch = "wasm32"))]
    if let (Some(second), Format::Xlsx | Format::Xlsm) = (second, format) {
        return xlsx_stream::stream_xlsx_beside(src, second, file_name, limits, sink);
    }
    #[cfg(target_arch = "wasm32")]
    drop(second);
    stream(src, file_name, format, limits, sink)
}

/// Send a file's rows to `sink` one at a time, with the reader for its format (one `streams`
/// accepts; `sniff_format` tells which).
pub fn stream<R: Read + Seek + Send>(
    src: R,
    file_name: &str,
    format: Format,
    limits: &Limits,
    sink: &mut dyn RowSink,
) -> Result<Streamed> {
    match format {
        Format::Xlsx | Format::Xlsm => stream_xlsx(src, file_name, limits, sink),
        Format::Csv | Format::Tsv => stream_text(src, file_name, format, limits, sink),
        _ => Err(Error::unreadable(
            file_name,
            format!(
                "tệp {} không đọc được theo từng dòng; hãy dùng đọc cả tệp",
                format.id()
            ),
        )),
    }
}

/// One cell's value as read.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Value {
    #[default]
    Empty,
    Text(String),
    Number(f64),
    Bool(bool),
    /// ISO 8601 date (or date-time) text.
    Date(String),
    /// A cell holding a spreadsheet error (#N/A, #REF!…).
    Error(String),
}

impl Value {
    pub fn is_empty(&self) -> bool {
        match self {
            Value::Empty => true,
            Value::Text(s) => crate::text::blank(s),
            _ => false,
        }
    }

    /// The text a person sees in the cell (numbers without a trailing ".0").
    /// The text `display` gives, without copying a text cell.
    pub fn into_text(self) -> String {
        match self {
            Value::Text(s) | Value::Date(s) | Value::Error(s) => s,
            other => other.display(),
        }
    }

    pub fn display(&self) -> String {
        match self {
            Value::Empty => String::new(),
            Value::Text(s) => s.clone(),
            Value::Number(n) => format_number(*n),
            Value::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
            Value::Date(d) => d.clone(),
            Value::Error(e) => e.clone(),
        }
    }
}

/// "12" for 12.0, "0.5" for 0.5, no exponent for ordinary amounts.
pub fn format_number(n: f64) -> String {
    if n.is_finite() && n.fract() == 0.0 && n.abs() < 1e15 {
        // By hand: every number cell of every line becomes text, and `format!` showed in profiles.
        let i = n as i64;
        let mut digits = [0u8; 20];
        let mut k = digits.len();
        let mut m = i.unsigned_abs();
        loop {
            k -= 1;
            digits[k] = b'0' + (m % 10) as u8;
            m /= 10;
            if m == 0 {
                break;
            }
        }
        let mut out = String::with_capacity(digits.len() - k + 1);
        if i < 0 {
            out.push('-');
        }
        out.extend(digits[k..].iter().map(|&d| char::from(d)));
        out
    } else {
        let s = format!("{n}");
        s
    }
}

/// One sheet's rows, from the first row (0-based index = row - 1). Rows may be ragged.
#[derive(Debug, Clone, Default)]
pub struct RawSheet {
    pub name: String,
    pub hidden: bool,
    pub rows: Vec<Vec<Value>>,
    /// Merged ranges as (first row, first col, last row, last col), 0-based, inclusive; their
    /// value is also filled into `rows`. CSV has none.
    pub merges: Vec<(u32, u32, u32, u32)>,
}

/// A whole file as read.
#[derive(Debug, Clone)]
pub struct RawBook {
    pub format: Format,
    pub sheets: Vec<RawSheet>,
    /// Notes for the user (encoding used, legacy font text seen…).
    pub notes: Vec<String>,
}

/// Size bounds. Past any of them a file is refused with a clear error rather than read partly.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_file_bytes: usize,
    pub max_sheets: usize,
    /// Cells in one sheet (rows × columns of its used range).
    pub max_cells: u64,
    /// Characters in one cell (Excel's own limit is 32,767).
    pub max_cell_chars: usize,
    /// Cells in one sheet read by streaming (xlsx/xlsm): nothing is held, so this bounds only
    /// the time a hostile file can take, not memory.
    pub max_streamed_cells: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 256 * 1024 * 1024,
            max_sheets: 256,
            // 10 million cells (e.g. 250,000 rows × 40 columns) is far above any procurement
            // list and keeps the worst case within a browser tab's memory.
            max_cells: 10_000_000,
            max_cell_chars: 32_767,
            // Excel's own grid is 1,048,576 rows; 100 million cells is e.g. 1M rows × 100 columns.
            max_streamed_cells: 100_000_000,
        }
    }
}

/// Read a file's bytes into sheets of cells.
pub fn read(bytes: &[u8], file_name: &str, limits: &Limits) -> Result<RawBook> {
    if bytes.len() > limits.max_file_bytes {
        return Err(Error::unreadable(
            file_name,
            format!(
                "tệp lớn {} MB, vượt giới hạn {} MB; hãy tách tệp thành nhiều tệp nhỏ hơn",
                bytes.len() / (1024 * 1024),
                limits.max_file_bytes / (1024 * 1024)
            ),
        ));
    }
    if bytes.is_empty() {
        return Err(Error::unreadable(file_name, "tệp rỗng (0 byte)"));
    }
    let format = sniff::sniff(bytes, file_name).map_err(|r| Error::unreadable(file_name, r))?;
    let mut book = match format {
        Format::Csv | Format::Tsv => text::read_text(bytes, file_name, format, limits)?,
        _ => excel::read_excel(bytes, file_name, format, limits)?,
    };
    if book.sheets.len() > limits.max_sheets {
        return Err(Error::unreadable(
            file_name,
            format!(
                "tệp có {} trang tính, vượt giới hạn {}",
                book.sheets.len(),
                limits.max_sheets
            ),
        ));
    }
    if let Some(note) = legacy::detect_in_book(&book) {
        book.notes.push(note);
    }
    Ok(book)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_people_typed_them() {
        for (n, text) in [
            (0.0, "0"),
            (-0.0, "0"),
            (12.0, "12"),
            (-4_173_680.0, "-4173680"),
            (999_999_999_999_999.0, "999999999999999"),
            (1e15, "1000000000000000"),
            (0.5, "0.5"),
            (-1.25, "-1.25"),
        ] {
            assert_eq!(format_number(n), text, "{n}");
        }
    }

    const PLAN: &[u8] = include_bytes!("../../../tests/fixtures/purchase_plan.xlsx");
    const CSV: &[u8] = include_bytes!("../../../tests/fixtures/award_utf8_bom.csv");

    fn err(bytes: &[u8], name: &str, limits: Limits) -> String {
        match read(bytes, name, &limits) {
            Err(e) => e.to_string(),
            Ok(_) => panic!("{name}: expected the bound to refuse it"),
        }
    }

    #[test]
    fn bounds_refuse_with_a_reason() {
        let small = Limits {
            max_file_bytes: 1000,
            ..Limits::default()
        };
        assert!(err(PLAN, "plan.xlsx", small).contains("vượt giới hạn"));
        let cells = Limits {
            max_cells: 50,
            ..Limits::default()
        };
        let e = err(PLAN, "plan.xlsx", cells);
        assert!(e.starts_with("plan.xlsx: trang \"Danh mục\""), "{e}");
        assert!(err(CSV, "a.csv", cells).contains("vượt giới hạn"));
        let text = Limits {
            max_cell_chars: 20,
            ..Limits::default()
        };
        let e = err(CSV, "a.csv", text);
        assert!(e.contains("ô ") && e.contains("20 ký tự"), "{e}");
        let sheets = Limits {
            max_sheets: 0,
            ..Limits::default()
        };
        assert!(err(PLAN, "plan.xlsx", sheets).contains("trang tính"));
        // Within the bounds the same files read.
        assert!(read(PLAN, "plan.xlsx", &Limits::default()).is_ok());
        assert!(read(CSV, "a.csv", &Limits::default()).is_ok());
    }

    #[test]
    fn empty_and_foreign_files_are_refused() {
        assert!(read(b"", "x.csv", &Limits::default())
            .unwrap_err()
            .to_string()
            .contains("rỗng"));
        let docx = b"PK\x03\x04....word/document.xml....";
        assert!(read(docx, "x.xlsx", &Limits::default())
            .unwrap_err()
            .to_string()
            .contains("Word"));
    }
}
