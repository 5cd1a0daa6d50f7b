//! The registry of domestic equivalents: which goods are made in Viet Nam, by whom, on what
//! evidence (rules/vn/registry/README.md), and the matcher that finds them for a purchase line.
//!
//! Entries are data (`rules/vn/registry/*.toml`, embedded; users add files). At load every entry
//! gets a profile (core words of its name after synonyms, sizes, the system it is tied to, HS
//! code) and an inverted index: head word → kinds of product, HS heading → kinds. A lookup reads
//! only the kinds indexed under the line's first words, so its cost depends on the line and on how
//! many kinds share those words, not on the size of the registry. Built once, shared (Send + Sync).

pub mod data;
pub mod import;
pub mod learn;
pub mod lexicon;
pub mod profile;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use sha2::{Digest, Sha256};

use crate::model::{Field, FieldSet, PurchaseLine};
use crate::normalize::Tables;
use crate::registry::{Equivalent, Evidence, EvidenceKind, Lookup, Registry, STRONG_MATCH};
use crate::Result;
use data::{EntryRaw, EvidenceRaw};
use lexicon::Lexicon;
use profile::{score, Profile};

/// Matches below this score are not even suggestions.
pub const SUGGESTION: f64 = 0.3;
/// How many equivalents a lookup or search returns at most.
const MAX_RESULTS: usize = 20;
/// How many of the line's first core words are used to find candidates.
const HEAD_WORDS: usize = 3;
/// The most an HS code agreeing with the entry adds to the name's similarity (`profile::score`).
const HS_BONUS: f64 = 0.05;
/// The lowest name similarity (Jaccard of core words) the prefix index is built for: a search
/// whose threshold needs at least this much uses it, a looser one reads the head-word buckets.
const PREFIX_MIN: f64 = 0.7;

/// The embedded data files, in load order (lexicon first).
const EMBEDDED: &[(&str, &str)] = &[
    LEXICON,
    (
        "rules/vn/registry/awards_gia_lai_2026.toml",
        include_str!("../../../rules/vn/registry/awards_gia_lai_2026.toml"),
    ),
    (
        "rules/vn/registry/catalogue_tt04_2012.toml",
        include_str!("../../../rules/vn/registry/catalogue_tt04_2012.toml"),
    ),
];

/// The embedded matching lexicon (synonyms, neutral words, units, closed-system markers).
pub const LEXICON: (&str, &str) = (
    "rules/vn/registry/lexicon.toml",
    include_str!("../../../rules/vn/registry/lexicon.toml"),
);

/// One entry with its profiles (one per name).
#[derive(Debug, Clone)]
struct Entry {
    raw: EntryRaw,
    source: String,
    profiles: Vec<Profile>,
}

/// The registry: entries, lexicon and index.
#[derive(Debug, Clone, Default)]
pub struct DomesticRegistry {
    lexicon: Lexicon,
    entries: Vec<Entry>,
    /// Kind key (core words) → (entry, profile) pairs.
    kinds: Vec<Vec<(usize, usize)>>,
    kind_by_key: HashMap<String, usize>,
    /// First and second core word of each kind → kinds.
    by_head: HashMap<String, Vec<usize>>,
    /// HS heading (4 digits) → kinds, for lines whose name says little.
    by_hs4: HashMap<String, Vec<usize>>,
    /// Per kind: its first two core words and HS heading (who `by_head`/`by_hs4` would find).
    kind_info: Vec<KindInfo>,
    /// Prefix filter: the rarest core words of each kind (as many as a name similarity of
    /// PREFIX_MIN needs) → number of distinct core words → kinds. Two word sets that similar
    /// share a word among the rarest of both, so a lookup reads only its own rare words'
    /// buckets and only kinds of a size that can reach the threshold.
    by_prefix: HashMap<String, BTreeMap<usize, Vec<usize>>>,
    /// How many kinds each core word appears in (the rarity order of the prefix filter).
    word_kinds: HashMap<String, usize>,
    /// Kinds whose core repeats a folded word with other marks: always candidates.
    odd_kinds: Vec<usize>,
    hasher: Sha256,
    files: usize,
    /// Answers already given, by (name, HS code): files repeat the same items line after line.
    cache: crate::memo::Memo<Arc<Lookup>>,
}

