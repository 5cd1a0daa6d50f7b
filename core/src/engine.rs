//! The one entry point both faces call: bytes in, findings out to a sink in row order, then the
//! file's summary. `Engine` holds the compiled packs, the reference tables and the registry; it
//! is built once, is `Send + Sync`, and checks many files.

use crate::inspect::inspect;
use crate::model::{Field, PurchaseLine, Sheet, SheetKind, Workbook};
use crate::normalize::origin::{Origin, OriginClass};
use crate::normalize::{apply, Tables};
use crate::registry::Registry;
use crate::report::{
    AsOfSource, Finding, Input, InputError, PackInfo, Report, ToolInfo, Totals, DISCLAIMER_EN,
    DISCLAIMER_VI,
};
use crate::rules::cond::{Ctx, Lang};
use crate::rules::date::Date;
use crate::rules::examples::{self, ExampleResult};
use crate::rules::{facts, hex, Fired, Pack, Rule, Scope};
use crate::Result;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// How to check: which law date, in which language. `today` comes from the caller (the core
/// never reads the clock) and is used only when neither `as_of` nor the file gives a date.
#[derive(Debug, Clone, Copy)]
pub struct CheckOptions {
    pub as_of: Option<Date>,
    pub today: Date,
    pub lang: Lang,
}

pub struct Engine {
    packs: Vec<Pack>,
    /// (pack index, rule index) in code order across packs.
    order: Vec<(usize, usize)>,
    tables: Tables,
    registry: Box<dyn Registry>,
}

impl Engine {
    /// Packs are checked in the order given; rule codes must be unique across them.
    pub fn new(packs: Vec<Pack>, tables: Tables, registry: Box<dyn Registry>) -> Result<Engine> {
        let mut order = Vec::new();
        let mut seen: BTreeMap<&str, &str> = BTreeMap::new();
        for (pi, p) in packs.iter().enumerate() {
            for (ri, r) in p.rules.iter().enumerate() {
                if let Some(prev) = seen.insert(&r.code, &r.location) {
                    return Err(crate::Error::Data {
                        location: r.location.clone(),
                        reason: format!(
                            "rule {} is also defined at {prev}; give the extending pack its own codes or replace the pack (same id)",
                            r.code
                        ),
                    });
                }
                order.push((pi, ri));
            }
        }
        order.sort_by_key(|(pi, ri)| crate::rules::code_key(&packs[*pi].rules[*ri].code));
        Ok(Engine {
            packs,
            order,
            tables,
            registry,
        })
    }

    /// The embedded VN pack, embedded tables and the embedded registry of domestic equivalents:
    /// what `hangviet check` and the web page use when given no options.
    pub fn embedded() -> Result<Engine> {
        let tables = Tables::embedded()?;
        let registry = crate::equivalents::DomesticRegistry::embedded(&tables)?;
        Engine::new(vec![Pack::embedded_vn()?], tables, Box::new(registry))
    }

    pub fn packs(&self) -> &[Pack] {
        &self.packs
    }

    pub fn tables(&self) -> &Tables {
        &self.tables
    }

    pub fn registry(&self) -> &dyn Registry {
        &*self.registry
    }

    pub fn rules(&self) -> impl Iterator<Item = &Rule> {
        self.order.iter().map(|(p, r)| &self.packs[*p].rules[*r])
    }

    pub fn pack_infos(&self) -> Vec<PackInfo> {
        self.packs
            .iter()
            .map(|p| PackInfo {
                id: p.id.clone(),
                version: p.version.clone(),
                hash: p.hash.clone(),
                source: p.source.clone(),
            })
            .collect()
    }

    fn classify(&self, origin: &str, manufacturer: &str) -> Origin {
        self.tables.origins.classify(origin, manufacturer)
    }

    /// Run every example of every pack (`hangviet rules test`).
    pub fn test_examples(&self) -> Vec<ExampleResult> {
        let prepare = |l: &mut PurchaseLine| apply(l, &self.tables);
        let classify = |o: &str, m: &str| self.classify(o, m);
        self.packs
            .iter()
            .flat_map(|p| examples::run(p, &prepare, &classify))
            .collect()
    }

    /// Read and check one file. Findings go to `sink` in row order; the summary is returned.
    pub fn check(
        &self,
        bytes: &[u8],
        file_name: &str,
        opts: &CheckOptions,
        sink: &mut dyn FnMut(Finding),
    ) -> Result<Input> {
        let sha = hex(&Sha256::digest(bytes));
        let wb = inspect(bytes, file_name, &self.tables)?;
        Ok(self.check_workbook(&wb, sha, opts, sink))
    }

