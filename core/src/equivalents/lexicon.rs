//! Words for matching, as data (rules/vn/registry/lexicon.toml): synonyms, neutral modifiers,
//! units, closed-system markers. Tokens keep their tone and vowel marks so "bông" (cotton) and
//! "bóng" (bulb) differ, while a token typed without diacritics still matches either.

use serde::Deserialize;
use std::cell::RefCell;
use std::collections::HashMap;
use unicode_normalization::UnicodeNormalization;

use crate::text::fold;
use crate::{Error, Result};

/// One word of a name: its folded form and, when it carries diacritics, a key of its marks that
/// does not depend on where the tone mark was placed ("khoá" = "khóa").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub folded: String,
    /// None for a plain-ASCII token (no diacritics typed): compares by `folded` only.
    pub marks: Option<String>,
}

impl Token {
    pub fn new(word: &str) -> Token {
        let folded = fold(word);
        let mut base = String::new();
        let mut tone = None;
        let mut marked = false;
        for c in word.nfd() {
            match c {
                '\u{300}' | '\u{301}' | '\u{303}' | '\u{309}' | '\u{323}' => {
                    tone = Some(c);
                    marked = true;
                }
                '\u{302}' | '\u{306}' | '\u{31b}' => {
                    base.push(c);
                    marked = true;
                }
                'đ' | 'Đ' => {
                    base.push('đ');
                    marked = true;
                }
                c if unicode_normalization::char::is_combining_mark(c) => {}
                c => base.extend(c.to_lowercase()),
            }
        }
        let marks = marked.then(|| {
            let mut k: String = base.nfc().collect();
            if let Some(t) = tone {
                k.push('|');
                k.push(t);
            }
            k
        });
        Token { folded, marks }
    }

    /// Same word: same folded form, and the same marks when both sides typed diacritics.
    pub fn same(&self, other: &Token) -> bool {
        self.folded == other.folded
            && match (&self.marks, &other.marks) {
                (Some(a), Some(b)) => a == b,
                _ => true,
            }
    }

    pub fn has_digit(&self) -> bool {
        self.folded.chars().any(|c| c.is_ascii_digit())
    }
}

