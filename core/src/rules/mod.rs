//! Rule packs: data files (TOML) that say what to check, compiled once at load.
//!
//! A pack is a folder with `pack.toml` (id, version, the law it implements, its rule files) and
//! rule files of `[[rule]]` tables. The grammar is in `rules/README.md`. Everything is checked
//! at load, and an error names the file, line and column and says what was expected.

pub mod cond;
pub mod date;
pub mod examples;
pub mod facts;
pub mod raw;
pub mod reads;
pub mod template;

use crate::model::{Field, PackageFacts, SheetKind};
use crate::registry::{Equivalent, Evidence, EvidenceKind, Lookup};
use crate::report::Severity;
use cond::{Cond, Ctx, Lang, SpanError, Trace};
use date::Date;
use raw::{ExampleRaw, RuleFileRaw, RuleRaw, Texts};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use template::{Template, Var};
use toml::Spanned;

/// The default pack, embedded in the binaries.
pub const EMBEDDED_VN: [(&str, &str); 7] = [
    ("pack.toml", include_str!("../../../rules/vn/pack.toml")),
    (
        "brand_origin.toml",
        include_str!("../../../rules/vn/brand_origin.toml"),
    ),
    ("award.toml", include_str!("../../../rules/vn/award.toml")),
    (
        "preference.toml",
        include_str!("../../../rules/vn/preference.toml"),
    ),
    (
        "registry.toml",
        include_str!("../../../rules/vn/registry.toml"),
    ),
    (
        "summary.toml",
        include_str!("../../../rules/vn/summary.toml"),
    ),
    ("README.md", include_str!("../../../rules/vn/README.md")),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    Line,
    Sheet,
}

/// What a rule cites, in Vietnamese legal form and in English. A plain string in the pack
/// serves both languages (packs written before the two-language form keep working).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Citation {
    pub vi: String,
    pub en: String,
}

impl Citation {
    /// The text for the report's language.
    pub fn text(&self, lang: Lang) -> &str {
        match lang {
            Lang::Vi => &self.vi,
            Lang::En => &self.en,
        }
    }

    fn compile(v: &Spanned<toml::Value>) -> Result<Citation, SpanError> {
        let expected = "expected a citation string, or a table { vi = \"…\", en = \"…\" }";
        match v.get_ref() {
            toml::Value::String(s) if !s.trim().is_empty() => Ok(Citation {
                vi: s.clone(),
                en: s.clone(),
            }),
            toml::Value::Table(t) => {
                let text = |k: &str| match t.get(k) {
                    Some(toml::Value::String(s)) if !s.trim().is_empty() => Ok(s.clone()),
                    Some(_) => Err(SpanError::at(
                        v,
                        format!("citation.{k}: {expected}; `{k}` must be a non-empty string"),
                    )),
                    None => Err(SpanError::at(
                        v,
                        format!("citation.{k} is missing; {expected}"),
                    )),
                };
                if let Some(k) = t.keys().find(|k| *k != "vi" && *k != "en") {
                    return Err(SpanError::at(
                        v,
                        format!("unknown key `citation.{k}`; {expected}"),
                    ));
                }
                Ok(Citation {
                    vi: text("vi")?,
                    en: text("en")?,
                })
            }
            _ => Err(SpanError::at(v, format!("{expected}, not empty"))),
        }
    }
}

/// One period of a rule: what is cited and with which parameters.
#[derive(Debug, Clone, Serialize)]
pub struct Version {
    pub from: Option<Date>,
    pub to: Option<Date>,
    pub citation: Citation,
    pub params: BTreeMap<String, f64>,
    pub note: String,
}

impl Version {
    pub fn covers(&self, d: Date) -> bool {
        self.from.is_none_or(|f| f <= d) && self.to.is_none_or(|t| d < t)
    }
}

#[derive(Debug, Clone)]
pub struct Case {
    pub when: Cond,
    pub vi: Template,
    pub en: Template,
}

#[derive(Debug, Clone)]
pub struct Example {
    pub name: String,
    pub fires: bool,
    pub kind: SheetKind,
    pub as_of: Option<Date>,
    pub package: PackageFacts,
    pub line: Vec<(Field, String)>,
    pub columns: Vec<Field>,
    pub registry: Option<Lookup>,
    pub expect: Option<String>,
    pub expect_en: Option<String>,
    pub expect_citation: Option<String>,
    /// file:line:column of the example, for `rules test` output.
    pub location: String,
}

