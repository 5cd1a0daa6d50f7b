//! Folding text for matching: NFC, lower case, no diacritics, đ→d, single spaces.
//! The original text is always kept beside the folded form for display.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// Fold for comparison: "  Việt  Nam\n" → "viet nam", "ĐỨC" → "duc".
/// Works on composed and decomposed input alike.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = true; // drop leading spaces
    for c in s.nfd() {
        if is_combining_mark(c) {
            continue;
        }
        let c = match c {
            'đ' | 'Đ' => 'd',
            // Non-breaking and other odd spaces, line breaks and tabs are all one space.
            c if c.is_whitespace() || c == '\u{a0}' => ' ',
            c => c,
        };
        if c == ' ' {
            if !space {
                out.push(' ');
                space = true;
            }
            continue;
        }
        space = false;
        for l in c.to_lowercase() {
            out.push(l);
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

/// NFC with trimmed ends: what we show and store as "raw" text after decoding.
pub fn nfc(s: &str) -> String {
    s.nfc().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_vietnamese() {
        assert_eq!(fold("  Việt  Nam\n"), "viet nam");
        assert_eq!(fold("ĐỨC"), "duc");
        assert_eq!(fold("Đơn giá trúng thầu"), "don gia trung thau");
        // decomposed input (as Windows-1258 gives it)
        assert_eq!(fold("Vie\u{0302}\u{0323}t Nam"), "viet nam");
        assert_eq!(fold("Xuất\u{a0}xứ"), "xuat xu");
    }
}
