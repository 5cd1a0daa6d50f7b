//! Origin ("Xuất xứ") normalisation: what country produced the goods.
//!
//! `OriginTable` holds the CLDR Vietnamese names (rules/reference/country_vi.csv) and the alias
//! table (rules/reference/origins.toml). `classify` first looks the folded cell up whole (most
//! cells are one name: one hash lookup); otherwise it splits the cell into words, matches the
//! longest phrases (names, codes, groups, markers, qualifiers, placeholders), drops phrases
//! that stand where they cannot mean a country ("Anh" inside "Công ty Minh Anh"), and applies
//! the policy documented in rules/reference/README.md ("origins.toml"): one country, the
//! marked production country, a union of groups, "X/Y" as brand/production, else `several`.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Serialize};
use toml::Spanned;
use unicode_normalization::char::is_combining_mark;

use crate::text::{fold, nfc};
use crate::{Error, Result};

/// The class of an origin cell, as the JSON contract names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OriginClass {
    Domestic,
    Foreign,
    Group,
    Several,
    Unknown,
}

/// A country group named as an origin ("G7", "EU/Châu Âu", "ASEAN").
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OriginGroup {
    /// Stable id from the alias table, e.g. "EU", "G7", "ASEAN".
    pub id: String,
    /// Whether Viet Nam belongs to the group (ASEAN yes, EU no).
    pub includes_vn: bool,
}

/// The normalised reading of an origin cell. Serialised flat beside `raw` and `cell`
/// in `fields.origin`: `{raw, cell, class, countries, note, …}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Origin {
    pub class: OriginClass,
    /// ISO 3166-1 alpha-2 codes; `["VN"]` for domestic.
    pub countries: Vec<String>,
    /// Why the answer is what it is when it is not plain (unknown reason, swapped columns…).
    pub note: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<OriginGroup>,
    /// "assembled" (lắp ráp tại…), "joint_venture" (liên doanh): not silently domestic,
    /// since the law's test is the domestic cost share (ND 214 Art. 6).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub qualifier: Option<String>,
    /// The origin cell holds a maker's name and the country came from the manufacturer cell.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub swapped: bool,
    /// The origin cell names a maker beside the country ("Tanaphar/ Việt Nam").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub maker: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// The table
// ---------------------------------------------------------------------------------------------

const EMBEDDED_CSV: &str = include_str!("../../../rules/reference/country_vi.csv");
const EMBEDDED_TOML: &str = include_str!("../../../rules/reference/origins.toml");
const CSV_SOURCE: &str = "rules/reference/country_vi.csv";
const TOML_SOURCE: &str = "rules/reference/origins.toml";

/// Names, codes, groups and marker words for reading origin cells. Built once, then shared.
#[derive(Debug, Clone)]
pub struct OriginTable {
    countries: Vec<Country>,
    /// Upper-case alpha-2 code → index into `countries` (countries only, not `not_countries`).
    by_code: HashMap<String, usize>,
    groups: Vec<Group>,
    qualifiers: Vec<Qualifier>,
    /// Canonical folded phrase (see `Tokens`) → meaning. A plain cell's `fold()` is its canonical
    /// form, so the same map serves the fast path.
    phrases: HashMap<String, Phrase>,
    /// The longest phrase, in words.
    max_tokens: usize,
    /// Placeholders without letters or digits ("-", "..."), folded with spaces removed.
    punct_placeholders: HashSet<String>,
    /// Country pairs that "X/Y" offers as alternatives (smaller index first).
    alternatives: HashSet<(usize, usize)>,
    /// Canonical phrases that mark a maker's name.
    maker_words: HashSet<String>,
    maker_max_tokens: usize,
    /// Answers already given, by (origin text, manufacturer): files repeat the same cells.
    cache: crate::memo::Memo<std::sync::Arc<Origin>>,
}

#[derive(Debug, Clone)]
struct Country {
    code: String,
    name_vi: String,
}

#[derive(Debug, Clone)]
struct Group {
    id: String,
    includes_vn: bool,
    countries: Vec<usize>,
}

#[derive(Debug, Clone)]
struct Qualifier {
    id: String,
    production: bool,
    note: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Production,
    Brand,
}

/// What a phrase means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Country(usize),
    Group(usize),
    /// A role marker ("sản xuất tại", "thương hiệu") or, with None, a word ignored ("hàng").
    Marker(Option<Role>),
    Qualifier(usize),
    /// Separates two origins like a comma ("và", "hoặc").
    Separator,
    Placeholder,
}

/// Where a country or group phrase may stand (see `valid_place`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    /// One word: only alone between separators.
    Word,
    /// Two words or more: also at the end of a maker's name.
    Multi,
    /// An abbreviation: the whole cell, or its last part after a separator.
    Code,
}

/// Which file a phrase comes from; a higher level wins over a lower one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Level {
    Code,
    Cldr,
    Table,
    User,
}

#[derive(Debug, Clone)]
struct Phrase {
    kind: Kind,
    form: Form,
    level: Level,
    /// "FILE:LINE:COL" of the definition, for conflict messages.
    at: String,
}

impl OriginTable {
    /// The embedded default (rules/reference/country_vi.csv + rules/reference/origins.toml).
    pub fn embedded() -> Result<OriginTable> {
        let mut table = OriginTable::from_csv(EMBEDDED_CSV, CSV_SOURCE)?;
        table.apply_toml(EMBEDDED_TOML, TOML_SOURCE, Level::Table)?;
        Ok(table)
    }

    /// Add a user's extra alias/group file (same TOML format as origins.toml). Its entries win
    /// over the embedded ones; errors name `source` and line:column.
    pub fn extend_from_toml(&mut self, text: &str, source: &str) -> Result<()> {
        // Work on a copy so a bad file leaves the table as it was.
        let mut next = self.clone();
        next.apply_toml(text, source, Level::User)?;
        *self = next;
        Ok(())
    }

    /// Country name in Vietnamese for an alpha-2 code (for messages), e.g. "DE" → "Đức".
    pub fn country_name_vi(&self, code: &str) -> Option<&str> {
        let idx = match self.by_code.get(code) {
            Some(&i) => i,
            None => *self.by_code.get(&code.trim().to_ascii_uppercase())?,
        };
        self.countries.get(idx).map(|c| c.name_vi.as_str())
    }

    fn from_csv(text: &str, source: &str) -> Result<OriginTable> {
        let mut table = OriginTable {
            countries: Vec::new(),
            by_code: HashMap::new(),
            groups: Vec::new(),
            qualifiers: Vec::new(),
            phrases: HashMap::new(),
            max_tokens: 1,
            punct_placeholders: HashSet::new(),
            alternatives: HashSet::new(),
            maker_words: HashSet::new(),
            maker_max_tokens: 1,
            cache: Default::default(),
        };
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .from_reader(text.as_bytes());
        let header_ok = reader
            .headers()
            .map(|h| h.get(0) == Some("id") && h.get(1) == Some("value"))
            .unwrap_or(false);
        if !header_ok {
            return Err(data_err(
                format!("{source}:1:1"),
                "expected the header `id,value` (alpha-2 code, Vietnamese name)",
            ));
        }
        for record in reader.records() {
            let record = record.map_err(|e| {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                data_err(
                    format!("{source}:{line}:1"),
                    format!("unreadable CSV row: {e}"),
                )
            })?;
            let line = record.position().map(|p| p.line()).unwrap_or(0);
            let at = format!("{source}:{line}:1");
            let (code, name) = match (record.get(0), record.get(1)) {
                (Some(c), Some(n)) => (c.trim(), n.trim()),
                _ => return Err(data_err(at, "expected two fields: code, name")),
            };
            if !is_alpha2(code) {
                return Err(data_err(
                    at,
                    format!("`{code}` is not an ISO 3166-1 alpha-2 code (two capital letters)"),
                ));
            }
            if name.is_empty() {
                return Err(data_err(at, format!("no name for `{code}`")));
            }
            if table.by_code.contains_key(code) {
                return Err(data_err(at, format!("`{code}` is listed twice")));
            }
            let idx = table.countries.len();
            table.countries.push(Country {
                code: code.to_string(),
                name_vi: name.to_string(),
            });
            table.by_code.insert(code.to_string(), idx);
            table.add_phrase(code, Kind::Country(idx), Some(Form::Code), Level::Code, &at)?;
            table.add_phrase(name, Kind::Country(idx), None, Level::Cldr, &at)?;
        }
        Ok(table)
    }

