//! Checks on a zip container (xlsx, xlsm, xlsb, ods) before calamine opens it, so a small
//! hostile file cannot make the reader inflate or allocate far more than the file holds:
//! a zip bomb, a shared-string table claiming billions of strings, an ODS sheet whose repeat
//! counts expand to billions of cells. Only the central directory and the few bytes needed are
//! read; the zip crate then refuses to inflate any entry past its declared size.

use super::{Format, Limits};
use crate::{Error, Result};
use std::io::{Read, Seek};
use zip::ZipArchive;

/// An entry larger than this AND inflating more than `MAX_RATIO` times its packed size is refused.
pub const MAX_ENTRY_BYTES: u64 = 64 * 1024 * 1024;
pub const MAX_RATIO: u64 = 100;
/// All entries together, inflated.
pub const MAX_TOTAL_BYTES: u64 = 1024 * 1024 * 1024;
/// Entries in one container (a workbook has tens; each costs memory to index).
pub const MAX_ENTRIES: usize = 10_000;

const MB: u64 = 1024 * 1024;

fn refuse(file: &str, reason: String) -> Error {
    Error::unreadable(file, reason)
}

/// Check the container. A zip the zip crate cannot open at all is left to calamine, which
/// reports it as damaged.
pub fn check<R: Read + Seek>(reader: R, file: &str, format: Format, limits: &Limits) -> Result<()> {
    let Ok(mut zip) = ZipArchive::new(reader) else {
        return Ok(());
    };
    if zip.len() > MAX_ENTRIES {
        return Err(refuse(
            file,
            format!(
                "tệp nén chứa {} phần, vượt giới hạn {MAX_ENTRIES}; đây không phải bảng tính bình thường, hãy mở bằng Excel và lưu lại",
                zip.len()
            ),
        ));
    }
    let meta = zip.metadata();
    let mut total: u64 = 0;
    let mut sst: Option<(usize, u64)> = None;
    let mut content: Option<(usize, u64)> = None;
    let mut xlsb_book: Option<(usize, u64)> = None;
    let mut xlsb_rels: Option<(usize, u64)> = None;
    for i in 0..meta.len() {
        let Ok(entry) = meta.entry(i) else { continue };
        let name = String::from_utf8_lossy(entry.name_raw()).into_owned();
        let size = entry.size();
        let packed = entry.compressed_size().max(1);
        if size > MAX_ENTRY_BYTES && size / packed > MAX_RATIO {
            return Err(refuse(
                file,
                format!(
                    "phần \"{name}\" trong tệp nén khai báo {} MB khi giải nén, gấp {} lần kích thước nén (giới hạn {} MB và {MAX_RATIO} lần): nghi là bom nén (zip bomb); hãy mở bằng Excel và lưu lại, hoặc xuất ra CSV",
                    size / MB,
                    size / packed,
                    MAX_ENTRY_BYTES / MB
                ),
            ));
        }
        total = total.saturating_add(size);
        let lower = name.to_ascii_lowercase();
        if lower.ends_with("xl/sharedstrings.xml") {
            sst = Some((i, size));
        } else if lower == "content.xml" {
            content = Some((i, size));
        } else if name == "xl/workbook.bin" {
            xlsb_book = Some((i, size));
        } else if name == "xl/_rels/workbook.bin.rels" {
            xlsb_rels = Some((i, size));
        }
    }
    if total > MAX_TOTAL_BYTES {
        return Err(refuse(
            file,
            format!(
                "các phần trong tệp nén khai báo tổng cộng {} MB khi giải nén, vượt giới hạn {} MB; hãy tách tệp hoặc xuất ra CSV",
                total / MB,
                MAX_TOTAL_BYTES / MB
            ),
        ));
    }
    if let Some((i, size)) = sst {
        check_shared_strings(&mut zip, i, size, file)?;
    }
    if format == Format::Ods {
        if let Some((i, _)) = content {
            check_ods_cells(&mut zip, i, file, limits)?;
        }
    }
    if format == Format::Xlsb {
        if let Some(book) = xlsb_book {
            check_xlsb_workbook(&mut zip, book, xlsb_rels, file)?;
        }
    }
    Ok(())
}

