//! Which format a file is, from its bytes first and its extension second.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Xlsx,
    Xlsm,
    Xlsb,
    Xls,
    Ods,
    Csv,
    Tsv,
}

impl Format {
    pub fn id(self) -> &'static str {
        match self {
            Format::Xlsx => "xlsx",
            Format::Xlsm => "xlsm",
            Format::Xlsb => "xlsb",
            Format::Xls => "xls",
            Format::Ods => "ods",
            Format::Csv => "csv",
            Format::Tsv => "tsv",
        }
    }
}

const ZIP: &[u8] = b"PK\x03\x04";
const ZIP_EMPTY: &[u8] = b"PK\x05\x06";
const OLE: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

fn extension(name: &str) -> String {
    name.rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default()
}

/// Sniff the format. Err is a plain reason for the user.
pub fn sniff(bytes: &[u8], file_name: &str) -> Result<Format, String> {
    let ext = extension(file_name);
    if bytes.starts_with(ZIP) || bytes.starts_with(ZIP_EMPTY) {
        // Part names sit in plain text in local headers and the central directory.
        if contains(bytes, b"xl/workbook.bin") {
            return Ok(Format::Xlsb);
        }
        if contains(bytes, b"xl/workbook.xml")
            || contains(bytes, b"[Content_Types].xml") && contains(bytes, b"xl/")
        {
            return Ok(if ext == "xlsm" || contains(bytes, b"vbaProject.bin") {
                Format::Xlsm
            } else {
                Format::Xlsx
            });
        }
        if contains(bytes, b"application/vnd.oasis.opendocument.spreadsheet") {
            return Ok(Format::Ods);
        }
        if contains(bytes, b"word/document.xml") {
            return Err("đây là tệp Word (docx), không phải bảng tính; hãy xuất danh mục ra Excel (xlsx) hoặc CSV".into());
        }
        if contains(bytes, b"application/vnd.oasis.opendocument.text") {
            return Err(
                "đây là văn bản ODT, không phải bảng tính; hãy xuất danh mục ra bảng tính".into(),
            );
        }
        return match ext.as_str() {
            "xlsx" | "xlsm" => Ok(Format::Xlsx),
            "ods" => Ok(Format::Ods),
            "xlsb" => Ok(Format::Xlsb),
            _ => Err("tệp nén zip nhưng không chứa bảng tính Excel hay ODS".into()),
        };
    }
    if bytes.starts_with(OLE) {
        // An encrypted xlsx is an OLE container holding "EncryptionInfo".
        if contains(bytes, &utf16(b"EncryptionInfo"))
            || contains(bytes, &utf16(b"EncryptedPackage"))
        {
            return Err(
                "tệp được đặt mật khẩu (mã hoá); hãy mở bằng Excel, bỏ mật khẩu rồi lưu lại".into(),
            );
        }
        return Ok(Format::Xls);
    }
    if looks_binary(bytes) {
        return Err(match ext.as_str() {
            "xlsx" | "xlsm" | "xlsb" | "xls" | "ods" => {
                "tệp bị hỏng hoặc không đúng định dạng bảng tính (không đọc được phần đầu tệp); hãy mở lại bằng Excel và lưu lại".into()
            }
            _ => "không phải bảng tính (tệp nhị phân không rõ định dạng); hỗ trợ xlsx, xlsm, xls, xlsb, ods, csv, tsv".into(),
        });
    }
    Ok(if ext == "tsv" || ext == "tab" {
        Format::Tsv
    } else {
        Format::Csv
    })
}

fn utf16(ascii: &[u8]) -> Vec<u8> {
    ascii.iter().flat_map(|&b| [b, 0]).collect()
}

/// Binary unless it has a text BOM or few control bytes in its first 4 KiB.
fn looks_binary(bytes: &[u8]) -> bool {
    if bytes.starts_with(&[0xFF, 0xFE])
        || bytes.starts_with(&[0xFE, 0xFF])
        || bytes.starts_with(&[0xEF, 0xBB, 0xBF])
    {
        return false;
    }
    let head = &bytes[..bytes.len().min(4096)];
    let bad = head
        .iter()
        .filter(|&&b| b == 0 || (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0C | 0x1A)))
        .count();
    bad * 20 > head.len().max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_by_bytes_not_name() {
        // A CSV saved with an .xlsx name is still read as CSV.
        assert_eq!(sniff(b"a,b\n1,2\n", "x.xlsx"), Ok(Format::Csv));
        assert_eq!(sniff(b"a\tb\n", "x.tsv"), Ok(Format::Tsv));
        assert_eq!(sniff(b"a,b\n", "x.csv"), Ok(Format::Csv));
        assert!(sniff(&[0u8, 1, 2, 3, 0, 0, 0, 9], "x.bin").is_err());
        assert_eq!(sniff(&[0xFF, 0xFE, b'a', 0], "x.txt"), Ok(Format::Csv));
    }
}
