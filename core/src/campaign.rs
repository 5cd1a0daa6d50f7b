//! The campaign report ("báo cáo 6 tháng và năm" under Chỉ thị 03-CT/TW): per agency (chủ đầu
//! tư) and period, the value bought, the value and share of Vietnamese origin, the value of
//! imported goods for which the registry knows domestic equivalents (VN-R6 findings' line
//! values), lines of unknown origin, and the top imported product groups.
//!
//! Each file adds its award/purchase lines; partial aggregates from several workers merge in
//! the caller's order, so the result does not depend on scheduling.

use crate::engine::Engine;
use crate::model::{Field, PurchaseLine, Sheet, SheetKind, Workbook};
use crate::normalize::origin::OriginClass;
use crate::normalize::Tables;
use crate::report::{disclaimer, Finding, InputError, PackInfo, ToolInfo};
use crate::rules::cond::Lang;
use crate::rules::date::Date;
use crate::rules::facts::line_value;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// The rule whose findings are "imported where domestic equivalents exist".
pub const EQUIVALENT_RULE: &str = "VN-R6";
/// How many imported product groups each row lists.
pub const TOP_GROUPS: usize = 10;

/// A reporting period: a year, a half-year (the campaign's six-monthly report) or a quarter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Period {
    Year(u16),
    Half(u16, u8),
    Quarter(u16, u8),
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Period::Year(y) => write!(f, "{y}"),
            Period::Half(y, h) => write!(f, "{y}H{h}"),
            Period::Quarter(y, q) => write!(f, "{y}Q{q}"),
        }
    }
}

impl Period {
    /// "2026", "2026H1", "2026-H2", "2026Q3" (case-insensitive).
    pub fn parse(s: &str) -> Option<Period> {
        let s = s.trim().to_ascii_uppercase().replace(['-', ' ', '/'], "");
        let year = |t: &str| t.parse::<u16>().ok().filter(|y| (1900..=2200).contains(y));
        if let Some((y, h)) = s.split_once('H') {
            let h: u8 = h.parse().ok().filter(|h| (1..=2).contains(h))?;
            return Some(Period::Half(year(y)?, h));
        }
        if let Some((y, q)) = s.split_once('Q') {
            let q: u8 = q.parse().ok().filter(|q| (1..=4).contains(q))?;
            return Some(Period::Quarter(year(y)?, q));
        }
        year(&s).map(Period::Year)
    }

    /// The period of the same kind as `self` that holds `d`.
    pub fn like(&self, d: Date) -> Period {
        match self {
            Period::Year(_) => Period::Year(d.year),
            Period::Half(..) => Period::Half(d.year, if d.month <= 6 { 1 } else { 2 }),
            Period::Quarter(..) => Period::Quarter(d.year, (d.month.clamp(1, 12) - 1) / 3 + 1),
        }
    }

    pub fn contains(&self, d: Date) -> bool {
        match *self {
            Period::Year(y) => d.year == y,
            Period::Half(y, h) => d.year == y && (if h == 1 { d.month <= 6 } else { d.month > 6 }),
            Period::Quarter(y, q) => d.year == y && (d.month.clamp(1, 12) - 1) / 3 + 1 == q,
        }
    }
}

/// What rows of the report are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupBy {
    /// Chủ đầu tư and period.
    Agency,
    /// File and period.
    File,
    /// Period only.
    Period,
}