    /// The date whose law applies to a workbook, and where it came from.
    pub fn as_of(&self, wb: &Workbook, opts: &CheckOptions) -> (Date, AsOfSource) {
        if let Some(d) = opts.as_of {
            return (d, AsOfSource::Option);
        }
        let pick = |get: fn(&Sheet) -> Option<&String>| {
            wb.sheets
                .iter()
                .filter_map(|s| get(s).and_then(|d| Date::parse(d)))
                .next()
        };
        if let Some(d) = pick(|s| s.package.hsmt_date.as_ref()) {
            return (d, AsOfSource::HsmtDate);
        }
        if let Some(d) = pick(|s| s.package.decision_date.as_ref()) {
            return (d, AsOfSource::DecisionDate);
        }
        // e-GP award exports carry the decision date per line ("Ngày quyết định").
        let line_date = wb.sheets.iter().flat_map(|s| s.lines.iter()).find_map(|l| {
            let t = l.text(Field::Date);
            // "2026-05-28T18:51:31" → the date part.
            Date::parse(t.get(..10).unwrap_or(t)).or_else(|| Date::parse(t))
        });
        if let Some(d) = line_date {
            return (d, AsOfSource::DecisionDate);
        }
        if let Some(d) = pick(|s| s.package.plan_date.as_ref()) {
            return (d, AsOfSource::PlanDate);
        }
        (opts.today, AsOfSource::Today)
    }

    /// Check a workbook already read.
    pub fn check_workbook(
        &self,
        wb: &Workbook,
        sha256: String,
        opts: &CheckOptions,
        sink: &mut dyn FnMut(Finding),
    ) -> Input {
        let (as_of, as_of_source) = self.as_of(wb, opts);
        let mut totals = Totals::new();
        let classify = |o: &str, m: &str| self.classify(o, m);
        let in_force: Vec<(&Rule, &crate::rules::Version)> = self
            .rules()
            .filter_map(|r| r.version_at(as_of).map(|v| (r, v)))
            .collect();
        for sheet in &wb.sheets {
            totals.lines += sheet.lines.len();
            totals.lines_skipped += sheet.skipped.len();
            let rules: Vec<_> = in_force
                .iter()
                .filter(|(r, _)| r.applies_to(sheet.kind))
                .collect();
            let header_row = sheet.header_rows.first().copied().unwrap_or(1);
            for (rule, v) in rules.iter().filter(|(r, _)| r.scope == Scope::Sheet) {
                let ctx = Ctx::new(
                    sheet,
                    None,
                    &v.params,
                    &*self.registry,
                    &classify,
                    opts.lang,
                );
                if let Some(f) = rule.evaluate(&ctx) {
                    let finding =
                        self.finding(wb, sheet, None, header_row, rule, v, &ctx, f, as_of);
                    totals.count(&finding);
                    sink(finding);
                }
            }
            for line in &sheet.lines {
                if matches!(sheet.kind, SheetKind::Award | SheetKind::Purchase) {
                    self.add_value(&mut totals, line);
                }
                for (rule, v) in rules.iter().filter(|(r, _)| r.scope == Scope::Line) {
                    let ctx = Ctx::new(
                        sheet,
                        Some(line),
                        &v.params,
                        &*self.registry,
                        &classify,
                        opts.lang,
                    );
                    if let Some(f) = rule.evaluate(&ctx) {
                        let finding =
                            self.finding(wb, sheet, Some(line), line.row, rule, v, &ctx, f, as_of);
                        totals.count(&finding);
                        sink(finding);
                    }
                }
            }
        }
        Input {
            file: wb.file.clone(),
            sha256,
            format: wb.format.clone(),
            sheets: wb.sheets.len(),
            lines: totals.lines,
            as_of,
            as_of_source,
            summary: totals.summary(1, 0),
        }
    }

