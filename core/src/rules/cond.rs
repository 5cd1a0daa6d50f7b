//! Conditions: compiled from the pack's TOML once, evaluated per line (or per sheet).
//! Evaluation records what held (cells, values, `say` texts, assumptions) so a finding can
//! quote exactly what was read.

use super::facts;
use super::raw::{CondRaw, NumRaw};
use super::template::{Template, Var};
use crate::model::{Field, FieldValue, PurchaseLine, Sheet};
use crate::normalize::origin::{Origin, OriginClass};
use crate::registry::{EvidenceKind, Lookup, Registry};
use crate::text::{fold, fold_cow};
use regex::Regex;
use std::borrow::Cow;
use std::cell::{Cell, OnceCell, RefCell};
use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;
use toml::Spanned;

/// A load error at a byte offset of the file being read.
#[derive(Debug, Clone, PartialEq)]
pub struct SpanError {
    pub offset: usize,
    pub message: String,
}

impl SpanError {
    pub fn at<T>(s: &Spanned<T>, message: impl Into<String>) -> SpanError {
        SpanError {
            offset: s.span().start,
            message: message.into(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Vi,
    En,
}

#[derive(Debug, Clone)]
pub enum Subject {
    Field(Field),
    Package(&'static str),
    Value(&'static str),
    Registry(&'static str),
}

#[derive(Debug, Clone, Copy)]
pub enum CmpOp {
    Gt,
    Ge,
    Lt,
    Le,
    Eq,
}

#[derive(Debug, Clone)]
pub enum Num {
    Lit(f64),
    Param(String),
}

#[derive(Debug, Clone)]
pub enum Test {
    Empty(bool),
    Equals(String),
    In(Vec<String>),
    Regex(Regex),
    Phrase(Vec<String>),
    Cmp(CmpOp, Num),
    Class(Vec<OriginClass>),
    Country(Vec<String>),
    GroupIncludesVn(bool),
    Swapped(bool),
    Maker(bool),
    HsPrefix(Vec<String>),
    HsValid(bool),
    NotANumber(bool),
}

#[derive(Debug, Clone)]
pub enum Cond {
    All(Vec<Cond>),
    Any(Vec<Cond>),
    Not(Box<Cond>),
    SheetHas(Vec<Field>),
    SheetLacks(Vec<Field>),
    Test {
        subject: Subject,
        tests: Vec<Test>,
        say: Option<(Template, Template)>,
    },
}

/// Facts a rule assumed because the sheet did not state them; findings say so.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Assumption {
    OpenBidding,
    DomesticBidding,
    TaxesZero,
}

impl Assumption {
    pub fn text(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Assumption::OpenBidding, Lang::Vi) => {
                "bảng không ghi hình thức lựa chọn nhà thầu, coi là đấu thầu rộng rãi"
            }
            (Assumption::OpenBidding, Lang::En) => {
                "the sheet does not state the selection method, taken as open bidding"
            }
            (Assumption::DomesticBidding, Lang::Vi) => {
                "bảng không ghi đấu thầu trong nước hay quốc tế, coi là trong nước"
            }
            (Assumption::DomesticBidding, Lang::En) => {
                "the sheet does not state domestic or international bidding, taken as domestic"
            }
            (Assumption::TaxesZero, Lang::Vi) => "không có cột thuế, coi thuế bằng 0 khi tính G",
            (Assumption::TaxesZero, Lang::En) => "no tax column, taxes taken as 0 when computing G",
        }
    }
}

/// One test that held: the cell it read (if any) and what it says. Borrowed from the line and
/// the pack: most tests that hold belong to rules that do not fire, so nothing is copied or
/// rendered until one does.
#[derive(Debug, Clone)]
pub struct Hit<'t> {
    pub key: Key,
    pub cell: Option<&'t crate::cell::Addr>,
    pub raw: Option<Cow<'t, str>>,
    /// The test's `say` texts (vi, en), rendered only when its rule fires.
    pub say: Option<&'t (Template, Template)>,
}

/// What a hit read: a field of the line or a computed fact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    Field(Field),
    Package(&'static str),
    Value(&'static str),
    Registry(&'static str),
    ItemText,
}

impl Key {
    /// The key as findings' `values` name it ("origin", "value.line_value", …).
    pub fn id(self) -> Cow<'static, str> {
        match self {
            Key::Field(f) => Cow::Borrowed(f.id()),
            Key::Package(k) => Cow::Owned(format!("package.{k}")),
            Key::Value(k) => Cow::Owned(format!("value.{k}")),
            Key::Registry(k) => Cow::Owned(format!("registry.{k}")),
            Key::ItemText => Cow::Borrowed("item_text"),
        }
    }
}

impl Hit<'_> {
    /// The hit's `say` text in `lang`, with its placeholders filled.
    pub fn say_text(&self, ctx: &Ctx) -> Option<String> {
        let (vi, en) = self.say?;
        let t = if ctx.lang == Lang::Vi { vi } else { en };
        let raw = self.raw.as_deref().unwrap_or_default();
        let cell = self.cell.map(|c| c.as_str()).unwrap_or_default();
        Some(t.render(&|v| match v {
            Var::Raw => raw.to_string(),
            Var::Cell => cell.to_string(),
            other => resolve_common(other, ctx),
        }))
    }
}

#[derive(Debug, Clone, Default)]
pub struct Trace<'t> {
    pub hits: Vec<Hit<'t>>,
    pub assumptions: Assumed,
}

/// The assumptions a trace made, each once, in the order first made. Inline: most rules of
/// most lines assume the selection method or the bidding scope, and a `Vec` was an allocation
/// per rule per line.
#[derive(Debug, Clone, Copy, Default)]
pub struct Assumed {
    made: [Option<Assumption>; 3],
    len: usize,
}

impl Assumed {
    pub fn iter(&self) -> impl Iterator<Item = &Assumption> {
        self.made[..self.len].iter().flatten()
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    fn contains(&self, a: &Assumption) -> bool {
        self.iter().any(|x| x == a)
    }

    fn push(&mut self, a: Assumption) {
        // One slot per kind of assumption, each made once: never full.
        if let Some(slot) = self.made.get_mut(self.len) {
            *slot = Some(a);
            self.len += 1;
        }
    }

    fn truncate(&mut self, len: usize) {
        self.len = self.len.min(len);
    }
}

/// How far a trace had got: a condition that fails is cut back to it, so evaluation writes
/// into one trace instead of a new one per branch.
#[derive(Clone, Copy)]
pub struct Mark {
    hits: usize,
    assumptions: usize,
}

impl<'t> Trace<'t> {
    pub fn mark(&self) -> Mark {
        Mark {
            hits: self.hits.len(),
            assumptions: self.assumptions.len(),
        }
    }