/// Parts read whole by the xlsb check; a bigger one is left to calamine.
const XLSB_PART_BYTES: u64 = 16 * MB;

fn read_part<R: Read + Seek>(zip: &mut ZipArchive<R>, (i, size): (usize, u64)) -> Option<Vec<u8>> {
    if size > XLSB_PART_BYTES {
        return None;
    }
    let entry = zip.by_index(i).ok()?;
    let mut out = Vec::with_capacity(size as usize);
    entry.take(XLSB_PART_BYTES).read_to_end(&mut out).ok()?;
    Some(out)
}

/// `xl/workbook.bin` as calamine's xlsb reader walks it (sheet list, then external sheets),
/// refusing the records it would index past their end or whose relationship id the
/// relationships part does not have: there calamine panics, which the browser build cannot
/// catch (found by `cargo fuzz run read_any`). Its working buffer is emptied after each record of
/// the sheet list and only grows after it, and so is `buf_len` here.
fn check_xlsb_workbook<R: Read + Seek>(
    zip: &mut ZipArchive<R>,
    book: (usize, u64),
    rels: Option<(usize, u64)>,
    file: &str,
) -> Result<()> {
    let Some(bytes) = read_part(zip, book) else {
        return Ok(());
    };
    let ids = match rels {
        Some(r) => match read_part(zip, r) {
            Some(x) => relationship_ids(&x),
            None => return Ok(()),
        },
        None => Some(Vec::new()),
    };
    let damaged = |what: &str| {
        refuse(
            file,
            format!("tệp xlsb bị hỏng ({what}); hãy mở bằng Excel và lưu lại"),
        )
    };
    let mut at = 0usize;
    let mut buf_len = 0usize;
    let mut sheet_list = true;
    loop {
        let Some((typ, body)) = xlsb_record(&bytes, &mut at) else {
            // Cut short: calamine stops with an I/O error, which is not a panic.
            return Ok(());
        };
        let len = body.len();
        buf_len = buf_len.max(len);
        if sheet_list {
            match typ {
                0x0099 if len < 1 => return Err(damaged("thuộc tính sổ trống")),
                0x009C => {
                    if len < 12 {
                        return Err(damaged("mục trang tính quá ngắn"));
                    }
                    let rel_len = u32::from_le_bytes([body[8], body[9], body[10], body[11]]);
                    if rel_len != u32::MAX {
                        // Checked: on wasm32 a usize is 32 bits and the id length is any u32.
                        let end = (rel_len as usize)
                            .checked_mul(2)
                            .and_then(|n| n.checked_add(12));
                        let Some(rel) = end.and_then(|end| body.get(12..end)) else {
                            return Err(damaged("mã liên kết của trang tính vượt quá bản ghi"));
                        };
                        let units: Vec<u16> = rel
                            .chunks_exact(2)
                            .map(|c| u16::from_le_bytes([c[0], c[1]]))
                            .collect();
                        let rel = String::from_utf16_lossy(&units);
                        if let Some(ids) = &ids {
                            if !ids.contains(&rel) {
                                return Err(damaged("trang tính trỏ tới liên kết không có"));
                            }
                        }
                    }
                }
                0x0090 => sheet_list = false,
                _ => {}
            }
            if sheet_list {
                buf_len = 0;
            }
        } else {
            match typ {
                // Reads 4 bytes, then 12-byte entries of which it reads bytes 4..8.
                0x016A if buf_len < 4 || matches!((buf_len - 4) % 12, 1..=7) => {
                    return Err(damaged("danh sách trang ngoài không đúng độ dài"));
                }
                // What calamine reads after the names: it stops here.
                0x009D | 0x0225 | 0x018D | 0x0180 | 0x009A | 0x0252 | 0x0229 | 0x009B | 0x0084 => {
                    return Ok(())
                }
                _ => {}
            }
        }
    }
}