impl GroupBy {
    pub fn parse(s: &str) -> Option<GroupBy> {
        match s {
            "agency" => Some(GroupBy::Agency),
            "file" => Some(GroupBy::File),
            "period" | "none" => Some(GroupBy::Period),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct CampaignOptions {
    pub by: GroupBy,
    /// The period of undated files and the filter on dated lines; its kind (year, half,
    /// quarter) sets how dated lines are grouped. None: half-years, no filter.
    pub period: Option<Period>,
}

/// An imported product group: an HS heading when the line has a valid code, else the first
/// words of the folded name.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImportGroup {
    pub key: String,
    pub label: String,
    pub lines: usize,
    pub value: f64,
}

/// One row of the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    /// Chủ đầu tư ("" when no file said), the file (by file), or "" (by period).
    pub agency: String,
    /// "2026H1"…; "" when a line had no date and no `--period` was given.
    pub period: String,
    pub files: Vec<String>,
    pub lines: usize,
    pub lines_domestic: usize,
    pub lines_foreign: usize,
    /// Origin given but not resolved to one class (a group, several countries…) or not given.
    pub lines_unresolved: usize,
    /// No origin written at all.
    pub lines_unknown_origin: usize,
    pub lines_without_value: usize,
    pub value_total: f64,
    pub value_domestic: f64,
    pub value_foreign: f64,
    pub value_unresolved: f64,
    pub domestic_share_value: Option<f64>,
    pub domestic_share_lines: Option<f64>,
    /// Imported lines for which the registry knows domestic equivalents (VN-R6).
    pub lines_imported_with_equivalent: usize,
    pub value_imported_with_equivalent: f64,
    pub top_imported: Vec<ImportGroup>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CampaignFile {
    pub file: String,
    pub sha256: String,
    pub lines_used: usize,
    /// Dated lines outside `--period`.
    pub lines_outside_period: usize,
    /// Lines whose period came from `--period` (the file gave no date).
    pub lines_period_from_option: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegistryState {
    /// Whether the registry of domestic equivalents had data in this run.
    pub loaded: bool,
    pub hash: String,
    pub note: String,
}

/// What `hangviet report --format json` prints.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CampaignReport {
    pub schema: u32,
    pub kind: String,
    pub tool: ToolInfo,
    pub packs: Vec<PackInfo>,
    pub by: GroupBy,
    pub period: Option<String>,
    pub registry: RegistryState,
    pub rows: Vec<Row>,
    pub total: Row,
    pub files: Vec<CampaignFile>,
    pub errors: Vec<InputError>,
    pub disclaimer: String,
}

#[derive(Debug, Clone, Default)]
struct Acc {
    /// The group's name as first written (agencies are grouped without case or tone marks).
    label: String,
    files: BTreeSet<String>,
    lines: usize,
    lines_domestic: usize,
    lines_foreign: usize,
    lines_unresolved: usize,
    lines_unknown_origin: usize,
    lines_without_value: usize,
    value_total: f64,
    value_domestic: f64,
    value_foreign: f64,
    value_unresolved: f64,
    lines_eq: usize,
    value_eq: f64,
    imports: BTreeMap<String, ImportGroup>,
}

impl Acc {
    fn merge(&mut self, o: Acc) {
        if self.label.is_empty() {
            self.label = o.label;
        }
        self.files.extend(o.files);
        self.lines += o.lines;
        self.lines_domestic += o.lines_domestic;
        self.lines_foreign += o.lines_foreign;
        self.lines_unresolved += o.lines_unresolved;
        self.lines_unknown_origin += o.lines_unknown_origin;
        self.lines_without_value += o.lines_without_value;
        self.value_total += o.value_total;
        self.value_domestic += o.value_domestic;
        self.value_foreign += o.value_foreign;
        self.value_unresolved += o.value_unresolved;
        self.lines_eq += o.lines_eq;
        self.value_eq += o.value_eq;
        for (k, g) in o.imports {
            let e = self.imports.entry(k).or_insert(ImportGroup {
                key: g.key.clone(),
                label: g.label.clone(),
                lines: 0,
                value: 0.0,
            });
            e.lines += g.lines;
            e.value += g.value;
        }
    }

    fn row(&self, agency: String, period: String) -> Row {
        let mut top: Vec<ImportGroup> = self.imports.values().cloned().collect();
        top.sort_by(|a, b| {
            b.value
                .total_cmp(&a.value)
                .then(b.lines.cmp(&a.lines))
                .then(a.key.cmp(&b.key))
        });
        top.truncate(TOP_GROUPS);
        let round4 = |v: f64| (v * 10000.0).round() / 10000.0;
        Row {
            agency,
            period,
            files: self.files.iter().cloned().collect(),
            lines: self.lines,
            lines_domestic: self.lines_domestic,
            lines_foreign: self.lines_foreign,
            lines_unresolved: self.lines_unresolved,
            lines_unknown_origin: self.lines_unknown_origin,
            lines_without_value: self.lines_without_value,
            value_total: self.value_total,
            value_domestic: self.value_domestic,
            value_foreign: self.value_foreign,
            value_unresolved: self.value_unresolved,
            domestic_share_value: (self.value_total > 0.0)
                .then(|| round4(self.value_domestic / self.value_total)),
            domestic_share_lines: (self.lines > 0)
                .then(|| round4(self.lines_domestic as f64 / self.lines as f64)),
            lines_imported_with_equivalent: self.lines_eq,
            value_imported_with_equivalent: self.value_eq,
            top_imported: top,
        }
    }
}

/// Aggregates files into the campaign report. Not thread-aware: build one per worker and
/// `merge` them in input order.
#[derive(Debug, Clone)]
pub struct Campaign {
    opts: CampaignOptions,
    rows: BTreeMap<(String, String), Acc>,
    files: Vec<CampaignFile>,
    errors: Vec<InputError>,
}

fn first_words(folded: &str, n: usize) -> String {
    folded
        .split_whitespace()
        .take(n)
        .collect::<Vec<_>>()
        .join(" ")
}

fn line_date(line: &PurchaseLine, sheet: &Sheet, wb: &Workbook) -> Option<Date> {
    let t = line.text(Field::Date);
    // "2026-05-28T18:51:31" → the date part; "28/05/2026" as written.
    let own = Date::parse(t.get(..10).unwrap_or(t)).or_else(|| Date::parse(t));
    let facts = |s: &Sheet| {
        [
            &s.package.decision_date,
            &s.package.hsmt_date,
            &s.package.plan_date,
        ]
        .into_iter()
        .flatten()
        .find_map(|d| Date::parse(d))
    };
    own.or_else(|| facts(sheet))
        .or_else(|| wb.sheets.iter().find_map(facts))
}

impl Campaign {
    pub fn new(opts: CampaignOptions) -> Campaign {
        Campaign {
            opts,
            rows: BTreeMap::new(),
            files: vec![],
            errors: vec![],
        }
    }

    /// Add a file's award and purchase lines. `findings` are the file's findings (only
    /// VN-R6 ones are used); `tables` classify origins not yet classified.
    pub fn add_workbook(
        &mut self,
        wb: &Workbook,
        sha256: &str,
        findings: &[Finding],
        tables: &Tables,
    ) {
        let equivalents: BTreeSet<(&str, u32)> = findings
            .iter()
            .filter(|f| f.rule == EQUIVALENT_RULE)
            .map(|f| (f.sheet.as_str(), f.row))
            .collect();
        let kind = self.opts.period.unwrap_or(Period::Half(2000, 1));
        let mut file = CampaignFile {
            file: wb.file.clone(),
            sha256: sha256.to_string(),
            lines_used: 0,
            lines_outside_period: 0,
            lines_period_from_option: 0,
        };
        let file_agency = wb
            .sheets
            .iter()
            .find_map(|s| s.package.agency.clone())
            .unwrap_or_default();
        for sheet in &wb.sheets {
            if !matches!(sheet.kind, SheetKind::Award | SheetKind::Purchase) {
                continue;
            }
            for line in &sheet.lines {
                let period = match line_date(line, sheet, wb) {
                    Some(d) => {
                        if self.opts.period.is_some_and(|p| !p.contains(d)) {
                            file.lines_outside_period += 1;
                            continue;
                        }
                        self.opts.period.unwrap_or_else(|| kind.like(d)).to_string()
                    }
                    None => {
                        if self.opts.period.is_some() {
                            file.lines_period_from_option += 1;
                        }
                        self.opts.period.map(|p| p.to_string()).unwrap_or_default()
                    }
                };
                let group = match self.opts.by {
                    GroupBy::Agency => {
                        let own = line.text(Field::Agency);
                        if own.is_empty() {
                            sheet
                                .package
                                .agency
                                .clone()
                                .unwrap_or_else(|| file_agency.clone())
                        } else {
                            own.to_string()
                        }
                    }
                    GroupBy::File => wb.file.clone(),
                    GroupBy::Period => String::new(),
                };
                let key = crate::text::fold(&group)
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ");
                let acc = self.rows.entry((key, period)).or_default();
                if acc.label.is_empty() {
                    acc.label = group.trim().to_string();
                }
                if !acc.files.contains(&wb.file) {
                    acc.files.insert(wb.file.clone());
                }
                file.lines_used += 1;
                add_line(
                    acc,
                    line,
                    tables,
                    equivalents.contains(&(sheet.name.as_str(), line.row)),
                );
            }
        }
        self.files.push(file);
    }

    pub fn add_error(&mut self, file: &str, message: &str) {
        self.errors.push(InputError {
            file: file.to_string(),
            message: message.to_string(),
        });
    }

    /// Append another aggregate (files and errors after this one's).
    pub fn merge(&mut self, other: Campaign) {
        for (k, acc) in other.rows {
            self.rows.entry(k).or_default().merge(acc);
        }
        self.files.extend(other.files);
        self.errors.extend(other.errors);
    }

    pub fn finish(self, engine: &Engine, lang: Lang) -> CampaignReport {
        let mut total = Acc::default();
        let mut rows = Vec::with_capacity(self.rows.len());
        for ((_, period), acc) in self.rows {
            rows.push(acc.row(acc.label.clone(), period));
            total.merge(acc);
        }
        let hash = engine.registry().hash();
        let loaded = !hash.is_empty();
        let in_force = engine.rules().any(|r| r.code == EQUIVALENT_RULE);
        let note = match (loaded, in_force, lang) {
            (true, true, _) => String::new(),
            (_, false, Lang::Vi) => format!("Quy tắc {EQUIVALENT_RULE} không có trong bộ quy tắc: giá trị hàng nhập khẩu có hàng Việt tương đương không được tính (ghi 0)."),
            (_, false, Lang::En) => format!("Rule {EQUIVALENT_RULE} is not in the rule packs: the value of imported goods with domestic equivalents is not computed (shown as 0)."),
            (false, true, Lang::Vi) => "Danh mục hàng Việt tương đương chưa có dữ liệu: giá trị hàng nhập khẩu có hàng Việt tương đương ghi 0 cho đến khi có dữ liệu.".into(),
            (false, true, Lang::En) => "The registry of domestic equivalents holds no data yet: the value of imported goods with domestic equivalents is 0 until it does.".into(),
        };
        let mut files = self.files;
        files.sort_by(|a, b| a.file.cmp(&b.file));
        CampaignReport {
            schema: 1,
            kind: "campaign".into(),
            tool: ToolInfo {
                name: "hangviet".into(),
                version: env!("CARGO_PKG_VERSION").into(),
            },
            packs: engine.pack_infos(),
            by: self.opts.by,
            period: self.opts.period.map(|p| p.to_string()),
            registry: RegistryState { loaded, hash, note },
            total: total.row(
                String::new(),
                self.opts.period.map(|p| p.to_string()).unwrap_or_default(),
            ),
            rows,
            files,
            errors: self.errors,
            disclaimer: disclaimer(lang).into(),
        }
    }
}

fn add_line(acc: &mut Acc, line: &PurchaseLine, tables: &Tables, has_equivalent: bool) {
    acc.lines += 1;
    let origin = line
        .get(Field::Origin)
        .filter(|fv| !fv.raw.trim().is_empty());
    let class = match origin {
        None => {
            acc.lines_unknown_origin += 1;
            OriginClass::Unknown
        }
        Some(fv) => match &fv.origin {
            Some(o) => o.class,
            None => {
                tables
                    .origins
                    .classify(fv.raw.trim(), line.text(Field::Manufacturer))
                    .class
            }
        },
    };
    match class {
        OriginClass::Domestic => acc.lines_domestic += 1,
        OriginClass::Foreign => acc.lines_foreign += 1,
        _ => acc.lines_unresolved += 1,
    }
    let value = line_value(line).filter(|v| v.is_finite());
    let v = match value {
        Some(v) => v,
        None => {
            acc.lines_without_value += 1;
            0.0
        }
    };
    acc.value_total += v;
    match class {
        OriginClass::Domestic => acc.value_domestic += v,
        OriginClass::Foreign => acc.value_foreign += v,
        _ => acc.value_unresolved += v,
    }
    if has_equivalent {
        acc.lines_eq += 1;
        acc.value_eq += v;
    }
    if matches!(class, OriginClass::Foreign | OriginClass::Group) {
        let (key, label) = import_group(line, tables);
        if key.is_empty() {
            return;
        }
        let g = acc.imports.entry(key.clone()).or_insert(ImportGroup {
            key,
            label,
            lines: 0,
            value: 0.0,
        });
        g.lines += 1;
        g.value += v;
    }
}

/// "HS 8471" with its description, else the first two words of the folded name.
fn import_group(line: &PurchaseLine, tables: &Tables) -> (String, String) {
    let hs = line
        .get(Field::HsCode)
        .and_then(|fv| fv.hs.as_ref())
        .filter(|h| h.valid)
        .and_then(|h| h.code.as_deref())
        .and_then(|c| c.get(..4));
    if let Some(head) = hs {
        let label = match tables.hs.description(head) {
            Some(d) => format!("HS {head}: {d}"),
            None => format!("HS {head}"),
        };
        return (format!("hs:{head}"), label);
    }
    let folded = if line.name_folded.is_empty() {
        crate::text::fold(line.text(Field::Name))
    } else {
        line.name_folded.to_string()
    };
    let key = first_words(&folded, 2);
    if key.is_empty() {
        return (String::new(), String::new());
    }
    let label = line
        .text(Field::Name)
        .split_whitespace()
        .take(2)
        .collect::<Vec<_>>()
        .join(" ");
    (format!("name:{key}"), label)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inspect::inspect;

    #[test]
    fn periods() {
        assert_eq!(Period::parse("2026H1"), Some(Period::Half(2026, 1)));
        assert_eq!(Period::parse("2026-h2"), Some(Period::Half(2026, 2)));
        assert_eq!(Period::parse("2026"), Some(Period::Year(2026)));
        assert_eq!(Period::parse("2026Q3"), Some(Period::Quarter(2026, 3)));
        assert_eq!(Period::parse("2026H3"), None);
        assert_eq!(Period::parse("soon"), None);
        let d = Date::parse("2026-07-01").unwrap();
        assert!(!Period::Half(2026, 1).contains(d));
        assert!(Period::Half(2026, 2).contains(d));
        assert_eq!(Period::Half(2025, 1).like(d).to_string(), "2026H2");
        assert_eq!(Period::Quarter(2025, 1).like(d).to_string(), "2026Q3");
    }

    #[test]
    fn award_file_by_agency_and_half_year() {
        // No registry data: the equivalents figure is 0 and the report says why.
        let engine = Engine::new(
            vec![crate::rules::Pack::embedded_vn().unwrap()],
            Tables::embedded().unwrap(),
            Box::new(crate::registry::EmptyRegistry),
        )
        .unwrap();
        let bytes = include_bytes!("../../tests/fixtures/award_result.xlsx");
        let wb = inspect(bytes, "award_result.xlsx", engine.tables()).unwrap();
        let mut c = Campaign::new(CampaignOptions {
            by: GroupBy::Agency,
            period: None,
        });
        c.add_workbook(&wb, "x", &[], engine.tables());
        let r = c.finish(&engine, Lang::Vi);
        // The fixture's decision date is 2026-06-08: first half of 2026; totals match the check.
        assert_eq!(r.rows.len(), 1, "{:?}", r.rows);
        let row = &r.rows[0];
        assert_eq!(row.period, "2026H1");
        assert!(!row.agency.is_empty());
        assert_eq!(row.lines, 12);
        assert_eq!(row.value_total, 262_666_000.0);
        assert_eq!(row.value_domestic, 7_400_000.0);
        assert_eq!(row.domestic_share_value, Some(0.0282));
        assert!(!row.top_imported.is_empty());
        assert!(row
            .top_imported
            .windows(2)
            .all(|w| w[0].value >= w[1].value));
        assert_eq!(row.value_imported_with_equivalent, 0.0);
        assert!(!r.registry.loaded && !r.registry.note.is_empty());

        // A period filter that excludes the date leaves nothing, and says so per file.
        let mut c = Campaign::new(CampaignOptions {
            by: GroupBy::Agency,
            period: Period::parse("2026H2"),
        });
        c.add_workbook(&wb, "x", &[], engine.tables());
        let r = c.finish(&engine, Lang::Vi);
        assert!(r.rows.is_empty());
        assert_eq!(r.files[0].lines_outside_period, 12);
    }
}