    pub fn cut(&mut self, m: Mark) {
        self.hits.truncate(m.hits);
        self.assumptions.truncate(m.assumptions);
    }

    /// Each assumption once, in the order first made.
    fn assume(&mut self, a: Assumption) {
        if !self.assumptions.contains(&a) {
            self.assumptions.push(a);
        }
    }
}

/// What a condition is evaluated against.
pub struct Ctx<'a> {
    pub sheet: &'a Sheet,
    pub line: Option<&'a PurchaseLine>,
    pub params: &'a BTreeMap<String, f64>,
    pub registry: &'a dyn Registry,
    /// Classifies an origin text that the normalise stage left alone (the origin requirement
    /// of a requirement list): (text, manufacturer) → Origin.
    pub classify: &'a dyn Fn(&str, &str) -> Origin,
    pub lang: Lang,
    /// This context's own answers, used when no line-wide memo is shared in (made on first
    /// use: a context is made per rule per line, and most share the line's).
    own: OnceCell<Box<LineMemo>>,
    /// The answers every rule of the line shares (`with_memo`).
    shared: Option<&'a LineMemo>,
    /// Whether this rule asked the registry (only then do its findings list alternatives).
    asked: Cell<bool>,
}

/// What the rules of one line share: the registry's answer and the origin classifications are
/// computed once per line, by whichever rule asks first, not once per rule.
#[derive(Default)]
pub struct LineMemo {
    lookup: OnceCell<std::sync::Arc<Lookup>>,
    req_origin: OnceCell<Option<Origin>>,
    line_origin: OnceCell<Option<Origin>>,
    /// Each field's folded text, by `Field as usize`: most rules test the same few fields.
    folded: [OnceCell<Rc<str>>; Field::ALL.len()],
}

impl LineMemo {
    pub fn new() -> LineMemo {
        LineMemo::default()
    }
}

thread_local! {
    /// Folded texts of the lines checked before on this thread, by their text: models, brands,
    /// makers and origins repeat from line to line, and folding each again cost a tenth of a
    /// check (a look-up is a hash and a compare).
    static FOLDS: RefCell<HashMap<Box<str>, Rc<str>>> = RefCell::new(HashMap::new());
}

/// Texts kept per thread before the cache starts afresh (a file's repetition is local).
const FOLDS_MAX: usize = 4096;
/// Longer texts are folded each time: they rarely repeat, and would hold memory.
const FOLDS_ROOM: usize = 256;

/// `fold`, from this thread's cache when the text was folded before.
fn fold_cached(raw: &str) -> Rc<str> {
    let fresh = || Rc::<str>::from(fold(raw));
    if raw.len() > FOLDS_ROOM {
        return fresh();
    }
    FOLDS
        .try_with(|folds| {
            let Ok(mut folds) = folds.try_borrow_mut() else {
                return fresh();
            };
            if let Some(f) = folds.get(raw) {
                return Rc::clone(f);
            }
            if folds.len() >= FOLDS_MAX {
                folds.clear();
            }
            let f = fresh();
            folds.insert(raw.into(), Rc::clone(&f));
            f
        })
        .unwrap_or_else(|_| fresh())
}

impl<'a> Ctx<'a> {
    pub fn new(
        sheet: &'a Sheet,
        line: Option<&'a PurchaseLine>,
        params: &'a BTreeMap<String, f64>,
        registry: &'a dyn Registry,
        classify: &'a dyn Fn(&str, &str) -> Origin,
        lang: Lang,
    ) -> Self {
        Ctx {
            sheet,
            line,
            params,
            registry,
            classify,
            lang,
            own: OnceCell::new(),
            shared: None,
            asked: Cell::new(false),
        }
    }

