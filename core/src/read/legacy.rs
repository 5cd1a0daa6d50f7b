//! Text typed in legacy Vietnamese font encodings (TCVN3/ABC, VNI) shows up as odd Latin-1
//! letters ("Tªn hµng", "Vieät Nam"). We cannot always decode it, but we must say so.

use super::{RawBook, Value};

// Characters TCVN3 uses for Vietnamese letters that Vietnamese Unicode text almost never has.
const TCVN3_MARKS: &[char] = &[
    'µ', '¸', '¶', '·', '¹', '¨', '»', '¾', '¼', '½', 'Æ', 'Ç', 'ª', '©', '«', '¬', '®', '\u{ad}',
    'Ì', 'Ë', 'Î', 'Ï', 'Ñ', 'ß', 'ã', 'ë', 'ò', 'ï', 'ñ', 'ö', '÷', 'ø', 'ú', 'ü', 'þ', '¢', '¤',
    '¥',
];

/// "tcvn3", "vni" or None for one piece of text.
pub fn detect_legacy_font(s: &str) -> Option<&'static str> {
    let letters = s.chars().filter(|c| c.is_alphabetic()).count();
    if letters < 4 {
        return None;
    }
    // Real Vietnamese Unicode has letters from Latin Extended Additional (U+1E00–1EFF) or ơ/ư/đ.
    let vn = s
        .chars()
        .filter(|&c| ('\u{1E00}'..='\u{1EFF}').contains(&c) || "ơưđƠƯĐăĂ".contains(c))
        .count();
    let tcvn = s.chars().filter(|c| TCVN3_MARKS.contains(c)).count();
    if tcvn >= 2 && vn == 0 {
        return Some("tcvn3");
    }
    // VNI: base letter followed by a Latin-1 tone/shape byte ("Vieät", "ñaàu").
    let lower = s.to_lowercase();
    let vni_pairs = [
        "aø", "aù", "aû", "aõ", "aï", "aá", "aà", "eä", "eá", "eà", "oä", "oá", "ôø", "öô", "öø",
        "öù", "uø", "uù", "ñ",
    ];
    let vni = vni_pairs.iter().filter(|p| lower.contains(*p)).count();
    if vni >= 2 && vn == 0 {
        return Some("vni");
    }
    None
}

/// A note for the user when the first rows of any sheet look like legacy-font text.
pub fn detect_in_book(book: &RawBook) -> Option<String> {
    for sheet in &book.sheets {
        let mut hits = 0;
        let mut kind = "";
        let mut example = String::new();
        for (i, row) in sheet.rows.iter().take(60).enumerate() {
            for (j, v) in row.iter().enumerate() {
                if let Value::Text(t) = v {
                    if let Some(k) = detect_legacy_font(t) {
                        hits += 1;
                        kind = k;
                        if example.is_empty() {
                            example = format!(
                                "ô {}: \"{}\"",
                                crate::cell::a1(i as u32, j as u32),
                                t.chars().take(40).collect::<String>()
                            );
                        }
                    }
                }
            }
        }
        if hits >= 2 {
            let font = if kind == "tcvn3" {
                "TCVN3 (ABC, phông .VnTime)"
            } else {
                "VNI (phông VNI-Times)"
            };
            return Some(format!(
                "trang \"{}\" có chữ gõ bằng bảng mã cũ {font}, ví dụ {example}; hãy chuyển sang Unicode (Unikey: công cụ chuyển mã) rồi kiểm tra lại",
                sheet.name
            ));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_tcvn3_and_vni_not_unicode() {
        assert_eq!(detect_legacy_font("Tªn hµng hãa"), Some("tcvn3"));
        assert_eq!(detect_legacy_font("Xuaát xöù Vieät Nam"), Some("vni"));
        assert_eq!(detect_legacy_font("Tên hàng hóa"), None);
        assert_eq!(detect_legacy_font("Việt Nam"), None);
        assert_eq!(detect_legacy_font("Đức"), None);
    }
}
