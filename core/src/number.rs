//! Numbers as Vietnamese files write them ("1.234.567", "1.234.567,5", "12.500 đ", "1,5 triệu").
//!
//! Vietnamese notation groups thousands with '.' and writes decimals with ','; files made with
//! an English-locale Excel do the opposite. The rules, in order:
//! - both '.' and ',' present: the last one is the decimal mark, the other groups thousands;
//! - one kind repeated ("1.234.567", "1,234,567"): thousands grouping;
//! - a single '.': thousands when exactly 3 digits follow and 1–3 digits (not a lone 0) precede
//!   ("1.500" → 1500), a decimal point otherwise ("1.5", "0.500");
//! - a single ',': the Vietnamese decimal comma ("1,5" → 1.5), except in a money amount with a
//!   currency word where exactly 3 digits follow ("12,500 đ" → 12500: đồng have no decimals);
//! - spaces between digits group thousands ("1 234 567") and must do so regularly.

use crate::text::fold;

/// What a text cell holds.
#[derive(Debug, Clone, PartialEq)]
pub enum Parsed {
    /// Nothing to read: an empty cell or a dash ("-").
    Empty,
    Number(f64),
    /// A percentage as a fraction: "12%" → 0.12.
    Percent(f64),
}

/// Parse a Vietnamese-notation number written as text. Err carries a Vietnamese reason for the user.
pub fn parse_number(text: &str) -> Result<Parsed, String> {
    // Most cells are plain digits ("125000"): read them without cleaning or folding.
    let t = text.trim_ascii();
    if (1..=15).contains(&t.len()) && t.bytes().all(|b| b.is_ascii_digit()) {
        if let Ok(n) = t.parse::<u64>() {
            return Ok(Parsed::Number(n as f64));
        }
    }
    let cleaned: String = text
        .chars()
        .filter(|&c| !is_invisible(c))
        .map(|c| if is_space(c) { ' ' } else { c })
        .collect();
    let shown = cleaned.trim();
    if shown.is_empty() || is_dash_only(shown) {
        return Ok(Parsed::Empty);
    }
    // Folding lowers case, removes diacritics (đồng → dong, tỷ → ty) and joins spaces.
    let folded = fold(shown);
    parse_folded(&folded).map_err(|why| format!("\"{shown}\": {why}"))
}

const EXAMPLE: &str = "hãy ghi số như 1.234.567 hoặc 1.234.567,5";

fn parse_folded(s: &str) -> Result<Parsed, String> {
    let mut s = s.trim();
    let mut negative = false;
    let mut currency = strip_currency(&mut s);
    if let Some(inner) = s.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
        // Accounting style: (1.000) is -1000.
        negative = true;
        s = inner.trim();
        currency |= strip_currency(&mut s);
    }
    if let Some(rest) = s.strip_prefix(['-', '\u{2212}', '\u{2013}']) {
        if negative {
            return Err(format!("có hai dấu âm; {EXAMPLE}"));
        }
        negative = true;
        s = rest.trim_start();
    } else if let Some(rest) = s.strip_prefix('+') {
        s = rest.trim_start();
    }
    for prefix in ["vnd", "\u{20ab}"] {
        if let Some(rest) = s.strip_prefix(prefix) {
            s = rest.trim_start();
            currency = true;
        }
    }
    let mut percent = false;
    if let Some(rest) = s.strip_suffix('%') {
        if currency {
            return Err("vừa có dấu % vừa có đơn vị tiền, không rõ là số gì".to_string());
        }
        percent = true;
        s = rest.trim_end();
    }
    let mut exponent: i32 = if percent { -2 } else { 0 };
    let mut scaled = false;
    for (word, power) in [
        ("trieu", 6),
        ("tr", 6),
        ("ty", 9),
        ("ti", 9),
        ("nghin", 3),
        ("ngan", 3),
        ("k", 3),
    ] {
        if let Some(rest) = strip_word(s, word) {
            if percent {
                return Err(
                    "vừa có dấu % vừa có đơn vị (triệu, tỷ…), không rõ là số gì".to_string()
                );
            }
            s = rest;
            exponent += power;
            scaled = true;
            break;
        }
    }
    if s.is_empty() {
        return Err(format!("không có chữ số nào; {EXAMPLE}"));
    }
    if let Some(c) = s
        .chars()
        .find(|c| !(c.is_ascii_digit() || matches!(c, '.' | ',' | ' ')))
    {
        let what = if c.is_alphabetic() {
            "không phải là số".to_string()
        } else {
            format!("có ký tự \"{c}\" không thuộc một số")
        };
        return Err(format!("{what}; {EXAMPLE}"));
    }
    let digits = plain_digits(s, currency || scaled)?;
    let value: f64 = format!("{digits}e{exponent}")
        .parse()
        .map_err(|_| format!("không đọc được số; {EXAMPLE}"))?;
    if !value.is_finite() {
        return Err("số quá lớn".to_string());
    }
    let value = if negative { -value } else { value };
    Ok(if percent {
        Parsed::Percent(value)
    } else {
        Parsed::Number(value)
    })
}

