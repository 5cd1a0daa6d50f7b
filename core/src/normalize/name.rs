//! Folded item names for matching ("Bơm tiêm 5ML" → "bom tiem 5ml").
//!
//! Built on [`crate::text::fold`] (NFD, marks removed, đ→d, lower case, single spaces), then:
//! - punctuation such as ( ) , ; : " ' becomes a space; '.' and ',' between digits are a
//!   decimal point ("0,5" → "0.5"), '/' and '+' are kept and spaces around them dropped
//!   ("mg / ml" → "mg/ml"), '%' is kept, '-' only between digits;
//! - a number and its unit are joined and the unit spelled one way ("5 ML" → "5ml",
//!   "5cc" → "5ml", "1000 UI" → "1000iu", "50 µg" → "50mcg", "10 µm" → "10um", "1 lít" → "1l");
//! - sizes lose their spaces ("10 x 20 cm" → "10x20cm", "10cm x 20cm" → "10x20cm");
//! - suture sizes "2-0", "2 - 0" are written "2/0";
//! - regular thousands groups with two or more marks lose them ("1.000.000" → "1000000").
//!
//! The result is a fixed point: folding it again changes nothing.

use crate::text::fold;

/// Folded name for matching: "Bơm tiêm 5ML" -> "bom tiem 5ml".
pub fn fold_name(s: &str) -> String {
    let chars: Vec<char> = fold(s).chars().collect();
    let marked = mark_punctuation(&chars);
    let joined = join_around_slash_plus(&marked);
    let tokens = merge_tokens(joined.split(' ').filter(|t| !t.is_empty()));
    tokens
        .iter()
        .map(|t| canon_token(t))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Keep letters, digits and meaningful marks; every other character becomes a space.
fn mark_punctuation(chars: &[char]) -> String {
    let at = |i: usize| chars.get(i).copied();
    let digit = |c: Option<char>| c.is_some_and(|c| c.is_ascii_digit());
    let alnum = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric());
    // Nearest non-space neighbours, so "10 x 20" and "2 - 0" are seen as between digits.
    let prev_solid = |i: usize| chars.get(..i)?.iter().rev().find(|c| **c != ' ').copied();
    let next_solid = |i: usize| chars.get(i + 1..)?.iter().find(|c| **c != ' ').copied();
    let mut out = String::with_capacity(chars.len());
    for (i, &c) in chars.iter().enumerate() {
        let prev = i.checked_sub(1).and_then(at);
        let next = at(i + 1);
        let between_digits = digit(prev_solid(i)) && digit(next_solid(i));
        match c {
            'µ' | 'μ' => out.push('u'),
            c if c.is_alphanumeric() => out.push(c),
            '.' | ',' if digit(prev) && digit(next) => out.push('.'),
            // ".5 ml" → "0.5 ml"
            '.' | ',' if digit(next) && !alnum(prev) => out.push_str("0."),
            '-' | '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2212}'
                if between_digits =>
            {
                out.push('-')
            }
            '×' | '*' if between_digits => out.push('x'),
            '/' | '+' | '%' => out.push(c),
            _ => out.push(' '),
        }
    }
    out
}

/// Drop spaces next to '/' and '+' ("mg / ml" → "mg/ml") and a '/' at either end.
fn join_around_slash_plus(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let glue = |c: Option<&char>| matches!(c, Some('/') | Some('+'));
    let mut out = String::with_capacity(s.len());
    for (i, c) in chars.iter().enumerate() {
        if *c == ' ' {
            let prev_glue = glue(out.chars().last().as_ref());
            let next_glue = glue(
                chars
                    .get(i + 1..)
                    .and_then(|r| r.iter().find(|c| **c != ' ')),
            );
            if prev_glue || next_glue {
                continue;
            }
        }
        out.push(*c);
    }
    out.trim_matches(|c| c == ' ' || c == '/').to_string()
}

