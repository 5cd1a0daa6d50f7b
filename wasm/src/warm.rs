//! A check of a small award sheet built here, run by the page's worker while the user is still
//! choosing a file: the browser first runs wasm on its quick baseline tier and compiles the
//! hot functions to optimised code only as they run, so the first real check of a session was
//! ~25 % slower than the ones after it (1.62 s against 1.30 s on a 100,000-line file). The
//! reading worker reads bigger sheets built here, in both ways a workbook stores its texts.

use rust_xlsxwriter::{Workbook, XlsxError};
use std::fmt::Write as _;

/// Award lines as agencies write them (names, makers and origins from the e-procurement
/// award rows in shared/data), varied by row so every path of the check runs.
const ROWS: [(&str, &str, &str, &str, &str, &str); 6] = [
    (
        "Van Trocar kèm dụng cụ giảm 11/5mm",
        "30103RE",
        "KARL STORZ",
        "KARL STORZ",
        "Đức",
        "Cái",
    ),
    ("Dung dịch Javen", ".", ".", "Thuận Phát", "Việt Nam", "Lít"),
    (
        "Máy tính xách tay",
        "Latitude 3440",
        "Dell",
        "Dell Inc.",
        "Trung Quốc",
        "Chiếc",
    ),
    (
        "Cáp điện lực 0,6/1kV CXV 4x16",
        "CXV",
        "CADIVI",
        "Công ty cổ phần Dây cáp điện Việt Nam",
        "Việt Nam\n",
        "Mét",
    ),
    (
        "Bơm tiêm 5ml nhựa",
        "",
        "Vinahankook",
        "Vinahankook",
        "Malaixia",
        "Cái",
    ),
    (
        "Găng tay y tế",
        "M",
        "Tanaphar",
        "Công ty cổ phần Tanaphar/ Việt Nam",
        "Mỹ, Nhật",
        "Đôi",
    ),
];

const HEADERS: [&str; 11] = [
    "STT",
    "Tên hàng hóa",
    "Ký mã hiệu",
    "Nhãn hiệu",
    "Hãng sản xuất",
    "Xuất xứ",
    "Năm sản xuất",
    "Đơn vị tính",
    "Số lượng",
    "Đơn giá trúng thầu (VNĐ)",
    "Thành tiền (VNĐ)",
];

/// An award sheet of `lines` lines, as xlsx bytes.
pub fn sample_award(lines: u32) -> Result<Vec<u8>, XlsxError> {
    sample(lines, 50)
}

/// The same with `names` different item names per kind of item (the reader's warm-up: a real
/// list has thousands, and reading its shared strings is one long loop).
pub fn sample(lines: u32, names: u32) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "KẾT QUẢ LỰA CHỌN NHÀ THẦU")?;
    for (c, h) in HEADERS.iter().enumerate() {
        sheet.write_string(2, c as u16, *h)?;
    }
    for i in 0..lines {
        let (name, model, brand, maker, origin, unit) = ROWS[i as usize % ROWS.len()];
        let r = 3 + i;
        let qty = f64::from(1 + i % 97);
        let price = f64::from(9_572 + (i % 13) * 1_000);
        sheet.write_number(r, 0, f64::from(i + 1))?;
        sheet.write_string(r, 1, format!("{name} số {}", i % names.max(1)))?;
        sheet.write_string(r, 2, model)?;
        sheet.write_string(r, 3, brand)?;
        sheet.write_string(r, 4, maker)?;
        sheet.write_string(r, 5, origin)?;
        sheet.write_number(r, 6, 2026.0)?;
        sheet.write_string(r, 7, unit)?;
        sheet.write_number(r, 8, qty)?;
        sheet.write_number(r, 9, price)?;
        sheet.write_number(r, 10, qty * price)?;
    }
    sheet.merge_range(
        0,
        0,
        1,
        10,
        "KẾT QUẢ LỰA CHỌN NHÀ THẦU",
        &Default::default(),
    )?;
    book.save_to_buffer()
}

