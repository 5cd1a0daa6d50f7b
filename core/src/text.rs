//! Folding text for matching: NFC, lower case, no diacritics, đ→d, single spaces.
//! The original text is always kept beside the folded form for display.

use unicode_normalization::char::{decompose_canonical, is_combining_mark};
use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

/// `fold`, borrowing text that is already folded (ids, lower-case codes): no copy then.
pub fn fold_cow(s: &str) -> std::borrow::Cow<'_, str> {
    if is_folded(s) {
        std::borrow::Cow::Borrowed(s)
    } else {
        std::borrow::Cow::Owned(fold(s))
    }
}

/// Printable ASCII without capitals, spaces single and inside: what `fold` leaves as it is.
fn is_folded(s: &str) -> bool {
    let b = s.as_bytes();
    b.first() != Some(&b' ')
        && b.last() != Some(&b' ')
        && b.iter()
            .all(|&c| matches!(c, b'!'..=b'~') && !c.is_ascii_uppercase() || c == b' ')
        && !s.contains("  ")
}

/// Fold for comparison: "  Việt  Nam\n" → "viet nam", "ĐỨC" → "duc".
/// Works on composed and decomposed input alike.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    fold_into(&mut out, s);
    out
}

/// `fold` written into `out` (cleared first), so a caller that folds many texts can keep one
/// buffer's room instead of allocating each time.
pub fn fold_into(out: &mut String, s: &str) {
    out.clear();
    out.reserve(s.len());
    if s.is_ascii() {
        fold_ascii(out, s);
    } else {
        fold_chars(out, s);
    }
}

/// `str::trim` with a quick answer for text that starts and ends with a printable ASCII
/// character (nearly every cell): the rules trim each field they test, many times a line.
pub fn trim(s: &str) -> &str {
    let b = s.as_bytes();
    match (b.first(), b.last()) {
        (Some(f), Some(l)) if f.is_ascii_graphic() && l.is_ascii_graphic() => s,
        _ => s.trim(),
    }
}

