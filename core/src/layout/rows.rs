//! What a row is: blank, numbering, total, section, signature, or an item line.

use crate::read::Value;
use crate::text::fold;

/// "(1) (2) (3)…" or "1 2 3 …" under a header, also "(6)=(4)x(5)".
pub fn is_numbering_row(row: &[Value]) -> bool {
    let cells: Vec<String> = row
        .iter()
        .filter(|v| !v.is_empty())
        .map(|v| v.display())
        .collect();
    if cells.len() < 3 {
        return false;
    }
    let mut nums = Vec::new();
    let mut other = 0;
    for c in &cells {
        let t = c.trim();
        let inner = t.trim_start_matches('(').trim_end_matches(')');
        if let Ok(n) = inner.parse::<u32>() {
            nums.push(n);
        } else if t.starts_with('(')
            && t.contains(')')
            && (t.contains('=')
                || t.contains('x')
                || t.contains('*')
                || t.contains('+')
                || t.contains('-'))
        {
            // formula label like "(6)=(4)x(5)"
        } else {
            other += 1;
        }
    }
    if other * 5 > cells.len() || nums.len() < 2 {
        return false;
    }
    let increasing = nums.windows(2).filter(|w| w[1] > w[0]).count();
    nums.iter().all(|&n| n <= 200) && increasing * 10 >= (nums.len() - 1) * 8
}

/// Roman numerals and single letters used for sections: "I", "II.", "A", "B)".
pub fn is_section_marker(s: &str) -> bool {
    let t = s.trim().trim_end_matches(['.', ')', ':']);
    if t.is_empty() || t.len() > 6 {
        return false;
    }
    let roman = t.chars().all(|c| matches!(c, 'I' | 'V' | 'X' | 'L'));
    let letter = t.len() == 1 && t.chars().all(|c| c.is_ascii_uppercase());
    roman || letter
}

/// Whether a line number cell holds an item number ("1", "12", "1.2", "3a").
pub fn is_item_number(v: &Value) -> bool {
    match v {
        Value::Number(n) => *n >= 0.0,
        Value::Text(t) => {
            let t = t.trim();
            !t.is_empty() && t.chars().next().is_some_and(|c| c.is_ascii_digit())
        }
        _ => false,
    }
}

const TOTAL_WORDS: &[&str] = &[
    "tổng cộng",
    "tổng số",
    "tổng giá trị",
    "tổng tiền",
    "tổng thành tiền",
    "cộng",
    "total",
    "grand total",
    "sum",
    "bằng chữ",
    "số tiền bằng chữ",
];
const TOTAL_FOLDED: &[&str] = &["tong cong", "tong gia tri", "cong:", "grand total", "total"];

/// "Tổng cộng", "Cộng", "Tổng giá trị", "Bằng chữ: …". Checked on the lower-cased text with
/// its marks, so an item such as "Cổng USB" is not a total; ASCII-only text is checked folded.
pub fn is_total_text(s: &str) -> bool {
    let lower = s.trim().to_lowercase();
    if lower.is_empty() {
        return false;
    }
    let starts = |w: &str| {
        lower.starts_with(w)
            && lower[w.len()..]
                .chars()
                .next()
                .is_none_or(|c| !c.is_alphanumeric())
    };
    // "Tổng" alone or "Tổng:" (not "Tổng đài điện thoại").
    if TOTAL_WORDS.iter().any(|w| starts(w)) || lower.trim_end_matches([':', ' ']) == "tổng" {
        return true;
    }
    if lower.is_ascii() {
        let f = fold(&lower);
        return TOTAL_FOLDED.iter().any(|w| f.starts_with(w)) || f == "cong" || f == "tong";
    }
    false
}

const SIGNATURE: &[&str] = &[
    "nguoi lap bieu",
    "nguoi lap",
    "ke toan truong",
    "thu truong don vi",
    "thu truong co quan",
    "ky, ho ten",
    "ky ho ten",
    "ky ten",
    "ky va ghi ro ho ten",
    "ky, ghi ro ho ten",
    "giam doc",
    "pho giam doc",
    "dai dien nha thau",
    "dai dien hop phap",
    "to truong to chuyen gia",
    "chu tich",
    "ben moi thau",
    "dai dien ben moi thau",
    "dai dien chu dau tu",
    "xac nhan cua",
];

/// A signature block ends the table ("NGƯỜI LẬP BIỂU", "(Ký, họ tên, đóng dấu)").
pub fn is_signature_row(texts: &[String]) -> bool {
    if texts.is_empty() || texts.len() > 5 {
        return false;
    }
    texts.iter().any(|t| {
        let f = fold(t);
        let f = f.trim_start_matches(['(', '[']);
        SIGNATURE.iter().any(|s| f.starts_with(s)) || is_dateline(f)
    })
}

/// "Gia Lai, ngày 15 tháng 3 năm 2026" (folded).
fn is_dateline(f: &str) -> bool {
    f.contains("ngay") && f.contains("thang") && f.contains("nam") && f.contains(", ngay")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Value {
        Value::Text(s.into())
    }

    #[test]
    fn numbering_rows() {
        assert!(is_numbering_row(&[
            t("(1)"),
            t("(2)"),
            t("(3)"),
            t("(4)"),
            t("(5)")
        ]));
        assert!(is_numbering_row(&[
            Value::Number(1.0),
            Value::Number(2.0),
            Value::Number(3.0),
            Value::Number(4.0)
        ]));
        assert!(is_numbering_row(&[
            t("(1)"),
            t("(2)"),
            t("(3)"),
            t("(4)"),
            t("(5)"),
            t("(6)=(4)x(5)")
        ]));
        assert!(!is_numbering_row(&[
            Value::Number(1.0),
            t("Bơm tiêm"),
            t("Cái"),
            Value::Number(100.0)
        ]));
    }

    #[test]
    fn totals_not_items() {
        assert!(is_total_text("Tổng cộng"));
        assert!(is_total_text("TỔNG CỘNG:"));
        assert!(is_total_text("Cộng"));
        assert!(is_total_text("Tổng giá trị"));
        assert!(is_total_text("Tong cong"));
        assert!(!is_total_text("Cổng USB 3.0"));
        assert!(is_total_text("Tổng:"));
        assert!(is_total_text("Cộng phần I"));
        assert!(!is_total_text("Tổng đài điện thoại"));
        assert!(!is_total_text("Bơm tiêm"));
    }

    #[test]
    fn sections_and_signatures() {
        assert!(is_section_marker("I"));
        assert!(is_section_marker("IV."));
        assert!(is_section_marker("B"));
        assert!(!is_section_marker("1"));
        assert!(!is_section_marker("Bơm"));
        assert!(is_signature_row(&[
            "NGƯỜI LẬP BIỂU".into(),
            "KẾ TOÁN TRƯỞNG".into()
        ]));
        assert!(is_signature_row(&["(Ký, họ tên, đóng dấu)".into()]));
        assert!(is_signature_row(&[
            "Gia Lai, ngày 15 tháng 3 năm 2026".into()
        ]));
        assert!(!is_signature_row(&["Máy đo huyết áp".into(), "Cái".into()]));
    }
}