/// One record: its type (1–2 bytes of 7 bits) and body (length in 1–4 bytes of 7 bits).
fn xlsb_record<'a>(bytes: &'a [u8], at: &mut usize) -> Option<(u16, &'a [u8])> {
    let mut next = || {
        let b = *bytes.get(*at)?;
        *at += 1;
        Some(b)
    };
    let b = next()?;
    let typ = if b & 0x80 != 0 {
        u16::from(b & 0x7F) + (u16::from(next()? & 0x7F) << 7)
    } else {
        u16::from(b)
    };
    let mut b = next()?;
    let mut len = usize::from(b & 0x7F);
    for i in 1..4 {
        if b & 0x80 == 0 {
            break;
        }
        b = next()?;
        len += usize::from(b & 0x7F) << (7 * i);
    }
    let body = bytes.get(*at..at.checked_add(len)?)?;
    *at += len;
    Some((typ, body))
}

/// The `Id` of each `<Relationship …>` that also has a `Target` (as calamine keeps them); None
/// when an id holds an entity reference, which calamine may read otherwise than this does.
fn relationship_ids(xml: &[u8]) -> Option<Vec<String>> {
    let text = String::from_utf8_lossy(xml);
    let mut ids = Vec::new();
    for part in text.split("<Relationship").skip(1) {
        if !part.starts_with(|c: char| c.is_whitespace() || c == '/' || c == '>') {
            continue; // <Relationships …>
        }
        let tag = part.split('>').next().unwrap_or_default();
        if let (Some(id), Some(_)) = (attr_text(tag, "Id"), attr_text(tag, "Target")) {
            if id.contains('&') {
                return None;
            }
            ids.push(id.to_string());
        }
    }
    Some(ids)
}

/// The text of attribute `name` in a tag (`name = "…"` or `'…'`, any white space around `=`).
fn attr_text<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    for (p, _) in tag.match_indices(name) {
        if !tag[..p].ends_with(|c: char| c.is_whitespace()) {
            continue;
        }
        let rest = tag[p + name.len()..].trim_start();
        let Some(rest) = rest.strip_prefix('=') else {
            continue;
        };
        let rest = rest.trim_start();
        let Some(quote) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') else {
            continue;
        };
        let value = &rest[1..];
        return value.find(quote).map(|e| &value[..e]);
    }
    None
}

/// `<sst uniqueCount="N">`: calamine reserves N strings up front. Each `<si>` takes at least
/// five bytes, so a count the part cannot hold is a damaged or hostile file.
fn check_shared_strings<R: Read + Seek>(
    zip: &mut ZipArchive<R>,
    i: usize,
    size: u64,
    file: &str,
) -> Result<()> {
    let Ok(entry) = zip.by_index(i) else {
        return Ok(());
    };
    let mut head = Vec::with_capacity(4096);
    if entry.take(4096).read_to_end(&mut head).is_err() {
        return Ok(());
    }
    let text = String::from_utf8_lossy(&head);
    let Some(tag) = text.find("<sst").map(|p| &text[p..]) else {
        return Ok(());
    };
    let tag = tag.split('>').next().unwrap_or_default();
    let Some(count) = attr(tag.as_bytes(), b"uniqueCount") else {
        return Ok(());
    };
    if count > size / 5 + 16 {
        return Err(refuse(
            file,
            format!(
                "tệp bị hỏng: bảng chuỗi dùng chung khai báo {count} chuỗi nhưng chỉ dài {size} byte; hãy mở bằng Excel và lưu lại"
            ),
        ));
    }
    Ok(())
}

/// The numeric value of attribute `name="…"` in a tag's text (any namespace prefix).
fn attr(tag: &[u8], name: &[u8]) -> Option<u64> {
    let mut from = 0;
    while let Some(p) = find(&tag[from..], name) {
        let at = from + p;
        from = at + name.len();
        let before_ok = at == 0 || matches!(tag[at - 1], b' ' | b':' | b'\t' | b'\n' | b'\r');
        let rest = &tag[from..];
        let rest = trim_start(rest);
        if !before_ok || !rest.starts_with(b"=") {
            continue;
        }
        let rest = trim_start(&rest[1..]);
        let (&q, rest) = rest.split_first()?;
        if q != b'"' && q != b'\'' {
            return None;
        }
        let end = rest.iter().position(|&b| b == q)?;
        let v = std::str::from_utf8(&rest[..end]).ok()?.trim();
        // Saturate: a huge count is exactly what we look for.
        return Some(v.parse::<u64>().unwrap_or(
            if v.bytes().all(|b| b.is_ascii_digit()) && !v.is_empty() {
                u64::MAX
            } else {
                0
            },
        ));
    }
    None
}