    fn apply_toml(&mut self, text: &str, source: &str, level: Level) -> Result<()> {
        self.cache.clear();
        let file: TomlFile = toml::from_str(text).map_err(|e| {
            let at = match e.span() {
                Some(span) => crate::error::position(source, text, span.start),
                None => format!("{source}:1:1"),
            };
            data_err(at, e.message().trim().to_string())
        })?;
        let lines = crate::error::LineIndex::new(text);
        let at = |pos: usize| lines.position(source, pos);

        for code in &file.not_countries {
            let idx = self.country_index(code.get_ref(), &at(code.span().start))?;
            self.phrases.retain(|_, p| p.kind != Kind::Country(idx));
            self.by_code.remove(code.get_ref().as_str());
        }

        for (code, entry) in &file.country {
            let here = at(code.span().start);
            let idx = match (self.by_code.get(code.get_ref().as_str()), &entry.display) {
                (Some(&i), _) => i,
                (None, Some(display)) if is_alpha2(code.get_ref()) => {
                    // A code CLDR does not list (e.g. BV, HM): the file defines it.
                    let i = self.countries.len();
                    self.countries.push(Country {
                        code: code.get_ref().clone(),
                        name_vi: display.clone(),
                    });
                    self.by_code.insert(code.get_ref().clone(), i);
                    self.add_phrase(
                        code.get_ref(),
                        Kind::Country(i),
                        Some(Form::Code),
                        Level::Code,
                        &here,
                    )?;
                    self.add_phrase(display, Kind::Country(i), None, level, &here)?;
                    i
                }
                (None, _) => {
                    return Err(data_err(
                        here,
                        format!(
                            "unknown country code `{}`: use an ISO 3166-1 alpha-2 code from \
                             country_vi.csv, or give `display = \"…\"` to define a new one",
                            code.get_ref()
                        ),
                    ))
                }
            };
            if let Some(display) = &entry.display {
                if let Some(c) = self.countries.get_mut(idx) {
                    c.name_vi = display.clone();
                }
            }
            for name in &entry.names {
                let here = at(name.span().start);
                self.add_phrase(name.get_ref(), Kind::Country(idx), None, level, &here)?;
            }
            for abbr in &entry.codes {
                let here = at(abbr.span().start);
                self.add_phrase(
                    abbr.get_ref(),
                    Kind::Country(idx),
                    Some(Form::Code),
                    level,
                    &here,
                )?;
            }
        }

        for (code, a3) in &file.alpha3 {
            let here = at(a3.span().start);
            let idx = self.country_index(code.get_ref(), &here)?;
            let a3v = a3.get_ref();
            if a3v.len() != 3 || !a3v.bytes().all(|b| b.is_ascii_uppercase()) {
                return Err(data_err(
                    here,
                    format!("`{a3v}` is not an ISO 3166-1 alpha-3 code (three capital letters)"),
                ));
            }
            self.add_phrase(
                a3v,
                Kind::Country(idx),
                Some(Form::Code),
                Level::Code,
                &here,
            )?;
        }

        for pair in &file.alternatives {
            let here = at(pair.span().start);
            let codes = pair.get_ref();
            let (a, b) = match codes.as_slice() {
                [a, b] => (self.country_index(a, &here)?, self.country_index(b, &here)?),
                _ => {
                    return Err(data_err(
                        here,
                        "an alternatives pair lists exactly two country codes",
                    ))
                }
            };
            if a == b {
                return Err(data_err(
                    here,
                    "an alternatives pair needs two different countries",
                ));
            }
            self.alternatives.insert((a.min(b), a.max(b)));
        }

        for group in &file.group {
            self.apply_group(group, level, &at)?;
        }

        if let Some(words) = &file.words {
            let lists = [
                (&words.production, Kind::Marker(Some(Role::Production))),
                (&words.brand, Kind::Marker(Some(Role::Brand))),
                (&words.neutral, Kind::Marker(None)),
                (&words.separators, Kind::Separator),
            ];
            for (list, kind) in lists {
                for w in list {
                    self.add_phrase(w.get_ref(), kind, None, level, &at(w.span().start))?;
                }
            }
            for w in &words.maker {
                let toks = Tokens::new(w.get_ref());
                if toks.is_empty() {
                    return Err(data_err(
                        at(w.span().start),
                        "a maker word needs letters or digits",
                    ));
                }
                self.maker_max_tokens = self.maker_max_tokens.max(toks.len());
                self.maker_words.insert(toks.key);
            }
        }

        for q in &file.qualifier {
            let here = at(q.span().start);
            let q = q.get_ref();
            if q.id.trim().is_empty() {
                return Err(data_err(here, "a qualifier needs an `id`"));
            }
            let idx = match self.qualifiers.iter().position(|x| x.id == q.id) {
                Some(i) => i,
                None => {
                    self.qualifiers.push(Qualifier {
                        id: q.id.clone(),
                        production: false,
                        note: String::new(),
                    });
                    self.qualifiers.len() - 1
                }
            };
            if let Some(slot) = self.qualifiers.get_mut(idx) {
                slot.production = q.production;
                slot.note = q.note.clone();
            }
            for p in &q.phrases {
                self.add_phrase(
                    p.get_ref(),
                    Kind::Qualifier(idx),
                    None,
                    level,
                    &at(p.span().start),
                )?;
            }
        }

        for p in &file.placeholders {
            self.add_phrase(
                p.get_ref(),
                Kind::Placeholder,
                None,
                level,
                &at(p.span().start),
            )?;
        }
        Ok(())
    }

    fn apply_group(
        &mut self,
        group: &Spanned<GroupToml>,
        level: Level,
        at: &dyn Fn(usize) -> String,
    ) -> Result<()> {
        let here = at(group.span().start);
        let g = group.get_ref();
        if g.id.trim().is_empty() {
            return Err(data_err(here, "a group needs an `id`"));
        }
        let mut members = Vec::with_capacity(g.countries.len());
        for code in &g.countries {
            let idx = self.country_index(code.get_ref(), &at(code.span().start))?;
            if !members.contains(&idx) {
                members.push(idx);
            }
        }
        let has_vn = members
            .iter()
            .any(|&i| self.countries.get(i).is_some_and(|c| c.code == "VN"));
        let includes_vn = match (g.includes_vn, members.is_empty()) {
            (Some(v), true) => v,
            (Some(v), false) if v != has_vn => {
                return Err(data_err(
                    here,
                    format!(
                        "group `{}`: includes_vn = {v} but its countries {} VN",
                        g.id,
                        if has_vn { "include" } else { "do not include" }
                    ),
                ))
            }
            (_, false) => has_vn,
            (None, true) => {
                return Err(data_err(
                    here,
                    format!(
                        "group `{}` lists no countries: say `includes_vn = true/false`",
                        g.id
                    ),
                ))
            }
        };
        let entry = Group {
            id: g.id.clone(),
            includes_vn,
            countries: members,
        };
        let idx = match self.groups.iter().position(|x| x.id == g.id) {
            Some(i) => {
                if let Some(slot) = self.groups.get_mut(i) {
                    *slot = entry;
                }
                i
            }
            None => {
                self.groups.push(entry);
                self.groups.len() - 1
            }
        };
        for name in &g.names {
            self.add_phrase(
                name.get_ref(),
                Kind::Group(idx),
                None,
                level,
                &at(name.span().start),
            )?;
        }
        Ok(())
    }

    fn country_index(&self, code: &str, at: &str) -> Result<usize> {
        self.by_code.get(code).copied().ok_or_else(|| {
            data_err(
                at.to_string(),
                format!("unknown country code `{code}`: use an ISO 3166-1 alpha-2 code from country_vi.csv"),
            )
        })
    }

    /// Register a phrase. A higher level wins; two meanings at one level are an error.
    fn add_phrase(
        &mut self,
        text: &str,
        kind: Kind,
        form: Option<Form>,
        level: Level,
        at: &str,
    ) -> Result<()> {
        let toks = Tokens::new(text);
        if toks.is_empty() {
            if kind == Kind::Placeholder {
                let key: String = fold(text).chars().filter(|c| !c.is_whitespace()).collect();
                if !key.is_empty() {
                    self.punct_placeholders.insert(key);
                    return Ok(());
                }
            }
            return Err(data_err(
                at.to_string(),
                format!("\"{text}\" has no letters or digits"),
            ));
        }
        let form = form.unwrap_or(if toks.len() == 1 {
            Form::Word
        } else {
            Form::Multi
        });
        if let Some(old) = self.phrases.get(&toks.key) {
            if old.level > level {
                return Ok(());
            }
            if old.level == level {
                if old.kind == kind {
                    return Ok(());
                }
                return Err(data_err(
                    at.to_string(),
                    format!(
                        "\"{text}\" already means {} ({}); a phrase can mean one thing only",
                        self.describe(old.kind),
                        old.at
                    ),
                ));
            }
        }
        self.max_tokens = self.max_tokens.max(toks.len());
        self.phrases.insert(
            toks.key,
            Phrase {
                kind,
                form,
                level,
                at: at.to_string(),
            },
        );
        Ok(())
    }

    fn describe(&self, kind: Kind) -> String {
        match kind {
            Kind::Country(i) => format!("country {}", self.code(i)),
            Kind::Group(i) => format!(
                "group {}",
                self.groups.get(i).map_or("?", |g| g.id.as_str())
            ),
            Kind::Marker(Some(Role::Production)) => "a production marker".into(),
            Kind::Marker(Some(Role::Brand)) => "a brand marker".into(),
            Kind::Marker(None) => "a neutral word".into(),
            Kind::Qualifier(i) => {
                format!(
                    "qualifier {}",
                    self.qualifiers.get(i).map_or("?", |q| q.id.as_str())
                )
            }
            Kind::Separator => "a separator".into(),
            Kind::Placeholder => "a placeholder".into(),
        }
    }

