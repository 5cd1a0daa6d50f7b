//! CSV and TSV: encoding detection (UTF-8 ± BOM, UTF-16 LE/BE with BOM, Windows-1258),
//! delimiter detection (`,` `;` tab), rows numbered by record as Excel shows them.
//!
//! `stream_text` sends the rows one at a time to a `RowSink`, so a large UTF-8 file is never
//! held whole; `read_text` collects the same rows through the same code.

use super::{Format, Limits, RawBook, RawSheet, RowSink, Streamed, Value};
use crate::text::{nfc, plainly_nfc};
use crate::{Error, Result};
use encoding_rs::{UTF_16BE, UTF_16LE, WINDOWS_1258};
use std::io::{Cursor, Read, Seek, SeekFrom};

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

/// U+037E GREEK QUESTION MARK in UTF-8: NFC turns it into `;`. In the first lines, or in a file
/// split by `;`, the file is composed whole before it is split, as it always was.
const GREEK_QUESTION_MARK: [u8; 2] = [0xCD, 0xBE];

/// Bytes asked of the file at a time (the csv reader's buffer, and the first lines' reads).
const CHUNK: usize = 64 * 1024;

/// Where a file's records come from once its encoding is known.
enum Source<R> {
    /// UTF-8 as far as the first lines show (after any BOM), read once as it comes: each record
    /// is checked as it is split, and composed to NFC cell by cell, which is what composing the
    /// whole text gives (no delimiter, quote or line break composes with a mark). `head` is the
    /// first lines, already read to find the delimiter; `rest` is the file after them.
    Utf8 { head: Vec<u8>, rest: R },
    /// UTF-16, Windows-1258 (and UTF-8 with a BOM but broken bytes, or U+037E in the first lines)
    /// are decoded whole and composed to NFC: such files are small in practice.
    Decoded(String),
}

/// A text file ready to be split into records.
struct Opened<R> {
    source: Source<R>,
    encoding: &'static str,
    delimiter: u8,
}

/// Decide the encoding by the BOM and the first lines, and the delimiter by the first lines.
/// A file whose first lines are UTF-8 is read as UTF-8 from there on; `records` goes back to
/// the start if a later record says otherwise.
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
        // The first lines only (a file without line breaks is one line, held whole).
        let (head, whole) = read_head(&mut src).map_err(io)?;
        let lines = first_lines(&head);
        if utf8_so_far(&head, whole) && memchr::memmem::find(lines, &GREEK_QUESTION_MARK).is_none()
        {
            let delimiter = detect_delimiter(&String::from_utf8_lossy(lines), format);
            return Ok(Opened {
                source: Source::Utf8 { head, rest: src },
                encoding,
                delimiter,
            });
        }
    }
    let (text, encoding) = decode_whole(&mut src).map_err(io)?;
    let delimiter = detect_delimiter(&text, format);
    Ok(Opened {
        source: Source::Decoded(text),
        encoding,
        delimiter,
    })
}

/// The whole file decoded (as `decode` decides) and composed to NFC.
fn decode_whole<R: Read + Seek>(src: &mut R) -> std::io::Result<(String, &'static str)> {
    let mut bytes = Vec::new();
    src.seek(SeekFrom::Start(0))?;
    src.read_to_end(&mut bytes)?;
    let (text, encoding) = decode(&bytes);
    drop(bytes);
    Ok((nfc(&text), encoding))
}

/// Read until the first `DELIMITER_LINES` lines are in, or the file ends (then true: the head
/// is the whole file).
fn read_head<R: Read>(src: &mut R) -> std::io::Result<(Vec<u8>, bool)> {
    let mut head = Vec::new();
    let mut lines = 0;
    while lines < DELIMITER_LINES {
        let was = head.len();
        let n = src.by_ref().take(CHUNK as u64).read_to_end(&mut head)?;
        if n == 0 {
            return Ok((head, true));
        }
        lines += memchr::memchr_iter(b'\n', &head[was..]).count();
    }
    Ok((head, false))
}