/// Remove a trailing currency word ("đ", "vnđ", "vnd", "đồng", "₫"); true when one was there.
fn strip_currency(s: &mut &str) -> bool {
    for word in ["vnd", "dong", "d", "\u{20ab}"] {
        let t = s.trim_end_matches('.');
        if let Some(rest) = strip_word(t, word) {
            *s = rest;
            return true;
        }
    }
    false
}

/// Remove `word` from the end of `s` when it stands alone or right after a digit.
fn strip_word<'a>(s: &'a str, word: &str) -> Option<&'a str> {
    let rest = s.strip_suffix(word)?;
    let before = rest.chars().next_back();
    match before {
        Some(' ') => Some(rest.trim_end()),
        Some(c) if c.is_ascii_digit() || c == ')' => Some(rest),
        _ => None,
    }
}

/// Turn the number part (digits, '.', ',', spaces) into "1234567.5" by the rules above.
/// `money` is true when a currency word or a multiplier was present.
fn plain_digits(s: &str, money: bool) -> Result<String, String> {
    let bad = || format!("dấu chấm/dấu phẩy đặt sai chỗ, không đọc được số; {EXAMPLE}");
    let s = join_space_groups(s).ok_or_else(|| {
        format!(
            "có khoảng trắng giữa các chữ số mà không phải kiểu tách hàng nghìn (1 234 567); \
             nếu là nhiều số thì mỗi ô chỉ ghi một số; {EXAMPLE}"
        )
    })?;
    let dots = s.matches('.').count();
    let commas = s.matches(',').count();
    let (int, frac, group) = match (dots, commas) {
        (0, 0) => (s.as_str(), "", None),
        (_, 0) | (0, _) => {
            let sep = if dots > 0 { '.' } else { ',' };
            let (int, frac) = s.split_once(sep).ok_or_else(bad)?;
            // Repeated marks group thousands; a single one may too ("1.500").
            let grouped = dots + commas > 1 || (is_thousands(int, frac) && (sep == '.' || money));
            if grouped {
                (s.as_str(), "", Some(sep))
            } else {
                (int, frac, None)
            }
        }
        _ => {
            // Both kinds: the last one is the decimal mark and appears once.
            let last = s.rfind(['.', ',']).ok_or_else(bad)?;
            let (dec, grp) = if s.get(last..).is_some_and(|t| t.starts_with(',')) {
                (',', '.')
            } else {
                ('.', ',')
            };
            if s.matches(dec).count() != 1 {
                return Err(bad());
            }
            let (int, frac) = s.split_once(dec).ok_or_else(bad)?;
            (int, frac, Some(grp))
        }
    };
    let int = match group {
        Some(g) => ungroup(int, g).ok_or_else(bad)?,
        None => int.to_string(),
    };
    let all_digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(&int) || !all_digits(frac) || (int.is_empty() && frac.is_empty()) {
        return Err(bad());
    }
    let int = if int.is_empty() { "0" } else { int.as_str() };
    Ok(if frac.is_empty() {
        int.to_string()
    } else {
        format!("{int}.{frac}")
    })
}

/// "1.500": one to three leading digits (not a lone zero) then exactly three.
fn is_thousands(int: &str, frac: &str) -> bool {
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    digits(int) && int.len() <= 3 && !int.starts_with('0') && digits(frac) && frac.len() == 3
}