    fn code(&self, idx: usize) -> &str {
        self.countries.get(idx).map_or("", |c| c.code.as_str())
    }

    fn name(&self, idx: usize) -> &str {
        self.countries.get(idx).map_or("", |c| c.name_vi.as_str())
    }
}

// ---------------------------------------------------------------------------------------------
// The TOML layout (documented in rules/reference/README.md)
// ---------------------------------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TomlFile {
    #[serde(default)]
    not_countries: Vec<Spanned<String>>,
    #[serde(default)]
    alternatives: Vec<Spanned<Vec<String>>>,
    #[serde(default)]
    placeholders: Vec<Spanned<String>>,
    #[serde(default)]
    country: BTreeMap<Spanned<String>, CountryToml>,
    #[serde(default)]
    group: Vec<Spanned<GroupToml>>,
    #[serde(default)]
    words: Option<WordsToml>,
    #[serde(default)]
    qualifier: Vec<Spanned<QualifierToml>>,
    #[serde(default)]
    alpha3: BTreeMap<Spanned<String>, Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CountryToml {
    #[serde(default)]
    display: Option<String>,
    #[serde(default)]
    names: Vec<Spanned<String>>,
    #[serde(default)]
    codes: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GroupToml {
    id: String,
    #[serde(default)]
    names: Vec<Spanned<String>>,
    #[serde(default)]
    countries: Vec<Spanned<String>>,
    #[serde(default)]
    includes_vn: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WordsToml {
    #[serde(default)]
    production: Vec<Spanned<String>>,
    #[serde(default)]
    brand: Vec<Spanned<String>>,
    #[serde(default)]
    neutral: Vec<Spanned<String>>,
    #[serde(default)]
    separators: Vec<Spanned<String>>,
    #[serde(default)]
    maker: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct QualifierToml {
    id: String,
    #[serde(default)]
    phrases: Vec<Spanned<String>>,
    #[serde(default)]
    production: bool,
    #[serde(default)]
    note: String,
}

fn data_err(location: String, reason: impl Into<String>) -> Error {
    Error::Data {
        location,
        reason: reason.into(),
    }
}

fn is_alpha2(code: &str) -> bool {
    code.len() == 2 && code.bytes().all(|b| b.is_ascii_uppercase())
}

// ---------------------------------------------------------------------------------------------
// Tokens: words of a cell with their raw spans, and the canonical key
// ---------------------------------------------------------------------------------------------

/// How two neighbouring words are separated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sep {
    Slash,
    List,
    Dash,
    Paren,
}

/// The words of a text. `key` is the canonical form: folded words joined by the punctuation
/// between them with spaces dropped ("Đài Loan ( Trung Quốc )" → "dai loan(trung quoc"), or by
/// one space when there is none. Table phrases and cells use the same form.
struct Tokens {
    /// Byte range of each word in the text.
    raw: Vec<(usize, usize)>,
    /// Byte range of each word in `key`.
    keys: Vec<(usize, usize)>,
    /// The separator after each word (None: spaces or weak punctuation such as "." or ":").
    seps: Vec<Option<Sep>>,
    key: String,
}

impl Tokens {
    fn new(text: &str) -> Tokens {
        let mut raw = Vec::new();
        let mut start: Option<usize> = None;
        for (i, c) in text.char_indices() {
            // A combining mark extends a word but never starts one: a stray mark after
            // punctuation is dropped, as `fold` drops it, so folding never changes the answer.
            let word = if is_combining_mark(c) {
                start.is_some()
            } else {
                c.is_alphanumeric()
            };
            match (word, start) {
                (true, None) => start = Some(i),
                (false, Some(s)) => {
                    raw.push((s, i));
                    start = None;
                }
                _ => {}
            }
        }
        if let Some(s) = start {
            raw.push((s, text.len()));
        }
        let mut key = String::with_capacity(text.len());
        let mut keys = Vec::with_capacity(raw.len());
        let mut seps = Vec::with_capacity(raw.len());
        for (n, &(s, e)) in raw.iter().enumerate() {
            if n > 0 {
                let prev_end = raw.get(n - 1).map_or(s, |r| r.1);
                let sep = compact_sep(text.get(prev_end..s).unwrap_or(""), &mut key);
                seps.push(sep);
            }
            let ks = key.len();
            key.push_str(&fold(text.get(s..e).unwrap_or("")));
            keys.push((ks, key.len()));
        }
        if !raw.is_empty() {
            seps.push(None);
        }
        Tokens {
            raw,
            keys,
            seps,
            key,
        }
    }

    fn len(&self) -> usize {
        self.raw.len()
    }

    fn is_empty(&self) -> bool {
        self.raw.is_empty()
    }

    /// The key of words `first..=last`.
    fn slice(&self, first: usize, last: usize) -> &str {
        match (self.keys.get(first), self.keys.get(last)) {
            (Some(a), Some(b)) if a.0 <= b.1 => self.key.get(a.0..b.1).unwrap_or(""),
            _ => "",
        }
    }
}

/// Append the canonical form of the text between two words and say what kind of separator it is.
fn compact_sep(between: &str, key: &mut String) -> Option<Sep> {
    let start = key.len();
    let mut kind: Option<Sep> = None;
    let rank = |s: Option<Sep>| match s {
        Some(Sep::List) => 4,
        Some(Sep::Slash) => 3,
        Some(Sep::Dash) => 2,
        Some(Sep::Paren) => 1,
        None => 0,
    };
    for c in between.chars() {
        if c.is_whitespace() || is_combining_mark(c) {
            continue;
        }
        let c = match c {
            '–' | '—' | '‐' | '‑' | '−' => '-',
            '\\' => '/',
            '，' => ',',
            '；' => ';',
            '（' => '(',
            '）' => ')',
            c => c,
        };
        let this = match c {
            ',' | ';' | '+' | '&' => Some(Sep::List),
            '/' | '|' => Some(Sep::Slash),
            '-' => Some(Sep::Dash),
            '(' | ')' | '[' | ']' => Some(Sep::Paren),
            _ => None,
        };
        if rank(this) > rank(kind) {
            kind = this;
        }
        for l in c.to_lowercase() {
            key.push(l);
        }
    }
    if key.len() == start {
        key.push(' ');
    }
    kind
}

// ---------------------------------------------------------------------------------------------
// Reading a cell
// ---------------------------------------------------------------------------------------------

/// One step of a cell after matching phrases.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ev {
    Sep(Sep),
    /// A word that is no phrase: part of a maker's name or unreadable text.
    Word(usize),
    Item {
        kind: Kind,
        form: Form,
        first: usize,
        last: usize,
    },
}

/// What stands next to an event, looking past neutral words and placeholders.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Nb {
    Edge,
    Sep(Sep),
    /// A role marker or qualifier: ends a maker's name like a separator.
    Marker,
    Word,
    Item,
}

/// A country or group the cell names, with the role the text gives it.
#[derive(Debug, Clone, Copy)]
struct Mention {
    kind: Kind,
    role: Option<Role>,
    at: usize,
}

impl OriginTable {
    /// Classify an origin cell; `manufacturer` is the manufacturer cell's text ("" if none),
    /// used when the origin cell holds a maker's name (swapped columns).
    pub fn classify(&self, origin: &str, manufacturer: &str) -> Origin {
        Origin::clone(&self.classify_shared(origin, manufacturer))
    }

    /// `classify`, shared: files repeat the same origin cells, and the answer is worked out
    /// (and held) once.
    pub fn classify_shared(&self, origin: &str, manufacturer: &str) -> std::sync::Arc<Origin> {
        self.cache.get_or(origin, manufacturer, || {
            std::sync::Arc::new(self.classify_uncached(origin, manufacturer))
        })
    }

    fn classify_uncached(&self, origin: &str, manufacturer: &str) -> Origin {
        let folded = fold(origin);
        if folded.is_empty() {
            return Origin::unknown("ô trống".to_string());
        }
        // Fast path: the whole cell is one name, code, group or placeholder.
        if let Some(p) = self.phrases.get(folded.as_str()) {
            match p.kind {
                Kind::Country(c) => return self.country_origin(c),
                Kind::Group(g) => return self.group_origin(g),
                Kind::Placeholder => return placeholder_origin(origin),
                _ => {}
            }
        }
        self.classify_slow(origin, manufacturer)
    }

