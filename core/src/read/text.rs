//! CSV and TSV: encoding detection (UTF-8 ± BOM, UTF-16 LE/BE with BOM, Windows-1258),
//! delimiter detection (`,` `;` tab), rows numbered by record as Excel shows them.
//!
//! `stream_text` sends the rows one at a time to a `RowSink`, so a large UTF-8 file is never
//! held whole; `read_text` collects the same rows through the same code.

use super::{Format, Limits, RawBook, RawSheet, RowSink, Streamed, Value};
use crate::text::{nfc, plainly_nfc};
use crate::{Error, Result};
use encoding_rs::{UTF_16BE, UTF_16LE, WINDOWS_1258};
use std::io::{BufRead, BufReader, Cursor, Read, Seek, SeekFrom};

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
        for line in text.lines().take(DELIMITER_LINES) {
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

/// Lines `detect_delimiter` looks at.
const DELIMITER_LINES: usize = 20;

/// U+037E GREEK QUESTION MARK in UTF-8: NFC turns it into `;`, so a file holding it is composed
/// whole before it is split, as it always was.
const GREEK_QUESTION_MARK: [u8; 2] = [0xCD, 0xBE];

/// Where a file's records come from once its encoding is known.
enum Source<R> {
    /// Valid UTF-8 (after any BOM), read as it comes: `head` is the first lines, already taken
    /// from `rest` to find the delimiter. Each cell is composed to NFC on its own, which is what
    /// composing the whole text gives: no delimiter, quote or line break composes with a mark.
    Utf8 { head: Vec<u8>, rest: BufReader<R> },
    /// UTF-16, Windows-1258 (and UTF-8 with a BOM but broken bytes, or holding U+037E) are
    /// decoded whole and composed to NFC, as before streaming: such files are small in practice.
    Decoded(String),
}

/// A text file ready to be split into records.
struct Opened<R> {
    source: Source<R>,
    encoding: &'static str,
    delimiter: u8,
}

/// Decide the encoding (by the BOM, then by checking every byte is UTF-8, as `decode` does) and
/// the delimiter, without holding a UTF-8 file.
fn open<R: Read + Seek>(mut src: R, file: &str, format: Format) -> Result<Opened<R>> {
    let io = |e: std::io::Error| Error::unreadable(file, format!("không đọc được tệp ({e})"));
    src.seek(SeekFrom::Start(0)).map_err(io)?;
    let mut bom = Vec::with_capacity(3);
    src.by_ref().take(3).read_to_end(&mut bom).map_err(io)?;
    let (start, encoding) = if bom.starts_with(&[0xEF, 0xBB, 0xBF]) {
        (Some(3), "UTF-8 (BOM)")
    } else if bom.starts_with(&[0xFF, 0xFE]) || bom.starts_with(&[0xFE, 0xFF]) {
        (None, "")
    } else {
        (Some(0), "UTF-8")
    };
    if let Some(start) = start {
        src.seek(SeekFrom::Start(start)).map_err(io)?;
        if plain_utf8(&mut src).map_err(io)? {
            src.seek(SeekFrom::Start(start)).map_err(io)?;
            let mut rest = BufReader::with_capacity(64 * 1024, src);
            // The first lines only (a file without line breaks is one line, held whole).
            let mut head = Vec::new();
            for _ in 0..DELIMITER_LINES {
                if rest.read_until(b'\n', &mut head).map_err(io)? == 0 {
                    break;
                }
            }
            let delimiter = detect_delimiter(&String::from_utf8_lossy(&head), format);
            return Ok(Opened {
                source: Source::Utf8 { head, rest },
                encoding,
                delimiter,
            });
        }
    }
    let mut bytes = Vec::new();
    src.seek(SeekFrom::Start(0))
        .and_then(|_| src.read_to_end(&mut bytes))
        .map_err(io)?;
    let (text, encoding) = decode(&bytes);
    drop(bytes);
    let text = nfc(&text);
    let delimiter = detect_delimiter(&text, format);
    Ok(Opened {
        source: Source::Decoded(text),
        encoding,
        delimiter,
    })
}

/// Whether the rest of `src` is valid UTF-8 holding no U+037E, read in chunks (a character
/// split between two chunks is carried over to the next).
fn plain_utf8<R: Read>(src: &mut R) -> std::io::Result<bool> {
    let mut buf = vec![0u8; 64 * 1024];
    let mut carried = 0;
    loop {
        let n = match src.read(&mut buf[carried..]) {
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if n == 0 {
            // A character cut short by the end of the file is not UTF-8.
            return Ok(carried == 0);
        }
        let filled = carried + n;
        let Some(chunk) = buf.get(..filled) else {
            return Ok(false);
        };
        let valid = match simdutf8::compat::from_utf8(chunk) {
            Ok(_) => filled,
            Err(e) if e.error_len().is_none() => e.valid_up_to(),
            Err(_) => return Ok(false),
        };
        if chunk
            .get(..valid)
            .is_some_and(|v| memchr::memmem::find(v, &GREEK_QUESTION_MARK).is_some())
        {
            return Ok(false);
        }
        buf.copy_within(valid..filled, 0);
        carried = filled - valid;
    }
}

impl<R: Read> Opened<R> {
    /// Split into records and turn each into a row: `each(index, row)` gets every record in
    /// order (0-based, as `RawSheet::rows`), empty ones too; returning false stops the read.
    fn records(
        self,
        file: &str,
        limits: &Limits,
        each: &mut dyn FnMut(usize, Vec<Value>) -> bool,
    ) -> Result<Streamed> {
        match self.source {
            Source::Utf8 { head, rest } => each_record(
                Cursor::new(head).chain(rest),
                self.delimiter,
                file,
                limits,
                each,
            ),
            Source::Decoded(text) => {
                each_record(text.as_bytes(), self.delimiter, file, limits, each)
            }
        }
    }
}

/// The one place a CSV record becomes a row: cells composed to NFC, blank cells `Empty`,
/// trailing empty cells dropped, the size limits applied.
fn each_record(
    src: impl Read,
    delimiter: u8,
    file: &str,
    limits: &Limits,
    each: &mut dyn FnMut(usize, Vec<Value>) -> bool,
) -> Result<Streamed> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(src);
    let mut cells: u64 = 0;
    // Bytes, not `StringRecord`: csv's own UTF-8 check is std's, several times slower.
    let mut record = csv::ByteRecord::new();
    let mut index = 0usize;
    loop {
        match rdr.read_byte_record(&mut record) {
            Ok(false) => return Ok(Streamed::Done),
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
        // One check of the whole record (long enough for SIMD), then each field is a slice of it.
        let Ok(text) = simdutf8::basic::from_utf8(record.as_slice()) else {
            return Err(Error::unreadable(
                file,
                format!(
                    "bản ghi {}: không phải văn bản UTF-8; hãy lưu lại tệp với mã hóa UTF-8",
                    index + 1
                ),
            ));
        };
        // Nearly every record is NFC as it stands: one scan of it spares one per field.
        let plain = plainly_nfc(text);
        let mut row = Vec::with_capacity(record.len());
        for j in 0..record.len() {
            // Fields end at ASCII delimiters and quotes, so each range is a character boundary.
            let Some(field) = record.range(j).and_then(|r| text.get(r)) else {
                return Err(Error::unreadable(
                    file,
                    format!(
                        "ô {}: không đọc được nội dung",
                        crate::cell::a1(index as u32, j as u32)
                    ),
                ));
            };
            let field = if plain { field.to_string() } else { nfc(field) };
            if field.len() > limits.max_cell_chars && field.chars().count() > limits.max_cell_chars
            {
                return Err(Error::unreadable(
                    file,
                    format!(
                        "ô {}: nội dung dài quá {} ký tự",
                        crate::cell::a1(index as u32, j as u32),
                        limits.max_cell_chars
                    ),
                ));
            }
            row.push(if field.trim().is_empty() {
                Value::Empty
            } else {
                Value::Text(field)
            });
        }
        while matches!(row.last(), Some(Value::Empty)) {
            row.pop();
        }
        if !each(index, row) {
            return Ok(Streamed::Stopped);
        }
        index += 1;
    }
}

/// The one sheet's name: the file name without folder and extension.
fn sheet_name(file: &str) -> String {
    file.rsplit(['/', '\\'])
        .next()
        .unwrap_or(file)
        .rsplit_once('.')
        .map(|(s, _)| s.to_string())
        .unwrap_or_else(|| file.to_string())
}

/// Stream a CSV/TSV file's rows to `sink` as one sheet (`sheet_start(name, false, true)`, the
/// non-empty rows by record index, `sheet_end`). A UTF-8 file is read twice (once to check its
/// bytes are UTF-8, as `decode` decides) and never held; other encodings are decoded whole.
pub fn stream_text<R: Read + Seek>(
    src: R,
    file: &str,
    format: Format,
    limits: &Limits,
    sink: &mut dyn RowSink,
) -> Result<Streamed> {
    let opened = open(src, file, format)?;
    sink.sheet_start(&sheet_name(file), false, true);
    let streamed = opened.records(file, limits, &mut |index, row| {
        row.is_empty() || sink.row(index, row)
    })?;
    if streamed == Streamed::Done {
        sink.sheet_end();
    }
    Ok(streamed)
}

pub fn read_text(bytes: &[u8], file: &str, format: Format, limits: &Limits) -> Result<RawBook> {
    let opened = open(Cursor::new(bytes), file, format)?;
    let (encoding, delim) = (opened.encoding, opened.delimiter);
    let mut rows = Vec::new();
    opened.records(file, limits, &mut |_, row| {
        rows.push(row);
        true
    })?;
    let name = sheet_name(file);
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

    /// Collects what a stream sends; stops after `stop_after` rows when set.
    #[derive(Default)]
    struct Collect {
        starts: Vec<(String, bool, bool)>,
        rows: Vec<(usize, Vec<Value>)>,
        ends: usize,
        stop_after: Option<usize>,
    }

    impl RowSink for Collect {
        fn sheet_start(&mut self, name: &str, hidden: bool, last: bool) {
            self.starts.push((name.to_string(), hidden, last));
        }
        fn row(&mut self, index: usize, row: Vec<Value>) -> bool {
            self.rows.push((index, row));
            self.stop_after != Some(self.rows.len())
        }
        fn sheet_end(&mut self) {
            self.ends += 1;
        }
    }

    fn stream(bytes: &[u8], name: &str, limits: &Limits) -> (Result<Streamed>, Collect) {
        let mut sink = Collect::default();
        let format = if name.ends_with(".tsv") {
            Format::Tsv
        } else {
            Format::Csv
        };
        let r = stream_text(Cursor::new(bytes), name, format, limits, &mut sink);
        (r, sink)
    }

    /// `read_text`'s rows as a stream sends them: by record index, empty rows left out.
    fn non_empty_rows(book: &RawBook) -> Vec<(usize, Vec<Value>)> {
        book.sheets[0]
            .rows
            .iter()
            .cloned()
            .enumerate()
            .filter(|(_, r)| !r.is_empty())
            .collect()
    }

    fn assert_same_as_read_text(bytes: &[u8], name: &str) -> RawBook {
        let format = if name.ends_with(".tsv") {
            Format::Tsv
        } else {
            Format::Csv
        };
        let book = read_text(bytes, name, format, &Limits::default()).unwrap();
        let (r, sink) = stream(bytes, name, &Limits::default());
        assert_eq!(r.unwrap(), Streamed::Done, "{name}");
        assert_eq!(
            sink.starts,
            vec![(book.sheets[0].name.clone(), false, true)]
        );
        assert_eq!(sink.ends, 1, "{name}");
        assert_eq!(sink.rows, non_empty_rows(&book), "{name}");
        assert!(!sink.rows.is_empty(), "{name}");
        book
    }

    fn fixture(name: &str) -> Vec<u8> {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures/");
        std::fs::read(format!("{dir}{name}")).unwrap()
    }

    #[test]
    fn streamed_rows_are_read_text_rows() {
        for (name, note) in [
            ("award_multiline.csv", "mã hoá UTF-8, phân cách \",\""),
            ("award_utf8_semicolon.csv", "phân cách \";\""),
            ("award_utf16le.txt", "mã hoá UTF-16 LE"),
            ("award_cp1258.csv", "mã hoá Windows-1258"),
            ("award_utf8_bom.csv", "mã hoá UTF-8 (BOM)"),
            ("award_tab.tsv", "phân cách \"tab\""),
            ("legacy_tcvn3.csv", "mã hoá"),
        ] {
            let book = assert_same_as_read_text(&fixture(name), name);
            assert!(book.notes[0].contains(note), "{name}: {:?}", book.notes);
        }
        // A cell spanning lines stays one cell; Windows-1258 tone marks are composed.
        let book = read_text(
            &fixture("award_multiline.csv"),
            "m.csv",
            Format::Csv,
            &Limits::default(),
        )
        .unwrap();
        assert!(book.sheets[0]
            .rows
            .iter()
            .flatten()
            .any(|v| matches!(v, Value::Text(t) if t.contains("Kính\n* Lam kính"))));
        let (_, sink) = stream(&fixture("award_cp1258.csv"), "c.csv", &Limits::default());
        assert_eq!(sink.rows[0].1[1], Value::Text("Tên hàng hóa".into()));
    }

    #[test]
    fn blank_records_and_cells_match() {
        let bytes = "a;b;c\r\n\r\n ; x ;\r\n;;\r\n\"q;\"\"r\"\"\";2\r\nlast".as_bytes();
        let book = assert_same_as_read_text(bytes, "d/blank.csv");
        let rows = &book.sheets[0].rows;
        assert_eq!(book.sheets[0].name, "blank");
        assert_eq!(rows[1], vec![Value::Empty, Value::Text(" x ".into())]);
        assert_eq!(rows[2], Vec::<Value>::new());
        assert_eq!(rows[3][0], Value::Text("q;\"r\"".into()));
        assert_eq!(rows.len(), 5);
    }

    #[test]
    fn invalid_byte_after_64_kib_still_means_windows_1258() {
        let mut bytes = "Xuất xứ,Số lượng\n".as_bytes().to_vec();
        while bytes.len() < 70 * 1024 {
            bytes.extend_from_slice("Việt Nam,1\n".as_bytes());
        }
        bytes.extend_from_slice(b"Nh\xE2t,2\n");
        let book = assert_same_as_read_text(&bytes, "late.csv");
        assert!(book.notes[0].contains("Windows-1258"), "{:?}", book.notes);
        let (_, sink) = stream(&bytes, "late.csv", &Limits::default());
        // Each UTF-8 byte of "ấ" read as a Windows-1258 letter, as `decode` reads it.
        let want = nfc(&WINDOWS_1258
            .decode_without_bom_handling("Xuất xứ".as_bytes())
            .0);
        assert_ne!(want, "Xuất xứ");
        assert_eq!(sink.rows[0].1[0], Value::Text(want));
        assert_eq!(sink.rows.last().unwrap().1[0], Value::Text("Nhât".into()));
    }

    #[test]
    fn utf8_check_carries_a_character_split_between_chunks() {
        for pad in 64 * 1024 - 3..=64 * 1024 {
            let mut bytes = vec![b'a'; pad];
            bytes.extend_from_slice("ệ,ư\n".as_bytes());
            assert!(plain_utf8(&mut Cursor::new(&bytes)).unwrap(), "{pad}");
            bytes.push(0xE1); // a character cut short by the end of the file
            assert!(!plain_utf8(&mut Cursor::new(&bytes)).unwrap(), "{pad}");
        }
    }

    #[test]
    fn bom_with_broken_bytes_and_greek_question_mark_read_as_before() {
        // After a UTF-8 BOM, broken bytes become U+FFFD (not Windows-1258).
        let book = assert_same_as_read_text(b"\xEF\xBB\xBFa,b\nx\xFFy,2\n", "bom.csv");
        assert_eq!(book.sheets[0].rows[1][0], Value::Text("x\u{FFFD}y".into()));
        // NFC turns U+037E into ';', which then splits the cell as it always did.
        let book = assert_same_as_read_text("a;b\nx\u{37E}y;z\n".as_bytes(), "g.csv");
        assert_eq!(
            book.sheets[0].rows[1],
            vec![
                Value::Text("x".into()),
                Value::Text("y".into()),
                Value::Text("z".into())
            ]
        );
    }

    #[test]
    fn streamed_limits_and_errors_match_read_text() {
        let bytes = fixture("award_utf8_bom.csv");
        for limits in [
            Limits {
                max_cells: 30,
                ..Limits::default()
            },
            Limits {
                max_cell_chars: 10,
                ..Limits::default()
            },
        ] {
            let want = read_text(&bytes, "a.csv", Format::Csv, &limits)
                .unwrap_err()
                .to_string();
            let got = stream(&bytes, "a.csv", &limits).0.unwrap_err().to_string();
            assert_eq!(got, want);
            assert!(
                got.contains("vượt giới hạn") || got.contains("10 ký tự"),
                "{got}"
            );
        }
    }

    #[test]
    fn a_sink_that_stops_stops_the_read() {
        // A cell past the limit at the end: reading that far would be an error.
        let mut text = String::from("STT,Tên hàng hóa\n");
        for i in 1..=1000 {
            text.push_str(&format!("{i},Hàng {i}\n"));
        }
        text.push_str(&format!("1001,{}\n", "x".repeat(100)));
        let limits = Limits {
            max_cell_chars: 50,
            ..Limits::default()
        };
        assert!(stream(text.as_bytes(), "s.csv", &limits).0.is_err());
        let mut sink = Collect {
            stop_after: Some(3),
            ..Collect::default()
        };
        let r = stream_text(
            Cursor::new(text.as_bytes()),
            "s.csv",
            Format::Csv,
            &limits,
            &mut sink,
        );
        assert_eq!(r.unwrap(), Streamed::Stopped);
        assert_eq!(sink.rows.len(), 3);
        assert_eq!(
            sink.rows[2],
            (
                2,
                vec![Value::Text("2".into()), Value::Text("Hàng 2".into())]
            )
        );
        assert_eq!(sink.ends, 0, "a stopped read does not end the sheet");
    }
}
