//! Folding text for matching: NFC, lower case, no diacritics, đ→d, single spaces.
//! The original text is always kept beside the folded form for display.

use unicode_normalization::char::{decompose_canonical, is_combining_mark};
use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

/// Fold for comparison: "  Việt  Nam\n" → "viet nam", "ĐỨC" → "duc".
/// Works on composed and decomposed input alike.
pub fn fold(s: &str) -> String {
    if !s.chars().all(starts_canonical) {
        return fold_nfd(s);
    }
    let mut out = String::with_capacity(s.len());
    // true drops leading spaces.
    let mut space = true;
    // Fast path (nearly every cell): no character here combines with the one before, so
    // decomposing each on its own is the NFD of the whole string, without its buffering.
    for c in s.chars() {
        if c.is_ascii() {
            push_folded(&mut out, &mut space, c);
        } else {
            decompose_canonical(c, |d| {
                if !is_combining_mark(d) {
                    push_folded(&mut out, &mut space, d);
                }
            });
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

/// The general path: NFD of the whole string (marks reordered), marks dropped.
fn fold_nfd(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = true;
    for c in s.nfd() {
        if !is_combining_mark(c) {
            push_folded(&mut out, &mut space, c);
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

/// Characters whose canonical decomposition starts with a base character (combining class 0)
/// and that no canonical reordering moves: ASCII, Latin-1 to IPA, Latin Extended Additional
/// (the precomposed Vietnamese letters).
fn starts_canonical(c: char) -> bool {
    c < '\u{0300}' || ('\u{1E00}'..='\u{1EFF}').contains(&c)
}

fn push_folded(out: &mut String, space: &mut bool, c: char) {
    let c = match c {
        'đ' | 'Đ' => 'd',
        // Non-breaking and other odd spaces, line breaks and tabs are all one space.
        c if c.is_whitespace() || c == '\u{a0}' => ' ',
        c => c,
    };
    if c == ' ' {
        if !*space {
            out.push(' ');
            *space = true;
        }
        return;
    }
    *space = false;
    if c.is_ascii() {
        out.push(c.to_ascii_lowercase());
    } else {
        for l in c.to_lowercase() {
            out.push(l);
        }
    }
}

/// NFC: what we show and store as "raw" text after decoding. Text that already is NFC (nearly
/// every cell) is copied without a normalisation pass.
pub fn nfc(s: &str) -> String {
    if s.is_ascii() || is_nfc_quick(s.chars()) == IsNormalized::Yes {
        s.to_string()
    } else {
        s.nfc().collect()
    }
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

    #[test]
    fn fast_path_folds_like_nfd() {
        for s in [
            "  Ống nghiệm nhựa 5ml (PP)\t\u{b}ĐỨC  ",
            "Găng tay y tế; Malaysia/Việt Nam — Ấn Độ",
            "ÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴ",
            "İstanbul Ǆ ǅ ß ẞ Ω Å µ \u{2003}x\r\n y",
            "",
            "   ",
        ] {
            assert_eq!(fold(s), fold_nfd(s), "{s:?}");
        }
    }
}