#[derive(Debug, Clone)]
pub struct Rule {
    pub code: String,
    pub name_vi: String,
    pub name_en: String,
    pub severity: Severity,
    pub kinds: Vec<SheetKind>,
    pub scope: Scope,
    pub doc: String,
    pub versions: Vec<Version>,
    pub guard: Option<Cond>,
    pub cases: Vec<Case>,
    pub examples: Vec<Example>,
    /// file:line:column where the rule is written.
    pub location: String,
}

/// What a rule found on a line or sheet.
#[derive(Debug, Clone)]
pub struct Fired<'t> {
    pub message: String,
    pub trace: Trace<'t>,
}

impl Rule {
    pub fn name(&self, lang: Lang) -> &str {
        match lang {
            Lang::Vi => &self.name_vi,
            Lang::En => &self.name_en,
        }
    }

    /// The version in force on `d`, if any.
    pub fn version_at(&self, d: Date) -> Option<&Version> {
        self.versions.iter().find(|v| v.covers(d))
    }

    pub fn applies_to(&self, kind: SheetKind) -> bool {
        self.kinds.contains(&kind)
    }

    /// Evaluate in `ctx` (whose params are the version's); the first case that holds fires.
    pub fn evaluate<'t>(&'t self, ctx: &Ctx<'t>) -> Option<Fired<'t>> {
        let mut t = Trace::default();
        if let Some(g) = &self.guard {
            if !cond::eval(g, ctx, &mut t) {
                return None;
            }
        }
        let guard = t.mark();
        for case in &self.cases {
            t.cut(guard);
            if cond::eval(&case.when, ctx, &mut t) {
                let tpl = if ctx.lang == Lang::Vi {
                    &case.vi
                } else {
                    &case.en
                };
                let message = tpl.render(&|v| match v {
                    Var::Matched => {
                        let says: Vec<String> =
                            t.hits.iter().filter_map(|h| h.say_text(ctx)).collect();
                        says.join("; ")
                    }
                    // "(Giả định: …)" so it reads as an aside after the sentence before it.
                    Var::Assumptions if t.assumptions.is_empty() => String::new(),
                    Var::Assumptions => {
                        let texts: Vec<&str> =
                            t.assumptions.iter().map(|a| a.text(ctx.lang)).collect();
                        let label = if ctx.lang == Lang::Vi {
                            "Giả định"
                        } else {
                            "Assumed"
                        };
                        format!("({label}: {})", texts.join("; "))
                    }
                    other => cond::resolve_common(other, ctx),
                });
                return Some(Fired { message, trace: t });
            }
        }
        None
    }
}

/// A compiled pack.
#[derive(Debug, Clone)]
pub struct Pack {
    pub id: String,
    pub version: String,
    pub name_vi: String,
    pub name_en: String,
    pub description: String,
    pub law: Vec<String>,
    /// SHA-256 over the manifest and every rule file, in order.
    pub hash: String,
    /// Rules in code order (VN-R2 before VN-R10).
    pub rules: Vec<Rule>,
    /// Where the pack came from ("embedded:rules/vn" or a folder).
    pub source: String,
}

/// Sort key for codes: "VN-R2" < "VN-R10".
pub fn code_key(code: &str) -> (String, u64, String) {
    let digits_at = code
        .char_indices()
        .find(|(_, c)| c.is_ascii_digit())
        .map(|(i, _)| i)
        .unwrap_or(code.len());
    let (head, rest) = code.split_at(digits_at);
    let n_end = rest
        .char_indices()
        .find(|(_, c)| !c.is_ascii_digit())
        .map(|(i, _)| i)
        .unwrap_or(rest.len());
    let n = rest[..n_end].parse().unwrap_or(0);
    (head.to_string(), n, rest[n_end..].to_string())
}

pub use crate::error::position;

fn data_error(file: &str, text: &str, e: SpanError) -> crate::Error {
    crate::Error::Data {
        location: position(file, text, e.offset),
        reason: e.message,
    }
}

fn toml_error(file: &str, text: &str, e: toml::de::Error) -> crate::Error {
    let offset = e.span().map(|s| s.start).unwrap_or(0);
    crate::Error::Data {
        location: position(file, text, offset),
        reason: e.message().trim().to_string(),
    }
}

fn parse_date(s: &Option<Spanned<String>>) -> Result<Option<Date>, SpanError> {
    match s {
        None => Ok(None),
        Some(s) => Date::parse(s.get_ref()).map(Some).ok_or_else(|| {
            SpanError::at(
                s,
                format!("expected a date YYYY-MM-DD, found `{}`", s.get_ref()),
            )
        }),
    }
}