    /// Share `memo` with the other rules of the same line (it must belong to this line).
    pub fn with_memo(mut self, memo: &'a LineMemo) -> Self {
        self.shared = Some(memo);
        self
    }

    fn memo(&self) -> &LineMemo {
        match self.shared {
            Some(m) => m,
            None => self.own.get_or_init(Box::default),
        }
    }

    /// The registry's answer for the line (asked once per line, only if a rule needs it).
    pub fn lookup(&self) -> Option<&Lookup> {
        let line = self.line?;
        self.asked.set(true);
        Some(
            self.memo()
                .lookup
                .get_or_init(|| self.registry.lookup(line)),
        )
    }

    /// The line's field text folded, worked out once per line.
    fn folded(&self, f: Field, raw: &str) -> &str {
        match self.memo().folded.get(f as usize) {
            Some(cell) => cell.get_or_init(|| fold_cached(raw)),
            None => "",
        }
    }

    fn origin_of<'s>(&'s self, f: Field, fv: &'s FieldValue) -> Option<&'s Origin> {
        if let Some(o) = &fv.origin {
            return Some(o);
        }
        if f != Field::Origin && f != Field::OriginRequirement {
            return None;
        }
        let manufacturer = self.line.map(|l| l.text(Field::Manufacturer)).unwrap_or("");
        if f == Field::OriginRequirement {
            return self
                .memo()
                .req_origin
                .get_or_init(|| Some((self.classify)(fv.raw.trim(), "")))
                .as_ref();
        }
        self.memo()
            .line_origin
            .get_or_init(|| Some((self.classify)(fv.raw.trim(), manufacturer)))
            .as_ref()
    }

    /// The registry's answer if a rule asked for it (never asks by itself).
    pub fn looked_up(&self) -> Option<&Lookup> {
        if !self.asked.get() {
            return None;
        }
        self.memo().lookup.get().map(|l| &**l)
    }

    fn param(&self, n: &Num) -> Option<f64> {
        match n {
            Num::Lit(v) => Some(*v),
            Num::Param(p) => self.params.get(p).copied(),
        }
    }

    /// The number a `value = "…"` subject has for this line.
    pub fn value(&self, key: &str, trace: &mut Trace) -> Option<f64> {
        let line = self.line?;
        match key {
            "domestic_share_computed" => {
                let (d, assumed) = facts::domestic_share_computed(line)?;
                if assumed {
                    trace.assume(Assumption::TaxesZero);
                }
                Some(d)
            }
            "domestic_share_declared" => facts::share(line, Field::DomesticShare),
            "domestic_share" => self
                .value("domestic_share_computed", trace)
                .or_else(|| facts::share(line, Field::DomesticShare)),
            "domestic_share_gap" => {
                let c = self.value("domestic_share_computed", trace)?;
                Some((c - facts::share(line, Field::DomesticShare)?).abs())
            }
            "line_value" => facts::line_value(line),
            "amount_gap" => facts::amount_gap(line),
            "amount_gap_ratio" => {
                let gap = facts::amount_gap(line)?;
                let a = line.number(Field::Amount)?.abs();
                Some(if a > 0.0 { gap / a } else { gap })
            }
            "pref_claimed" => Some(if facts::truthy(line.text(Field::PrefClaimed)) {
                1.0
            } else {
                0.0
            }),
            _ => None,
        }
    }

    pub fn registry_value(&self, key: &str) -> Option<f64> {
        if key == "drug_domestic_only" && !self.registry.lists_domestic_only_drugs() {
            // What the look-up would say, without it; `looked_up` stays as it was.
            return self.line.map(|_| 0.0);
        }
        let l = self.lookup()?;
        Some(match key {
            "equivalents" => l.strong().count() as f64,
            "domestic_makers" => l.domestic_makers() as f64,
            "qualified_makers" => qualified_makers(l) as f64,
            "catalogue" => l.count(EvidenceKind::Catalogue) as f64,
            "awards" => l.count(EvidenceKind::Award) as f64,
            "drug_domestic_only" => f64::from(u8::from(l.drug_domestic_only)),
            "complete" => f64::from(u8::from(l.complete)),
            _ => return None,
        })
    }

    /// Package fact as text (ids for selection method and scope; assumed when missing).
    pub fn package_text(&self, key: &str, trace: &mut Trace) -> Option<Cow<'a, str>> {
        let p = &self.sheet.package;
        match key {
            "selection_method" => Some(Cow::Borrowed(match facts::selection_method(p) {
                Some(id) => id,
                None => {
                    trace.assume(Assumption::OpenBidding);
                    "open"
                }
            })),
            "bidding_scope" => Some(Cow::Borrowed(match facts::bidding_scope(p) {
                Some(id) => id,
                None => {
                    trace.assume(Assumption::DomesticBidding);
                    "domestic"
                }
            })),
            "funding_source" => p.funding_source.as_deref().map(Cow::Borrowed),
            "package_name" => p.package_name.as_deref().map(Cow::Borrowed),
            "package_value" => p.package_value.map(|v| Cow::Owned(v.to_string())),
            _ => None,
        }
    }
}