    fn classify_slow(&self, origin: &str, manufacturer: &str) -> Origin {
        let toks = Tokens::new(origin);
        if toks.is_empty() {
            let key: String = fold(origin)
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            if key.is_empty() {
                return Origin::unknown("ô trống".to_string());
            }
            if self.punct_placeholders.contains(&key) {
                return placeholder_origin(origin);
            }
            return Origin::unknown(format!("không đọc được: \"{}\"", clean(origin)));
        }
        let evs = self.events(&toks);
        let mentions = self.mentions(&evs);
        let mut notes: Vec<String> = Vec::new();
        let mut qualifier: Option<String> = None;
        for ev in &evs {
            if let Ev::Item {
                kind: Kind::Qualifier(q),
                ..
            } = ev
            {
                if let Some(q) = self.qualifiers.get(*q) {
                    if qualifier.is_none() {
                        qualifier = Some(q.id.clone());
                    }
                    if !q.note.is_empty() && !notes.contains(&q.note) {
                        notes.push(q.note.clone());
                    }
                }
            }
        }
        let placeholder = evs.iter().find_map(|ev| match ev {
            Ev::Item {
                kind: Kind::Placeholder,
                first,
                last,
                ..
            } => Some(span_text(origin, &toks, *first, *last)),
            _ => None,
        });
        let maker = maker_text(origin, &toks, &evs);

        if mentions.is_empty() {
            return self.no_country(
                origin,
                manufacturer,
                &toks,
                &evs,
                placeholder,
                qualifier,
                notes,
            );
        }

        let mut out = self.decide(&mentions, &evs, &mut notes);
        if let Some(n) = out.note.take() {
            notes.insert(0, n);
        }
        if let Some(p) = placeholder {
            notes.push(format!("có kèm cụm giữ chỗ \"{p}\""));
        }
        out.maker = maker;
        out.qualifier = qualifier;
        out.note = join_notes(notes);
        out
    }

    /// Match phrases (longest first) and check where country phrases stand.
    fn events(&self, toks: &Tokens) -> Vec<Ev> {
        let n = toks.len();
        let mut evs = Vec::with_capacity(n * 2);
        let mut i = 0;
        while i < n {
            let mut step = 1;
            let mut ev = Ev::Word(i);
            let longest = self.max_tokens.min(n - i);
            for len in (1..=longest).rev() {
                if let Some(p) = self.phrases.get(toks.slice(i, i + len - 1)) {
                    step = len;
                    ev = match p.kind {
                        Kind::Separator => Ev::Sep(Sep::List),
                        kind => Ev::Item {
                            kind,
                            form: p.form,
                            first: i,
                            last: i + len - 1,
                        },
                    };
                    break;
                }
            }
            evs.push(ev);
            i += step;
            if i < n {
                if let Some(Some(sep)) = toks.seps.get(i - 1) {
                    evs.push(Ev::Sep(*sep));
                }
            }
        }
        // A phrase in the wrong place is just words: "Anh" in "Công ty Minh Anh", "SA" in
        // "Grifols, SA", a one-word placeholder inside a longer text, a marker inside a maker's
        // name ("... Technology Co., Ltd": past the cell's prefix, a marker counts only when no
        // word follows it). Demoting one can change its neighbours' places, so repeat until
        // nothing changes; each round removes a phrase, so this ends.
        let lead = lead_len(&evs);
        loop {
            let demote = (0..evs.len()).find(|&idx| match evs.get(idx) {
                Some(Ev::Item {
                    kind,
                    form,
                    first,
                    last,
                }) => match kind {
                    Kind::Country(_) | Kind::Group(_) => {
                        !self.valid_place(&evs, idx, *form, toks.slice(*first, *last))
                    }
                    Kind::Placeholder if first == last => {
                        neighbour(&evs, idx, false) != Nb::Edge
                            || neighbour(&evs, idx, true) != Nb::Edge
                    }
                    Kind::Marker(Some(_)) => idx >= lead && neighbour(&evs, idx, true) == Nb::Word,
                    _ => false,
                },
                _ => false,
            });
            let Some(idx) = demote else { break };
            if let Some(Ev::Item { first, last, .. }) = evs.get(idx).copied() {
                evs.splice(idx..=idx, (first..=last).map(Ev::Word));
            }
        }
        evs
    }

    fn valid_place(&self, evs: &[Ev], idx: usize, form: Form, key: &str) -> bool {
        let prev = neighbour(evs, idx, false);
        let next = neighbour(evs, idx, true);
        let bound = |nb: Nb| matches!(nb, Nb::Edge | Nb::Sep(_) | Nb::Marker | Nb::Item);
        match form {
            Form::Word => bound(prev) && bound(next),
            Form::Multi => bound(next),
            Form::Code => {
                next == Nb::Edge
                    && (prev == Nb::Edge
                        || (matches!(prev, Nb::Sep(_) | Nb::Marker)
                            && !self.maker_words.contains(key)))
            }
        }
    }

    /// Countries and groups in order, each with the role a marker gives it.
    fn mentions(&self, evs: &[Ev]) -> Vec<Mention> {
        let mut out: Vec<Mention> = evs
            .iter()
            .enumerate()
            .filter_map(|(at, ev)| match ev {
                Ev::Item { kind, .. } if matches!(kind, Kind::Country(_) | Kind::Group(_)) => {
                    Some(Mention {
                        kind: *kind,
                        role: None,
                        at,
                    })
                }
                _ => None,
            })
            .collect();
        // Production markers before anything else are the cell's prefix ("Xuất xứ: Mỹ/Trung
        // Quốc"): they say the cell is about origin, not which of its countries made the goods.
        let lead = lead_len(evs);
        for (at, ev) in evs.iter().enumerate() {
            let role = match ev {
                Ev::Item {
                    kind: Kind::Marker(Some(Role::Brand)),
                    ..
                } => Role::Brand,
                _ if at < lead => continue,
                Ev::Item {
                    kind: Kind::Marker(Some(r)),
                    ..
                } => *r,
                Ev::Item {
                    kind: Kind::Qualifier(q),
                    ..
                } if self.qualifiers.get(*q).is_some_and(|q| q.production) => Role::Production,
                _ => continue,
            };
            // A marker names the country right after it ("sản xuất tại Đức"); failing that, the one
            // it follows ("Trung Quốc (sản xuất)"); failing that, the next one past separators only.
            let after = out
                .iter()
                .position(|m| m.at > at && only_between(evs, at, m.at, false));
            let before = out
                .iter()
                .rposition(|m| m.at < at && only_between(evs, m.at, at, true));
            let later = out
                .iter()
                .position(|m| m.at > at && only_between(evs, at, m.at, true));
            if let Some(m) = after.or(before).or(later).and_then(|i| out.get_mut(i)) {
                if m.role != Some(Role::Production) {
                    m.role = Some(role);
                }
            }
        }
        out
    }

    /// Pick the origin among the countries and groups a cell names.
    fn decide(&self, mentions: &[Mention], evs: &[Ev], notes: &mut Vec<String>) -> Origin {
        // Distinct items in order of first mention; production outranks brand outranks none.
        let mut items: Vec<Mention> = Vec::with_capacity(mentions.len());
        for m in mentions {
            match items.iter_mut().find(|x| x.kind == m.kind) {
                Some(x) => {
                    if x.role != Some(Role::Production) && m.role.is_some() {
                        x.role = m.role;
                    }
                }
                None => items.push(*m),
            }
        }
        let (first, second) = match items.as_slice() {
            [only] => return self.item_origin(only.kind),
            [a, b, ..] => (*a, *b),
            [] => return Origin::unknown("không nêu nước".to_string()),
        };

        let produced: Vec<&Mention> = items
            .iter()
            .filter(|m| m.role == Some(Role::Production))
            .collect();
        let unmarked: Vec<&Mention> = items.iter().filter(|m| m.role.is_none()).collect();
        let chosen = match (produced.as_slice(), unmarked.as_slice()) {
            ([p], _) => Some(*p),
            ([], [u]) if items.iter().any(|m| m.role == Some(Role::Brand)) => Some(*u),
            _ => None,
        };
        if let Some(chosen) = chosen {
            let others: Vec<String> = items
                .iter()
                .filter(|m| m.kind != chosen.kind)
                .map(|m| self.item_name(m.kind))
                .collect();
            notes.insert(
                0,
                format!(
                    "ghi nhiều nước, lấy nước sản xuất {} (còn ghi: {})",
                    self.item_name(chosen.kind),
                    others.join(", ")
                ),
            );
            return self.item_origin(chosen.kind);
        }

        let all_groups = items.iter().all(|m| matches!(m.kind, Kind::Group(_)));
        let joined_by = |a: &Mention, b: &Mention| seps_between(evs, a.at, b.at);
        if all_groups
            && items
                .windows(2)
                .all(|w| matches!(w, [a, b] if joined_by(a, b).iter().all(|s| matches!(s, Sep::Slash | Sep::List))))
        {
            return self.union_origin(&items);
        }

        if let ([_, _], Kind::Country(a), Kind::Country(b)) =
            (items.as_slice(), first.kind, second.kind)
        {
            let seps = joined_by(&first, &second);
            let slash_only = seps.contains(&Sep::Slash) && seps.iter().all(|s| *s == Sep::Slash);
            if slash_only {
                if self.alternatives.contains(&(a.min(b), a.max(b))) {
                    notes.insert(
                        0,
                        format!(
                            "\"{}/{}\": hai xuất xứ chào thay thế nhau, không rõ nước nào",
                            self.name(a),
                            self.name(b)
                        ),
                    );
                    return self.several_origin(&items);
                }
                notes.insert(
                    0,
                    format!(
                        "\"{}/{}\": hiểu là nước thương hiệu/nước sản xuất, lấy nước sản xuất {}",
                        self.name(a),
                        self.name(b),
                        self.name(b)
                    ),
                );
                return self.country_origin(b);
            }
        }

        let names: Vec<String> = items.iter().map(|m| self.item_name(m.kind)).collect();
        notes.insert(
            0,
            format!(
                "ghi nhiều nước, không rõ nước nào sản xuất: {}",
                names.join(", ")
            ),
        );
        self.several_origin(&items)
    }