fn kind_from_id(s: &str) -> Option<SheetKind> {
    Some(match s {
        "award" => SheetKind::Award,
        "purchase" => SheetKind::Purchase,
        "requirements" => SheetKind::Requirements,
        "preference" => SheetKind::Preference,
        "unknown" => SheetKind::Unknown,
        _ => return None,
    })
}

impl Pack {
    /// The embedded VN pack.
    pub fn embedded_vn() -> crate::Result<Pack> {
        let mut p = Pack::load("rules/vn", &|name| {
            EMBEDDED_VN
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, t)| t.to_string())
        })?;
        p.source = "embedded:rules/vn".into();
        Ok(p)
    }

    /// Load a pack folder; `read` gives a file's text by its name relative to `dir`
    /// (the core never touches the file system itself).
    pub fn load(dir: &str, read: &dyn Fn(&str) -> Option<String>) -> crate::Result<Pack> {
        let label = |f: &str| format!("{}/{}", dir.trim_end_matches('/'), f);
        let mtext = read("pack.toml").ok_or_else(|| crate::Error::Data {
            location: label("pack.toml"),
            reason: "missing: a pack folder needs a pack.toml manifest (id, version, files)".into(),
        })?;
        let mfile = label("pack.toml");
        let manifest: raw::ManifestRaw =
            toml::from_str(&mtext).map_err(|e| toml_error(&mfile, &mtext, e))?;
        let mut hasher = Sha256::new();
        hasher.update(b"pack.toml\0");
        hasher.update(mtext.as_bytes());
        let mut rules = Vec::new();
        let mut seen: BTreeMap<String, String> = BTreeMap::new();
        for f in &manifest.files {
            let name = f.get_ref();
            let text = read(name).ok_or_else(|| {
                data_error(
                    &mfile,
                    &mtext,
                    SpanError::at(f, format!("rule file `{name}` not found in {dir}")),
                )
            })?;
            hasher.update(b"\0");
            hasher.update(name.as_bytes());
            hasher.update(b"\0");
            hasher.update(text.as_bytes());
            let file = label(name);
            let parsed: RuleFileRaw =
                toml::from_str(&text).map_err(|e| toml_error(&file, &text, e))?;
            for r in &parsed.rule {
                let rule =
                    compile_rule(r, &file, &text).map_err(|e| data_error(&file, &text, e))?;
                if let Some(prev) = seen.get(&rule.code) {
                    return Err(data_error(
                        &file,
                        &text,
                        SpanError::at(
                            &r.get_ref().code,
                            format!("rule {} is already defined at {prev}", rule.code),
                        ),
                    ));
                }
                seen.insert(rule.code.clone(), rule.location.clone());
                rules.push(rule);
            }
        }
        rules.sort_by_key(|r| code_key(&r.code));
        let (name_vi, name_en) = match &manifest.name {
            Some(t) => (t.vi.get_ref().clone(), t.en.get_ref().clone()),
            None => (manifest.id.get_ref().clone(), manifest.id.get_ref().clone()),
        };
        Ok(Pack {
            id: manifest.id.get_ref().clone(),
            version: manifest.version,
            name_vi,
            name_en,
            description: manifest.description,
            law: manifest.law,
            hash: hex(&hasher.finalize()),
            rules,
            source: dir.to_string(),
        })
    }

    pub fn rule(&self, code: &str) -> Option<&Rule> {
        self.rules
            .iter()
            .find(|r| r.code.eq_ignore_ascii_case(code))
    }
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn texts(t: &Texts) -> (String, String) {
    (t.vi.get_ref().clone(), t.en.get_ref().clone())
}