/// Evaluate; on true, `trace` gets what held.
pub fn eval<'t>(c: &'t Cond, ctx: &Ctx<'t>, trace: &mut Trace<'t>) -> bool {
    // A condition that fails leaves `trace` as it found it.
    match c {
        Cond::All(cs) => {
            let mark = trace.mark();
            for c in cs {
                if !eval(c, ctx, trace) {
                    trace.cut(mark);
                    return false;
                }
            }
            true
        }
        Cond::Any(cs) => {
            // No short cut: every branch that holds is quoted in the finding.
            let mut any = false;
            for c in cs {
                let mark = trace.mark();
                if eval(c, ctx, trace) {
                    any = true;
                } else {
                    trace.cut(mark);
                }
            }
            any
        }
        Cond::Not(c) => !eval(c, ctx, &mut Trace::default()),
        Cond::SheetHas(fs) => fs.iter().all(|f| ctx.sheet.has(*f)),
        Cond::SheetLacks(fs) => {
            let before = trace.hits.len();
            for f in fs.iter().filter(|f| !ctx.sheet.has(**f)) {
                trace.hits.push(Hit {
                    key: Key::Field(*f),
                    cell: None,
                    raw: None,
                    say: None,
                });
            }
            trace.hits.len() > before
        }
        Cond::Test {
            subject,
            tests,
            say,
        } => {
            let mark = trace.mark();
            let hit = match subject {
                Subject::Field(f) => test_field(*f, tests, ctx),
                Subject::Package(k) => {
                    if *k == "package_value" {
                        let v = ctx.sheet.package.package_value;
                        tests_num(v, tests, ctx).then(|| Hit {
                            key: Key::Package(k),
                            cell: None,
                            raw: v.map(|v| Cow::Owned(v.to_string())),
                            say: None,
                        })
                    } else {
                        let t = ctx.package_text(k, trace);
                        tests_text(t.as_deref(), tests).then_some(Hit {
                            key: Key::Package(k),
                            cell: None,
                            raw: t,
                            say: None,
                        })
                    }
                }
                Subject::Value(k) => {
                    if *k == "item_text" {
                        let t = ctx.line.map(facts::item_text);
                        tests_text(t.as_deref(), tests).then_some(Hit {
                            key: Key::ItemText,
                            cell: None,
                            raw: None,
                            say: None,
                        })
                    } else {
                        let v = ctx.value(k, trace);
                        tests_num(v, tests, ctx).then(|| Hit {
                            key: Key::Value(k),
                            cell: None,
                            raw: v.map(|v| Cow::Owned(v.to_string())),
                            say: None,
                        })
                    }
                }
                Subject::Registry(k) => {
                    let v = ctx.registry_value(k);
                    tests_num(v, tests, ctx).then(|| Hit {
                        key: Key::Registry(k),
                        cell: None,
                        raw: v.map(|v| Cow::Owned(v.to_string())),
                        say: None,
                    })
                }
            };
            let Some(mut hit) = hit else {
                trace.cut(mark);
                return false;
            };
            hit.say = say.as_ref();
            trace.hits.push(hit);
            true
        }
    }
}

/// Placeholders a `say` text may use besides raw and cell.
pub fn resolve_common(v: &Var, ctx: &Ctx) -> String {
    let line = ctx.line;
    match v {
        Var::Item => line
            .map(|l| l.text(Field::Name).to_string())
            .unwrap_or_default(),
        Var::Row => line.map(|l| l.row.to_string()).unwrap_or_default(),
        Var::Sheet => ctx.sheet.name.clone(),
        Var::Field(f) => {
            let t = line.map(|l| l.text(*f)).unwrap_or("");
            if t.is_empty() {
                blank(ctx.lang).to_string()
            } else {
                t.to_string()
            }
        }
        Var::FieldCell(f) => line
            .and_then(|l| l.get(*f))
            .map(|v| v.cell.to_string())
            .unwrap_or_default(),
        Var::Value(k) => match ctx.value(k, &mut Trace::default()) {
            Some(v) if k.starts_with("domestic_share") => percent(v, ctx.lang),
            Some(v) => number(v, ctx.lang),
            None => unknown(ctx.lang).to_string(),
        },
        Var::Package(k) if k == "selection_method" => {
            let id = facts::selection_method(&ctx.sheet.package).unwrap_or("open");
            facts::selection_method_label(id, ctx.lang == Lang::Vi).to_string()
        }
        Var::Package(k) => {
            if k == "package_value" {
                ctx.sheet
                    .package
                    .package_value
                    .map(|v| number(v, ctx.lang))
                    .unwrap_or_else(|| unknown(ctx.lang).to_string())
            } else {
                ctx.package_text(k, &mut Trace::default())
                    .map_or_else(|| unknown(ctx.lang).to_string(), Cow::into_owned)
            }
        }
        Var::Param(p) => ctx
            .params
            .get(p)
            .map(|v| {
                if *v < 1.0 {
                    percent(*v, ctx.lang)
                } else {
                    number(*v, ctx.lang)
                }
            })
            .unwrap_or_default(),
        Var::Registry(k) => ctx
            .registry_value(k)
            .map(|v| number(v, ctx.lang))
            .unwrap_or_default(),
        Var::Alternatives => ctx
            .lookup()
            .map(|l| {
                // Only matches strong enough for a rule to rely on; a catalogue row names no
                // maker, so its product and source are shown instead of a dangling dash.
                l.strong()
                    .take(5)
                    .map(|e| {
                        let what = match (e.maker.trim(), e.product.trim()) {
                            (m, "") => m.to_string(),
                            ("", p) => p.to_string(),
                            (m, p) => format!("{m} – {p}"),
                        };
                        match e.evidence.reference.trim() {
                            "" => what,
                            r if e.maker.trim().is_empty() => format!("{what} ({r})"),
                            _ => what,
                        }
                    })
                    .collect::<Vec<_>>()
                    .join("; ")
            })
            .unwrap_or_default(),
        Var::Matched | Var::Assumptions | Var::Raw | Var::Cell => String::new(),
    }
}

