//! Findings, summaries and reports, and the exit-code rule. Rendering: `json`, `text`, `csv`,
//! `html` and the annotated workbook (`xlsx`).

pub mod csv;
pub mod html;
pub mod text;
pub mod xlsx;

use crate::registry::Equivalent;
use crate::rules::date::Date;
use serde::Serialize;
use std::collections::BTreeMap;

/// How serious a finding is. Order: info < advisory < warning < violation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Info,
    Advisory,
    Warning,
    Violation,
}

impl Severity {
    pub const ALL: [Severity; 4] = [
        Severity::Violation,
        Severity::Warning,
        Severity::Advisory,
        Severity::Info,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Advisory => "advisory",
            Severity::Warning => "warning",
            Severity::Violation => "violation",
        }
    }

    pub fn from_id(s: &str) -> Option<Severity> {
        Severity::ALL.into_iter().find(|v| v.id() == s)
    }
}

/// `--fail-on`: the lowest severity that makes the run fail, or never.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailOn {
    At(Severity),
    Never,
}

impl FailOn {
    pub fn parse(s: &str) -> Option<FailOn> {
        if s == "never" {
            Some(FailOn::Never)
        } else {
            Severity::from_id(s).map(FailOn::At)
        }
    }
}

/// One thing a rule found, with everything needed to check it by hand.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub rule: String,
    /// The rule's name in the report language.
    pub name: String,
    pub severity: Severity,
    pub file: String,
    pub sheet: String,
    /// 1-based row (a sheet-level finding points at the header row).
    pub row: u32,
    /// Cells read, A1.
    pub cells: Vec<String>,
    pub item: String,
    /// Values read (field id → text) and how they were normalised (`origin_normalized`…).
    pub values: BTreeMap<String, serde_json::Value>,
    pub message: String,
    pub citation: String,
    pub alternatives: Vec<Equivalent>,
    /// Facts the rule assumed because the sheet did not state them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub assumptions: Vec<String>,
    /// The date whose law was applied.
    pub as_of: Date,
    /// The line's justification column (Ghi chú / Lý do), shown beside the finding.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub note: String,
    /// Set when a waiver file accepted this finding as an exception.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waived: Option<Waived>,
}

/// An accepted exception (`--waivers`): the finding stays in the report, marked.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Waived {
    pub reason: String,
    pub by: String,
    pub date: String,
    /// Which waiver matched: "waivers.toml#3" (file and 1-based entry).
    pub entry: String,
}

/// A data file in force for a run (waivers, origin or header tables), with its hash.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DataFile {
    /// "waivers", "origins", "headers", "registry".
    pub kind: String,
    pub name: String,
    pub sha256: String,
}

/// Where the as-of date of an input came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AsOfSource {
    /// `--as-of`.
    Option,
    /// Ngày phát hành HSMT (ND 214 Art. 144 transitional rules turn on it).
    HsmtDate,
    DecisionDate,
    PlanDate,
    Today,
}

/// Counts and values that add up across files.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Totals {
    pub lines: usize,
    pub lines_skipped: usize,
    /// Award and purchase lines: the ones the domestic share is measured on.
    pub lines_counted: usize,
    pub lines_domestic: usize,
    pub lines_foreign: usize,
    pub lines_unresolved: usize,
    /// Counted lines with no value (no amount, no quantity × unit price).
    pub lines_without_value: usize,
    pub value_total: f64,
    pub value_domestic: f64,
    pub value_foreign: f64,
    pub value_unresolved: f64,
    pub by_rule: BTreeMap<String, usize>,
    pub by_severity: BTreeMap<String, usize>,
    /// Findings accepted by a waiver (still counted in `by_rule` / `by_severity`).
    pub waived: usize,
}

impl Totals {
    pub fn new() -> Totals {
        let mut t = Totals::default();
        for s in Severity::ALL {
            t.by_severity.insert(s.id().to_string(), 0);
        }
        t
    }

