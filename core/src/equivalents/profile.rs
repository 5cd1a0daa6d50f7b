//! What a product name says for matching: its core words (the kind of product), its sizes, and
//! the system it is tied to, and the score of one profile against another.

use super::lexicon::{tokenize, Lexicon, Token};
use crate::normalize::name::fold_name;

#[derive(Debug, Clone, Default)]
pub struct Profile {
    /// Words that say what the product is (synonyms applied, neutral words and sizes dropped).
    pub core: Vec<Token>,
    /// Sizes and strengths as folded by `fold_name` ("5ml", "2/0", "70do").
    pub sizes: Vec<String>,
    /// Folded words naming the analyser/system after a closed-system marker.
    pub closed: Option<Vec<Token>>,
    /// HS code digits (4, 6 or 8), "" when unknown.
    pub hs: String,
}

impl Profile {
    pub fn new(name: &str, hs: &str, lex: &Lexicon) -> Profile {
        let without_parens = strip_parens(name);
        let toks = lex.canonical(&tokenize(&without_parens));
        let (name_toks, closed) = match lex.closed_marker(&toks) {
            Some((at, len)) => {
                let sys: Vec<Token> = toks
                    .get(at + len..)
                    .unwrap_or(&[])
                    .iter()
                    .filter(|t| !t.has_digit())
                    .cloned()
                    .collect();
                (toks.get(..at).unwrap_or(&[]).to_vec(), Some(sys))
            }
            None => (toks, None),
        };
        let mut core: Vec<Token> = Vec::new();
        let mut i = 0;
        let mut after_number = false;
        while let Some(t) = name_toks.get(i) {
            let n = lex.neutral_at(name_toks.get(i..).unwrap_or(&[]));
            if n > 0 {
                i += n;
                after_number = false;
                continue;
            }
            if t.has_digit() {
                after_number = true;
            } else {
                let unit = after_number && lex.is_unit(t);
                let lead = core.is_empty() && lex.is_lead_drop(t) && i + 1 < name_toks.len();
                let repeated = core.iter().any(|c| c.same(t));
                if !unit && !lead && !repeated {
                    core.push(t.clone());
                }
                after_number = false;
            }
            i += 1;
        }
        let sizes = fold_name(&without_parens)
            .split(' ')
            .filter(|w| w.chars().any(|c| c.is_ascii_digit()))
            .map(str::to_string)
            .collect();
        Profile {
            core,
            sizes,
            closed,
            hs: hs.chars().filter(|c| c.is_ascii_digit()).collect(),
        }
    }

    /// The index key of the kind of product: its core words, folded.
    pub fn key(&self) -> String {
        self.core
            .iter()
            .map(|t| t.folded.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// "Ống Eppendorf (ống ly tâm)" → "Ống Eppendorf ": bracketed text is packaging or a second name.
fn strip_parens(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut depth = 0usize;
    for c in s.chars() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth = depth.saturating_sub(1),
            c if depth == 0 => out.push(c),
            _ => {}
        }
    }
    if out.trim().is_empty() {
        s.to_string()
    } else {
        out
    }
}

/// Score of an entry against a line, and the reasons, in Vietnamese.
pub struct Scored {
    pub score: f64,
    pub reasons: Vec<String>,
}

/// Jaccard similarity of the core words, then: a closed-system line only matches entries tied to
/// the same system (and a system-tied entry never matches a generic line); HS codes that differ
/// at the heading cap the score; agreeing codes add a little; differing sizes are reported.
pub fn score(line: &Profile, entry: &Profile) -> Scored {
    let mut reasons = Vec::new();
    let common: Vec<&Token> = entry
        .core
        .iter()
        .filter(|e| line.core.iter().any(|l| l.same(e)))
        .collect();
    let union = line.core.len() + entry.core.len() - common.len();
    let mut s = if union == 0 {
        0.0
    } else {
        common.len() as f64 / union as f64
    };
    let words = common
        .iter()
        .map(|t| t.folded.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    reasons.push(format!(
        "tên trùng {}/{} từ chính: “{}”",
        common.len(),
        union,
        words
    ));
    match (&line.closed, &entry.closed) {
        (Some(l), Some(e)) => {
            let same = !e.is_empty() && e.iter().all(|t| l.iter().any(|x| x.same(t)))
                || !l.is_empty() && l.iter().all(|t| e.iter().any(|x| x.same(t)));
            if same {
                reasons.push("cùng hệ máy".to_string());
            } else {
                s = s.min(0.5);
                reasons.push("khác hệ máy (hệ kín)".to_string());
            }
        }
        (Some(_), None) => {
            s = s.min(0.5);
            reasons.push(
                "mặt hàng dùng cho một hệ máy riêng (hệ kín); mục này là hàng chung".to_string(),
            );
        }
        (None, Some(_)) => {
            s = s.min(0.5);
            reasons.push("mục này chỉ dùng cho một hệ máy riêng (hệ kín)".to_string());
        }
        (None, None) => {}
    }
    if line.hs.len() >= 4 && entry.hs.len() >= 4 {
        let n = line.hs.len().min(entry.hs.len());
        let (a, b) = (
            line.hs.get(..n).unwrap_or(""),
            entry.hs.get(..n).unwrap_or(""),
        );
        if line.hs.get(..4) != entry.hs.get(..4) {
            s = s.min(0.4);
            reasons.push(format!("mã HS khác nhóm: {} ≠ {}", line.hs, entry.hs));
        } else if a == b {
            s = (s + 0.05).min(1.0);
            reasons.push(format!("mã HS trùng {n} số: {a}"));
        } else {
            reasons.push(format!(
                "mã HS cùng nhóm {}",
                line.hs.get(..4).unwrap_or("")
            ));
        }
    }
    if !line.sizes.is_empty() && !entry.sizes.is_empty() {
        let differ = line.sizes.iter().any(|x| !entry.sizes.contains(x))
            || entry.sizes.iter().any(|x| !line.sizes.contains(x));
        if differ {
            s = (s - 0.05).max(0.0);
            reasons.push(format!(
                "khác cỡ/hàm lượng: {} ≠ {}",
                line.sizes.join(" "),
                entry.sizes.join(" ")
            ));
        }
    }
    Scored { score: s, reasons }
}