fn blank(lang: Lang) -> &'static str {
    match lang {
        Lang::Vi => "(trống)",
        Lang::En => "(blank)",
    }
}

fn unknown(lang: Lang) -> &'static str {
    match lang {
        Lang::Vi => "(không rõ)",
        Lang::En => "(unknown)",
    }
}

/// 0.275 → "27,5%" (vi) / "27.5%" (en).
pub fn percent(v: f64, lang: Lang) -> String {
    let s = format!("{:.1}", v * 100.0);
    let s = s.strip_suffix(".0").unwrap_or(&s).to_string();
    let s = if lang == Lang::Vi {
        s.replace('.', ",")
    } else {
        s
    };
    format!("{s}%")
}

/// 1234567.5 → "1.234.567,5" (vi) / "1,234,567.5" (en).
pub fn number(v: f64, lang: Lang) -> String {
    let (thou, dec) = if lang == Lang::Vi {
        ('.', ',')
    } else {
        (',', '.')
    };
    let neg = v < 0.0;
    let v = v.abs();
    let s = format!("{:.2}", v);
    let (int, frac) = s.split_once('.').unwrap_or((&s, "00"));
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(thou);
        }
        out.push(c);
    }
    let frac = frac.trim_end_matches('0');
    if !frac.is_empty() {
        out.push(dec);
        out.push_str(frac);
    }
    if neg {
        format!("-{out}")
    } else {
        out
    }
}

/// Names of fields as a finance officer reads them.
pub fn field_label(f: Field, lang: Lang) -> &'static str {
    let (vi, en) = match f {
        Field::LineNo => ("số thứ tự", "line number"),
        Field::Name => ("tên hàng hóa", "item name"),
        Field::Model => ("ký mã hiệu", "model"),
        Field::Brand => ("nhãn hiệu", "brand"),
        Field::Manufacturer => ("hãng sản xuất", "manufacturer"),
        Field::Origin => ("xuất xứ", "origin"),
        Field::Year => ("năm sản xuất", "year of manufacture"),
        Field::Spec => ("cấu hình, tính năng kỹ thuật", "specification"),
        Field::Unit => ("đơn vị tính", "unit"),
        Field::Quantity => ("khối lượng", "quantity"),
        Field::UnitPrice => ("đơn giá", "unit price"),
        Field::Amount => ("thành tiền", "amount"),
        Field::HsCode => ("mã HS", "HS code"),
        Field::Note => ("ghi chú", "note"),
        Field::Agency => ("chủ đầu tư", "agency"),
        Field::NoticeNo => ("số TBMT", "notice number"),
        Field::Date => ("ngày", "date"),
        Field::OriginRequirement => ("yêu cầu về xuất xứ", "origin requirement"),
        Field::PrefClaimed => ("đề nghị ưu đãi", "preference claimed"),
        Field::OfferPrice => ("giá chào (I)", "offer price (I)"),
        Field::Taxes => ("thuế các loại (II)", "taxes (II)"),
        Field::ImportedCost => ("chi phí nhập ngoại (III)", "imported costs (III)"),
        Field::DomesticCost => ("chi phí sản xuất trong nước G*", "domestic cost G*"),
        Field::ExwPrice => ("giá xuất xưởng (EXW)", "ex-works price"),
        Field::DomesticShare => ("tỷ lệ D", "domestic share D"),
        Field::Bidder => ("nhà thầu", "bidder"),
        Field::LotNo => ("số lô", "lot number"),
        // Fields added later read as their ids until they get a label here.
        other => (other.id(), other.id()),
    };
    if lang == Lang::Vi {
        vi
    } else {
        en
    }
}