fn trim_start(b: &[u8]) -> &[u8] {
    let n = b.iter().take_while(|c| c.is_ascii_whitespace()).count();
    &b[n..]
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Cells calamine would hold for one ODS table: each row stores its cells up to the last
/// non-empty one (repeats expanded, at most 16,384 columns), then the table is expanded to its
/// used rectangle with repeated rows. Both are estimated from the tags without building them.
#[derive(Default)]
struct OdsTable {
    name: String,
    /// Rows so far, repeats included (capped as calamine caps them).
    rows: u64,
    /// Rows up to the last non-empty one.
    used_rows: u64,
    widest: u64,
    /// Cells stored row by row before expansion.
    stored: u64,
    // The row being read.
    row_repeat: u64,
    row_cols: u64,
    row_used: u64,
}

const ODS_MAX_ROWS: u64 = 1_048_576;
const ODS_MAX_COLS: u64 = 16_384;

impl OdsTable {
    fn end_row(&mut self) {
        if self.row_used > 0 {
            self.used_rows = self.rows;
            self.widest = self.widest.max(self.row_used);
            self.stored = self.stored.saturating_add(self.row_used);
        }
        self.row_cols = 0;
        self.row_used = 0;
    }

    fn cells(&self) -> u64 {
        self.stored.max(self.used_rows.saturating_mul(self.widest))
    }
}

/// Stream content.xml through a small tag scanner (the zip reader inflates at most the declared
/// size) and refuse a table whose cells would pass `limits.max_cells`.
fn check_ods_cells<R: Read + Seek>(
    zip: &mut ZipArchive<R>,
    i: usize,
    file: &str,
    limits: &Limits,
) -> Result<()> {
    let Ok(mut entry) = zip.by_index(i) else {
        return Ok(());
    };
    let mut table = OdsTable::default();
    let mut tag: Vec<u8> = Vec::new();
    let mut in_tag = false;
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match entry.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        for &b in buf.iter().take(n) {
            if !in_tag {
                if b == b'<' {
                    in_tag = true;
                    tag.clear();
                }
                continue;
            }
            if b == b'>' {
                in_tag = false;
                on_tag(&tag, &mut table);
                let cells = table.cells();
                if cells > limits.max_cells {
                    return Err(refuse(
                        file,
                        format!(
                            "trang \"{}\" mở rộng thành hơn {} ô (các ô/dòng lặp lại), vượt giới hạn {} ô; hãy xoá các dòng/cột thừa (định dạng kéo tới cuối trang) rồi lưu lại, hoặc tách tệp",
                            table.name,
                            cells,
                            limits.max_cells
                        ),
                    ));
                }
            } else if tag.len() < 8192 {
                tag.push(b);
            }
        }
    }
    Ok(())
}