fn compile_rule(r: &Spanned<RuleRaw>, file: &str, text: &str) -> Result<Rule, SpanError> {
    let raw = r.get_ref();
    let code = raw.code.get_ref().trim().to_string();
    if code.is_empty() || code.contains(char::is_whitespace) {
        return Err(SpanError::at(
            &raw.code,
            "expected a code without spaces, e.g. \"VN-R1\"",
        ));
    }
    let severity = Severity::from_id(raw.severity.get_ref()).ok_or_else(|| {
        SpanError::at(
            &raw.severity,
            format!(
                "unknown severity `{}`; expected violation, warning, advisory or info",
                raw.severity.get_ref()
            ),
        )
    })?;
    let mut kinds = Vec::new();
    for k in raw.kinds.get_ref() {
        kinds.push(kind_from_id(k).ok_or_else(|| {
            SpanError::at(
                &raw.kinds,
                format!("unknown sheet kind `{k}`; expected award, purchase, requirements, preference, unknown"),
            )
        })?);
    }
    if kinds.is_empty() {
        return Err(SpanError::at(
            &raw.kinds,
            "expected at least one sheet kind",
        ));
    }
    let scope = match raw.scope.as_ref().map(|s| s.get_ref().as_str()) {
        None | Some("line") => Scope::Line,
        Some("sheet") => Scope::Sheet,
        Some(other) => {
            return Err(SpanError::at(
                raw.scope.as_ref().unwrap_or(&raw.code),
                format!("unknown scope `{other}`; expected line or sheet"),
            ))
        }
    };
    // Versions: the rule's own period first, then [[rule.version]] periods.
    let citation = Citation::compile(&raw.citation)?;
    let mut versions = vec![Version {
        from: parse_date(&raw.from)?,
        to: parse_date(&raw.to)?,
        citation: citation.clone(),
        params: raw.params.clone(),
        note: String::new(),
    }];
    for v in &raw.version {
        let vr = v.get_ref();
        let mut params = raw.params.clone();
        params.extend(vr.params.clone());
        versions.push(Version {
            from: parse_date(&vr.from)?,
            to: parse_date(&vr.to)?,
            citation: match &vr.citation {
                Some(c) => Citation::compile(c)?,
                None => citation.clone(),
            },
            params,
            note: vr.note.clone(),
        });
    }
    versions.sort_by_key(|v| v.from);
    for v in &versions {
        if let (Some(f), Some(t)) = (v.from, v.to) {
            if t <= f {
                return Err(SpanError::at(
                    r,
                    format!("{code}: a period ends ({t}) before it starts ({f})"),
                ));
            }
        }
    }
    for w in versions.windows(2) {
        let overlap = match (w[0].to, w[1].from) {
            (Some(t), Some(f)) => f < t,
            _ => true,
        };
        if overlap {
            return Err(SpanError::at(
                r,
                format!("{code}: versions overlap; give each a `from` and the earlier a `to` no later than the next `from`"),
            ));
        }
    }
    let all_params: BTreeMap<String, f64> =
        versions.iter().flat_map(|v| v.params.clone()).collect();
    for v in &versions {
        for k in all_params.keys() {
            if !v.params.contains_key(k) {
                return Err(SpanError::at(
                    r,
                    format!(
                        "{code}: parameter `{k}` is missing from the period starting {}",
                        v.from
                            .map(|d| d.to_string())
                            .unwrap_or_else(|| "at the beginning".into())
                    ),
                ));
            }
        }
    }
    let guard = match &raw.when {
        Some(w) if !raw.case.is_empty() => Some(cond::compile(w, &all_params)?),
        _ => None,
    };
    let known = |v: &Var| cond::var_known(v, &all_params);
    let tpl =
        |t: &Spanned<String>| Template::parse(t.get_ref(), &known).map_err(|e| SpanError::at(t, e));
    let mut cases = Vec::new();
    if raw.case.is_empty() {
        let when = raw.when.as_ref().ok_or_else(|| {
            SpanError::at(
                r,
                format!("{code}: expected `when` (or [[rule.case]] tables)"),
            )
        })?;
        let msg = raw.message.as_ref().ok_or_else(|| {
            SpanError::at(r, format!("{code}: expected `message.vi` and `message.en`"))
        })?;
        cases.push(Case {
            when: cond::compile(when, &all_params)?,
            vi: tpl(&msg.vi)?,
            en: tpl(&msg.en)?,
        });
    } else {
        if raw.message.is_some() {
            return Err(SpanError::at(
                r,
                format!("{code}: with [[rule.case]], each case has its own message"),
            ));
        }
        for c in &raw.case {
            let cr = c.get_ref();
            cases.push(Case {
                when: cond::compile(&cr.when, &all_params)?,
                vi: tpl(&cr.message.vi)?,
                en: tpl(&cr.message.en)?,
            });
        }
    }
    let mut examples = Vec::new();
    for e in &raw.example {
        examples.push(compile_example(e, &kinds, file, text)?);
    }
    let (name_vi, name_en) = texts(&raw.name);
    Ok(Rule {
        code,
        name_vi,
        name_en,
        severity,
        kinds,
        scope,
        doc: raw.doc.trim().to_string(),
        versions,
        guard,
        cases,
        examples,
        location: position(file, text, r.span().start),
    })
}