fn test_field<'t>(f: Field, tests: &[Test], ctx: &Ctx<'t>) -> Option<Hit<'t>> {
    let line = ctx.line?;
    let got = line.get(f);
    if got.is_none() && !ctx.sheet.has(f) {
        return None;
    }
    static EMPTY: FieldValue = FieldValue {
        raw: String::new(),
        cell: crate::cell::Addr::EMPTY,
        value: None,
        error: None,
        origin: None,
        hs: None,
    };
    let fv: &'t FieldValue = got.unwrap_or(&EMPTY);
    let raw = crate::text::trim(&fv.raw);
    // Folded only for the tests that read it (most test emptiness, numbers or the origin).
    let folded = || ctx.folded(f, raw);
    let origin = OnceCell::new();
    let ok = tests.iter().all(|t| match t {
        Test::Empty(want) => raw.is_empty() == *want,
        Test::Equals(s) => !raw.is_empty() && folded() == s,
        Test::In(list) => !raw.is_empty() && list.iter().any(|s| s == folded()),
        Test::Regex(re) => !raw.is_empty() && re.is_match(folded()),
        Test::Phrase(ps) => ps.iter().any(|p| has_phrase(folded(), p)),
        Test::Cmp(op, n) => match (fv.value, ctx.param(n)) {
            (Some(v), Some(n)) => cmp(*op, v, n),
            _ => false,
        },
        Test::NotANumber(want) => (!raw.is_empty() && fv.value.is_none()) == *want,
        Test::HsValid(want) => match &fv.hs {
            Some(hs) => hs.valid == *want,
            None => false,
        },
        Test::HsPrefix(ps) => fv
            .hs
            .as_ref()
            .and_then(|h| h.code.as_deref())
            .is_some_and(|c| ps.iter().any(|p| c.starts_with(p.as_str()))),
        origin_test => {
            if raw.is_empty() {
                return false;
            }
            let Some(o) = origin.get_or_init(|| ctx.origin_of(f, fv)) else {
                return false;
            };
            match origin_test {
                Test::Class(cs) => cs.contains(&o.class),
                Test::Country(cs) => o.countries.iter().any(|c| cs.contains(c)),
                Test::GroupIncludesVn(want) => {
                    o.group.as_ref().is_some_and(|g| g.includes_vn == *want)
                }
                Test::Swapped(want) => o.swapped == *want,
                Test::Maker(want) => o.maker.is_some() == *want,
                _ => false,
            }
        }
    });
    ok.then_some(Hit {
        key: Key::Field(f),
        cell: (!fv.cell.is_empty()).then_some(&fv.cell),
        raw: Some(Cow::Borrowed(raw)),
        say: None,
    })
}

fn tests_text(t: Option<&str>, tests: &[Test]) -> bool {
    let folded = t.map(fold_cow).unwrap_or_default();
    tests.iter().all(|test| match test {
        Test::Empty(want) => folded.is_empty() == *want,
        Test::Equals(s) => *folded == **s,
        Test::In(list) => list.iter().any(|s| *s == *folded),
        Test::Regex(re) => re.is_match(&folded),
        Test::Phrase(ps) => ps.iter().any(|p| has_phrase(&folded, p)),
        _ => false,
    })
}

fn tests_num(v: Option<f64>, tests: &[Test], ctx: &Ctx) -> bool {
    tests.iter().all(|test| match test {
        Test::Empty(want) => v.is_none() == *want,
        Test::Cmp(op, n) => match (v, ctx.param(n)) {
            (Some(v), Some(n)) => cmp(*op, v, n),
            _ => false,
        },
        _ => false,
    })
}

fn cmp(op: CmpOp, a: f64, b: f64) -> bool {
    const EPS: f64 = 1e-9;
    match op {
        CmpOp::Gt => a > b + EPS,
        CmpOp::Ge => a >= b - EPS,
        CmpOp::Lt => a < b - EPS,
        CmpOp::Le => a <= b + EPS,
        CmpOp::Eq => (a - b).abs() <= EPS,
    }
}

/// A folded phrase present as whole words ("hoac tuong duong" in "..., hoac tuong duong.").
pub fn has_phrase(text: &str, phrase: &str) -> bool {
    if phrase.is_empty() {
        return false;
    }
    let mut start = 0;
    while let Some(i) = text.get(start..).and_then(|t| t.find(phrase)) {
        let at = start + i;
        let end = at + phrase.len();
        let before = text[..at].chars().next_back();
        let after = text[end..].chars().next();
        let edge = |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric());
        if edge(before) && edge(after) {
            return true;
        }
        start = at + phrase.len().max(1);
        while start < text.len() && !text.is_char_boundary(start) {
            start += 1;
        }
    }
    false
}

// ---------- compiling ----------

/// What a rule offers to its templates: checked placeholders.
pub fn var_known(v: &Var, params: &BTreeMap<String, f64>) -> bool {
    match v {
        Var::Value(k) => facts::VALUE_KEYS.contains(&k.as_str()),
        Var::Package(k) => facts::PACKAGE_KEYS.contains(&k.as_str()),
        Var::Registry(k) => facts::REGISTRY_KEYS.contains(&k.as_str()),
        Var::Param(p) => params.contains_key(p),
        _ => true,
    }
}

fn field_list(s: &Spanned<Vec<String>>) -> Result<Vec<Field>, SpanError> {
    s.get_ref()
        .iter()
        .map(|id| {
            Field::from_id(id).ok_or_else(|| {
                SpanError::at(
                    s,
                    format!("unknown field `{id}`; expected one of {}", field_ids()),
                )
            })
        })
        .collect()
}

pub fn field_ids() -> String {
    Field::ALL
        .iter()
        .map(|f| f.id())
        .collect::<Vec<_>>()
        .join(", ")
}

fn num(n: &Spanned<NumRaw>, params: &BTreeMap<String, f64>) -> Result<Num, SpanError> {
    match n.get_ref() {
        NumRaw::Num(v) => Ok(Num::Lit(*v)),
        NumRaw::Int(v) => Ok(Num::Lit(*v as f64)),
        NumRaw::Param(p) => match p.strip_prefix('$') {
            Some(name) if params.contains_key(name) => Ok(Num::Param(name.to_string())),
            _ => Err(SpanError::at(
                n,
                format!(
                    "expected a number or `\"$param\"` naming one of the rule's params ({}), found `{p}`",
                    params.keys().cloned().collect::<Vec<_>>().join(", ")
                ),
            )),
        },
    }
}