/// The first `DELIMITER_LINES` lines of `head`, line breaks included.
fn first_lines(head: &[u8]) -> &[u8] {
    match memchr::memchr_iter(b'\n', head).nth(DELIMITER_LINES - 1) {
        Some(i) => &head[..=i],
        None => head,
    }
}

/// Whether `bytes` is UTF-8, but for a character its end cuts short when the file goes on.
fn utf8_so_far(bytes: &[u8], whole: bool) -> bool {
    match simdutf8::compat::from_utf8(bytes) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none() && !whole,
    }
}

/// How a split of the records ended.
enum Split {
    Done(Streamed),
    /// Record `at` (0-based) says the file is not the UTF-8 its first lines showed.
    NotUtf8 {
        at: usize,
        greek: bool,
        /// Every record before it was ASCII: read as any encoding, they are the same rows.
        ascii_before: bool,
    },
}

impl<R: Read + Seek> Opened<R> {
    /// Split into records and turn each into a row: `each(index, row)` gets every record in
    /// order (0-based, as `RawSheet::rows`), empty ones too; returning false stops the read.
    /// Gives back the encoding the records were read in.
    fn records(
        self,
        file: &str,
        limits: &Limits,
        each: &mut dyn FnMut(usize, Vec<Value>) -> bool,
    ) -> Result<(Streamed, &'static str)> {
        let text = match self.source {
            Source::Utf8 { head, rest } => {
                let mut rdr = csv_reader(Cursor::new(head).chain(rest), self.delimiter);
                let check = Utf8Check {
                    greek_splits: self.delimiter == b';',
                };
                match each_record(&mut rdr, Some(check), 0, file, limits, each)? {
                    Split::Done(s) => return Ok((s, self.encoding)),
                    Split::NotUtf8 {
                        at,
                        greek,
                        ascii_before,
                    } => {
                        if at > 0 && !ascii_before {
                            return Err(mixed(file, at, greek));
                        }
                        // The rows already given are ASCII, the same in the file's real
                        // encoding: read it as before streaming, from the record after them.
                        let (_, mut src) = rdr.into_inner().into_inner();
                        let io = |e: std::io::Error| {
                            Error::unreadable(file, format!("không đọc được tệp ({e})"))
                        };
                        let (text, encoding) = decode_whole(&mut src).map_err(io)?;
                        (text, encoding, at)
                    }
                }
            }
            Source::Decoded(text) => (text, self.encoding, 0),
        };
        let (text, encoding, skip) = text;
        // Read again, the split is the one found on the first lines: they decode to the same
        // ASCII delimiters, quotes and line breaks in every encoding read here.
        let delimiter = self.delimiter;
        let mut rdr = csv_reader(text.as_bytes(), delimiter);
        match each_record(&mut rdr, None, skip, file, limits, each)? {
            Split::Done(s) => Ok((s, encoding)),
            // Decoded text is a `String`: every record is UTF-8.
            Split::NotUtf8 { .. } => Ok((Streamed::Done, encoding)),
        }
    }
}

/// The error for a record that is not UTF-8 after records that were (and were not ASCII).
fn mixed(file: &str, at: usize, greek: bool) -> Error {
    Error::unreadable(
        file,
        if greek {
            format!(
                "bản ghi {}: có ký tự “;” Hy Lạp (U+037E) trong tệp phân cách bằng “;”; hãy thay nó bằng dấu “;” thường",
                at + 1
            )
        } else {
            format!(
                "bản ghi {}: không phải văn bản UTF-8 trong khi các bản ghi trước là UTF-8 (tệp lẫn nhiều bảng mã); hãy lưu lại tệp với mã hóa UTF-8",
                at + 1
            )
        },
    )
}

fn csv_reader<S: Read>(src: S, delimiter: u8) -> csv::Reader<S> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .buffer_capacity(CHUNK)
        .from_reader(src)
}

/// What each record of a file read as UTF-8 is checked for.
#[derive(Clone, Copy)]
struct Utf8Check {
    /// The delimiter is `;`: a U+037E would have split its cell.
    greek_splits: bool,
}