    pub fn add(&mut self, o: &Totals) {
        self.lines += o.lines;
        self.lines_skipped += o.lines_skipped;
        self.lines_counted += o.lines_counted;
        self.lines_domestic += o.lines_domestic;
        self.lines_foreign += o.lines_foreign;
        self.lines_unresolved += o.lines_unresolved;
        self.lines_without_value += o.lines_without_value;
        self.value_total += o.value_total;
        self.value_domestic += o.value_domestic;
        self.value_foreign += o.value_foreign;
        self.value_unresolved += o.value_unresolved;
        self.waived += o.waived;
        for (k, v) in &o.by_rule {
            *self.by_rule.entry(k.clone()).or_default() += v;
        }
        for (k, v) in &o.by_severity {
            *self.by_severity.entry(k.clone()).or_default() += v;
        }
    }

    /// VN-R15: count an award or purchase line by origin class, with its value if it has one.
    pub fn add_line(&mut self, class: crate::normalize::origin::OriginClass, value: Option<f64>) {
        use crate::normalize::origin::OriginClass;
        self.lines_counted += 1;
        match class {
            OriginClass::Domestic => self.lines_domestic += 1,
            OriginClass::Foreign => self.lines_foreign += 1,
            _ => self.lines_unresolved += 1,
        }
        let Some(v) = value else {
            self.lines_without_value += 1;
            return;
        };
        self.value_total += v;
        match class {
            OriginClass::Domestic => self.value_domestic += v,
            OriginClass::Foreign => self.value_foreign += v,
            _ => self.value_unresolved += v,
        }
    }

    pub fn count(&mut self, f: &Finding) {
        self.count_rule(&f.rule, f.severity);
    }

    /// `count` of a finding given by its rule code and severity.
    pub fn count_rule(&mut self, rule: &str, severity: Severity) {
        // Looked up before a key is made: nearly every finding's rule is already there.
        match self.by_rule.get_mut(rule) {
            Some(n) => *n += 1,
            None => {
                self.by_rule.insert(rule.to_string(), 1);
            }
        }
        match self.by_severity.get_mut(severity.id()) {
            Some(n) => *n += 1,
            None => {
                self.by_severity.insert(severity.id().to_string(), 1);
            }
        }
    }

    /// VN-R15: share of value of domestic origin (None when no value was read).
    pub fn domestic_share_value(&self) -> Option<f64> {
        (self.value_total > 0.0).then(|| self.value_domestic / self.value_total)
    }

    pub fn domestic_share_lines(&self) -> Option<f64> {
        (self.lines_counted > 0).then(|| self.lines_domestic as f64 / self.lines_counted as f64)
    }

    pub fn summary(&self, files: usize, files_with_errors: usize) -> Summary {
        Summary {
            files,
            files_with_errors,
            totals: self.clone(),
            domestic_share_value: self.domestic_share_value().map(round4),
            domestic_share_lines: self.domestic_share_lines().map(round4),
        }
    }
}

fn round4(v: f64) -> f64 {
    (v * 10000.0).round() / 10000.0
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    pub files: usize,
    pub files_with_errors: usize,
    #[serde(flatten)]
    pub totals: Totals,
    pub domestic_share_value: Option<f64>,
    pub domestic_share_lines: Option<f64>,
}

