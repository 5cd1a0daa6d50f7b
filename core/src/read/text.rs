//! CSV and TSV: encoding detection (UTF-8 ± BOM, UTF-16 LE/BE with BOM, Windows-1258),
//! delimiter detection (`,` `;` tab), rows numbered by record as Excel shows them.

use super::{Format, Limits, RawBook, RawSheet, Value};
use crate::text::nfc;
use crate::{Error, Result};
use encoding_rs::{UTF_16BE, UTF_16LE, WINDOWS_1258};

/// Decode to text, saying which encoding was used.
pub fn decode(bytes: &[u8]) -> (String, &'static str) {
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return (String::from_utf8_lossy(rest).into_owned(), "UTF-8 (BOM)");
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return (
            UTF_16LE.decode_without_bom_handling(rest).0.into_owned(),
            "UTF-16 LE",
        );
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return (
            UTF_16BE.decode_without_bom_handling(rest).0.into_owned(),
            "UTF-16 BE",
        );
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => (s.to_string(), "UTF-8"),
        // Excel on Vietnamese Windows saves "CSV" as Windows-1258, tone marks as combining
        // characters; NFC below composes them.
        Err(_) => (
            WINDOWS_1258
                .decode_without_bom_handling(bytes)
                .0
                .into_owned(),
            "Windows-1258",
        ),
    }
}

/// The delimiter that splits the first lines most consistently.
fn detect_delimiter(text: &str, format: Format) -> u8 {
    if format == Format::Tsv {
        return b'\t';
    }
    let mut best = (b',', 0usize);
    for d in [b'\t', b';', b','] {
        // Count per line outside quotes over the first 20 lines; prefer the one present in most lines.
        let mut lines_with = 0;
        let mut total = 0;
        for line in text.lines().take(20) {
            let mut inq = false;
            let mut n = 0;
            for b in line.bytes() {
                if b == b'"' {
                    inq = !inq;
                } else if b == d && !inq {
                    n += 1;
                }
            }
            if n > 0 {
                lines_with += 1;
                total += n;
            }
        }
        let score = lines_with * 1000 + total;
        if score > best.1 {
            best = (d, score);
        }
    }
    best.0
}

pub fn read_text(bytes: &[u8], file: &str, format: Format, limits: &Limits) -> Result<RawBook> {
    let (text, encoding) = decode(bytes);
    let text = nfc(&text);
    let delim = detect_delimiter(&text, format);
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delim)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    let mut cells: u64 = 0;
    let mut record = csv::StringRecord::new();
    loop {
        match rdr.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let at = e
                    .position()
                    .map(|p| format!(" (bản ghi {})", p.record() + 1))
                    .unwrap_or_default();
                return Err(Error::unreadable(file, format!("CSV hỏng{at}: {e}")));
            }
        }
        cells += record.len() as u64;
        if cells > limits.max_cells {
            return Err(Error::unreadable(
                file,
                format!(
                    "tệp có hơn {} ô, vượt giới hạn; hãy tách tệp",
                    limits.max_cells
                ),
            ));
        }
        let row_no = rows.len() + 1;
        let mut row = Vec::with_capacity(record.len());
        for (j, field) in record.iter().enumerate() {
            if field.chars().count() > limits.max_cell_chars {
                return Err(Error::unreadable(
                    file,
                    format!(
                        "ô {}: nội dung dài quá {} ký tự",
                        crate::cell::a1(row_no as u32 - 1, j as u32),
                        limits.max_cell_chars
                    ),
                ));
            }
            row.push(if field.trim().is_empty() {
                Value::Empty
            } else {
                Value::Text(field.to_string())
            });
        }
        while matches!(row.last(), Some(Value::Empty)) {
            row.pop();
        }
        rows.push(row);
    }
    let name = file
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(file)
        .rsplit_once('.')
        .map(|(s, _)| s.to_string())
        .unwrap_or_else(|| file.to_string());
    let delim_name = match delim {
        b'\t' => "tab",
        b';' => ";",
        _ => ",",
    };
    Ok(RawBook {
        format: if delim == b'\t' && format == Format::Tsv {
            Format::Tsv
        } else {
            format
        },
        sheets: vec![RawSheet {
            name,
            hidden: false,
            rows,
            merges: Vec::new(),
        }],
        notes: vec![format!("mã hoá {encoding}, phân cách \"{delim_name}\"")],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_windows_1258_to_nfc() {
        // "Việt" in Windows-1258: V i e + combining dot below (0xF2) + ^ is precomposed ê (0xEA)
        let bytes = [b'V', b'i', 0xEA, 0xF2, b't'];
        let (t, enc) = decode(&bytes);
        assert_eq!(enc, "Windows-1258");
        assert_eq!(nfc(&t), "Việt");
    }

    #[test]
    fn decodes_utf16le_bom() {
        let mut b = vec![0xFF, 0xFE];
        for u in "Xuất xứ\tSố lượng".encode_utf16() {
            b.extend_from_slice(&u.to_le_bytes());
        }
        let (t, enc) = decode(&b);
        assert_eq!(enc, "UTF-16 LE");
        assert_eq!(t, "Xuất xứ\tSố lượng");
    }

    #[test]
    fn detects_delimiters() {
        assert_eq!(detect_delimiter("a;b;c\n1;2,5;3\n", Format::Csv), b';');
        assert_eq!(detect_delimiter("a,b,c\n1,\"2;5\",3\n", Format::Csv), b',');
        assert_eq!(detect_delimiter("a\tb\n1\t2\n", Format::Csv), b'\t');
    }

    #[test]
    fn rows_are_records_not_lines() {
        let book = read_text(
            b"a,b\n\"x\ny\",2\nz,3\n",
            "t.csv",
            Format::Csv,
            &Limits::default(),
        )
        .unwrap();
        let rows = &book.sheets[0].rows;
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[2][0], Value::Text("z".into()));
    }
}