/// Compile a condition. `params` holds every parameter name any version of the rule defines.
pub fn compile(c: &Spanned<CondRaw>, params: &BTreeMap<String, f64>) -> Result<Cond, SpanError> {
    let r = c.get_ref();
    let combinators = [r.all.is_some(), r.any.is_some(), r.not.is_some()];
    let sheet = [r.sheet_has.is_some(), r.sheet_lacks.is_some()];
    let subjects = [
        r.field.is_some(),
        r.package.is_some(),
        r.value.is_some(),
        r.registry.is_some(),
    ];
    let count = |a: &[bool]| a.iter().filter(|b| **b).count();
    let kinds = count(&combinators) + count(&sheet) + count(&subjects);
    if kinds != 1 {
        return Err(SpanError::at(
            c,
            "expected exactly one of: all, any, not, sheet_has, sheet_lacks, field, package, value, registry",
        ));
    }
    let list = |cs: &Vec<Spanned<CondRaw>>| -> Result<Vec<Cond>, SpanError> {
        if cs.is_empty() {
            return Err(SpanError::at(
                c,
                "expected at least one condition in the list",
            ));
        }
        cs.iter().map(|c| compile(c, params)).collect()
    };
    if let Some(cs) = &r.all {
        return Ok(Cond::All(list(cs)?));
    }
    if let Some(cs) = &r.any {
        return Ok(Cond::Any(list(cs)?));
    }
    if let Some(n) = &r.not {
        return Ok(Cond::Not(Box::new(compile(n, params)?)));
    }
    if let Some(fs) = &r.sheet_has {
        return Ok(Cond::SheetHas(field_list(fs)?));
    }
    if let Some(fs) = &r.sheet_lacks {
        return Ok(Cond::SheetLacks(field_list(fs)?));
    }
    let pick = |s: &Spanned<String>, keys: &[&'static str], what: &str| {
        keys.iter()
            .find(|k| **k == s.get_ref().as_str())
            .copied()
            .ok_or_else(|| {
                SpanError::at(
                    s,
                    format!(
                        "unknown {what} `{}`; expected one of {}",
                        s.get_ref(),
                        keys.join(", ")
                    ),
                )
            })
    };
    let subject = if let Some(f) = &r.field {
        Subject::Field(Field::from_id(f.get_ref()).ok_or_else(|| {
            SpanError::at(
                f,
                format!(
                    "unknown field `{}`; expected one of {}",
                    f.get_ref(),
                    field_ids()
                ),
            )
        })?)
    } else if let Some(p) = &r.package {
        Subject::Package(pick(p, &facts::PACKAGE_KEYS, "package fact")?)
    } else if let Some(v) = &r.value {
        Subject::Value(pick(v, &facts::VALUE_KEYS, "computed value")?)
    } else if let Some(g) = &r.registry {
        Subject::Registry(pick(g, &facts::REGISTRY_KEYS, "registry value")?)
    } else {
        return Err(SpanError::at(c, "expected a subject"));
    };

    let mut tests = Vec::new();
    if let Some(b) = r.empty {
        tests.push(Test::Empty(b));
    }
    if let Some(s) = &r.equals {
        tests.push(Test::Equals(fold(s)));
    }
    if let Some(l) = &r.in_list {
        tests.push(Test::In(l.iter().map(|s| fold(s)).collect()));
    }
    if let Some(re) = &r.regex {
        let compiled = Regex::new(&format!("(?i){}", re.get_ref()))
            .map_err(|e| SpanError::at(re, format!("invalid regex: {e}")))?;
        tests.push(Test::Regex(compiled));
    }
    if let Some(ps) = &r.phrase {
        tests.push(Test::Phrase(ps.iter().map(|s| fold(s)).collect()));
    }
    for (op, n) in [
        (CmpOp::Gt, &r.gt),
        (CmpOp::Ge, &r.ge),
        (CmpOp::Lt, &r.lt),
        (CmpOp::Le, &r.le),
        (CmpOp::Eq, &r.eq),
    ] {
        if let Some(n) = n {
            tests.push(Test::Cmp(op, num(n, params)?));
        }
    }
    let is_field = |want: &[Field]| matches!(subject, Subject::Field(f) if want.contains(&f));
    let origin_fields = [Field::Origin, Field::OriginRequirement];
    let origin_only = |name: &str| {
        SpanError::at(
            c,
            format!("`{name}` tests an origin: use it with field = \"origin\" or \"origin_requirement\""),
        )
    };
    if let Some(cs) = &r.class {
        if !is_field(&origin_fields) {
            return Err(origin_only("class"));
        }
        let mut out = Vec::new();
        for s in cs.get_ref() {
            out.push(match s.as_str() {
                "domestic" => OriginClass::Domestic,
                "foreign" => OriginClass::Foreign,
                "group" => OriginClass::Group,
                "several" => OriginClass::Several,
                "unknown" => OriginClass::Unknown,
                other => {
                    return Err(SpanError::at(
                        cs,
                        format!("unknown origin class `{other}`; expected domestic, foreign, group, several, unknown"),
                    ))
                }
            });
        }
        tests.push(Test::Class(out));
    }
    if let Some(cs) = &r.country {
        if !is_field(&origin_fields) {
            return Err(origin_only("country"));
        }
        tests.push(Test::Country(cs.iter().map(|c| c.to_uppercase()).collect()));
    }
    for (name, v, mk) in [
        (
            "group_includes_vn",
            r.group_includes_vn,
            Test::GroupIncludesVn as fn(bool) -> Test,
        ),
        ("swapped", r.swapped, Test::Swapped),
        ("maker", r.maker, Test::Maker),
    ] {
        if let Some(b) = v {
            if !is_field(&origin_fields) {
                return Err(origin_only(name));
            }
            tests.push(mk(b));
        }
    }
    if let Some(ps) = &r.hs_prefix {
        if !is_field(&[Field::HsCode]) {
            return Err(SpanError::at(c, "`hs_prefix` needs field = \"hs_code\""));
        }
        tests.push(Test::HsPrefix(
            ps.iter()
                .map(|p| p.chars().filter(|c| c.is_ascii_digit()).collect())
                .collect(),
        ));
    }
    if let Some(b) = r.hs_valid {
        if !is_field(&[Field::HsCode]) {
            return Err(SpanError::at(c, "`hs_valid` needs field = \"hs_code\""));
        }
        tests.push(Test::HsValid(b));
    }
    if let Some(b) = r.not_a_number {
        if !matches!(subject, Subject::Field(_)) {
            return Err(SpanError::at(c, "`not_a_number` needs a field"));
        }
        tests.push(Test::NotANumber(b));
    }
    if tests.is_empty() {
        return Err(SpanError::at(
            c,
            "expected at least one test: empty, equals, in, regex, phrase, gt, ge, lt, le, eq, class, \
             country, group_includes_vn, swapped, maker, hs_prefix, hs_valid, not_a_number",
        ));
    }
    let say = match &r.say {
        Some(t) => {
            let known = |v: &Var| var_known(v, params);
            let vi =
                Template::parse(t.vi.get_ref(), &known).map_err(|e| SpanError::at(&t.vi, e))?;
            let en =
                Template::parse(t.en.get_ref(), &known).map_err(|e| SpanError::at(&t.en, e))?;
            Some((vi, en))
        }
        None => None,
    };
    Ok(Cond::Test {
        subject,
        tests,
        say,
    })
}