#[derive(Debug, Clone, Default)]
struct KindInfo {
    heads: Vec<String>,
    hs4: Option<String>,
    /// Distinct folded core words; None when two core words fold alike.
    words: Option<Vec<String>>,
}

/// What `search` and `lookup` return, before the cut at STRONG_MATCH.
#[derive(Debug, Clone)]
pub struct Match {
    pub equivalent: Equivalent,
    pub source: String,
    pub spec: String,
}

impl DomesticRegistry {
    /// An empty registry with no lexicon.
    pub fn new() -> DomesticRegistry {
        DomesticRegistry::default()
    }

    /// No entries, the embedded lexicon only (to try a registry file on its own).
    pub fn lexicon_only() -> Result<DomesticRegistry> {
        let mut r = DomesticRegistry::new();
        r.add_file(LEXICON.1, LEXICON.0)?;
        Ok(r)
    }

    /// The registry embedded in the binary: lexicon, learned award entries, TT 04/2012 catalogue.
    /// `tables` is where reference data (the HS nomenclature) lives; entries were checked against
    /// it when the data was built, so it is not consulted again here.
    pub fn embedded(_tables: &Tables) -> Result<DomesticRegistry> {
        let mut r = DomesticRegistry::new();
        r.add_embedded()?;
        Ok(r)
    }

    /// Add the registry files embedded in the binary.
    pub fn add_embedded(&mut self) -> Result<()> {
        for (name, text) in EMBEDDED {
            self.add_file(text, name)?;
        }
        Ok(())
    }

    /// Add a registry file (entries and/or a `[lexicon]` table). Errors name `source:line:column`.
    pub fn add_file(&mut self, text: &str, source: &str) -> Result<()> {
        let file = data::parse(text, source)?;
        self.hasher.update(source.as_bytes());
        self.hasher.update([0]);
        self.hasher.update(text.as_bytes());
        self.hasher.update([0]);
        self.files += 1;
        let relex = file.lexicon.is_some();
        if let Some(lex) = file.lexicon {
            self.lexicon.add(lex, source)?;
        }
        for e in file.entry {
            self.entries.push(Entry {
                raw: e.into_inner(),
                source: source.to_string(),
                profiles: Vec::new(),
            });
        }
        // A new lexicon changes every profile; otherwise only the new entries need one.
        if relex {
            for e in &mut self.entries {
                e.profiles.clear();
            }
        }
        self.reindex();
        Ok(())
    }