fn on_tag(tag: &[u8], t: &mut OdsTable) {
    let self_closing = tag.last() == Some(&b'/');
    if tag.starts_with(b"table:table ") || tag == b"table:table" {
        let name = find(tag, b"table:name=\"")
            .map(|p| {
                let rest = &tag[p + 12..];
                let end = rest.iter().position(|&c| c == b'"').unwrap_or(rest.len());
                String::from_utf8_lossy(&rest[..end.min(200)]).into_owned()
            })
            .unwrap_or_default();
        *t = OdsTable {
            name,
            ..OdsTable::default()
        };
    } else if tag.starts_with(b"table:table-row") && !tag.starts_with(b"table:table-rows") {
        let repeat = attr(tag, b"number-rows-repeated").unwrap_or(1).max(1);
        let repeat = repeat.min(ODS_MAX_ROWS.saturating_sub(t.rows));
        t.rows += repeat;
        t.row_repeat = repeat;
        t.row_cols = 0;
        t.row_used = 0;
        if self_closing {
            t.end_row();
        }
    } else if tag == b"/table:table-row" {
        t.end_row();
    } else if tag.starts_with(b"table:table-cell") || tag.starts_with(b"table:covered-table-cell") {
        let repeat = attr(tag, b"number-columns-repeated").unwrap_or(1).max(1);
        t.row_cols = t.row_cols.saturating_add(repeat).min(ODS_MAX_COLS);
        // An empty cell writes itself closed; one with a value or text has a type or children.
        let has_value = find(tag, b"value-type").is_some() || !self_closing;
        if has_value {
            t.row_used = t.row_cols;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xlsb_relationship_ids_as_calamine_keeps_them() {
        let rels = br#"<?xml version="1.0"?><Relationships xmlns="x">
            <Relationship Id="rId1" Type="t" Target="worksheets/sheet1.bin"/>
            <Relationship
              Id = 'rId2' Target='worksheets/sheet2.bin'/>
            <Relationship Id="rId3" Type="no target"/></Relationships>"#;
        assert_eq!(
            relationship_ids(rels),
            Some(vec!["rId1".to_string(), "rId2".to_string()])
        );
        // An entity in an id: calamine may unescape it; the check stands aside.
        assert_eq!(
            relationship_ids(br#"<Relationship Id="a&amp;b" Target="x"/>"#),
            None
        );
    }

    #[test]
    fn xlsb_records_are_read_as_calamine_reads_them() {
        // Type 0x9C in two bytes (0x9C 0x01), a 3-byte body; then a record cut short.
        let bytes = [0x9C, 0x01, 0x03, 1, 2, 3, 0x90, 0x05, 1];
        let mut at = 0;
        assert_eq!(xlsb_record(&bytes, &mut at), Some((0x9C, &[1u8, 2, 3][..])));
        assert_eq!(xlsb_record(&bytes, &mut at), None);
    }

    #[test]
    fn xlsb_sheet_id_longer_than_its_record_is_refused() {
        // A BrtBundleSh (0x9C) of 12 bytes claiming a 0xFFFF_FFFE-character id.
        let mut rec = vec![0x9C, 0x01, 12, 0, 0, 0, 0, 0, 0, 0, 0];
        rec.extend_from_slice(&0xFFFF_FFFEu32.to_le_bytes());
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default();
        zip.start_file("xl/workbook.bin", opts).unwrap();
        std::io::Write::write_all(&mut zip, &rec).unwrap();
        let bytes = zip.finish().unwrap().into_inner();
        let mut archive = ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let e = check_xlsb_workbook(&mut archive, (0, rec.len() as u64), None, "b.xlsb")
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("b.xlsb: ") && e.contains("vượt quá bản ghi"),
            "{e}"
        );
    }

    #[test]
    fn reads_attributes_with_any_prefix_and_quotes() {
        assert_eq!(
            attr(b"sst count=\"3\" uniqueCount=\"12\"", b"uniqueCount"),
            Some(12)
        );
        assert_eq!(attr(b"sst uniqueCount = '7'", b"uniqueCount"), Some(7));
        assert_eq!(
            attr(
                b"table:table-cell table:number-columns-repeated=\"16384\"",
                b"number-columns-repeated"
            ),
            Some(16384)
        );
        assert_eq!(attr(b"sst xuniqueCount=\"5\"", b"uniqueCount"), None);
        assert_eq!(
            attr(
                b"sst uniqueCount=\"99999999999999999999999\"",
                b"uniqueCount"
            ),
            Some(u64::MAX)
        );
        assert_eq!(attr(b"sst uniqueCount=\"", b"uniqueCount"), None);
    }

    #[test]
    fn ods_estimate_counts_repeats_up_to_the_last_value() {
        let mut t = OdsTable::default();
        for tag in [
            &b"table:table table:name=\"S\""[..],
            b"table:table-row table:number-rows-repeated=\"1000\"",
            b"table:table-cell office:value-type=\"string\" table:number-columns-repeated=\"100\"",
            b"table:table-cell table:number-columns-repeated=\"16000\"/",
            b"/table:table-row",
            b"table:table-row table:number-rows-repeated=\"1048576\"/",
        ] {
            on_tag(tag, &mut t);
        }
        assert_eq!(t.name, "S");
        // 1000 rows × 100 used columns; the trailing empty cells and rows cost nothing.
        assert_eq!(t.cells(), 100_000);
    }
}