    /// No country or group in the cell: placeholder, swapped columns, a maker's name, or unreadable.
    #[allow(clippy::too_many_arguments)]
    fn no_country(
        &self,
        origin: &str,
        manufacturer: &str,
        toks: &Tokens,
        evs: &[Ev],
        placeholder: Option<String>,
        qualifier: Option<String>,
        mut notes: Vec<String>,
    ) -> Origin {
        // Words with a letter: digits alone ("123") are no maker's name.
        let words = evs.iter().any(|e| match e {
            Ev::Word(i) => toks.slice(*i, *i).chars().any(char::is_alphabetic),
            _ => false,
        });
        let digits_only = !words && evs.iter().any(|e| matches!(e, Ev::Word(_)));
        let text = clean(origin);
        let mut out = if placeholder.is_some() {
            Origin::unknown(format!("giá trị giữ chỗ: {text}"))
        } else if words {
            let swapped = if manufacturer.trim().is_empty() {
                None
            } else {
                let m = self.classify(manufacturer, "");
                (m.class != OriginClass::Unknown).then_some(m)
            };
            if let Some(mut m) = swapped {
                let mut n = vec![format!(
                    "cột xuất xứ ghi \"{text}\", có vẻ là tên nhà sản xuất; quốc gia lấy từ cột nhà sản xuất (hai cột có vẻ bị đổi chỗ)"
                )];
                n.extend(m.note.take());
                n.append(&mut notes);
                m.note = join_notes(n);
                m.swapped = true;
                m.maker = Some(text);
                if m.qualifier.is_none() {
                    m.qualifier = qualifier;
                }
                return m;
            }
            if self.looks_like_maker(toks) {
                let mut o =
                    Origin::unknown("có vẻ là tên nhà sản xuất, không phải quốc gia".to_string());
                o.maker = Some(text);
                o
            } else {
                Origin::unknown(format!(
                    "không nhận ra quốc gia trong \"{text}\" (có thể là tên nhà sản xuất hoặc viết sai)"
                ))
            }
        } else if digits_only {
            Origin::unknown(format!("không đọc được: \"{text}\""))
        } else {
            Origin::unknown(format!("\"{text}\" không nêu nước nào"))
        };
        if let Some(n) = out.note.take() {
            notes.insert(0, n);
        }
        out.note = join_notes(notes);
        out.qualifier = qualifier;
        out
    }

    fn looks_like_maker(&self, toks: &Tokens) -> bool {
        (0..toks.len()).any(|i| {
            (i..toks.len().min(i + self.maker_max_tokens))
                .any(|j| self.maker_words.contains(toks.slice(i, j)))
        })
    }

    fn item_origin(&self, kind: Kind) -> Origin {
        match kind {
            Kind::Country(c) => self.country_origin(c),
            Kind::Group(g) => self.group_origin(g),
            _ => Origin::unknown("không nêu nước".to_string()),
        }
    }

    fn item_name(&self, kind: Kind) -> String {
        match kind {
            Kind::Country(c) => self.name(c).to_string(),
            Kind::Group(g) => self.groups.get(g).map_or(String::new(), |g| g.id.clone()),
            _ => String::new(),
        }
    }

    fn country_origin(&self, idx: usize) -> Origin {
        let code = self.code(idx).to_string();
        let class = if code == "VN" {
            OriginClass::Domestic
        } else {
            OriginClass::Foreign
        };
        Origin::new(class, vec![code])
    }

    fn group_origin(&self, idx: usize) -> Origin {
        let Some(g) = self.groups.get(idx) else {
            return Origin::unknown("không nêu nước".to_string());
        };
        let mut o = Origin::new(
            OriginClass::Group,
            g.countries
                .iter()
                .map(|&c| self.code(c).to_string())
                .collect(),
        );
        o.group = Some(OriginGroup {
            id: g.id.clone(),
            includes_vn: g.includes_vn,
        });
        if g.countries.is_empty() {
            o.note = Some(format!("nhóm {} không nêu nước cụ thể", g.id));
        }
        o
    }

    /// Two groups written together ("G7/EU", "G7 hoặc EU") are one group: their union.
    fn union_origin(&self, items: &[Mention]) -> Origin {
        let mut ids = Vec::new();
        let mut members: Vec<usize> = Vec::new();
        let mut includes_vn = false;
        for m in items {
            if let Kind::Group(g) = m.kind {
                if let Some(g) = self.groups.get(g) {
                    ids.push(g.id.as_str());
                    includes_vn |= g.includes_vn;
                    for &c in &g.countries {
                        if !members.contains(&c) {
                            members.push(c);
                        }
                    }
                }
            }
        }
        let mut o = Origin::new(
            OriginClass::Group,
            members.iter().map(|&c| self.code(c).to_string()).collect(),
        );
        o.group = Some(OriginGroup {
            id: ids.join("+"),
            includes_vn,
        });
        o
    }

    fn several_origin(&self, items: &[Mention]) -> Origin {
        let mut members: Vec<usize> = Vec::new();
        for m in items {
            let list: &[usize] = match m.kind {
                Kind::Country(ref c) => std::slice::from_ref(c),
                Kind::Group(g) => self.groups.get(g).map_or(&[], |g| g.countries.as_slice()),
                _ => &[],
            };
            for &c in list {
                if !members.contains(&c) {
                    members.push(c);
                }
            }
        }
        Origin::new(
            OriginClass::Several,
            members.iter().map(|&c| self.code(c).to_string()).collect(),
        )
    }
}

impl Origin {
    fn new(class: OriginClass, countries: Vec<String>) -> Origin {
        Origin {
            class,
            countries,
            note: None,
            group: None,
            qualifier: None,
            swapped: false,
            maker: None,
        }
    }

    fn unknown(note: String) -> Origin {
        let mut o = Origin::new(OriginClass::Unknown, Vec::new());
        o.note = Some(note);
        o
    }
}

fn placeholder_origin(origin: &str) -> Origin {
    Origin::unknown(format!("giá trị giữ chỗ: {}", clean(origin)))
}

/// The nearest event before (`forward` false) or after an event, past neutral words and
/// placeholders.
fn neighbour(evs: &[Ev], idx: usize, forward: bool) -> Nb {
    let mut i = idx;
    loop {
        let next = if forward {
            i.checked_add(1)
        } else {
            i.checked_sub(1)
        };
        let Some(n) = next else { return Nb::Edge };
        let Some(ev) = evs.get(n) else {
            return Nb::Edge;
        };
        i = n;
        match ev {
            Ev::Item {
                kind: Kind::Marker(None) | Kind::Placeholder,
                ..
            } => continue,
            Ev::Sep(s) => return Nb::Sep(*s),
            Ev::Word(_) => return Nb::Word,
            Ev::Item {
                kind: Kind::Country(_) | Kind::Group(_),
                ..
            } => return Nb::Item,
            Ev::Item { .. } => return Nb::Marker,
        }
    }
}

/// How many events open the cell as its prefix: markers and qualifiers before anything else.
fn lead_len(evs: &[Ev]) -> usize {
    evs.iter()
        .position(|e| {
            !matches!(
                e,
                Ev::Item {
                    kind: Kind::Marker(_) | Kind::Qualifier(_),
                    ..
                }
            )
        })
        .unwrap_or(evs.len())
}

/// Whether only neutral words (and, with `seps`, separators) stand between events `a` and `b`.
fn only_between(evs: &[Ev], a: usize, b: usize, seps: bool) -> bool {
    evs.get(a + 1..b).is_some_and(|mid| {
        mid.iter().all(|e| match e {
            Ev::Sep(_) => seps,
            Ev::Item {
                kind: Kind::Marker(None) | Kind::Placeholder,
                ..
            } => true,
            _ => false,
        })
    })
}