/// One input file as checked.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Input {
    pub file: String,
    pub sha256: String,
    pub format: String,
    pub sheets: usize,
    pub lines: usize,
    pub as_of: Date,
    pub as_of_source: AsOfSource,
    pub summary: Summary,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ToolInfo {
    pub name: String,
    pub version: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PackInfo {
    pub id: String,
    pub version: String,
    pub hash: String,
    pub source: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InputError {
    pub file: String,
    pub message: String,
}

/// A whole run: what `--format json` prints.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub schema: u32,
    pub tool: ToolInfo,
    /// The first (main) pack; `packs` lists all in force.
    pub pack: PackInfo,
    pub packs: Vec<PackInfo>,
    /// `--as-of` when given; otherwise each input says its own date.
    pub as_of: Option<Date>,
    pub inputs: Vec<Input>,
    pub summary: Summary,
    pub findings: Vec<Finding>,
    pub errors: Vec<InputError>,
    pub disclaimer: String,
    /// Data files in force besides the packs (waivers, user tables), with their SHA-256.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub data_files: Vec<DataFile>,
}

/// A severity as a person reads it, singular ("vi phạm" / "violation").
pub fn severity_label(s: Severity, lang: crate::rules::cond::Lang) -> &'static str {
    use crate::rules::cond::Lang;
    match (s, lang) {
        (Severity::Violation, Lang::Vi) => "vi phạm",
        (Severity::Warning, Lang::Vi) => "cảnh báo",
        (Severity::Advisory, Lang::Vi) => "khuyến nghị",
        (Severity::Info, Lang::Vi) => "thông tin",
        (Severity::Violation, Lang::En) => "violation",
        (Severity::Warning, Lang::En) => "warning",
        (Severity::Advisory, Lang::En) => "advisory",
        (Severity::Info, Lang::En) => "info",
    }
}

/// The disclaimer every human-facing report carries.
pub fn disclaimer(lang: crate::rules::cond::Lang) -> &'static str {
    match lang {
        crate::rules::cond::Lang::Vi => DISCLAIMER_VI,
        crate::rules::cond::Lang::En => DISCLAIMER_EN,
    }
}

/// "Nguyễn A, 2026-05-02: no domestic maker" — a waiver as one line of text.
pub fn waived_text(w: &Waived, lang: crate::rules::cond::Lang) -> String {
    let head = match lang {
        crate::rules::cond::Lang::Vi => "đã chấp nhận ngoại lệ",
        crate::rules::cond::Lang::En => "waived",
    };
    let who: Vec<&str> = [w.by.as_str(), w.date.as_str()]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect();
    if who.is_empty() {
        format!("{head}: {}", w.reason)
    } else {
        format!("{head} ({}): {}", who.join(", "), w.reason)
    }
}

pub const DISCLAIMER_VI: &str = "Kết quả là công cụ hỗ trợ sàng lọc cho cán bộ tài chính, kiểm toán; không phải kết luận pháp lý.";
pub const DISCLAIMER_EN: &str =
    "Findings are a screening aid for finance officers and auditors, not a legal ruling.";

impl Report {
    /// 0 when nothing is at or above `fail_on`, 1 when something is, 2 when an input failed.
    /// Waived findings do not count.
    pub fn exit_code(&self, fail_on: FailOn) -> i32 {
        if !self.errors.is_empty() {
            return 2;
        }
        match fail_on {
            FailOn::Never => 0,
            FailOn::At(min) => i32::from(
                self.findings
                    .iter()
                    .any(|f| f.severity >= min && f.waived.is_none()),
            ),
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severity_order_and_fail_on() {
        assert!(Severity::Violation > Severity::Warning);
        assert!(Severity::Advisory > Severity::Info);
        assert_eq!(FailOn::parse("never"), Some(FailOn::Never));
        assert_eq!(
            FailOn::parse("warning"),
            Some(FailOn::At(Severity::Warning))
        );
        assert_eq!(FailOn::parse("high"), None);
    }

    #[test]
    fn shares() {
        let mut t = Totals::new();
        assert_eq!(t.domestic_share_value(), None);
        t.value_total = 300.0;
        t.value_domestic = 100.0;
        t.lines_counted = 4;
        t.lines_domestic = 1;
        let s = t.summary(1, 0);
        assert_eq!(s.domestic_share_value, Some(0.3333));
        assert_eq!(s.domestic_share_lines, Some(0.25));
        assert_eq!(s.totals.by_severity.len(), 4);
    }
}