/// Split a name into word tokens: letters and digits runs; '/', '.', ',' inside numbers stay
/// ("2/0", "0,5"), everything else separates.
pub fn tokenize(s: &str) -> Vec<Token> {
    let nfc = crate::text::nfc(s);
    let chars: Vec<char> = nfc.chars().collect();
    let mut words = Vec::new();
    let mut cur = String::new();
    for (i, &c) in chars.iter().enumerate() {
        let digit_around = |d: isize| {
            let j = i as isize + d;
            j >= 0
                && chars
                    .get(j as usize)
                    .is_some_and(|c: &char| c.is_ascii_digit())
        };
        if c.is_alphanumeric() || c == 'µ' {
            cur.push(c);
        } else if matches!(c, '/' | '.' | ',' | '-') && digit_around(-1) && digit_around(1) {
            cur.push(if c == ',' { '.' } else { c });
        } else if c == '%' {
            if !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
            words.push("%".to_string());
        } else if !cur.is_empty() {
            words.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words.iter().map(|w| token(w)).collect()
}

thread_local! {
    /// Tokens of the words met before on this thread: item names repeat their words ("kim",
    /// "tiêm", "số"), and making a token (folding, decomposing, composing) was half of a
    /// registry look-up.
    static TOKENS: RefCell<HashMap<String, Token>> = RefCell::new(HashMap::new());
}

/// Words kept per thread before the cache starts afresh.
const TOKENS_MAX: usize = 8192;

/// Longer words are made each time: they rarely repeat, and would hold memory.
const TOKEN_ROOM: usize = 64;

/// `Token::new`, from this thread's cache when the word was met before.
fn token(word: &str) -> Token {
    if word.len() > TOKEN_ROOM {
        return Token::new(word);
    }
    TOKENS
        .try_with(|tokens| {
            let Ok(mut tokens) = tokens.try_borrow_mut() else {
                return Token::new(word);
            };
            if let Some(t) = tokens.get(word) {
                return t.clone();
            }
            if tokens.len() >= TOKENS_MAX {
                tokens.clear();
            }
            let t = Token::new(word);
            tokens.insert(word.to_string(), t.clone());
            t
        })
        .unwrap_or_else(|_| Token::new(word))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LexiconRaw {
    #[serde(default)]
    pub neutral: Vec<String>,
    #[serde(default)]
    pub units: Vec<String>,
    #[serde(default)]
    pub lead_drop: Vec<String>,
    #[serde(default)]
    pub closed_markers: Vec<String>,
    #[serde(default)]
    pub synonym: Vec<SynonymRaw>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SynonymRaw {
    pub canonical: String,
    pub variants: Vec<String>,
}

/// The compiled lexicon.
#[derive(Debug, Clone, Default)]
pub struct Lexicon {
    neutral: Vec<Vec<Token>>,
    units: Vec<Token>,
    lead_drop: Vec<Token>,
    closed_markers: Vec<Vec<Token>>,
    /// (variant, canonical), longest variant first.
    synonyms: Vec<(Vec<Token>, Vec<Token>)>,
    /// Folded first word → the synonyms and neutral phrases starting with it, in the order
    /// above (a name's every word was compared with every phrase).
    synonyms_by_head: HashMap<String, Vec<usize>>,
    neutral_by_head: HashMap<String, Vec<usize>>,
}

impl Lexicon {
    pub fn add(&mut self, raw: LexiconRaw, location: &str) -> Result<()> {
        let phrase = |s: &String| -> Result<Vec<Token>> {
            let t = tokenize(s);
            if t.is_empty() {
                return Err(Error::Data {
                    location: location.to_string(),
                    reason: format!("từ điển khớp tên: cụm từ rỗng {s:?}; hãy xoá hoặc điền"),
                });
            }
            Ok(t)
        };
        for n in &raw.neutral {
            self.neutral.push(phrase(n)?);
        }
        for u in &raw.units {
            // Units are compared folded: "%" and "µm" tokenise oddly, keep them whole.
            self.units.push(Token::new(u));
        }
        for l in &raw.lead_drop {
            self.lead_drop.push(Token::new(l));
        }
        for m in &raw.closed_markers {
            self.closed_markers.push(phrase(m)?);
        }
        for s in &raw.synonym {
            let canon = phrase(&s.canonical)?;
            for v in &s.variants {
                self.synonyms.push((phrase(v)?, canon.clone()));
            }
        }
        self.synonyms.sort_by_key(|s| std::cmp::Reverse(s.0.len()));
        self.neutral.sort_by_key(|p| std::cmp::Reverse(p.len()));
        self.synonyms_by_head = by_head(self.synonyms.iter().map(|s| &s.0));
        self.neutral_by_head = by_head(self.neutral.iter());
        Ok(())
    }

    /// Replace synonym variants by their canonical phrase, longest match first.
    pub fn canonical(&self, toks: &[Token]) -> Vec<Token> {
        let mut out = Vec::with_capacity(toks.len());
        let mut i = 0;
        while i < toks.len() {
            let rest = toks.get(i..).unwrap_or(&[]);
            let heads = rest
                .first()
                .and_then(|t| self.synonyms_by_head.get(&t.folded));
            let found = heads
                .into_iter()
                .flatten()
                .filter_map(|&k| self.synonyms.get(k))
                .find(|(v, _)| starts_with(rest, v));
            match found {
                Some((v, canon)) => {
                    out.extend(canon.iter().cloned());
                    i += v.len();
                }
                None => {
                    if let Some(t) = toks.get(i) {
                        out.push(t.clone());
                    }
                    i += 1;
                }
            }
        }
        out
    }

    pub fn is_unit(&self, t: &Token) -> bool {
        self.units.iter().any(|u| u.same(t))
    }

    /// Length of the neutral phrase starting the slice, 0 if none.
    pub fn neutral_at(&self, toks: &[Token]) -> usize {
        let heads = toks
            .first()
            .and_then(|t| self.neutral_by_head.get(&t.folded));
        heads
            .into_iter()
            .flatten()
            .filter_map(|&k| self.neutral.get(k))
            .find(|n| starts_with(toks, n))
            .map(|n| n.len())
            .unwrap_or(0)
    }

    pub fn is_lead_drop(&self, t: &Token) -> bool {
        self.lead_drop.iter().any(|l| l.same(t))
    }

    /// Position and length of the first closed-system marker.
    pub fn closed_marker(&self, toks: &[Token]) -> Option<(usize, usize)> {
        (0..toks.len()).find_map(|i| {
            let rest = toks.get(i..)?;
            self.closed_markers
                .iter()
                .filter(|m| starts_with(rest, m))
                .map(|m| m.len())
                .max()
                .map(|len| (i, len))
        })
    }
}

/// Each phrase's place, by its first word folded (a phrase matches only where its first word's
/// folded form does: `Token::same`).
fn by_head<'p>(phrases: impl Iterator<Item = &'p Vec<Token>>) -> HashMap<String, Vec<usize>> {
    let mut by: HashMap<String, Vec<usize>> = HashMap::new();
    for (k, p) in phrases.enumerate() {
        if let Some(first) = p.first() {
            by.entry(first.folded.clone()).or_default().push(k);
        }
    }
    by
}

pub fn starts_with(toks: &[Token], phrase: &[Token]) -> bool {
    phrase.len() <= toks.len() && phrase.iter().zip(toks).all(|(p, t)| p.same(t))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folded(t: &[Token]) -> Vec<&str> {
        t.iter().map(|t| t.folded.as_str()).collect()
    }

    #[test]
    fn phrases_found_by_their_first_word_longest_first() {
        let mut lex = Lexicon::default();
        let raw = LexiconRaw {
            neutral: vec!["loại".into(), "loại tốt".into()],
            synonym: vec![
                SynonymRaw {
                    canonical: "bơm tiêm".into(),
                    variants: vec!["xi lanh".into(), "xi lanh nhựa".into()],
                },
                SynonymRaw {
                    canonical: "găng tay".into(),
                    variants: vec!["găng".into()],
                },
            ],
            ..LexiconRaw::default()
        };
        lex.add(raw, "test").expect("lexicon");
        // The longer variant sharing the first word wins; typed without marks it still matches.
        let toks = tokenize("Xi lanh nhựa 5ml, xi lanh, gang");
        assert_eq!(
            folded(&lex.canonical(&toks)),
            ["bom", "tiem", "5ml", "bom", "tiem", "gang", "tay"]
        );
        assert_eq!(lex.neutral_at(&tokenize("loại tốt số 1")), 2);
        assert_eq!(lex.neutral_at(&tokenize("loại 1")), 1);
        assert_eq!(lex.neutral_at(&tokenize("tốt")), 0);
        // Cached tokens are the tokens: the same word twice, and a long word made each time.
        let long = "x".repeat(TOKEN_ROOM + 1);
        for w in ["Bông", "Bông", long.as_str(), long.as_str()] {
            assert_eq!(token(w), Token::new(w));
        }
    }

    #[test]
    fn marks_tell_cotton_from_bulb_but_ascii_matches_both() {
        let bong = Token::new("Bông");
        let bong_den = Token::new("bóng");
        let plain = Token::new("bong");
        assert!(!bong.same(&bong_den));
        assert!(plain.same(&bong) && plain.same(&bong_den));
        assert!(Token::new("khoá").same(&Token::new("khóa")));
        assert!(!Token::new("cỡ").same(&Token::new("có")));
    }

    #[test]
    fn tokenize_keeps_numbers_whole() {
        let t: Vec<String> = tokenize("Chỉ 2/0, 0,5ml (x) 10%")
            .into_iter()
            .map(|t| t.folded)
            .collect();
        assert_eq!(t, ["chi", "2/0", "0.5ml", "x", "10", "%"]);
    }
}