/// Join numbers with their units and size factors: "10", "x", "20", "cm" → "10x20cm".
fn merge_tokens<'a>(tokens: impl Iterator<Item = &'a str>) -> Vec<String> {
    let tokens: Vec<&str> = tokens.collect();
    let mut out: Vec<String> = Vec::with_capacity(tokens.len());
    let mut i = 0;
    while let Some(&t) = tokens.get(i) {
        let next = tokens.get(i + 1).copied();
        if let Some(last) = out.last_mut() {
            let starts_digit = |s: &str| s.starts_with(|c: char| c.is_ascii_digit());
            let quantity = starts_digit(last) && ends_in_quantity(last);
            // "5 ml", "0.5 mg/ml", "0.9 %"
            if starts_digit(last) && ends_in_digit(last) && is_unit_token(t) {
                last.push_str(t);
                i += 1;
                continue;
            }
            // "10 x 20", "2 - 0"
            if (t == "x" || t == "-") && quantity && next.is_some_and(starts_digit) {
                last.push_str(t);
                last.push_str(next.unwrap_or(""));
                i += 2;
                continue;
            }
            // "10 x20", "2 -0"
            let factor = t.strip_prefix(['x', '-']).is_some_and(starts_digit);
            // "10x 20", "2- 0"
            let open = (last.ends_with('x') || last.ends_with('-'))
                && last
                    .chars()
                    .rev()
                    .nth(1)
                    .is_some_and(|c| c.is_ascii_digit());
            if (factor && quantity) || (open && starts_digit(last) && starts_digit(t)) {
                last.push_str(t);
                i += 1;
                continue;
            }
        }
        out.push(t.to_string());
        i += 1;
    }
    out
}

fn ends_in_digit(s: &str) -> bool {
    s.ends_with(|c: char| c.is_ascii_digit())
}

/// Ends in a number, or in a unit right after a number ("10", "10cm").
fn ends_in_quantity(s: &str) -> bool {
    let letters = s.chars().rev().take_while(|c| c.is_alphabetic()).count();
    if letters == 0 {
        return ends_in_digit(s);
    }
    let cut = s.len()
        - s.chars()
            .rev()
            .take(letters)
            .map(char::len_utf8)
            .sum::<usize>();
    let (head, unit) = (s.get(..cut).unwrap_or(""), s.get(cut..).unwrap_or(""));
    ends_in_digit(head) && unit_alias(unit).is_some()
}

/// A unit standing alone ("ml", "%", "mg/ml").
fn is_unit_token(t: &str) -> bool {
    t == "%" || (!t.is_empty() && t.split('/').all(|p| unit_alias(p).is_some()))
}

/// The one spelling of a unit, for the spellings files use.
fn unit_alias(u: &str) -> Option<&'static str> {
    Some(match u {
        "ml" | "cc" | "mililit" | "milliliter" | "millilitre" => "ml",
        "l" | "lit" | "litre" | "liter" => "l",
        "dl" => "dl",
        "ul" | "microlit" | "microliter" | "microlitre" => "ul",
        "mg" => "mg",
        "g" | "gam" | "gram" | "gr" => "g",
        "kg" => "kg",
        "mcg" | "ug" => "mcg",
        "ng" => "ng",
        "mm" => "mm",
        "cm" => "cm",
        "m" | "met" => "m",
        "um" | "micromet" | "micron" => "um",
        "nm" => "nm",
        "iu" | "ui" => "iu",
        "mmol" => "mmol",
        "meq" => "meq",
        "kcal" => "kcal",
        "fr" => "fr",
        "ch" => "ch",
        "v" => "v",
        "w" => "w",
        "mah" => "mah",
        "hz" => "hz",
        "ppm" => "ppm",
        "inch" => "inch",
        _ => return None,
    })
}

/// Spell units one way inside a token, write suture sizes with '/', drop regular thousands
/// marks and factor a shared unit out of sizes ("10cmx20cm" → "10x20cm").
fn canon_token(t: &str) -> String {
    if let Some(s) = suture(t) {
        return s;
    }
    let mut out = String::with_capacity(t.len());
    let chars: Vec<char> = t.chars().collect();
    let mut i = 0;
    // Whether the last letter run was a unit after a number, so "mg/ml" spells both.
    let mut last_was_unit = false;
    while let Some(&c) = chars.get(i) {
        if c.is_alphabetic() {
            let end = run_end(&chars, i, |c| c.is_alphabetic());
            let run: String = chars.get(i..end).unwrap_or(&[]).iter().collect();
            let prev = i.checked_sub(1).and_then(|p| chars.get(p)).copied();
            let after_number = prev.is_some_and(|p| p.is_ascii_digit());
            let after_unit = prev == Some('/') && last_was_unit;
            match unit_alias(&run).filter(|_| after_number || after_unit) {
                Some(u) => {
                    out.push_str(u);
                    last_was_unit = true;
                }
                None => {
                    out.push_str(&run);
                    last_was_unit = false;
                }
            }
            i = end;
        } else if c.is_ascii_digit() {
            let end = run_end(&chars, i, |c| c.is_ascii_digit() || c == '.');
            let run: String = chars.get(i..end).unwrap_or(&[]).iter().collect();
            out.push_str(&ungroup_thousands(&run));
            i = end;
        } else {
            if c != '/' {
                last_was_unit = false;
            }
            out.push(c);
            i += 1;
        }
    }
    factor_unit(&out).unwrap_or(out)
}

