//! The pack files as written (TOML), before validation. Every key is checked: an unknown key
//! is a load error with its file, line and column (`deny_unknown_fields`), and values that need
//! more checking than their type keep their position (`Spanned`).

use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

/// `pack.toml`: what the pack is and which files hold its rules.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestRaw {
    pub id: Spanned<String>,
    pub version: String,
    pub name: Option<Texts>,
    #[serde(default)]
    pub description: String,
    /// The legal texts the pack implements, as cited.
    #[serde(default)]
    pub law: Vec<String>,
    /// Rule files, relative to the pack folder, in the order they are read.
    pub files: Vec<Spanned<String>>,
}

/// A Vietnamese and an English text.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Texts {
    pub vi: Spanned<String>,
    pub en: Spanned<String>,
}

/// A rule file: `[[rule]]` tables.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleFileRaw {
    #[serde(default)]
    pub rule: Vec<Spanned<RuleRaw>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleRaw {
    pub code: Spanned<String>,
    pub name: Texts,
    pub severity: Spanned<String>,
    /// Sheet kinds the rule reads: award, purchase, requirements, preference, unknown.
    pub kinds: Spanned<Vec<String>>,
    /// "line" (default: once per purchase line) or "sheet" (once per sheet).
    pub scope: Option<Spanned<String>>,
    #[serde(default)]
    pub doc: String,
    /// A plain string (both languages), or a table `{ vi = "…", en = "…" }`; checked at compile.
    pub citation: Spanned<toml::Value>,
    /// First day in force (inclusive) and first day no longer in force (exclusive).
    pub from: Option<Spanned<String>>,
    pub to: Option<Spanned<String>>,
    #[serde(default)]
    pub params: BTreeMap<String, f64>,
    /// Other periods of the same rule: a different citation or parameters.
    #[serde(default)]
    pub version: Vec<Spanned<VersionRaw>>,
    /// Guard: must hold for any case to be tried.
    pub when: Option<Spanned<CondRaw>>,
    pub message: Option<Texts>,
    /// Alternatives to `when` + `message`: the first case that holds gives the finding.
    #[serde(default)]
    pub case: Vec<Spanned<CaseRaw>>,
    /// Examples that must and must not fire (`hangviet rules test`).
    #[serde(default)]
    pub example: Vec<Spanned<ExampleRaw>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VersionRaw {
    pub from: Option<Spanned<String>>,
    pub to: Option<Spanned<String>>,
    pub citation: Option<Spanned<toml::Value>>,
    #[serde(default)]
    pub params: BTreeMap<String, f64>,
    /// Why this period differs (shown by `rules show`).
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseRaw {
    pub when: Spanned<CondRaw>,
    pub message: Texts,
}

/// A number, or `"$name"` for a parameter of the rule version in force.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum NumRaw {
    Num(f64),
    Int(i64),
    Param(String),
}

/// One condition. Exactly one of: a combinator (`all`, `any`, `not`), `sheet_has`/`sheet_lacks`,
/// or a subject (`field`, `package`, `value`, `registry`) with one or more tests (all must hold).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CondRaw {
    pub all: Option<Vec<Spanned<CondRaw>>>,
    pub any: Option<Vec<Spanned<CondRaw>>>,
    pub not: Option<Box<Spanned<CondRaw>>>,
    pub sheet_has: Option<Spanned<Vec<String>>>,
    pub sheet_lacks: Option<Spanned<Vec<String>>>,

    pub field: Option<Spanned<String>>,
    pub package: Option<Spanned<String>>,
    pub value: Option<Spanned<String>>,
    pub registry: Option<Spanned<String>>,

    pub empty: Option<bool>,
    pub equals: Option<String>,
    #[serde(rename = "in")]
    pub in_list: Option<Vec<String>>,
    pub regex: Option<Spanned<String>>,
    pub phrase: Option<Vec<String>>,
    pub gt: Option<Spanned<NumRaw>>,
    pub ge: Option<Spanned<NumRaw>>,
    pub lt: Option<Spanned<NumRaw>>,
    pub le: Option<Spanned<NumRaw>>,
    pub eq: Option<Spanned<NumRaw>>,
    pub class: Option<Spanned<Vec<String>>>,
    pub country: Option<Vec<String>>,
    pub group_includes_vn: Option<bool>,
    pub swapped: Option<bool>,
    pub maker: Option<bool>,
    pub hs_prefix: Option<Vec<String>>,
    pub hs_valid: Option<bool>,
    pub not_a_number: Option<bool>,

    /// What to say when this test holds (joined into `{matched}`); may quote `{raw}`, `{cell}`.
    pub say: Option<Texts>,
}

/// An example: a sheet kind, package facts, one line as field texts, a registry answer,
/// and whether the rule must fire.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExampleRaw {
    #[serde(default)]
    pub name: String,
    pub fires: bool,
    pub kind: Option<Spanned<String>>,
    pub as_of: Option<Spanned<String>>,
    #[serde(default)]
    pub package: BTreeMap<String, toml::Value>,
    /// Field id → cell text. Keys name the sheet's columns too.
    pub line: Option<Spanned<BTreeMap<String, String>>>,
    /// Extra columns the sheet has (empty on this line).
    #[serde(default)]
    pub columns: Vec<String>,
    pub registry: Option<RegistryAnswerRaw>,
    /// Text the Vietnamese message must contain when the rule fires.
    pub expect: Option<String>,
    /// Text the English message must contain when the rule fires.
    pub expect_en: Option<String>,
    /// Text the citation of the period in force must contain (Vietnamese or English).
    pub expect_citation: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegistryAnswerRaw {
    #[serde(default)]
    pub domestic_makers: usize,
    #[serde(default)]
    pub complete: bool,
    #[serde(default)]
    pub drug_domestic_only: bool,
    #[serde(default)]
    pub equivalents: Vec<EquivalentRaw>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EquivalentRaw {
    pub maker: String,
    #[serde(default)]
    pub product: String,
    pub kind: String,
    #[serde(default)]
    pub reference: String,
    #[serde(default)]
    pub date: String,
    pub price_min: Option<f64>,
    pub price_max: Option<f64>,
    #[serde(default = "one")]
    pub score: f64,
    #[serde(default)]
    pub reason: String,
}

fn one() -> f64 {
    1.0
}