/// The one place a CSV record becomes a row: cells composed to NFC, blank cells `Empty`,
/// trailing empty cells dropped, the size limits applied. Records before `skip` are split and
/// counted but not given to `each` (they were, before the file was read again).
fn each_record<S: Read>(
    rdr: &mut csv::Reader<S>,
    check: Option<Utf8Check>,
    skip: usize,
    file: &str,
    limits: &Limits,
    each: &mut dyn FnMut(usize, Vec<Value>) -> bool,
) -> Result<Split> {
    let mut cells: u64 = 0;
    // Bytes, not `StringRecord`: csv's own UTF-8 check is std's, several times slower.
    let mut record = csv::ByteRecord::new();
    let mut index = 0usize;
    let mut ascii_so_far = true;
    loop {
        match rdr.read_byte_record(&mut record) {
            Ok(false) => return Ok(Split::Done(Streamed::Done)),
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
        let bytes = record.as_slice();
        let Ok(text) = simdutf8::basic::from_utf8(bytes) else {
            return Ok(Split::NotUtf8 {
                at: index,
                greek: false,
                ascii_before: ascii_so_far,
            });
        };
        if let Some(check) = check {
            if check.greek_splits
                && memchr::memchr_iter(GREEK_QUESTION_MARK[0], bytes)
                    .any(|i| bytes.get(i + 1) == Some(&GREEK_QUESTION_MARK[1]))
            {
                return Ok(Split::NotUtf8 {
                    at: index,
                    greek: true,
                    ascii_before: ascii_so_far,
                });
            }
            ascii_so_far = ascii_so_far && bytes.is_ascii();
        }
        if index < skip {
            index += 1;
            continue;
        }
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
            row.push(if crate::text::blank(&field) {
                Value::Empty
            } else {
                Value::Text(field)
            });
        }
        while matches!(row.last(), Some(Value::Empty)) {
            row.pop();
        }
        if !each(index, row) {
            return Ok(Split::Done(Streamed::Stopped));
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
    let (streamed, _) = opened.records(file, limits, &mut |index, row| {
        row.is_empty() || sink.row(index, row)
    })?;
    if streamed == Streamed::Done {
        sink.sheet_end();
    }
    Ok(streamed)
}

pub fn read_text(bytes: &[u8], file: &str, format: Format, limits: &Limits) -> Result<RawBook> {
    let opened = open(Cursor::new(bytes), file, format)?;
    let delim = opened.delimiter;
    let mut rows = Vec::new();
    let (_, encoding) = opened.records(file, limits, &mut |_, row| {
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

    /// Records of `line` past the first lines and the first reads, then `last`.
    fn long_file(header: &str, line: &str, last: &[u8]) -> Vec<u8> {
        let mut bytes = header.as_bytes().to_vec();
        while bytes.len() < 3 * CHUNK {
            bytes.extend_from_slice(line.as_bytes());
        }
        bytes.extend_from_slice(last);
        bytes
    }

    #[test]
    fn a_late_broken_byte_after_ascii_records_means_windows_1258() {
        // An English header and ASCII rows, then "Nhật" in Windows-1258: read once as UTF-8,
        // then again from the start as Windows-1258, the rows already given not given twice.
        let bytes = long_file("Origin,Qty\n", "Japan,1\n", b"Nh\xE2\xF2t,2\n");
        let book = assert_same_as_read_text(&bytes, "late.csv");
        assert!(book.notes[0].contains("Windows-1258"), "{:?}", book.notes);
        let (_, sink) = stream(&bytes, "late.csv", &Limits::default());
        let records = bytes.iter().filter(|&&b| b == b'\n').count();
        let text = |a: &str, b: &str| vec![Value::Text(a.into()), Value::Text(b.into())];
        let mut want = vec![(0, text("Origin", "Qty"))];
        want.extend((1..records - 1).map(|i| (i, text("Japan", "1"))));
        want.push((records - 1, text("Nhật", "2")));
        assert_eq!(sink.rows, want);
    }

    #[test]
    fn a_late_broken_byte_after_utf8_text_is_an_error_naming_the_record() {
        // Not one encoding: read as Windows-1258 (as before files were read once) every
        // Vietnamese letter above would turn to nonsense, so the user is asked to save again.
        let bytes = long_file("Xuất xứ,Số lượng\n", "Việt Nam,1\n", b"Nh\xE2t,2\n");
        let records = bytes.iter().filter(|&&b| b == b'\n').count();
        for e in [
            stream(&bytes, "mixed.csv", &Limits::default())
                .0
                .unwrap_err(),
            read_text(&bytes, "mixed.csv", Format::Csv, &Limits::default()).unwrap_err(),
        ] {
            let e = e.to_string();
            assert!(e.contains("mixed.csv"), "{e}");
            assert!(e.contains(&format!("bản ghi {records}:")), "{e}");
            assert!(e.contains("hãy lưu lại tệp với mã hóa UTF-8"), "{e}");
        }
    }

    #[test]
    fn first_lines_cut_inside_a_character_are_still_utf8() {
        // The first read ends inside "ệ": the file is still UTF-8, read once.
        for pad in CHUNK - 3..=CHUNK {
            // Two long lines, then a third whose "ệ" starts at byte `pad` (cells under the limit).
            let mut bytes = Vec::new();
            for c in [b'a', b'b'] {
                bytes.extend(std::iter::repeat_n(c, 30_000));
                bytes.push(b'\n');
            }
            bytes.resize(pad, b'c');
            bytes.extend_from_slice("ệ,ư\n".as_bytes());
            for i in 0..30 {
                bytes.extend_from_slice(format!("x{i},y\n").as_bytes());
            }
            let opened = open(Cursor::new(&bytes), "cut.csv", Format::Csv).unwrap();
            assert!(matches!(opened.source, Source::Utf8 { .. }), "{pad}");
            let book = assert_same_as_read_text(&bytes, "cut.csv");
            assert!(
                book.notes[0].contains("mã hoá UTF-8,"),
                "{pad}: {:?}",
                book.notes
            );
            assert_eq!(book.sheets[0].rows[2][1], Value::Text("ư".into()));
        }
    }

    #[test]
    fn a_small_file_cut_inside_its_last_character_is_not_utf8() {
        // As before files were read once: the whole file is not UTF-8, so Windows-1258.
        let mut bytes = "Xuất xứ,SL\nNhật,1\n".as_bytes().to_vec();
        bytes.push(0xE1);
        let opened = open(Cursor::new(&bytes), "cut.csv", Format::Csv).unwrap();
        assert!(matches!(opened.source, Source::Decoded(_)));
        let book = assert_same_as_read_text(&bytes, "cut.csv");
        assert!(book.notes[0].contains("Windows-1258"), "{:?}", book.notes);
    }

    #[test]
    fn a_late_greek_question_mark_splits_as_before() {
        // Split by ",": U+037E composes to ";" inside its cell, as composing the whole text did.
        let bytes = long_file(
            "Xuất xứ,Số lượng\n",
            "Việt Nam,1\n",
            "a\u{37E}b,2\n".as_bytes(),
        );
        let (_, sink) = stream(&bytes, "g.csv", &Limits::default());
        assert_eq!(sink.rows.last().unwrap().1[0], Value::Text("a;b".into()));
        assert_same_as_read_text(&bytes, "g.csv");
        // Split by ";" after ASCII rows: read again whole, where it splits the cell.
        let bytes = long_file("Origin;Qty\n", "Japan;1\n", "a\u{37E}b;2\n".as_bytes());
        let (_, sink) = stream(&bytes, "g.csv", &Limits::default());
        let records = bytes.iter().filter(|&&b| b == b'\n').count();
        assert_eq!(sink.rows.len(), records);
        assert_eq!(sink.rows[records - 2].1[0], Value::Text("Japan".into()));
        assert_eq!(
            sink.rows.last().unwrap().1,
            vec![
                Value::Text("a".into()),
                Value::Text("b".into()),
                Value::Text("2".into())
            ]
        );
        // After Vietnamese rows the file cannot be read again the same: the user is told.
        let bytes = long_file(
            "Xuất xứ;Số lượng\n",
            "Việt Nam;1\n",
            "a\u{37E}b;2\n".as_bytes(),
        );
        let e = stream(&bytes, "g.csv", &Limits::default())
            .0
            .unwrap_err()
            .to_string();
        assert!(e.contains("U+037E"), "{e}");
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