/// Distinct domestic makers named by evidence other than the MPI catalogue (awards, makers,
/// market consultation, drug lists): the catalogue is a tax list with no maker column, so it
/// never makes a maker "qualified" (LAW.md §6).
fn qualified_makers(l: &crate::registry::Lookup) -> usize {
    l.strong()
        .filter(|e| e.evidence.kind != EvidenceKind::Catalogue)
        .map(|e| crate::text::fold(&e.maker))
        .filter(|m| !m.is_empty())
        .collect::<std::collections::BTreeSet<_>>()
        .len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_of_assumption_has_its_slot() {
        use Assumption::*;
        let all = [TaxesZero, OpenBidding, DomesticBidding];
        for a in all {
            // A new kind stops this compiling: give `Assumed` a slot for it.
            match a {
                OpenBidding | DomesticBidding | TaxesZero => {}
            }
        }
        let mut t = Trace::default();
        for a in all.into_iter().chain(all) {
            t.assume(a);
        }
        assert_eq!(t.assumptions.iter().copied().collect::<Vec<_>>(), all);
        let m = t.mark();
        t.cut(Mark {
            assumptions: 1,
            ..m
        });
        assert_eq!(
            t.assumptions.iter().copied().collect::<Vec<_>>(),
            [TaxesZero]
        );
        t.assume(DomesticBidding);
        assert_eq!(t.assumptions.len(), 2);
    }

    #[test]
    fn cached_folds_are_folds() {
        let long = "Máy Đo Huyết Áp ".repeat(30);
        let texts = [
            "Việt Nam",
            "  KARL  STORZ ",
            "Theo E-HSDT",
            "",
            long.as_str(),
        ];
        for _ in 0..2 {
            for t in texts {
                assert_eq!(&*fold_cached(t), fold(t), "{t:?}");
            }
        }
        // Bounded: a file of texts that never repeat starts the cache afresh.
        for i in 0..FOLDS_MAX + 10 {
            assert_eq!(&*fold_cached(&format!("Hãng {i}")), format!("hang {i}"));
        }
        let kept = FOLDS.with(|f| f.borrow().len());
        assert!(kept <= FOLDS_MAX, "{kept}");
    }

    #[test]
    fn phrases_are_whole_words() {
        assert!(has_phrase("may in, hoac tuong duong.", "hoac tuong duong"));
        assert!(!has_phrase("hoac tuong duongx", "hoac tuong duong"));
        assert!(has_phrase("xuat xu: nhat ban", "nhat ban"));
        assert!(!has_phrase("my pham", "m"));
    }

    #[test]
    fn formats_numbers() {
        assert_eq!(number(1234567.5, Lang::Vi), "1.234.567,5");
        assert_eq!(number(1234567.0, Lang::En), "1,234,567");
        assert_eq!(percent(0.275, Lang::Vi), "27,5%");
        assert_eq!(percent(0.3, Lang::En), "30%");
    }
}