/// `fold` of ASCII text (model codes, most brands and makers): bytes, no table.
fn fold_ascii(out: &mut String, s: &str) {
    // true drops leading spaces.
    let mut space = true;
    for &b in s.as_bytes() {
        // The ASCII characters `char::is_whitespace` takes (u8's own test leaves out \x0b).
        if matches!(b, b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r' | b' ') {
            if !space {
                out.push(' ');
                space = true;
            }
        } else {
            out.push(char::from(b.to_ascii_lowercase()));
            space = false;
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
}

fn fold_chars(out: &mut String, s: &str) {
    if !s.chars().all(starts_canonical) {
        return fold_nfd(out, s);
    }
    // true drops leading spaces.
    let mut space = true;
    // Fast path (nearly every cell): no character here combines with the one before, so
    // folding each on its own is folding the NFD of the whole string, without its buffering;
    // letters come from a table built once.
    let table = letter_table();
    for c in s.chars() {
        if let Some(f) = table.get(c) {
            out.push(f);
            space = false;
        } else if c.is_ascii() || c.is_whitespace() {
            push_folded(out, &mut space, c);
        } else {
            decompose_canonical(c, |d| {
                if !is_combining_mark(d) {
                    push_folded(out, &mut space, d);
                }
            });
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
}

/// Folded form of each letter or digit of ASCII, U+0080–U+024F and U+1E00–U+1EFF that folds to
/// exactly one non-space character; '\0' for the others (spaces, marks, multi-character folds),
/// which take the general step.
struct LetterTable(Vec<char>);

const LATIN_END: u32 = 0x250;
const EXTENDED: std::ops::Range<u32> = 0x1E00..0x1F00;

impl LetterTable {
    fn build() -> LetterTable {
        let fold_one = |c: char| {
            let mut out = String::new();
            let mut space = true;
            decompose_canonical(c, |d| {
                if !is_combining_mark(d) {
                    push_folded(&mut out, &mut space, d);
                }
            });
            let mut chars = out.chars();
            match (chars.next(), chars.next()) {
                (Some(f), None) if f != ' ' => f,
                _ => '\0',
            }
        };
        let codes = (0..LATIN_END).chain(EXTENDED);
        LetterTable(
            codes
                .map(|u| char::from_u32(u).map_or('\0', fold_one))
                .collect(),
        )
    }

    fn get(&self, c: char) -> Option<char> {
        let u = c as u32;
        let i = if u < LATIN_END {
            u
        } else if EXTENDED.contains(&u) {
            LATIN_END + u - EXTENDED.start
        } else {
            return None;
        };
        self.0.get(i as usize).copied().filter(|&f| f != '\0')
    }
}

fn letter_table() -> &'static LetterTable {
    static TABLE: std::sync::OnceLock<LetterTable> = std::sync::OnceLock::new();
    TABLE.get_or_init(LetterTable::build)
}

/// The general path: NFD of the whole string (marks reordered), marks dropped.
fn fold_nfd(out: &mut String, s: &str) {
    let mut space = true;
    for c in s.nfd() {
        if !is_combining_mark(c) {
            push_folded(out, &mut space, c);
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
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

/// Whether a text is only white space (what `trim` removes), or nothing: most cells start with
/// a letter or a digit, and are answered at their first byte.
pub fn blank(s: &str) -> bool {
    match s.as_bytes().first() {
        None => true,
        Some(&b) if b.is_ascii() && !char::from(b).is_whitespace() => false,
        Some(_) => s.trim().is_empty(),
    }
}

/// NFC: what we show and store as "raw" text after decoding. Text that already is NFC (nearly
/// every cell) is copied without a normalisation pass.
pub fn nfc(s: &str) -> String {
    if plainly_nfc(s) || is_nfc_quick(s.chars()) == IsNormalized::Yes {
        s.to_string()
    } else {
        s.nfc().collect()
    }
}

/// A byte scan for the usual case: only characters below U+0300 (no combining mark lives there)
/// and the Latin Extended Additional block U+1E00–U+1EFF (every precomposed Vietnamese letter),
/// none of which NFC changes whatever follows them. Anything else goes to the full quick check.
pub fn plainly_nfc(s: &str) -> bool {
    // In valid UTF-8 that is: every byte below 0xCC (ASCII, continuation bytes and the lead
    // bytes C2–CB) except an E1 followed by B8–BB.
    let b = s.as_bytes();
    let plain_at =
        |k: usize, c: u8| c < 0xCC || (c == 0xE1 && matches!(b.get(k + 1), Some(0xB8..=0xBB)));
    // 32 bytes at a time beside the 32 after them by one, without a branch inside: the
    // compiler turns it into vector instructions. (Walking a block byte by byte whenever it
    // held a Vietnamese letter, as nearly every block of an award list does, was 6 % of a CSV
    // check's reading thread.)
    let mut i = 0;
    while let (Some(cur), Some(next)) = (b.get(i..i + 32), b.get(i + 1..i + 33)) {
        let mut plain = true;
        for (&c, &n) in cur.iter().zip(next) {
            plain &= (c < 0xCC) | ((c == 0xE1) & (n & 0xFC == 0xB8));
        }
        if !plain {
            return false;
        }
        i += 32;
    }
    b.get(i..)
        .unwrap_or_default()
        .iter()
        .enumerate()
        .all(|(k, &c)| plain_at(i + k, c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_is_what_trim_leaves_empty() {
        let mut texts: Vec<String> = ["", " ", "a", " a", "\u{a0}", "\u{a0}x", "\u{3000}", "x "]
            .iter()
            .map(|s| s.to_string())
            .collect();
        // Every ASCII byte alone and before a letter, and the Unicode spaces.
        texts.extend((0u8..128).map(|b| char::from(b).to_string()));
        texts.extend((0u8..128).map(|b| format!("{}b", char::from(b))));
        texts.extend(
            [
                '\u{85}', '\u{1680}', '\u{2000}', '\u{2028}', '\u{202f}', '\u{205f}', '\u{feff}',
            ]
            .map(String::from),
        );
        for t in &texts {
            assert_eq!(blank(t), t.trim().is_empty(), "{t:?}");
        }
    }

    #[test]
    fn byte_scan_agrees_with_the_quick_check() {
        for s in [
            "Việt Nam",
            "Bơm tiêm 5ml – loại 1",
            "Ống nghiệm × 100 µl ²",
            "Vie\u{0302}\u{0323}t",
            "Trung Quốc\u{0301}",
            "日本",
            "",
        ] {
            let quick = is_nfc_quick(s.chars()) == IsNormalized::Yes;
            assert!(!plainly_nfc(s) || quick, "{s:?}");
            assert_eq!(nfc(s), s.nfc().collect::<String>(), "{s:?}");
        }
        assert!(plainly_nfc("Công ty Cổ phần Dược phẩm Đức Đạt, Việt Nam"));
        assert!(!plainly_nfc("Vie\u{0302}t"));
        // A mark after an ASCII run, in a short text and (past 64 bytes, block by block) right
        // after an all-ASCII block and at a block's end.
        assert!(!plainly_nfc("Bom tiem 5ml loai 1\u{0301}"));
        let long = "a".repeat(32) + "\u{0301}" + &"b".repeat(40);
        assert!(!plainly_nfc(&long));
        let at_end = "a".repeat(30) + "\u{0301}" + &"b".repeat(40);
        assert!(!plainly_nfc(&at_end));
        assert!(plainly_nfc(&("Việt Nam ".repeat(12))));
    }

    /// One of the fold paths, into a fresh buffer.
    fn into(path: fn(&mut String, &str), s: &str) -> String {
        let mut out = String::new();
        path(&mut out, s);
        out
    }

    /// The scan as first written, one character at a time.
    fn plainly_nfc_by_chars(s: &str) -> bool {
        s.chars()
            .all(|c| (c as u32) < 0x300 || (0x1E00..0x1F00).contains(&(c as u32)))
    }

    proptest::proptest! {
        #[test]
        fn ascii_fold_is_the_general_fold(s in "[\\x00-\\x7f]{0,40}|[a-zA-Z \\t\\n\\x0b\\x0c\\r]{0,40}") {
            proptest::prop_assert_eq!(into(fold_ascii, &s), into(fold_chars, &s), "{:?}", s);
        }

        #[test]
        fn quick_trim_is_trim(s in "\\PC{0,20}|[ a-z\t\u{a0}\u{3000}.]{0,12}") {
            proptest::prop_assert_eq!(trim(&s), s.trim());
        }

        #[test]
        fn folding_into_a_used_buffer_is_folding(a in "\\PC{0,40}", b in "\\PC{0,40}") {
            let mut buf = fold(&a);
            fold_into(&mut buf, &b);
            proptest::prop_assert_eq!(buf, fold(&b));
        }

        #[test]
        fn block_scan_agrees_with_the_character_scan(
            s in "\\PC{0,80}|[a-zA-Z ạ-ỹÀ-ɏ\u{300}-\u{36f}\u{1df0}-\u{1f10}–]{0,80}"
        ) {
            proptest::prop_assert_eq!(plainly_nfc(&s), plainly_nfc_by_chars(&s), "{:?}", s);
        }
    }

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
            assert_eq!(fold(s), into(fold_nfd, s), "{s:?}");
        }
        // Every character the letter table covers, alone and between others.
        for u in (0..LATIN_END).chain(EXTENDED) {
            let Some(c) = char::from_u32(u) else { continue };
            for s in [c.to_string(), format!("Ab {c}c  {c}{c} ")] {
                assert_eq!(fold(&s), into(fold_nfd, &s), "U+{u:04X} in {s:?}");
            }
        }
    }
}