fn seps_between(evs: &[Ev], a: usize, b: usize) -> Vec<Sep> {
    evs.get(a + 1..b)
        .map(|mid| {
            mid.iter()
                .filter_map(|e| match e {
                    Ev::Sep(s) => Some(*s),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The raw text of words `first..=last`, cleaned.
fn span_text(text: &str, toks: &Tokens, first: usize, last: usize) -> String {
    match (toks.raw.get(first), toks.raw.get(last)) {
        (Some(a), Some(b)) => clean(text.get(a.0..b.1).unwrap_or("")),
        _ => String::new(),
    }
}

/// The maker's name beside the country: each run of unmatched words up to a country or a role
/// marker, as typed (a trailing abbreviation dot kept), runs joined by " / ". Runs of digits
/// only ("100%") are not names.
fn maker_text(text: &str, toks: &Tokens, evs: &[Ev]) -> Option<String> {
    let mut runs: Vec<String> = Vec::new();
    let mut run: Option<(usize, usize)> = None;
    let flush = |run: &mut Option<(usize, usize)>, runs: &mut Vec<String>| {
        if let Some((a, b)) = run.take() {
            let (Some(s), Some(e)) = (toks.raw.get(a), toks.raw.get(b)) else {
                return;
            };
            let mut end = e.1;
            while text.get(end..).is_some_and(|r| r.starts_with('.')) {
                end += 1;
            }
            let piece = text.get(s.0..end).unwrap_or("");
            if piece.chars().any(char::is_alphabetic) {
                runs.push(clean(piece));
            }
        }
    };
    for ev in evs {
        match ev {
            Ev::Word(i) => {
                run = Some(match run {
                    Some((a, _)) => (a, *i),
                    None => (*i, *i),
                })
            }
            // Separators, qualifiers, neutral words and placeholders inside a name stay in it
            // ("Công ty Liên doanh ABC", "... sinh học và môi trường"); the run ends at its last
            // word, so they never trail it.
            Ev::Sep(_)
            | Ev::Item {
                kind: Kind::Qualifier(_) | Kind::Marker(None) | Kind::Placeholder,
                ..
            } => {}
            Ev::Item { .. } => flush(&mut run, &mut runs),
        }
    }
    flush(&mut run, &mut runs);
    (!runs.is_empty()).then(|| runs.join(" / "))
}

/// NFC, single spaces, trimmed: how cell text appears in notes.
fn clean(s: &str) -> String {
    nfc(s).split_whitespace().collect::<Vec<_>>().join(" ")
}

fn join_notes(notes: Vec<String>) -> Option<String> {
    (!notes.is_empty()).then(|| notes.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::sync::OnceLock;
    use unicode_normalization::UnicodeNormalization;

    const AWARD: &str = include_str!("../../../tests/data/origins_award.tsv");
    const CASES: &str = include_str!("../../../tests/data/origins_cases.tsv");

    fn table() -> &'static OriginTable {
        static TABLE: OnceLock<OriginTable> = OnceLock::new();
        TABLE.get_or_init(|| OriginTable::embedded().expect("embedded origin table loads"))
    }

    /// One row of a test table.
    #[derive(Debug)]
    struct Case {
        line: usize,
        origin: String,
        manufacturer: String,
        class: OriginClass,
        countries: Vec<String>,
        group: Option<String>,
        qualifier: Option<String>,
        swapped: bool,
        maker: Option<String>,
        note: Option<String>,
        rows: Option<usize>,
    }

    fn unquote(field: &str, line: usize) -> String {
        let inner = field
            .strip_prefix('"')
            .and_then(|f| f.strip_suffix('"'))
            .unwrap_or_else(|| panic!("line {line}: expected a quoted string, got {field}"));
        let mut out = String::new();
        let mut chars = inner.chars();
        while let Some(c) = chars.next() {
            if c != '\\' {
                out.push(c);
                continue;
            }
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some('"') => out.push('"'),
                Some('\\') => out.push('\\'),
                Some('u') => {
                    let hex: String = chars.by_ref().skip(1).take_while(|&c| c != '}').collect();
                    let cp = u32::from_str_radix(&hex, 16).expect("hex code point");
                    out.push(char::from_u32(cp).expect("valid code point"));
                }
                other => panic!("line {line}: bad escape {other:?}"),
            }
        }
        out
    }

    fn opt(field: &str, line: usize) -> Option<String> {
        (field != "-").then(|| {
            if field.starts_with('"') {
                unquote(field, line)
            } else {
                field.to_string()
            }
        })
    }

    fn parse(text: &str) -> Vec<Case> {
        let mut out = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let line_no = n + 1;
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let f: Vec<&str> = line.split('\t').collect();
            assert!(
                f.len() == 9 || f.len() == 10,
                "line {line_no}: {} fields",
                f.len()
            );
            let class = match f[2] {
                "domestic" => OriginClass::Domestic,
                "foreign" => OriginClass::Foreign,
                "group" => OriginClass::Group,
                "several" => OriginClass::Several,
                "unknown" => OriginClass::Unknown,
                other => panic!("line {line_no}: class {other}"),
            };
            out.push(Case {
                line: line_no,
                origin: unquote(f[0], line_no),
                manufacturer: unquote(f[1], line_no),
                class,
                countries: opt(f[3], line_no)
                    .map(|c| c.split(',').map(str::to_string).collect())
                    .unwrap_or_default(),
                group: opt(f[4], line_no),
                qualifier: opt(f[5], line_no),
                swapped: f[6] == "yes",
                maker: opt(f[7], line_no),
                note: opt(f[8], line_no),
                rows: f.get(9).map(|r| r.parse().expect("row count")),
            });
        }
        out
    }

    fn check(case: &Case, got: &Origin) -> std::result::Result<(), String> {
        let where_ = format!("line {} {:?}", case.line, case.origin);
        let mut errs = Vec::new();
        if got.class != case.class {
            errs.push(format!("class {:?}, want {:?}", got.class, case.class));
        }
        if got.countries != case.countries {
            errs.push(format!(
                "countries {:?}, want {:?}",
                got.countries, case.countries
            ));
        }
        if got.group.as_ref().map(|g| g.id.clone()) != case.group {
            errs.push(format!("group {:?}, want {:?}", got.group, case.group));
        }
        if got.qualifier != case.qualifier {
            errs.push(format!(
                "qualifier {:?}, want {:?}",
                got.qualifier, case.qualifier
            ));
        }
        if got.swapped != case.swapped {
            errs.push(format!("swapped {}, want {}", got.swapped, case.swapped));
        }
        if got.maker != case.maker {
            errs.push(format!("maker {:?}, want {:?}", got.maker, case.maker));
        }
        match (&case.note, &got.note) {
            (None, None) => {}
            (Some(want), Some(note)) if note.contains(want.as_str()) => {}
            (want, note) => errs.push(format!("note {note:?}, want {want:?}")),
        }
        if errs.is_empty() {
            Ok(())
        } else {
            Err(format!("{where_}: {}", errs.join("; ")))
        }
    }

    fn run_table(text: &str) -> usize {
        let cases = parse(text);
        let failures: Vec<String> = cases
            .iter()
            .filter_map(|c| check(c, &table().classify(&c.origin, &c.manufacturer)).err())
            .collect();
        assert!(failures.is_empty(), "{}", failures.join("\n"));
        cases.len()
    }

    #[test]
    fn award_file_every_origin_value() {
        let cases = parse(AWARD);
        // 43 distinct raw values over the file's 351 rows, each listed once.
        assert_eq!(cases.len(), 43);
        assert_eq!(cases.iter().filter_map(|c| c.rows).sum::<usize>(), 351);
        let distinct: HashSet<&str> = cases.iter().map(|c| c.origin.as_str()).collect();
        assert_eq!(distinct.len(), 43);
        assert!(distinct.contains("Việt Nam\n") && distinct.contains("Trung quốc "));
        run_table(AWARD);
    }

    #[test]
    fn award_file_values_read_alike_in_nfd() {
        for c in parse(AWARD) {
            let nfd: String = c.origin.nfd().collect();
            let got = table().classify(&nfd, &c.manufacturer);
            assert_eq!(got.class, c.class, "{nfd:?}");
            assert_eq!(got.countries, c.countries, "{nfd:?}");
            assert_eq!(got.maker, c.maker, "maker comes back in NFC: {nfd:?}");
        }
    }

    #[test]
    fn rule_cases_table() {
        assert!(run_table(CASES) > 80);
    }

    #[test]
    fn issue_alias_list_resolves() {
        let want = [
            ("Hoa Kỳ", "US"),
            ("Mỹ", "US"),
            ("USA", "US"),
            ("US", "US"),
            ("Anh", "GB"),
            ("Anh Quốc", "GB"),
            ("Vương quốc Anh", "GB"),
            ("UK", "GB"),
            ("Hàn", "KR"),
            ("Nam Hàn", "KR"),
            ("Korea", "KR"),
            ("Nhật", "JP"),
            ("Japan", "JP"),
            ("TQ", "CN"),
            ("Trung Hoa", "CN"),
            ("China", "CN"),
            ("PRC", "CN"),
            ("Đài Loan (Trung Quốc)", "TW"),
            ("Taiwan", "TW"),
            ("Italia", "IT"),
            ("Ý", "IT"),
            ("Hà Lan", "NL"),
            ("Holland", "NL"),
            ("Séc", "CZ"),
            ("CH Séc", "CZ"),
            ("Czech", "CZ"),
            ("Singapo", "SG"),
            ("Xingapo", "SG"),
            ("Thuỵ Sĩ", "CH"),
            ("Thụy Sỹ", "CH"),
            ("Thụy Điển", "SE"),
            ("Úc", "AU"),
            ("Australia", "AU"),
            ("Ấn", "IN"),
            ("Inđônêxia", "ID"),
            ("Malaixia", "MY"),
            ("Philippin", "PH"),
            ("Campuchia", "KH"),
            ("Lào", "LA"),
            ("Mianma", "MM"),
            ("Thổ Nhĩ Kỳ", "TR"),
            ("Nga", "RU"),
            ("Liên bang Nga", "RU"),
            ("Đức", "DE"),
            ("Pháp", "FR"),
            ("Bỉ", "BE"),
            ("Áo", "AT"),
            ("Ba Lan", "PL"),
            ("Hung-ga-ri", "HU"),
            ("Tây Ban Nha", "ES"),
            ("Bồ Đào Nha", "PT"),
            ("Israel", "IL"),
            ("Ixraen", "IL"),
            ("Ai Cập", "EG"),
            ("Pakistan", "PK"),
            ("Bangladesh", "BD"),
            ("Brazil", "BR"),
            ("Braxin", "BR"),
            ("Mexico", "MX"),
            ("Mêhicô", "MX"),
            ("Canada", "CA"),
            ("Estonia", "EE"),
            ("Ireland", "IE"),
            ("Ai-len", "IE"),
            ("Đan Mạch", "DK"),
            ("Phần Lan", "FI"),
            ("Na Uy", "NO"),
            ("New Zealand", "NZ"),
            ("Cộng hòa Séc", "CZ"),
            ("Hàn Quốc", "KR"),
            ("Nhật Bản", "JP"),
            ("Trung Quốc", "CN"),
            ("Thái Lan", "TH"),
            ("Ấn Độ", "IN"),
            ("Malaysia", "MY"),
            ("Indonesia", "ID"),
            ("Philippines", "PH"),
            ("Germany", "DE"),
            ("France", "FR"),
            ("Italy", "IT"),
            ("Spain", "ES"),
        ];
        for (text, code) in want {
            let o = table().classify(text, "");
            assert_eq!(o.countries, vec![code.to_string()], "{text}");
            assert_eq!(o.class, OriginClass::Foreign, "{text}");
        }
        for text in [
            "VN",
            "Viet Nam",
            "Vietnam",
            "VIỆT NAM",
            "Sản xuất tại Việt Nam",
            "VNM",
        ] {
            let o = table().classify(text, "");
            assert_eq!(o.class, OriginClass::Domestic, "{text}");
            assert_eq!(o.countries, vec!["VN".to_string()]);
            assert_eq!(o.note, None);
        }
    }

    /// Alpha-2 codes that fold like an alias or a word ("Bỉ" → "bi", Burundi) and so read as that.
    const SHADOWED_CODES: [&str; 5] = ["AO", "BI", "MY", "NA", "VA"];

    #[test]
    fn every_cldr_name_and_code_reads_as_its_country() {
        let mut shadowed: Vec<String> = Vec::new();
        let mut reader = csv::Reader::from_reader(EMBEDDED_CSV.as_bytes());
        for rec in reader.records() {
            let rec = rec.unwrap();
            let (code, name) = (&rec[0], &rec[1]);
            if code == "EZ" || code == "UN" {
                assert_eq!(
                    table().classify(code, "").class,
                    OriginClass::Unknown,
                    "{code}"
                );
                assert_eq!(table().country_name_vi(code), None);
                continue;
            }
            let o = table().classify(name, "");
            assert_eq!(o.countries, vec![code.to_string()], "{name}");
            if table().classify(code, "").countries != [code] {
                shadowed.push(code.to_string());
            }
        }
        // Codes that fold like an alias or a word read as that instead; README.md lists them.
        assert_eq!(shadowed, SHADOWED_CODES);
    }

    #[test]
    fn fast_path_agrees_with_full_reading() {
        let t = table();
        let mut texts: Vec<String> = parse(AWARD).into_iter().map(|c| c.origin).collect();
        texts.extend(parse(CASES).into_iter().map(|c| c.origin));
        for src in [EMBEDDED_CSV, EMBEDDED_TOML] {
            for piece in src.split(['"', '\n', ',']) {
                texts.push(piece.to_string());
            }
        }
        for text in texts {
            assert_eq!(
                t.classify(&text, ""),
                t.classify_slow(&text, ""),
                "{text:?}"
            );
        }
    }

    #[test]
    fn aliases_win_over_codes_that_fold_alike() {
        // "Mỹ" folds to "my", Malaysia's alpha-2; the Vietnamese alias wins.
        assert_eq!(table().classify("MY", "").countries, ["US"]);
        assert_eq!(table().classify("MYS", "").countries, ["MY"]);
        assert_eq!(table().classify("AO", "").countries, ["AT"]);
        // "và" (and) is a separator, so "VA" is not the Vatican; "NA" is a placeholder.
        assert_eq!(table().classify("VA", "").class, OriginClass::Unknown);
        assert_eq!(table().classify("Vatican", "").class, OriginClass::Unknown);
        assert_eq!(table().classify("Thành Vatican", "").countries, ["VA"]);
        assert!(table().classify("NA", "").note.unwrap().contains("giữ chỗ"));
    }

    #[test]
    fn one_word_names_count_only_alone() {
        // Vietnamese company names end in words that are also countries.
        for text in [
            "Công ty Minh Anh",
            "Nhật Minh",
            "Hoàng Mỹ",
            "Hiệp hưng",
            "Đức Thành",
        ] {
            assert_eq!(
                table().classify(text, "").class,
                OriginClass::Unknown,
                "{text}"
            );
        }
        assert_eq!(table().classify("Minh Anh / Anh", "").countries, ["GB"]);
        assert_eq!(table().classify("Sản xuất tại Anh", "").countries, ["GB"]);
        assert_eq!(table().classify("nước Mỹ", "").countries, ["US"]);
        // A name of two words also counts at the end of a maker's name, not in the middle.
        assert_eq!(table().classify("Abbott Việt Nam", "").countries, ["VN"]);
        assert_eq!(
            table().classify("Việt Nam Hiệp Hưng", "").class,
            OriginClass::Unknown
        );
    }

    #[test]
    fn codes_count_only_whole_or_last() {
        assert_eq!(table().classify("SA", "").countries, ["SA"]);
        assert_eq!(table().classify("Abbott / US", "").countries, ["US"]);
        assert_eq!(table().classify("Abbott - USA", "").countries, ["US"]);
        // Inside a maker's name, or a legal form that is also a code: not a country.
        assert_eq!(table().classify("Bayer AG", "").class, OriginClass::Unknown);
        assert_eq!(
            table().classify("Grifols, SA", "").class,
            OriginClass::Unknown
        );
        assert_eq!(table().classify("ABC, CO", "").class, OriginClass::Unknown);
        assert_eq!(
            table().classify("US / Abbott", "").class,
            OriginClass::Unknown
        );
    }

    #[test]
    fn two_countries_policy() {
        let t = table();
        // "X/Y": brand country / production country, the second is the origin.
        let o = t.classify("Mỹ/Trung Quốc", "");
        assert_eq!(
            (o.class, o.countries.as_slice()),
            (OriginClass::Foreign, &["CN".to_string()][..])
        );
        assert!(o.note.unwrap().contains("thương hiệu/nước sản xuất"));
        // Pairs listed as alternatives, three countries, and any other separator: several.
        for text in [
            "Nhật/Hàn",
            "Mỹ/Đức/Nhật",
            "Mỹ, Đức",
            "Mỹ và Đức",
            "Mỹ hoặc Đức",
            "Mỹ - Đức",
            "Mỹ (Đức)",
        ] {
            assert_eq!(t.classify(text, "").class, OriginClass::Several, "{text}");
        }
        // The same country twice is one country.
        assert_eq!(t.classify("Đức/Germany", "").class, OriginClass::Foreign);
        // The text names the production country: it wins whatever the separator.
        assert_eq!(
            t.classify("Thương hiệu Đức, sản xuất tại Việt Nam", "")
                .class,
            OriginClass::Domestic
        );
        assert_eq!(
            t.classify("Thương hiệu Mỹ - Trung Quốc", "").countries,
            ["CN"]
        );
        assert_eq!(
            t.classify("Made in Malaysia, thương hiệu Mỹ", "").countries,
            ["MY"]
        );
        // A prefix for the whole cell does not pick one of two countries.
        assert_eq!(
            t.classify("Xuất xứ: Mỹ, Đức", "").class,
            OriginClass::Several
        );
    }

    #[test]
    fn groups_are_consistent() {
        let t = table();
        for g in &t.groups {
            let has_vn = g.countries.iter().any(|&c| t.code(c) == "VN");
            if !g.countries.is_empty() {
                assert_eq!(g.includes_vn, has_vn, "{}", g.id);
            }
        }
        let size = |id: &str| {
            t.groups
                .iter()
                .find(|g| g.id == id)
                .map(|g| g.countries.len())
        };
        assert_eq!(size("G7"), Some(7));
        assert_eq!(size("EU"), Some(27));
        assert_eq!(size("ASEAN"), Some(11));
        assert_eq!(size("OECD"), Some(38));
        assert_eq!(size("DEVELOPED"), Some(41));
        assert_eq!(size("AMERICAS"), Some(35));
        let asean = t.classify("ASEAN", "").group.unwrap();
        assert!(asean.includes_vn);
        let eu = t.classify("Liên minh châu Âu (EU)", "").group.unwrap();
        assert_eq!((eu.id.as_str(), eu.includes_vn), ("EU", false));
        // A union of groups keeps Viet Nam's membership.
        let u = t.classify("G7/ASEAN", "").group.unwrap();
        assert_eq!((u.id.as_str(), u.includes_vn), ("G7+ASEAN", true));
    }

    #[test]
    fn placeholders_are_unknown_with_the_text() {
        let o = table().classify("theo E-HSDT", "Đức");
        assert_eq!(o.class, OriginClass::Unknown);
        assert_eq!(o.note.as_deref(), Some("giá trị giữ chỗ: theo E-HSDT"));
        assert!(!o.swapped, "a placeholder is no maker's name");
        // A one-word placeholder inside a longer text is just a word.
        assert_eq!(table().classify("x Việt Nam", "").countries, ["VN"]);
    }

    #[test]
    fn swapped_columns_take_the_manufacturer_country() {
        let o = table().classify("OMRON HEALTHCARE Co., Ltd.", "Nhật Bản");
        assert_eq!(o.class, OriginClass::Foreign);
        assert_eq!(o.countries, ["JP"]);
        assert!(o.swapped);
        assert_eq!(o.maker.as_deref(), Some("OMRON HEALTHCARE Co., Ltd."));
        assert!(o.note.unwrap().contains("đổi chỗ"));
        // A readable origin is never overridden by the manufacturer cell.
        let o = table().classify("Đức", "Abbott / Mỹ");
        assert_eq!(
            (o.countries.as_slice(), o.swapped),
            (&["DE".to_string()][..], false)
        );
        // No country in either cell: unknown, maker's name kept.
        let o = table().classify("Sysmex Corporation", "Sysmex");
        assert_eq!((o.class, o.swapped), (OriginClass::Unknown, false));
    }

    #[test]
    fn country_names_for_messages() {
        let t = table();
        assert_eq!(t.country_name_vi("DE"), Some("Đức"));
        assert_eq!(t.country_name_vi("de"), Some("Đức"));
        assert_eq!(t.country_name_vi("CZ"), Some("Cộng hòa Séc"));
        assert_eq!(t.country_name_vi("VN"), Some("Việt Nam"));
        assert_eq!(t.country_name_vi("BV"), Some("Đảo Bouvet"));
        assert_eq!(t.country_name_vi("XX"), None);
        assert_eq!(t.country_name_vi(""), None);
    }

    #[test]
    fn serialises_flat_for_the_json_contract() {
        let v = serde_json::to_value(table().classify("Mỹ/Trung Quốc", "")).unwrap();
        assert_eq!(v["class"], "foreign");
        assert_eq!(v["countries"], serde_json::json!(["CN"]));
        assert!(v.get("swapped").is_none() && v.get("group").is_none());
        let v = serde_json::to_value(table().classify("ASEAN", "")).unwrap();
        assert_eq!(
            v["group"],
            serde_json::json!({"id": "ASEAN", "includes_vn": true})
        );
    }

    #[test]
    fn table_is_send_and_sync() {
        fn shared<T: Send + Sync>() {}
        shared::<OriginTable>();
    }

    #[test]
    fn user_file_adds_aliases_and_groups() {
        let mut t = table().clone();
        t.extend_from_toml(
            r#"
placeholders = ["chờ xác nhận"]
alternatives = [["US", "DE"]]

[country.DE]
names = ["Tây Đức"]

[country.VA]
names = ["Vatican", "Tòa Thánh"]

[[group]]
id = "NHAT_HAN"
names = ["Nhật Hàn", "Đông Bắc Á"]
countries = ["JP", "KR"]
"#,
            "mine.toml",
        )
        .unwrap();
        assert_eq!(t.classify("Tây Đức", "").countries, ["DE"]);
        assert_eq!(t.classify("Vatican", "").countries, ["VA"]);
        let g = t.classify("Đông Bắc Á", "").group.unwrap();
        assert_eq!((g.id.as_str(), g.includes_vn), ("NHAT_HAN", false));
        assert!(t
            .classify("chờ xác nhận", "")
            .note
            .unwrap()
            .contains("giữ chỗ"));
        assert_eq!(t.classify("Mỹ/Đức", "").class, OriginClass::Several);
        // The embedded table is untouched.
        assert_eq!(table().classify("Tây Đức", "").class, OriginClass::Unknown);
    }

    #[test]
    fn user_file_errors_name_file_line_and_column() {
        let cases = [
            ("[country.DE\nnames = []\n", "my.toml:1:"),
            ("\n[country.QQ]\nnames = [\"Quốc Quốc\"]\n", "my.toml:2:"),
            ("[[group]]\nid = \"X\"\nnames = [\"X\"]\ncountries = [\"US\", \"ZZ\"]\n", "my.toml:4:20"),
            ("[[group]]\nid = \"X\"\nnames = [\"X\"]\ncountries = [\"VN\"]\nincludes_vn = false\n", "my.toml:1:1"),
            ("[[group]]\nid = \"X\"\nnames = [\"X\"]\n", "my.toml:1:1"),
            ("[country.DE]\nnames = [\"Tây\"]\n\n[country.FR]\nnames = [\"Tây\"]\n", "my.toml:5:10"),
            ("[country.DE]\nnamez = [\"Tây\"]\n", "my.toml:2:1"),
            ("alternatives = [[\"US\"]]\n", "my.toml:1:17"),
            ("placeholders = [\"  \"]\n", "my.toml:1:17"),
        ];
        for (text, want) in cases {
            let mut t = table().clone();
            let before = t.classify("Tây", "");
            match t.extend_from_toml(text, "my.toml") {
                Err(Error::Data { location, reason }) => {
                    assert!(location.starts_with(want), "{text:?}: {location}: {reason}");
                    assert!(!reason.is_empty());
                }
                other => panic!("{text:?}: expected a data error, got {other:?}"),
            }
            assert_eq!(
                t.classify("Tây", ""),
                before,
                "a failed file changes nothing"
            );
        }
    }

    #[test]
    fn malformed_country_list_is_a_data_error() {
        for (csv, want) in [
            ("code,name\nVN,Việt Nam\n", "x.csv:1:1"),
            ("id,value\nVNM,Việt Nam\n", "x.csv:2:1"),
            ("id,value\nVN,Việt Nam\nVN,Viet Nam\n", "x.csv:3:1"),
            ("id,value\nVN,\n", "x.csv:2:1"),
        ] {
            match OriginTable::from_csv(csv, "x.csv") {
                Err(Error::Data { location, .. }) => assert_eq!(location, want, "{csv:?}"),
                other => panic!("{csv:?}: {other:?}"),
            }
        }
    }

    // -----------------------------------------------------------------------------------------
    // Properties: case, Unicode form and whitespace never change the answer.
    // -----------------------------------------------------------------------------------------

    fn corpus() -> Vec<(String, String)> {
        parse(AWARD)
            .into_iter()
            .chain(parse(CASES))
            .map(|c| (c.origin, c.manufacturer))
            .collect()
    }

    /// What must not change; texts compared folded and without spaces.
    fn essence(o: &Origin) -> impl PartialEq + std::fmt::Debug {
        let squash = |s: &Option<String>| s.as_deref().map(|s| fold(s).replace(' ', ""));
        (
            o.class,
            o.countries.clone(),
            o.group.clone(),
            o.qualifier.clone(),
            o.swapped,
            squash(&o.maker),
            squash(&o.note),
        )
    }

    fn respell(text: &str, case: &[bool], nfd: bool, spaces: &[usize], pad: bool) -> String {
        const WS: [&str; 6] = [" ", "  ", "\n", "\t", "\u{a0}", " \n "];
        let mut out = String::new();
        let mut k = 0;
        let mut pick = || {
            k += 1;
            WS[spaces[k % spaces.len()] % WS.len()]
        };
        if pad {
            out.push_str(pick());
        }
        let mut in_space = false;
        for (i, c) in text.chars().enumerate() {
            if c.is_whitespace() {
                if !in_space {
                    out.push_str(pick());
                }
                in_space = true;
                continue;
            }
            in_space = false;
            let spaced = "/,;-()".contains(c) && case[i % case.len()];
            if spaced {
                out.push_str(pick());
            }
            if case[(i * 7 + 3) % case.len()] {
                out.extend(c.to_uppercase());
            } else {
                out.extend(c.to_lowercase());
            }
            if spaced {
                out.push_str(pick());
            }
        }
        if pad {
            out.push_str(pick());
        }
        if nfd {
            out.nfd().collect()
        } else {
            out.nfc().collect()
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn case_form_and_whitespace_never_change_the_answer(
            pick in 0usize..1000,
            case in proptest::collection::vec(any::<bool>(), 1..16),
            nfd in any::<bool>(),
            spaces in proptest::collection::vec(0usize..6, 1..8),
            pad in any::<bool>(),
        ) {
            let corpus = corpus();
            let (origin, manufacturer) = &corpus[pick % corpus.len()];
            let base = table().classify(origin, manufacturer);
            let variant = respell(origin, &case, nfd, &spaces, pad);
            let got = table().classify(&variant, manufacturer);
            prop_assert_eq!(essence(&got), essence(&base), "{:?} vs {:?}", variant, origin);
        }

        #[test]
        fn never_panics_on_any_text(origin in "\\PC{0,40}", manufacturer in "\\PC{0,20}") {
            let o = table().classify(&origin, &manufacturer);
            prop_assert!(o.class == OriginClass::Unknown || !o.countries.is_empty() || o.group.is_some());
        }
    }
}