fn compile_example(
    e: &Spanned<ExampleRaw>,
    kinds: &[SheetKind],
    file: &str,
    text: &str,
) -> Result<Example, SpanError> {
    let raw = e.get_ref();
    let kind = match &raw.kind {
        Some(k) => kind_from_id(k.get_ref())
            .ok_or_else(|| SpanError::at(k, format!("unknown sheet kind `{}`", k.get_ref())))?,
        None => kinds.first().copied().unwrap_or(SheetKind::Unknown),
    };
    let mut line = Vec::new();
    if let Some(l) = &raw.line {
        for (k, v) in l.get_ref() {
            let f = Field::from_id(k).ok_or_else(|| {
                SpanError::at(
                    l,
                    format!(
                        "unknown field `{k}` in example line; expected one of {}",
                        cond::field_ids()
                    ),
                )
            })?;
            line.push((f, v.clone()));
        }
    }
    let mut columns = Vec::new();
    for c in &raw.columns {
        columns.push(Field::from_id(c).ok_or_else(|| {
            SpanError::at(
                e,
                format!(
                    "unknown field `{c}` in example columns; expected one of {}",
                    cond::field_ids()
                ),
            )
        })?);
    }
    let mut package = PackageFacts::default();
    let known: BTreeSet<&str> = [
        "selection_method",
        "bidding_scope",
        "funding_source",
        "package_name",
        "package_value",
        "hsmt_date",
        "decision_date",
        "plan_date",
        "notice_no",
        "agency",
    ]
    .into_iter()
    .collect();
    for (k, v) in &raw.package {
        if !known.contains(k.as_str()) {
            return Err(SpanError::at(
                e,
                format!(
                    "unknown package fact `{k}`; expected one of {}",
                    known.iter().copied().collect::<Vec<_>>().join(", ")
                ),
            ));
        }
        let s = match v {
            toml::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        match k.as_str() {
            "selection_method" => package.selection_method = Some(s),
            "bidding_scope" => package.bidding_scope = Some(s),
            "funding_source" => package.funding_source = Some(s),
            "package_name" => package.package_name = Some(s),
            "package_value" => {
                package.package_value = v.as_float().or_else(|| v.as_integer().map(|i| i as f64))
            }
            "hsmt_date" => package.hsmt_date = Some(s),
            "decision_date" => package.decision_date = Some(s),
            "plan_date" => package.plan_date = Some(s),
            "notice_no" => package.notice_no = Some(s),
            _ => package.agency = Some(s),
        }
    }
    let registry = match &raw.registry {
        None => None,
        Some(r) => {
            let mut equivalents = Vec::new();
            for q in &r.equivalents {
                let kind = EvidenceKind::from_id(&q.kind).ok_or_else(|| {
                    SpanError::at(e, format!("unknown evidence kind `{}`; expected catalogue, award, maker, market_consultation, drug_list", q.kind))
                })?;
                equivalents.push(Equivalent {
                    maker: q.maker.clone(),
                    product: q.product.clone(),
                    evidence: Evidence {
                        kind,
                        reference: q.reference.clone(),
                        date: q.date.clone(),
                    },
                    price_min: q.price_min,
                    price_max: q.price_max,
                    score: q.score,
                    reason: q.reason.clone(),
                });
            }
            if r.domestic_makers > 0 {
                // Shorthand: n distinct makers known by award evidence.
                for i in equivalents.len()..r.domestic_makers {
                    equivalents.push(Equivalent {
                        maker: format!("Nhà sản xuất {}", i + 1),
                        product: String::new(),
                        evidence: Evidence {
                            kind: EvidenceKind::Award,
                            reference: String::new(),
                            date: String::new(),
                        },
                        price_min: None,
                        price_max: None,
                        score: 1.0,
                        reason: "example".into(),
                    });
                }
            }
            Some(Lookup {
                equivalents,
                complete: r.complete,
                drug_domestic_only: r.drug_domestic_only,
            })
        }
    };
    Ok(Example {
        name: raw.name.clone(),
        fires: raw.fires,
        kind,
        as_of: parse_date(&raw.as_of)?,
        package,
        line,
        columns,
        registry,
        expect: raw.expect.clone(),
        expect_en: raw.expect_en.clone(),
        expect_citation: raw.expect_citation.clone(),
        location: position(file, text, e.span().start),
    })
}

#[cfg(test)]
mod tests;