    /// VN-R15: a line's value by origin class.
    fn add_value(&self, t: &mut Totals, line: &PurchaseLine) {
        t.lines_counted += 1;
        let class = match line.get(Field::Origin) {
            Some(fv) if !fv.raw.trim().is_empty() => match &fv.origin {
                Some(o) => o.class,
                None => {
                    self.classify(fv.raw.trim(), line.text(Field::Manufacturer))
                        .class
                }
            },
            _ => OriginClass::Unknown,
        };
        let value = facts::line_value(line).filter(|v| v.is_finite());
        match class {
            OriginClass::Domestic => t.lines_domestic += 1,
            OriginClass::Foreign => t.lines_foreign += 1,
            _ => t.lines_unresolved += 1,
        }
        let Some(v) = value else {
            t.lines_without_value += 1;
            return;
        };
        t.value_total += v;
        match class {
            OriginClass::Domestic => t.value_domestic += v,
            OriginClass::Foreign => t.value_foreign += v,
            _ => t.value_unresolved += v,
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn finding(
        &self,
        wb: &Workbook,
        sheet: &Sheet,
        line: Option<&PurchaseLine>,
        row: u32,
        rule: &Rule,
        version: &crate::rules::Version,
        ctx: &Ctx,
        fired: Fired,
        as_of: Date,
    ) -> Finding {
        let mut cells: Vec<String> = Vec::new();
        let mut values = BTreeMap::new();
        for h in &fired.trace.hits {
            if let Some(c) = &h.cell {
                if !cells.contains(c) {
                    cells.push(c.clone());
                }
            }
            // A computed value quotes the cells it was computed from.
            let inputs: &[Field] = if h.key.starts_with("value.domestic_share") {
                &[
                    Field::OfferPrice,
                    Field::Taxes,
                    Field::NetPrice,
                    Field::ExwPrice,
                    Field::ImportedCost,
                    Field::DomesticCost,
                    Field::DomesticShare,
                ]
            } else if h.key == "value.pref_claimed" {
                &[Field::PrefClaimed]
            } else if h.key.starts_with("value.amount_gap") || h.key == "value.line_value" {
                &[Field::Quantity, Field::UnitPrice, Field::Amount]
            } else {
                &[]
            };
            for f in inputs {
                if let Some(fv) = line.and_then(|l| l.get(*f)) {
                    if !fv.cell.is_empty() && !cells.contains(&fv.cell) {
                        cells.push(fv.cell.clone());
                    }
                    values
                        .entry(f.id().to_string())
                        .or_insert_with(|| serde_json::json!(fv.raw.trim()));
                }
            }
            let Some(raw) = &h.raw else { continue };
            let value = match raw.parse::<f64>() {
                Ok(n) if h.key.contains('.') => serde_json::json!(n),
                _ => serde_json::json!(raw),
            };
            values.insert(h.key.clone(), value);
            if let (Some(field), Some(line)) = (Field::from_id(&h.key), line) {
                if let Some(fv) = line.get(field) {
                    if matches!(field, Field::Origin | Field::OriginRequirement) {
                        let o = fv.origin.clone().unwrap_or_else(|| {
                            let m = if field == Field::Origin {
                                line.text(Field::Manufacturer)
                            } else {
                                ""
                            };
                            self.classify(fv.raw.trim(), m)
                        });
                        if let Ok(j) = serde_json::to_value(&o) {
                            values.insert(format!("{}_normalized", h.key), j);
                        }
                    }
                    if let Some(hs) = &fv.hs {
                        if let Ok(j) = serde_json::to_value(hs) {
                            values.insert(format!("{}_normalized", h.key), j);
                        }
                    }
                }
            }
        }
        let alternatives = ctx
            .looked_up()
            .map(|l| l.strong().cloned().collect())
            .unwrap_or_default();
        let message = fired
            .message
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        Finding {
            rule: rule.code.clone(),
            name: rule.name(ctx.lang).to_string(),
            severity: rule.severity,
            file: wb.file.clone(),
            sheet: sheet.name.clone(),
            row,
            cells,
            item: line
                .map(|l| l.text(Field::Name).to_string())
                .unwrap_or_default(),
            values,
            message,
            citation: version.citation.text(ctx.lang).to_string(),
            alternatives,
            assumptions: fired
                .trace
                .assumptions
                .iter()
                .map(|a| a.text(ctx.lang).to_string())
                .collect(),
            as_of,
            note: line
                .map(|l| l.text(Field::Note).to_string())
                .unwrap_or_default(),
            waived: None,
        }
    }

    /// Start a report; add inputs in the order given, then `finish`.
    pub fn report(&self, opts: &CheckOptions) -> ReportBuilder {
        ReportBuilder {
            report: Report {
                schema: 1,
                tool: ToolInfo {
                    name: "hangviet".into(),
                    version: env!("CARGO_PKG_VERSION").into(),
                },
                pack: self.pack_infos().into_iter().next().unwrap_or(PackInfo {
                    id: String::new(),
                    version: String::new(),
                    hash: String::new(),
                    source: String::new(),
                }),
                packs: self.pack_infos(),
                as_of: opts.as_of,
                inputs: vec![],
                summary: Totals::new().summary(0, 0),
                findings: vec![],
                errors: vec![],
                disclaimer: match opts.lang {
                    Lang::Vi => DISCLAIMER_VI.into(),
                    Lang::En => DISCLAIMER_EN.into(),
                },
                data_files: vec![],
            },
            totals: Totals::new(),
        }
    }

    /// Convenience for small inputs: check each (name, bytes or read error) into one report.
    pub fn check_all(
        &self,
        inputs: &[(String, std::result::Result<Vec<u8>, String>)],
        opts: &CheckOptions,
    ) -> Report {
        let mut b = self.report(opts);
        for (name, bytes) in inputs {
            match bytes {
                Err(e) => b.add_error(name, e),
                Ok(bytes) => {
                    let mut found = Vec::new();
                    match self.check(bytes, name, opts, &mut |f| found.push(f)) {
                        Ok(input) => b.add_input(input, found),
                        Err(e) => b.add_error(name, &e.to_string()),
                    }
                }
            }
        }
        b.finish()
    }
}

/// Collects inputs (in the order the caller adds them) into a `Report`.
pub struct ReportBuilder {
    report: Report,
    totals: Totals,
}

impl ReportBuilder {
    pub fn add_input(&mut self, input: Input, findings: Vec<Finding>) {
        self.totals.add(&input.summary.totals);
        self.report.findings.extend(findings);
        self.report.inputs.push(input);
    }

    pub fn add_error(&mut self, file: &str, message: &str) {
        self.report.errors.push(InputError {
            file: file.to_string(),
            message: message.to_string(),
        });
    }

    pub fn finish(mut self) -> Report {
        let files = self.report.inputs.len() + self.report.errors.len();
        self.report.summary = self.totals.summary(files, self.report.errors.len());
        self.report
    }
}

#[cfg(test)]
mod tests;