/// "1.234.567" with group mark '.' → "1234567"; None when the groups are irregular.
fn ungroup(int: &str, mark: char) -> Option<String> {
    let mut parts = int.split(mark);
    let first = parts.next()?;
    let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    if first.is_empty() || first.len() > 3 || !digits(first) {
        return None;
    }
    let mut out = first.to_string();
    for p in parts {
        if p.len() != 3 || !digits(p) {
            return None;
        }
        out.push_str(p);
    }
    Some(out)
}

/// "1 234 567,5" → "1234567,5"; None when spaces split digits irregularly ("12 34").
fn join_space_groups(s: &str) -> Option<String> {
    let parts: Vec<&str> = s.split(' ').collect();
    let [first, rest @ ..] = parts.as_slice() else {
        return None;
    };
    if rest.is_empty() {
        return Some(s.to_string());
    }
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    if !digits(first) || first.len() > 3 {
        return None;
    }
    for (i, p) in rest.iter().enumerate() {
        let head = p.get(..3)?;
        let tail = p.get(3..)?;
        let last = i + 1 == rest.len();
        let tail_ok = tail.is_empty()
            || (last
                && tail.len() > 1
                && tail.starts_with(['.', ','])
                && digits(tail.get(1..).unwrap_or("")));
        if !digits(head) || !tail_ok {
            return None;
        }
    }
    Some(parts.concat())
}

fn is_dash_only(s: &str) -> bool {
    s.chars()
        .all(|c| matches!(c, '-' | '\u{2013}' | '\u{2014}' | '\u{2212}'))
}

fn is_space(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{a0}' | '\u{202f}' | '\u{2007}')
}

fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{feff}' | '\u{2060}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_digits_read_as_the_general_rules_read_them() {
        for t in ["0", "7", "0123", "125000", " 125000\t", "999999999999999"] {
            assert_eq!(parse_number(t), parse_folded(t.trim()), "{t:?}");
        }
        // 16 digits and more go through the general rules.
        assert_eq!(
            parse_number("1234567890123456"),
            parse_folded("1234567890123456")
        );
    }

    fn num(s: &str) -> f64 {
        match parse_number(s) {
            Ok(Parsed::Number(v)) => v,
            other => panic!("{s:?} should be a number, got {other:?}"),
        }
    }

    fn err(s: &str) -> String {
        match parse_number(s) {
            Err(e) => e,
            other => panic!("{s:?} should be an error, got {other:?}"),
        }
    }

    #[test]
    fn vietnamese_grouping_and_decimals() {
        assert_eq!(num("1.234.567"), 1_234_567.0);
        assert_eq!(num("1.234.567,5"), 1_234_567.5);
        assert_eq!(num("1234567"), 1_234_567.0);
        assert_eq!(num("1,5"), 1.5);
        assert_eq!(num("0,25"), 0.25);
    }

    #[test]
    fn english_grouping() {
        assert_eq!(num("1,234,567"), 1_234_567.0);
        assert_eq!(num("1,234,567.89"), 1_234_567.89);
    }

    #[test]
    fn single_dot() {
        assert_eq!(num("1.500"), 1500.0);
        assert_eq!(num("12.500"), 12_500.0);
        assert_eq!(num("1.5"), 1.5);
        assert_eq!(num("0.500"), 0.5);
        assert_eq!(num("1234.567"), 1234.567);
        assert_eq!(num("10.25"), 10.25);
    }

    #[test]
    fn currency() {
        for s in [
            "12.500 đ",
            "12.500đ",
            "12.500 VNĐ",
            "12.500 VND",
            "12.500 đồng",
            "12.500 Đồng",
            "12.500₫",
            "VND 12.500",
            "12,500 đ",
            "12.500 đ.",
        ] {
            assert_eq!(num(s), 12_500.0, "{s}");
        }
        assert_eq!(num("12.500,00 đ"), 12_500.0);
    }

    #[test]
    fn multipliers() {
        assert_eq!(num("1,5 triệu"), 1_500_000.0);
        assert_eq!(num("1,1 triệu"), 1_100_000.0);
        assert_eq!(num("2 tỷ"), 2e9);
        assert_eq!(num("2 tỉ đồng"), 2e9);
        assert_eq!(num("1,5tr"), 1_500_000.0);
        assert_eq!(num("500 nghìn"), 500_000.0);
        assert_eq!(num("500k"), 500_000.0);
        assert_eq!(num("1.500 triệu"), 1.5e9);
    }

    #[test]
    fn empty_is_not_an_error() {
        for s in ["", "  ", "-", " - ", "–", "\u{a0}"] {
            assert_eq!(parse_number(s), Ok(Parsed::Empty), "{s:?}");
        }
    }

    #[test]
    fn negatives() {
        assert_eq!(num("(1.000)"), -1000.0);
        assert_eq!(num("-1.000"), -1000.0);
        assert_eq!(num("(1.000 đ)"), -1000.0);
        assert_eq!(num("−2,5"), -2.5);
        assert!(parse_number("(-1.000)").is_err());
    }

    #[test]
    fn percent() {
        assert_eq!(parse_number("12%"), Ok(Parsed::Percent(0.12)));
        assert_eq!(parse_number("12 %"), Ok(Parsed::Percent(0.12)));
        assert_eq!(parse_number("0,5%"), Ok(Parsed::Percent(0.005)));
        assert_eq!(parse_number("100%"), Ok(Parsed::Percent(1.0)));
        assert!(parse_number("12% đ").is_err());
    }

    #[test]
    fn space_grouping() {
        assert_eq!(num("1 234 567"), 1_234_567.0);
        assert_eq!(num("1\u{a0}234\u{a0}567"), 1_234_567.0);
        assert_eq!(num("1\u{202f}234\u{202f}567,5"), 1_234_567.5);
        assert_eq!(num(" 1.234.567 "), 1_234_567.0);
        assert!(err("12 34").contains("khoảng trắng"));
        // Regular groups of three are thousands, even if two numbers were meant.
        assert_eq!(num("100 200"), 100_200.0);
        assert!(parse_number("100 20").is_err());
    }

    #[test]
    fn unreadable_text_is_an_error_not_zero() {
        let e = err("theo báo giá");
        assert!(
            e.contains("theo báo giá") && e.contains("không phải là số"),
            "{e}"
        );
        let e = err("1.2.3,4,5");
        assert!(e.contains("đặt sai chỗ"), "{e}");
        for s in [
            "1.2.3",
            "1,2,3.4.5",
            "1..5",
            "1.000.",
            "abc",
            "12.500 đ/cái",
            "đ",
            "triệu",
            "1.23.456",
            "5 - 10",
            "1e5",
        ] {
            assert!(parse_number(s).is_err(), "{s:?} -> {:?}", parse_number(s));
        }
    }

    #[test]
    fn leading_separator_and_zero() {
        assert_eq!(num("0"), 0.0);
        assert_eq!(num(",5"), 0.5);
        assert_eq!(num("+1.000"), 1000.0);
    }

    proptest::proptest! {
        #[test]
        fn never_panics(s in "\\PC{0,30}") {
            let _ = parse_number(&s);
        }

        #[test]
        fn never_panics_on_number_like_text(s in "[0-9.,  ()%đ\\-]{0,20}") {
            if let Ok(Parsed::Number(v) | Parsed::Percent(v)) = parse_number(&s) {
                proptest::prop_assert!(v.is_finite());
            }
        }

        #[test]
        fn vietnamese_grouping_round_trips(n in 0u64..1_000_000_000_000, frac in 0u32..100) {
            // Write n with '.' groups and a ',' decimal, as a Vietnamese file would.
            let plain = n.to_string();
            let mut grouped = String::new();
            for (i, c) in plain.chars().enumerate() {
                if i > 0 && (plain.len() - i) % 3 == 0 {
                    grouped.push('.');
                }
                grouped.push(c);
            }
            let text = format!("{grouped},{frac:02}");
            let want: f64 = format!("{n}.{frac:02}").parse().unwrap_or(f64::NAN);
            proptest::prop_assert_eq!(parse_number(&text), Ok(Parsed::Number(want)));
        }
    }
}