    /// Add entries built in memory (by `learn` or `import`).
    pub fn add_entries(&mut self, entries: Vec<EntryRaw>, source: &str) {
        for raw in entries {
            self.entries.push(Entry {
                raw,
                source: source.to_string(),
                profiles: Vec::new(),
            });
        }
        self.reindex();
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Entries by evidence kind of their first evidence (for reports and the README).
    pub fn counts(&self) -> Vec<(EvidenceKind, usize)> {
        let mut m: HashMap<EvidenceKind, usize> = HashMap::new();
        for e in &self.entries {
            if let Some(k) = e
                .raw
                .evidence
                .first()
                .and_then(|ev| EvidenceKind::from_id(&ev.kind))
            {
                *m.entry(k).or_default() += 1;
            }
        }
        let mut v: Vec<_> = m.into_iter().collect();
        v.sort();
        v
    }

    fn reindex(&mut self) {
        self.cache.clear();
        self.kinds.clear();
        self.kind_by_key.clear();
        self.by_head.clear();
        self.by_hs4.clear();
        self.kind_info.clear();
        self.by_prefix.clear();
        self.word_kinds.clear();
        self.odd_kinds.clear();
        for (ei, e) in self.entries.iter_mut().enumerate() {
            if e.profiles.is_empty() {
                let names = std::iter::once(&e.raw.product).chain(e.raw.names.iter());
                e.profiles = names
                    .map(|n| {
                        let mut p = Profile::new(n, &e.raw.hs, &self.lexicon);
                        if !e.raw.system.is_empty() && p.closed.is_none() {
                            p.closed = Some(lexicon::tokenize(&e.raw.system));
                        }
                        p
                    })
                    .collect();
            }
            for (pi, p) in e.profiles.iter().enumerate() {
                if p.core.is_empty() {
                    continue;
                }
                let key = format!("{}|{}", p.key(), p.hs.get(..4).unwrap_or(""));
                let k = match self.kind_by_key.get(&key) {
                    Some(&k) => k,
                    None => {
                        let k = self.kinds.len();
                        self.kinds.push(Vec::new());
                        self.kind_by_key.insert(key, k);
                        for t in p.core.iter().take(2) {
                            self.by_head.entry(t.folded.clone()).or_default().push(k);
                        }
                        if let Some(h) = p.hs.get(..4) {
                            self.by_hs4.entry(h.to_string()).or_default().push(k);
                        }
                        let words = distinct_words(p);
                        for w in words.iter().flatten() {
                            *self.word_kinds.entry(w.clone()).or_default() += 1;
                        }
                        self.kind_info.push(KindInfo {
                            heads: p.core.iter().take(2).map(|t| t.folded.clone()).collect(),
                            hs4: p.hs.get(..4).map(str::to_string),
                            words,
                        });
                        k
                    }
                };
                if let Some(kind) = self.kinds.get_mut(k) {
                    kind.push((ei, pi));
                }
            }
        }
        for (k, info) in self.kind_info.iter().enumerate() {
            let Some(words) = &info.words else {
                self.odd_kinds.push(k);
                continue;
            };
            let mut words: Vec<&String> = words.iter().collect();
            sort_by_rarity(&mut words, &self.word_kinds);
            let n = words.len();
            for w in words.into_iter().take(prefix_len(PREFIX_MIN, n)) {
                self.by_prefix
                    .entry(w.clone())
                    .or_default()
                    .entry(n)
                    .or_default()
                    .push(k);
            }
        }
    }

    /// Kinds the head-word and HS-heading buckets give for a line (cost grows with the buckets).
    fn head_candidates(&self, line: &Profile) -> Vec<usize> {
        let mut kinds: Vec<usize> = Vec::new();
        for t in line.core.iter().take(HEAD_WORDS) {
            if let Some(ks) = self.by_head.get(&t.folded) {
                kinds.extend(ks);
            }
        }
        if let Some(ks) = line.hs.get(..4).and_then(|h| self.by_hs4.get(h)) {
            kinds.extend(ks);
        }
        kinds.sort_unstable();
        kinds.dedup();
        kinds
    }

    /// The same candidates as `head_candidates` less those that cannot score `min`, found
    /// through the prefix filter; None when it does not apply (a loose threshold, or a line
    /// whose core repeats a folded word), and the caller reads the head-word buckets.
    fn selective_candidates(&self, line: &Profile, min: f64) -> Option<Vec<usize>> {
        // score ≤ similarity + HS_BONUS; the margin keeps float rounding on the safe side.
        let t = min - HS_BONUS - 1e-9;
        if t < PREFIX_MIN {
            return None;
        }
        let words = distinct_words(line)?;
        let mut words: Vec<&String> = words.iter().collect();
        sort_by_rarity(&mut words, &self.word_kinds);
        let n = words.len();
        // A kind of e words reaches similarity t with n words only if t·n ≤ e ≤ n/t.
        let lo = min_overlap(t, n);
        let hi = (n as f64 / t + 1e-9).floor() as usize;
        let mut kinds: Vec<usize> = self.odd_kinds.clone();
        for w in words.into_iter().take(prefix_len(t, n)) {
            if let Some(by_size) = self.by_prefix.get(w.as_str()) {
                for ks in by_size.range(lo..=hi.max(lo)).map(|(_, ks)| ks) {
                    kinds.extend(ks);
                }
            }
        }
        kinds.sort_unstable();
        kinds.dedup();
        // Keep only what the head-word and HS buckets would have offered.
        let heads: Vec<&str> = line
            .core
            .iter()
            .take(HEAD_WORDS)
            .map(|t| t.folded.as_str())
            .collect();
        let hs4 = line.hs.get(..4);
        kinds.retain(|&k| {
            self.kind_info.get(k).is_some_and(|info| {
                info.heads.iter().any(|h| heads.contains(&h.as_str()))
                    || (hs4.is_some() && info.hs4.as_deref() == hs4)
            })
        });
        Some(kinds)
    }

    /// Every entry a name (and HS code) matches at or above `min`, best first, with reasons.
    pub fn search(&self, name: &str, hs: &str, min: f64) -> Vec<Match> {
        let line = Profile::new(name, hs, &self.lexicon);
        let kinds = self
            .selective_candidates(&line, min)
            .unwrap_or_else(|| self.head_candidates(&line));
        // Best profile per entry.
        let mut best: HashMap<usize, (f64, Vec<String>)> = HashMap::new();
        for k in kinds {
            for &(ei, pi) in self.kinds.get(k).map(Vec::as_slice).unwrap_or(&[]) {
                let Some(p) = self.entries.get(ei).and_then(|e| e.profiles.get(pi)) else {
                    continue;
                };
                let s = score(&line, p);
                if s.score >= min && best.get(&ei).is_none_or(|b| b.0 < s.score) {
                    best.insert(ei, (s.score, s.reasons));
                }
            }
        }
        let mut out: Vec<Match> = best
            .into_iter()
            .filter_map(|(ei, (s, reasons))| {
                let e = self.entries.get(ei)?;
                Some(Match {
                    equivalent: equivalent(&e.raw, s, reasons.join("; ")),
                    source: e.source.clone(),
                    spec: e.raw.spec.clone(),
                })
            })
            .collect();
        out.sort_by(|a, b| {
            b.equivalent
                .score
                .total_cmp(&a.equivalent.score)
                .then_with(|| a.equivalent.maker.cmp(&b.equivalent.maker))
                .then_with(|| a.equivalent.product.cmp(&b.equivalent.product))
        });
        out.truncate(MAX_RESULTS);
        out
    }
}

/// The folded core words of a profile, sorted, or None when empty or two fold alike (then
/// folded-word counting could overstate the similarity `score` computes with marks).
fn distinct_words(p: &Profile) -> Option<Vec<String>> {
    let mut w: Vec<String> = p.core.iter().map(|t| t.folded.clone()).collect();
    w.sort_unstable();
    let n = w.len();
    w.dedup();
    (n > 0 && w.len() == n).then_some(w)
}

/// Rarest first (fewest kinds), then alphabetical: one total order for every word set.
fn sort_by_rarity(words: &mut [&String], freq: &HashMap<String, usize>) {
    words.sort_by(|a, b| {
        let fa = freq.get(a.as_str()).copied().unwrap_or(0);
        let fb = freq.get(b.as_str()).copied().unwrap_or(0);
        fa.cmp(&fb).then_with(|| a.cmp(b))
    });
}

/// Words two sets of n words share at least when their similarity (Jaccard) is t or more.
fn min_overlap(t: f64, n: usize) -> usize {
    ((t * n as f64 - 1e-9).ceil() as usize).max(1)
}

/// How many of a set's rarest words must be indexed/probed so that two sets with similarity t
/// or more share one of them.
fn prefix_len(t: f64, n: usize) -> usize {
    n.saturating_sub(min_overlap(t, n)) + 1
}

/// The equivalent as the rule engine sees it: maker, product, the most recent evidence with its
/// reference, and the price range of the award evidence.
fn equivalent(e: &EntryRaw, score: f64, reason: String) -> Equivalent {
    let latest: Option<&EvidenceRaw> = e.evidence.iter().max_by(|a, b| a.date.cmp(&b.date));
    let prices: Vec<f64> = e.evidence.iter().filter_map(|v| v.price).collect();
    let price_min = prices.iter().copied().reduce(f64::min);
    let price_max = prices.iter().copied().reduce(f64::max);
    let evidence = match latest {
        Some(v) => Evidence {
            kind: EvidenceKind::from_id(&v.kind).unwrap_or(EvidenceKind::Maker),
            reference: reference(v, e.evidence.len()),
            date: v.date.clone(),
        },
        None => Evidence {
            kind: EvidenceKind::Maker,
            reference: String::new(),
            date: String::new(),
        },
    };
    let mut product = e.product.clone();
    let extra: Vec<&str> = [e.model.as_str(), e.brand.as_str()]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect();
    if !extra.is_empty() {
        product = format!("{product} ({})", extra.join(", "));
    }
    Equivalent {
        maker: e.maker.clone(),
        product,
        evidence,
        price_min,
        price_max,
        score: (score * 100.0).round() / 100.0,
        reason,
    }
}

/// "TBMT IB2600188592, 2026-03-15, 94.900.000 đ (+2 chứng cứ khác)".
fn reference(v: &EvidenceRaw, n: usize) -> String {
    let mut s = v.reference.clone();
    if !v.date.is_empty() && !s.contains(&v.date) {
        s.push_str(&format!(", {}", v.date));
    }
    if let Some(p) = v.price {
        s.push_str(&format!(", {} đ", vnd(p)));
    }
    if n > 1 {
        s.push_str(&format!(" (+{} chứng cứ khác)", n - 1));
    }
    s
}

/// 94900000 → "94.900.000"; cents kept when not whole ("240,1").
pub fn vnd(p: f64) -> String {
    let whole = p.trunc() as i64;
    let digits = whole.abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    if whole < 0 {
        out.insert(0, '-');
    }
    let frac = ((p - p.trunc()).abs() * 100.0).round() as i64;
    if frac > 0 {
        let f = format!("{frac:02}");
        out.push(',');
        out.push_str(f.trim_end_matches('0'));
    }
    out
}

/// The item name and HS code of a line as the registry reads them.
pub fn line_name_hs(line: &PurchaseLine) -> (&str, &str) {
    let name = match line.text(Field::Name) {
        "" => line.text(Field::Model),
        n => n,
    };
    let hs = line
        .get(Field::HsCode)
        .and_then(|v| v.hs.as_ref())
        .filter(|h| h.valid)
        .and_then(|h| h.code.as_deref())
        .unwrap_or_default();
    (name, hs)
}

impl Registry for DomesticRegistry {
    /// Only strong matches: weak ones are suggestions for `registry search`, never findings.
    fn lookup(&self, line: &PurchaseLine) -> Arc<Lookup> {
        let (name, hs) = line_name_hs(line);
        if name.trim().is_empty() {
            return Arc::default();
        }
        self.cache.get_or(name, hs, || {
            Arc::new(Lookup {
                equivalents: self
                    .search(name, hs, STRONG_MATCH)
                    .into_iter()
                    .map(|m| m.equivalent)
                    .collect(),
                // No official list of all domestic makers exists for any item (LAW.md §6).
                complete: false,
                // The Ministry of Health list is not in the data (LAW.md §6).
                drug_domestic_only: false,
            })
        })
    }

    /// The Ministry of Health list is not in the data: `lookup` never sets it.
    fn lists_domestic_only_drugs(&self) -> bool {
        false
    }

    /// `line_name_hs`: the name (the model when it has none) and the HS code.
    fn reads(&self) -> Option<FieldSet> {
        Some(FieldSet::of(&[Field::Name, Field::Model, Field::HsCode]))
    }

    fn hash(&self) -> String {
        if self.files == 0 && self.entries.is_empty() {
            return String::new();
        }
        let digest = self.hasher.clone().finalize();
        digest.iter().map(|b| format!("{b:02x}")).collect()
    }
}

#[cfg(test)]
mod tests;