/// The same lines with their texts stored in the cells (`t="inlineStr"`), as programs that write
/// big sheets in one pass store them, not in a shared-strings part: the reader's other path
/// (rust_xlsxwriter writes it only through temporary files, which the browser has not). A
/// first big file stored that way was read ~0.2 s slower when only the other path was warm.
pub fn sample_inline(lines: u32, names: u32) -> Vec<u8> {
    let mut xml = String::with_capacity(lines as usize * 700 + 2_000);
    xml.push_str(concat!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
        r#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#,
        r#"<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>KẾT QUẢ LỰA CHỌN NHÀ THẦU</t></is></c></row><row r="3">"#
    ));
    let text = |xml: &mut String, col: u8, row: u32, t: &str| {
        let t = t.replace('&', "&amp;").replace('<', "&lt;");
        let space = if t.ends_with('\n') {
            r#" xml:space="preserve""#
        } else {
            ""
        };
        let _ = write!(
            xml,
            r#"<c r="{}{row}" t="inlineStr"><is><t{space}>{t}</t></is></c>"#,
            char::from(b'A' + col)
        );
    };
    let number = |xml: &mut String, col: u8, row: u32, n: f64| {
        let _ = write!(
            xml,
            r#"<c r="{}{row}"><v>{n}</v></c>"#,
            char::from(b'A' + col)
        );
    };
    for (c, h) in HEADERS.iter().enumerate() {
        text(&mut xml, c as u8, 3, h);
    }
    xml.push_str("</row>");
    for i in 0..lines {
        let (name, model, brand, maker, origin, unit) = ROWS[i as usize % ROWS.len()];
        let r = 4 + i;
        let qty = f64::from(1 + i % 97);
        let price = f64::from(9_572 + (i % 13) * 1_000);
        let _ = write!(xml, r#"<row r="{r}">"#);
        number(&mut xml, 0, r, f64::from(i + 1));
        text(&mut xml, 1, r, &format!("{name} số {}", i % names.max(1)));
        for (c, t) in [(2, model), (3, brand), (4, maker), (5, origin)] {
            if !t.is_empty() {
                text(&mut xml, c, r, t);
            }
        }
        number(&mut xml, 6, r, 2026.0);
        text(&mut xml, 7, r, unit);
        number(&mut xml, 8, r, qty);
        number(&mut xml, 9, r, price);
        number(&mut xml, 10, r, qty * price);
        xml.push_str("</row>");
    }
    xml.push_str(
        r#"</sheetData><mergeCells count="1"><mergeCell ref="A1:K2"/></mergeCells></worksheet>"#,
    );
    let parts: [(&str, &str); 5] = [
        (
            "[Content_Types].xml",
            concat!(
                r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
                r#"<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">"#,
                r#"<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>"#,
                r#"<Default Extension="xml" ContentType="application/xml"/>"#,
                r#"<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>"#,
                r#"<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>"#,
                r#"</Types>"#
            ),
        ),
        (
            "_rels/.rels",
            concat!(
                r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
                r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#,
                r#"<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>"#,
                r#"</Relationships>"#
            ),
        ),
        (
            "xl/workbook.xml",
            concat!(
                r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
                r#"<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">"#,
                r#"<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#
            ),
        ),
        (
            "xl/_rels/workbook.xml.rels",
            concat!(
                r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
                r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#,
                r#"<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>"#,
                r#"</Relationships>"#
            ),
        ),
        ("xl/worksheets/sheet1.xml", &xml),
    ];
    stored_zip(&parts)
}

/// A zip of `parts` stored as they are (no compression), written here: the zip crate's writer
/// made the module 260 KB bigger for this one warm-up file.
fn stored_zip(parts: &[(&str, &str)]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, text) in parts {
        let (name, data) = (name.as_bytes(), text.as_bytes());
        let offset = out.len() as u32;
        let crc = crc32(data);
        let size = data.len() as u32;
        // Local header: version 2.0, no flags, stored, 1980-01-01 00:00.
        out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        out.extend_from_slice(&[20, 0, 0, 0, 0, 0, 0, 0, 0x21, 0]);
        for n in [crc, size, size] {
            out.extend_from_slice(&n.to_le_bytes());
        }
        out.extend_from_slice(&(name.len() as u16).to_le_bytes());
        out.extend_from_slice(&[0, 0]);
        out.extend_from_slice(name);
        out.extend_from_slice(data);
        central.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        central.extend_from_slice(&[20, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0x21, 0]);
        for n in [crc, size, size] {
            central.extend_from_slice(&n.to_le_bytes());
        }
        central.extend_from_slice(&(name.len() as u16).to_le_bytes());
        // Extra and comment lengths, disk, internal and external attributes.
        central.extend_from_slice(&[0; 12]);
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name);
    }
    let at = out.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&[0, 0, 0, 0]);
    let count = (parts.len() as u16).to_le_bytes();
    out.extend_from_slice(&count);
    out.extend_from_slice(&count);
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&at.to_le_bytes());
    out.extend_from_slice(&[0, 0]);
    out
}

/// CRC-32 (IEEE), as zip checks it on reading.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = (crc >> 1) ^ (0xEDB8_8320 & (crc & 1).wrapping_neg());
        }
    }
    !crc
}

#[cfg(test)]
mod tests {
    use super::*;
    use hangviet_core::read::{read, Limits};

    #[test]
    fn the_inline_sample_reads_as_the_shared_one() {
        let limits = Limits::default();
        let shared = read(&sample(300, 40).expect("sample"), "a.xlsx", &limits).expect("shared");
        let inline = read(&sample_inline(300, 40), "b.xlsx", &limits).expect("inline");
        let (a, b) = (&shared.sheets[0], &inline.sheets[0]);
        assert_eq!(a.rows.len(), 303);
        assert_eq!(a.rows, b.rows);
        assert_eq!(a.merges, b.merges);
    }

    #[test]
    fn crc32_is_the_zip_one() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b""), 0);
    }
}