fn run_end(chars: &[char], start: usize, keep: impl Fn(char) -> bool) -> usize {
    let mut end = start;
    while chars.get(end).is_some_and(|&c| keep(c)) {
        end += 1;
    }
    end
}

/// "2-0" → "2/0" (surgical suture sizes 1-0 to 12-0).
fn suture(t: &str) -> Option<String> {
    let (n, zero) = t.split_once('-')?;
    let size: u8 = n.parse().ok()?;
    (zero == "0" && (1..=12).contains(&size) && n.len() <= 2).then(|| format!("{n}/0"))
}

/// "1.000.000" → "1000000"; anything else unchanged ("1.000" may be a decimal).
fn ungroup_thousands(run: &str) -> String {
    let parts: Vec<&str> = run.split('.').collect();
    let regular = parts.len() >= 3
        && parts.first().is_some_and(|p| (1..=3).contains(&p.len()))
        && parts.iter().skip(1).all(|p| p.len() == 3)
        && parts.iter().all(|p| p.bytes().all(|b| b.is_ascii_digit()));
    if regular {
        parts.concat()
    } else {
        run.to_string()
    }
}

/// "10cmx20cm" → "10x20cm" when every factor carries the same unit.
fn factor_unit(t: &str) -> Option<String> {
    let parts: Vec<&str> = t.split('x').collect();
    if parts.len() < 2 {
        return None;
    }
    let mut unit: Option<&str> = None;
    let mut numbers = Vec::with_capacity(parts.len());
    for p in &parts {
        let cut = p.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
        let (num, u) = (p.get(..cut)?, p.get(cut..)?);
        if num.is_empty() || unit_alias(u) != Some(u) || unit.is_some_and(|x| x != u) {
            return None;
        }
        unit = Some(u);
        numbers.push(num);
    }
    Some(format!("{}{}", numbers.join("x"), unit?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn issue_examples() {
        assert_eq!(fold_name("Bơm tiêm 5ML"), "bom tiem 5ml");
        assert_eq!(fold_name("5 ml"), fold_name("5ml"));
        assert_eq!(fold_name("Gạc 10 x 20 cm"), "gac 10x20cm");
        assert_eq!(fold_name("0,5ml"), "0.5ml");
        assert_eq!(fold_name("Chỉ khâu 2/0"), "chi khau 2/0");
        assert_eq!(fold_name("Chỉ khâu 2-0"), "chi khau 2/0");
        assert_eq!(fold_name("Chỉ khâu 2 - 0"), "chi khau 2/0");
        assert_eq!(
            fold_name("Đường (glucose), 5%; \"loại 1\": 'A'"),
            "duong glucose 5% loai 1 a"
        );
    }

    #[test]
    fn units() {
        assert_eq!(fold_name("Bơm tiêm 5cc"), "bom tiem 5ml");
        assert_eq!(fold_name("Bơm tiêm 5 CC"), "bom tiem 5ml");
        assert_eq!(fold_name("Dịch truyền 1 lít"), "dich truyen 1l");
        assert_eq!(fold_name("Đầu côn 200 microlit"), "dau con 200ul");
        assert_eq!(fold_name("Đầu côn 200 µl"), "dau con 200ul");
        assert_eq!(fold_name("500 MG"), "500mg");
        assert_eq!(fold_name("500 gam"), "500g");
        assert_eq!(fold_name("2 kg"), "2kg");
        assert_eq!(fold_name("Kim 0,8 mm"), "kim 0.8mm");
        assert_eq!(fold_name("Màng lọc 0,22 µm"), "mang loc 0.22um");
        assert_eq!(fold_name("Màng lọc 0,22 μm"), "mang loc 0.22um");
        assert_eq!(fold_name("Màng lọc 0,22um"), "mang loc 0.22um");
        assert_eq!(fold_name("Vitamin B12 500 µg"), "vitamin b12 500mcg");
        assert_eq!(fold_name("Vitamin B12 500mcg"), "vitamin b12 500mcg");
        assert_eq!(fold_name("Vitamin D3 1000 UI"), "vitamin d3 1000iu");
        assert_eq!(fold_name("Vitamin D3 1000IU"), "vitamin d3 1000iu");
        assert_eq!(fold_name("Insulin 100 UI/ml"), "insulin 100iu/ml");
        assert_eq!(fold_name("Heparin 5000 IU / ml"), "heparin 5000iu/ml");
        assert_eq!(fold_name("Natri clorid 0,9 %"), "natri clorid 0.9%");
        assert_eq!(fold_name("Ống 3 m"), "ong 3m");
        assert_eq!(fold_name("Băng 10 cm"), "bang 10cm");
        // A unit word not after a number is an ordinary word.
        assert_eq!(fold_name("ML cc"), "ml cc");
    }

    #[test]
    fn sizes() {
        assert_eq!(fold_name("10 X 20 cm"), "10x20cm");
        assert_eq!(fold_name("10×20cm"), "10x20cm");
        assert_eq!(fold_name("10*20 cm"), "10x20cm");
        assert_eq!(fold_name("10 x20cm"), "10x20cm");
        assert_eq!(fold_name("10x 20 cm"), "10x20cm");
        assert_eq!(fold_name("10cm x 20cm"), "10x20cm");
        assert_eq!(fold_name("3 x 5 x 10 cm"), "3x5x10cm");
        // "x" between words stays a word.
        assert_eq!(fold_name("Hộp 10 vỉ x 10 viên"), "hop 10 vi x 10 vien");
    }

    #[test]
    fn punctuation_with_meaning() {
        assert_eq!(
            fold_name("Amoxicillin + Acid clavulanic"),
            "amoxicillin+acid clavulanic"
        );
        assert_eq!(fold_name("Bơm tiêm / kim"), "bom tiem/kim");
        assert_eq!(fold_name("Dây truyền dịch."), "day truyen dich");
        assert_eq!(fold_name("Kim luồn 18G - 22G"), "kim luon 18g 22g");
        assert_eq!(fold_name("Test HIV-1/2"), "test hiv 1/2");
        assert_eq!(fold_name("Cỡ 10-20"), "co 10-20");
        assert_eq!(fold_name("Vitamin 1.000.000 IU"), "vitamin 1000000iu");
        assert_eq!(fold_name("Lọ .5 ml"), "lo 0.5ml");
        assert_eq!(fold_name("/ Găng tay /"), "gang tay");
        assert_eq!(fold_name(""), "");
        assert_eq!(fold_name("  ( ) ; "), "");
    }

    #[test]
    fn idempotent_on_examples() {
        for s in [
            "Bơm tiêm 5ML",
            "10 x 20 cm",
            "Chỉ 2-0",
            "0,5 ml",
            "a + b",
            "1.000.000",
            "10cm x 20cm",
            ".5",
        ] {
            let once = fold_name(s);
            assert_eq!(fold_name(&once), once, "{s}");
        }
    }

    /// Words a procurement file's item names are made of, to recombine.
    fn word() -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-zA-ZàáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵĐ]{1,8}",
            "[0-9]{1,4}([.,][0-9]{1,3})?",
            prop_oneof![
                Just("ml"),
                Just("ML"),
                Just("cc"),
                Just("mg"),
                Just("µg"),
                Just("UI"),
                Just("%"),
                Just("x"),
                Just("-"),
                Just("/"),
                Just("+"),
                Just("("),
                Just(")"),
                Just(","),
                Just("2/0"),
                Just("3-0"),
            ]
            .prop_map(String::from),
        ]
    }

    fn name() -> impl Strategy<Value = Vec<String>> {
        prop::collection::vec(word(), 0..10)
    }

    fn space() -> impl Strategy<Value = String> {
        "[ \t\u{a0}\n]{1,3}"
    }

    proptest! {
        #[test]
        fn never_panics(s in "\\PC{0,40}") {
            let _ = fold_name(&s);
        }

        #[test]
        fn idempotent_on_any_text(s in "\\PC{0,40}") {
            let once = fold_name(&s);
            prop_assert_eq!(fold_name(&once), once);
        }

        #[test]
        fn idempotent_on_names(words in name()) {
            let once = fold_name(&words.join(" "));
            prop_assert_eq!(fold_name(&once), once);
        }

        #[test]
        fn case_does_not_matter(words in name()) {
            let s = words.join(" ");
            prop_assert_eq!(fold_name(&s.to_uppercase()), fold_name(&s.to_lowercase()));
        }

        #[test]
        fn nfc_and_nfd_fold_alike(words in name()) {
            use unicode_normalization::UnicodeNormalization;
            let s = words.join(" ");
            let nfc: String = s.nfc().collect();
            let nfd: String = s.nfd().collect();
            prop_assert_eq!(fold_name(&nfc), fold_name(&nfd));
        }

        #[test]
        fn whitespace_does_not_matter(
            words in name(),
            gaps in prop::collection::vec(space(), 11),
            lead in "[ \t\u{a0}]{0,2}",
            trail in "[ \t\u{a0}\n]{0,2}",
        ) {
            let single = words.join(" ");
            let mut messy = lead.clone();
            for (i, w) in words.iter().enumerate() {
                if i > 0 {
                    messy.push_str(gaps.get(i).map(String::as_str).unwrap_or(" "));
                }
                messy.push_str(w);
            }
            messy.push_str(&trail);
            prop_assert_eq!(fold_name(&messy), fold_name(&single));
        }
    }
}
