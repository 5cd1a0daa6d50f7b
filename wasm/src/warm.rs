//! A check of a small award sheet built here, run by the page's worker while the user is still
//! choosing a file: the browser first runs wasm on its quick baseline tier and compiles the
//! hot functions to optimised code only as they run, so the first real check of a session was
//! ~25 % slower than the ones after it (1.62 s against 1.30 s on a 100,000-line file).

use rust_xlsxwriter::{Workbook, XlsxError};

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
