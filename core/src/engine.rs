//! The one entry point both faces call: bytes in, findings out to a sink in row order, then the
//! file's summary. `Engine` holds the compiled packs, the reference tables and the registry; it
//! is built once, is `Send + Sync`, and checks many files.

use crate::inspect::inspect;
use crate::layout::{LayoutTables, SheetLayout};
use crate::model::{Field, PurchaseLine, Sheet, SheetKind, Workbook};
use crate::normalize::origin::{Origin, OriginClass};
use crate::normalize::{apply, Tables};
use crate::read::pipe::{read_ahead, Ahead};
use crate::read::{self, sniff_format, Format, Limits, RowSink, Source, Streamed, Value};
use crate::registry::Registry;
use crate::report::{
    AsOfSource, Finding, Input, InputError, PackInfo, Report, Severity, ToolInfo, Totals,
    DISCLAIMER_EN, DISCLAIMER_VI,
};
use crate::rules::cond::{Ctx, Key, Lang, LineMemo};
use crate::rules::date::Date;
use crate::rules::examples::{self, ExampleResult};
use crate::rules::{facts, hex, Fired, Pack, Rule, Scope};
use crate::Result;
use lines::{with_workers, Lines, Outcome, SheetWork};
use sha2::{Digest, Sha256};
pub use sink::Encode;
use sink::Sink;
use std::collections::BTreeMap;
use std::io::{Read, Seek, SeekFrom};
use std::sync::Arc;

/// How to check: which law date, in which language. `today` comes from the caller (the core
/// never reads the clock) and is used only when neither `as_of` nor the file gives a date.
#[derive(Debug, Clone, Copy)]
pub struct CheckOptions {
    pub as_of: Option<Date>,
    pub today: Date,
    pub lang: Lang,
    /// Threads one file may use: above 1, a streamed file is read ahead on its own thread and
    /// its lines are checked on this many workers (native only; the browser has no threads).
    /// Worth it when cores would otherwise sit idle: one big file. The report is the same.
    pub threads: usize,
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
    /// The same generic path as `check_reader`, over the bytes.
    pub fn check(
        &self,
        bytes: &[u8],
        file_name: &str,
        opts: &CheckOptions,
        sink: &mut dyn FnMut(Finding),
    ) -> Result<Input> {
        let sha = hex(&Sha256::digest(bytes));
        self.check_hashed(bytes, file_name, sha, opts, sink)
    }

    /// `check` for a caller that already has the bytes' SHA-256 (lower-case hex), such as the
    /// browser, whose own hashing is faster than this crate's in wasm.
    pub fn check_hashed(
        &self,
        bytes: &[u8],
        file_name: &str,
        sha256: String,
        opts: &CheckOptions,
        sink: &mut dyn FnMut(Finding),
    ) -> Result<Input> {
        self.check_reader(std::io::Cursor::new(bytes), file_name, sha256, opts, sink)
    }

    /// Read and check one file from `src` (a file on disk, or `Cursor<&[u8]>`), whose SHA-256
    /// the caller gives. xlsx/xlsm and CSV/TSV stream row by row: each line is normalised and
    /// checked as it is read and its findings go to `sink` at once, so neither the file nor its
    /// lines sit in memory. Other formats are read whole (their readers need the bytes).
    ///
    /// When the law date cannot be known before the lines are read (no `--as-of`, and the date
    /// may come from a later sheet or from a date column), a first pass reads only the layout.
    /// A read error part-way leaves the findings already sent; the caller reports the error.
    pub fn check_reader<R: Source>(
        &self,
        src: R,
        file_name: &str,
        sha256: String,
        opts: &CheckOptions,
        sink: &mut dyn FnMut(Finding),
    ) -> Result<Input> {
        self.check_reader_to(src, file_name, sha256, opts, Sink::Findings(sink))
    }

    /// `check_reader` whose findings reach `write` already encoded by `encode` (a JSON report's
    /// elements), in the same order, each line's (or sheet's) together with the highest
    /// severity among them. A line's findings are encoded on the thread that checked it: with
    /// line workers, their bytes come back instead of the findings.
    pub fn check_reader_encoded<R: Source>(
        &self,
        src: R,
        file_name: &str,
        sha256: String,
        opts: &CheckOptions,
        encode: Encode,
        write: &mut dyn FnMut(&[u8], Severity),
    ) -> Result<Input> {
        let sink = Sink::Encoded { encode, write };
        self.check_reader_to(src, file_name, sha256, opts, sink)
    }

    fn check_reader_to<R: Source>(
        &self,
        mut src: R,
        file_name: &str,
        sha256: String,
        opts: &CheckOptions,
        mut sink: Sink,
    ) -> Result<Input> {
        let limits = Limits::default();
        let io = |e: std::io::Error| {
            crate::Error::unreadable(file_name, format!("không đọc được tệp ({e})"))
        };
        let Some(format) = streamed_format(&mut src, file_name, &limits).map_err(io)? else {
            return self.check_in_memory(src, file_name, sha256, opts, &mut |f| sink.put(f));
        };
        let lt = LayoutTables {
            headers: &self.tables.headers,
        };
        let mut fixed = opts.as_of.map(|d| (d, AsOfSource::Option));
        for _ in 0..2 {
            src.seek(SeekFrom::Start(0)).map_err(io)?;
            // CSV: the driver parses the text itself (splitting records costs less than handing
            // the rows to another thread: their texts would be freed far from where they were
            // made), so one worker fewer.
            let text = matches!(format, Format::Csv | Format::Tsv);
            let workers = match opts.threads {
                0 | 1 => 0,
                n if text => n - 1,
                n => n,
            };
            let pass = with_workers(self, workers, |checker| {
                let mut d =
                    Driver::new(self, opts, file_name, &lt, fixed, sink.reborrow(), checker);
                // A second reader of the file lets the xlsx merge pre-pass run beside the cells
                // (only xlsx has a pre-pass).
                let beside = opts.threads > 1 && matches!(format, Format::Xlsx | Format::Xlsm);
                let second = if beside { src.again() } else { None };
                // Otherwise read on this thread: a CSV's records are split here (above).
                let ahead = if beside { Ahead::Far } else { Ahead::Inline };
                let streamed = read_ahead(
                    ahead,
                    file_name,
                    |to| read::stream_beside(&mut src, second, file_name, format, &limits, to),
                    &mut d,
                )?;
                Ok(if streamed == Streamed::Stopped {
                    Pass::NeedDate
                } else if d.done.iter().all(|s| s.kind == SheetKind::Unknown) {
                    Pass::NoTable
                } else {
                    Pass::Done(Box::new(d.finish(sha256.clone(), format)?))
                })
            })?;
            match pass {
                Pass::NeedDate => {
                    // The law date depends on what comes later: read the layout only, then again.
                    src.seek(SeekFrom::Start(0)).map_err(io)?;
                    let mut pass = DatePass::new(&lt);
                    read::stream(&mut src, file_name, format, &limits, &mut pass)?;
                    fixed = Some(as_of_from(&pass.done, pass.line_date, opts));
                }
                // No table: the in-memory reader words this error (with its notes).
                Pass::NoTable => break,
                Pass::Done(input) => return Ok(*input),
            }
        }
        self.check_in_memory(src, file_name, sha256, opts, &mut |f| sink.put(f))
    }

    /// Whether `check_cells` can check these bytes: an xlsx/xlsm that `check_reader` streams.
    pub fn reads_as_cells(&self, bytes: &[u8], file_name: &str) -> Option<Format> {
        let mut src = std::io::Cursor::new(bytes);
        streamed_format(&mut src, file_name, &Limits::default())
            .ok()
            .flatten()
            .filter(|f| matches!(f, Format::Xlsx | Format::Xlsm))
    }

    /// `reads_as_cells` from the file's length and the two ranges `probe_edges` gives: the
    /// browser asks before it copies a file into the module.
    pub fn reads_as_cells_from_edges(
        &self,
        head: &[u8],
        tail: &[u8],
        len: u64,
        file_name: &str,
    ) -> Option<Format> {
        if !worth_probing(len, &Limits::default()) {
            return None;
        }
        streamed_of(&[head, tail].concat(), file_name)
            .filter(|f| matches!(f, Format::Xlsx | Format::Xlsm))
    }

    /// `check_reader` for an xlsx/xlsm whose cells are read elsewhere and arrive as messages
    /// (`read::cells`; the browser reads in one worker and checks in another). Each message is
    /// awaited, so the checking side is free to receive the next meanwhile; the findings, the
    /// summary and the errors are `check_reader`'s for the same file and options.
    /// `next` gives the next message, None after the last. When the law date needs a first
    /// pass (no `--as-of`, dates in the lines or a later sheet), the messages are kept and read
    /// twice, as `check_reader` reads such a file twice. Ok(None): this file needs what only
    /// `check_reader` does (the whole-file reader's words for a file without a table, or more
    /// than `MAX_KEPT` bytes of messages to keep), so check it that way instead; what reached
    /// `sink` is void then.
    #[allow(clippy::too_many_arguments)]
    pub async fn check_cells<N, F>(
        &self,
        bytes: &[u8],
        mut next: N,
        file_name: &str,
        sha256: String,
        format: Format,
        opts: &CheckOptions,
        sink: &mut dyn FnMut(Finding),
    ) -> Result<Option<Input>>
    where
        N: FnMut() -> F,
        F: std::future::Future<Output = Result<Option<Vec<u8>>>>,
    {
        /// Messages kept for a second reading at most (~400,000 award rows).
        const MAX_KEPT: usize = 64 << 20;
        let limits = Limits::default();
        // The merges, from `bytes`, while the other side reads the cells (the messages wait).
        let merges = read::cells::merges(std::io::Cursor::new(bytes), file_name, &limits)?;
        let lt = LayoutTables {
            headers: &self.tables.headers,
        };
        let fixed = opts.as_of.map(|d| (d, AsOfSource::Option));
        // Kept until the law date is known (a few messages when the first line decides it).
        let mut kept: Vec<Vec<u8>> = Vec::new();
        let mut kept_bytes = 0;
        let mut keep = |kept: &mut Vec<Vec<u8>>, msg: Vec<u8>| {
            kept_bytes += msg.len();
            kept.push(msg);
            kept_bytes <= MAX_KEPT
        };
        let cut_short = || {
            crate::Error::unreadable(
                file_name,
                "lỗi nội bộ: luồng đọc dừng giữa chừng; kết quả không đầy đủ nên không được báo; hãy tải lại trang và thử lại",
            )
        };
        // The law date from a layout-only pass over the kept messages (an error met on the way
        // is the answer, as `check_reader`'s date pass meets it).
        let date_pass = |kept: &[Vec<u8>]| -> Result<(Date, AsOfSource)> {
            let mut pass = DatePass::new(&lt);
            let mut rows = read::cells::Rows::new(file_name, &limits, &merges);
            for msg in kept {
                rows.take(msg, &mut pass)?;
            }
            Ok(as_of_from(&pass.done, pass.line_date, opts))
        };
        {
            let mut d = Driver::new(
                self,
                opts,
                file_name,
                &lt,
                fixed,
                Sink::Findings(&mut *sink),
                Lines::inline(),
            );
            let mut rows = read::cells::Rows::new(file_name, &limits, &merges);
            let mut need_date = false;
            loop {
                let msg = match next().await {
                    Ok(Some(msg)) => msg,
                    Ok(None) => break,
                    // The reader broke after the check paused for the date: an error in what
                    // it read before comes first, as the date pass would have met it first.
                    Err(e) if need_date => return Err(date_pass(&kept).err().unwrap_or(e)),
                    Err(e) => return Err(e),
                };
                if rows.unplaced(&msg) {
                    return Ok(None);
                }
                if !need_date {
                    // Only the law date stops a check part-way (`Driver::row`).
                    need_date = !rows.take(&msg, &mut d)?;
                    if d.decided.is_some() {
                        kept = Vec::new();
                        continue;
                    }
                }
                if !keep(&mut kept, msg) {
                    return Ok(None);
                }
            }
            if !need_date {
                if !rows.finished() {
                    return Err(cut_short());
                }
                if d.done.iter().all(|s| s.kind == SheetKind::Unknown) {
                    return Ok(None);
                }
                return d.finish(sha256, format).map(Some);
            }
        }
        // Then the check with that date.
        let fixed = Some(date_pass(&kept)?);
        let mut d = Driver::new(
            self,
            opts,
            file_name,
            &lt,
            fixed,
            Sink::Findings(sink),
            Lines::inline(),
        );
        let mut rows = read::cells::Rows::new(file_name, &limits, &merges);
        for msg in &kept {
            if !rows.take(msg, &mut d)? {
                return Ok(None); // never expected with the date fixed
            }
        }
        if !rows.finished() {
            return Err(cut_short());
        }
        if d.done.iter().all(|s| s.kind == SheetKind::Unknown) {
            return Ok(None);
        }
        d.finish(sha256, format).map(Some)
    }

    fn check_in_memory<R: Source>(
        &self,
        mut src: R,
        file_name: &str,
        sha256: String,
        opts: &CheckOptions,
        sink: &mut dyn FnMut(Finding),
    ) -> Result<Input> {
        let mut bytes = Vec::new();
        src.seek(SeekFrom::Start(0))
            .and_then(|_| src.read_to_end(&mut bytes))
            .map_err(|e| {
                crate::Error::unreadable(file_name, format!("không đọc được tệp ({e})"))
            })?;
        let wb = inspect(&bytes, file_name, &self.tables)?;
        drop(bytes);
        Ok(self.check_workbook(&wb, sha256, opts, sink))
    }

    /// The date whose law applies to a workbook, and where it came from.
    pub fn as_of(&self, wb: &Workbook, opts: &CheckOptions) -> (Date, AsOfSource) {
        let line_date = wb
            .sheets
            .iter()
            .flat_map(|s| s.lines.iter())
            .find_map(line_date);
        as_of_from(&wb.sheets, line_date, opts)
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
            let sheet_rules: InForce = rules
                .iter()
                .filter(|(r, _)| r.scope == Scope::Sheet)
                .map(|&&rv| rv)
                .collect();
            for finding in self.check_sheet(&wb.file, sheet, &sheet_rules, as_of, opts.lang) {
                totals.count(&finding);
                sink(finding);
            }
            let line_rules: InForce = rules
                .iter()
                .filter(|(r, _)| r.scope == Scope::Line)
                .map(|&&rv| rv)
                .collect();
            let plan = quiet::Plan::new(&line_rules, &*self.registry);
            for line in &sheet.lines {
                if matches!(sheet.kind, SheetKind::Award | SheetKind::Purchase) {
                    let (class, value) = self.line_value(line);
                    totals.add_line(class, value);
                }
                let check = |skip| {
                    self.check_line(&wb.file, sheet, line, &line_rules, as_of, opts.lang, skip)
                };
                let findings = match &plan {
                    Some(plan) => plan.check(line, check),
                    None => check(0).0,
                };
                for finding in findings {
                    totals.count(&finding);
                    sink(finding);
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

    /// VN-R15: a line's origin class and value (None when it has none).
    fn line_value(&self, line: &PurchaseLine) -> (OriginClass, Option<f64>) {
        let class = match line.get(Field::Origin) {
            Some(fv) if !crate::text::trim(&fv.raw).is_empty() => match &fv.origin {
                Some(o) => o.class,
                None => {
                    self.classify(crate::text::trim(&fv.raw), line.text(Field::Manufacturer))
                        .class
                }
            },
            _ => OriginClass::Unknown,
        };
        (class, facts::line_value(line).filter(|v| v.is_finite()))
    }

    /// The findings of a sheet's sheet-scope rules (header and package facts), in rule order;
    /// they point at the header row.
    fn check_sheet(
        &self,
        file: &str,
        sheet: &Sheet,
        rules: &InForce,
        as_of: Date,
        lang: Lang,
    ) -> Vec<Finding> {
        let classify = |o: &str, m: &str| self.classify(o, m);
        let header_row = sheet.header_rows.first().copied().unwrap_or(1);
        let mut out = Vec::new();
        for (rule, v) in rules {
            let ctx = Ctx::new(sheet, None, &v.params, &*self.registry, &classify, lang);
            if let Some(f) = rule.evaluate(&ctx) {
                out.push(self.finding(file, sheet, None, header_row, rule, v, &ctx, f, as_of));
            }
        }
        out
    }

    /// The findings of one normalised line under its sheet's line rules, in rule order, but
    /// for the rules in `skip` (by place, known to stay quiet: engine/quiet.rs); and which
    /// rules fired.
    #[allow(clippy::too_many_arguments)]
    fn check_line(
        &self,
        file: &str,
        sheet: &Sheet,
        line: &PurchaseLine,
        rules: &InForce,
        as_of: Date,
        lang: Lang,
        skip: u64,
    ) -> (Vec<Finding>, u64) {
        let classify = |o: &str, m: &str| self.classify(o, m);
        let memo = LineMemo::new();
        let mut out = Vec::new();
        let mut fired = 0;
        for (i, (rule, v)) in rules.iter().enumerate() {
            if i < 64 && skip & (1 << i) != 0 {
                continue;
            }
            let ctx = Ctx::new(
                sheet,
                Some(line),
                &v.params,
                &*self.registry,
                &classify,
                lang,
            )
            .with_memo(&memo);
            if let Some(f) = rule.evaluate(&ctx) {
                out.push(self.finding(file, sheet, Some(line), line.row, rule, v, &ctx, f, as_of));
                if i < 64 {
                    fired |= 1 << i;
                }
            }
        }
        (out, fired)
    }

    #[allow(clippy::too_many_arguments)]
    fn finding(
        &self,
        file: &str,
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
            if let Some(c) = h.cell {
                if !cells.iter().any(|x| c == x.as_str()) {
                    cells.push(c.to_string());
                }
            }
            let key = h.key.id();
            // A computed value quotes the cells it was computed from.
            let inputs: &[Field] = if key.starts_with("value.domestic_share") {
                &[
                    Field::OfferPrice,
                    Field::Taxes,
                    Field::NetPrice,
                    Field::ExwPrice,
                    Field::ImportedCost,
                    Field::DomesticCost,
                    Field::DomesticShare,
                ]
            } else if key == "value.pref_claimed" {
                &[Field::PrefClaimed]
            } else if key.starts_with("value.amount_gap") || key == "value.line_value" {
                &[Field::Quantity, Field::UnitPrice, Field::Amount]
            } else {
                &[]
            };
            for f in inputs {
                if let Some(fv) = line.and_then(|l| l.get(*f)) {
                    if !fv.cell.is_empty() && !cells.iter().any(|c| fv.cell == c.as_str()) {
                        cells.push(fv.cell.to_string());
                    }
                    values
                        .entry(f.id().to_string())
                        .or_insert_with(|| serde_json::json!(fv.raw.trim()));
                }
            }
            let Some(raw) = &h.raw else { continue };
            let raw: &str = raw;
            let value = match raw.parse::<f64>() {
                Ok(n) if key.contains('.') => serde_json::json!(n),
                _ => serde_json::json!(raw),
            };
            values.insert(key.to_string(), value);
            if let (Key::Field(field), Some(line)) = (h.key, line) {
                if let Some(fv) = line.get(field) {
                    if matches!(field, Field::Origin | Field::OriginRequirement) {
                        let o = fv.origin.as_deref().cloned().unwrap_or_else(|| {
                            let m = if field == Field::Origin {
                                line.text(Field::Manufacturer)
                            } else {
                                ""
                            };
                            self.classify(fv.raw.trim(), m)
                        });
                        if let Ok(j) = serde_json::to_value(&o) {
                            values.insert(format!("{key}_normalized"), j);
                        }
                    }
                    if let Some(hs) = &fv.hs {
                        if let Ok(j) = serde_json::to_value(hs) {
                            values.insert(format!("{key}_normalized"), j);
                        }
                    }
                }
            }
        }
        let alternatives = ctx
            .looked_up()
            .map(|l| l.strong().cloned().collect())
            .unwrap_or_default();
        let message = squash_spaces(fired.message);
        Finding {
            rule: rule.code.clone(),
            name: rule.name(ctx.lang).to_string(),
            severity: rule.severity,
            file: file.to_string(),
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
        // The entry names the file already; engine errors start with it too ("f.xlsx: …").
        let message = message
            .strip_prefix(file)
            .and_then(|m| m.strip_prefix(": "))
            .unwrap_or(message);
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

/// The first and last 64 KiB of a file: enough to sniff a zip (its part names sit in the
/// central directory at the end).
/// The format of a file `check_reader` streams, or None for one it reads whole.
fn streamed_format<R: Read + Seek>(
    src: &mut R,
    file_name: &str,
    limits: &Limits,
) -> std::io::Result<Option<Format>> {
    let len = src.seek(SeekFrom::End(0))?;
    if !worth_probing(len, limits) {
        return Ok(None);
    }
    Ok(streamed_of(&probe(src, len)?, file_name))
}

/// Whether a file of `len` bytes can be streamed at all (not empty, not over the size limit).
fn worth_probing(len: u64, limits: &Limits) -> bool {
    len > 0 && len <= limits.max_file_bytes as u64
}

/// The format, if one that streams, of a file whose two ends (`probe`) are `edges`.
fn streamed_of(edges: &[u8], file_name: &str) -> Option<Format> {
    sniff_format(edges, file_name)
        .ok()
        .filter(|f| read::streams(*f))
}

/// How much of each end of a file the format sniffing reads.
const PROBE_EDGE: u64 = 64 * 1024;

/// The byte ranges of a file of `len` bytes that `reads_as_cells_from_edges` takes as its head
/// and tail: the first and last 64 KB, or the whole file split in two when it is shorter.
pub fn probe_edges(len: u64) -> (std::ops::Range<u64>, std::ops::Range<u64>) {
    let head = 0..len.min(PROBE_EDGE);
    let tail = if len <= 2 * PROBE_EDGE {
        head.end..len
    } else {
        len - PROBE_EDGE..len
    };
    (head, tail)
}

/// The file's two ends (`probe_edges`), one after the other.
fn probe<R: Read + Seek>(src: &mut R, len: u64) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    for r in <[_; 2]>::from(probe_edges(len)) {
        src.seek(SeekFrom::Start(r.start))?;
        src.by_ref().take(r.end - r.start).read_to_end(&mut out)?;
    }
    Ok(out)
}

/// The date an e-GP line carries ("2026-05-28T18:51:31" → the date part).
fn line_date(l: &PurchaseLine) -> Option<Date> {
    let t = l.text(Field::Date);
    Date::parse(t.get(..10).unwrap_or(t)).or_else(|| Date::parse(t))
}

/// The law date from the sheets (lines not needed) and the first line's date.
fn as_of_from(
    sheets: &[Sheet],
    line_date: Option<Date>,
    opts: &CheckOptions,
) -> (Date, AsOfSource) {
    if let Some(d) = opts.as_of {
        return (d, AsOfSource::Option);
    }
    let pick = |get: fn(&Sheet) -> Option<&String>| {
        sheets
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
    if let Some(d) = line_date {
        return (d, AsOfSource::DecisionDate);
    }
    if let Some(d) = pick(|s| s.package.plan_date.as_ref()) {
        return (d, AsOfSource::PlanDate);
    }
    (opts.today, AsOfSource::Today)
}

/// How a streamed pass over a file ended.
enum Pass {
    /// The law date depends on later rows: read the layout first.
    NeedDate,
    NoTable,
    Done(Box<Input>),
}

/// One space between words, none at the ends (templates may leave gaps where a part was empty).
fn squash_spaces(s: String) -> String {
    let plain = !s.starts_with(' ')
        && !s.ends_with(' ')
        && !s.contains("  ")
        && !s.chars().any(|c| c.is_whitespace() && c != ' ');
    if plain {
        return s;
    }
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Layout only: the sheets' facts and the first line's date, for the law date.
struct DatePass<'t> {
    lt: &'t LayoutTables<'t>,
    layout: Option<SheetLayout<'t>>,
    done: Vec<Sheet>,
    line_date: Option<Date>,
}

impl<'t> DatePass<'t> {
    fn new(lt: &'t LayoutTables<'t>) -> Self {
        DatePass {
            lt,
            layout: None,
            done: Vec::new(),
            line_date: None,
        }
    }
}

impl RowSink for DatePass<'_> {
    fn sheet_start(&mut self, name: &str, hidden: bool, _last: bool) {
        self.layout = Some(SheetLayout::new(name, hidden, self.lt));
    }
    fn row(&mut self, index: usize, row: Vec<Value>) -> bool {
        let found = &mut self.line_date;
        if let Some(l) = self.layout.as_mut() {
            l.push_row(index, row, &mut |_, line| {
                if found.is_none() {
                    *found = line_date(&line);
                }
            });
        }
        true
    }
    fn sheet_end(&mut self) {
        let found = &mut self.line_date;
        if let Some(l) = self.layout.take() {
            let sheet = l.finish(&mut |_, line| {
                if found.is_none() {
                    *found = line_date(&line);
                }
            });
            self.done.push(sheet);
        }
    }
}

type InForce<'e> = Vec<(&'e Rule, &'e crate::rules::Version)>;

/// Checks a workbook as its rows stream in: lays out each row, normalises and checks each line
/// at once, and sends findings to the sink in the order `check_workbook` would.
struct Driver<'e, 's> {
    engine: &'e Engine,
    opts: &'e CheckOptions,
    file: &'e str,
    lt: &'e LayoutTables<'e>,
    sink: Sink<'s>,
    /// The law date when known before reading (`--as-of`, or a first pass).
    fixed: Option<(Date, AsOfSource)>,
    decided: Option<(Date, AsOfSource)>,
    in_force: InForce<'e>,
    /// The law date cannot be known yet: stop and let the caller run a first pass.
    need_date: bool,
    layout: Option<SheetLayout<'e>>,
    last: bool,
    /// Finished sheets (without lines).
    done: Vec<Sheet>,
    /// Finished sheets whose sheet rules wait for the law date.
    pending: Vec<usize>,
    /// What the current sheet's lines are checked against, once its header is known and its
    /// sheet rules ran.
    work: Option<Arc<SheetWork<'e>>>,
    /// Checks lines, inline or on workers, and gives outcomes back in order.
    checker: Lines<'e>,
    lines: usize,
    totals: Totals,
}

impl<'e, 's> Driver<'e, 's> {
    fn new(
        engine: &'e Engine,
        opts: &'e CheckOptions,
        file: &'e str,
        lt: &'e LayoutTables<'e>,
        fixed: Option<(Date, AsOfSource)>,
        sink: Sink<'s>,
        checker: Lines<'e>,
    ) -> Self {
        Driver {
            engine,
            opts,
            file,
            lt,
            sink,
            fixed,
            decided: None,
            in_force: Vec::new(),
            need_date: false,
            layout: None,
            last: false,
            done: Vec::new(),
            pending: Vec::new(),
            work: None,
            checker,
            lines: 0,
            totals: Totals::new(),
        }
    }

    /// The law date if what has been read settles it (the first line is about to be checked).
    fn decide_now(&self, current: &Sheet) -> Option<(Date, AsOfSource)> {
        if let Some(f) = self.fixed {
            return Some(f);
        }
        if let Some(d) = self.opts.as_of {
            return Some((d, AsOfSource::Option));
        }
        let sheets = || self.done.iter().chain(std::iter::once(current));
        let pick = |get: fn(&Sheet) -> Option<&String>| {
            sheets().find_map(|s| get(s).and_then(|d| Date::parse(d)))
        };
        if let Some(d) = pick(|s| s.package.hsmt_date.as_ref()) {
            return Some((d, AsOfSource::HsmtDate));
        }
        // A later sheet could still give an HSMT date; a date column could give the decision
        // date (all lines agreeing) or the first line's date.
        if !self.last || current.has(Field::Date) {
            return None;
        }
        if let Some(d) = pick(|s| s.package.decision_date.as_ref()) {
            return Some((d, AsOfSource::DecisionDate));
        }
        if let Some(d) = pick(|s| s.package.plan_date.as_ref()) {
            return Some((d, AsOfSource::PlanDate));
        }
        Some((self.opts.today, AsOfSource::Today))
    }

    fn set_date(&mut self, d: (Date, AsOfSource)) {
        self.decided = Some(d);
        self.in_force = self
            .engine
            .rules()
            .filter_map(|r| r.version_at(d.0).map(|v| (r, v)))
            .collect();
        for i in std::mem::take(&mut self.pending) {
            if let Some(sheet) = self.done.get(i) {
                let sheet = sheet.clone();
                self.sheet_rules(&sheet);
            }
        }
    }

    /// Sheet-scope rules (they read the header and package facts, known before any line).
    fn sheet_rules(&mut self, sheet: &Sheet) -> InForce<'e> {
        let Some((as_of, _)) = self.decided else {
            return Vec::new();
        };
        let (sheet_rules, line_rules): (InForce<'e>, InForce<'e>) = self
            .in_force
            .iter()
            .filter(|(r, _)| r.applies_to(sheet.kind))
            .partition(|(r, _)| r.scope == Scope::Sheet);
        let lang = self.opts.lang;
        for finding in self
            .engine
            .check_sheet(self.file, sheet, &sheet_rules, as_of, lang)
        {
            self.totals.count(&finding);
            self.sink.put(finding);
        }
        line_rules
    }

    fn on_line(&mut self, sheet: &Sheet, line: PurchaseLine) {
        if self.need_date {
            return;
        }
        if self.work.is_none() {
            if self.decided.is_none() {
                match self.decide_now(sheet) {
                    Some(d) => self.set_date(d),
                    None => {
                        self.need_date = true;
                        return;
                    }
                }
            }
            let Some((as_of, _)) = self.decided else {
                return;
            };
            let rules = self.sheet_rules(sheet);
            self.work = Some(Arc::new(SheetWork {
                sheet: sheet.clone(),
                quiet: quiet::Plan::new(&rules, &*self.engine.registry),
                rules,
                as_of,
                lang: self.opts.lang,
                file: self.file,
                counted: matches!(sheet.kind, SheetKind::Award | SheetKind::Purchase),
                encode: self.sink.encoder(),
            }));
        }
        let Some(work) = &self.work else {
            return;
        };
        self.lines += 1;
        let (totals, sink) = (&mut self.totals, &mut self.sink);
        self.checker
            .push(self.engine, work, line, &mut |o| take(totals, sink, o));
    }

    /// Wait for the current sheet's lines still being checked.
    fn drain(&mut self) {
        let (totals, sink) = (&mut self.totals, &mut self.sink);
        self.checker
            .drain(self.work.as_ref(), &mut |o| take(totals, sink, o));
    }

    fn finish(mut self, sha256: String, format: Format) -> Result<Input> {
        self.drain();
        if self.checker.failed {
            return Err(crate::Error::unreadable(
                self.file,
                "lỗi nội bộ khi kiểm tra các dòng (một luồng kiểm tra dừng đột ngột); kết quả không đầy đủ nên không được báo; hãy chạy lại với --jobs 1 và báo lỗi kèm tệp này",
            ));
        }
        if self.decided.is_none() {
            let d = self
                .fixed
                .unwrap_or_else(|| as_of_from(&self.done, None, self.opts));
            self.set_date(d);
        }
        let (as_of, as_of_source) = self.decided.unwrap_or((self.opts.today, AsOfSource::Today));
        Ok(Input {
            file: self.file.to_string(),
            sha256,
            format: format.id().to_string(),
            sheets: self.done.len(),
            lines: self.totals.lines,
            as_of,
            as_of_source,
            summary: self.totals.summary(1, 0),
        })
    }
}

/// Apply one checked line: count it and its findings, send the findings on.
fn take(totals: &mut Totals, sink: &mut Sink, o: Outcome) {
    let Outcome {
        value,
        findings,
        encoded,
        counted,
        spent,
    } = o;
    if let Some((class, value)) = value {
        totals.add_line(class, value);
    }
    for finding in findings {
        totals.count(&finding);
        sink.put(finding);
    }
    if let Some(max) = counted.iter().map(|c| c.1).max() {
        for (rule, severity) in counted {
            totals.count_rule(rule, severity);
        }
        sink.put_encoded(&encoded, max);
    }
    // Freed here, on the thread that read the line.
    drop(spent);
}

impl RowSink for Driver<'_, '_> {
    fn sheet_start(&mut self, name: &str, hidden: bool, last: bool) {
        self.layout = Some(SheetLayout::new(name, hidden, self.lt));
        self.last = last;
        self.work = None;
        self.lines = 0;
    }

    fn row(&mut self, index: usize, row: Vec<Value>) -> bool {
        if let Some(mut layout) = self.layout.take() {
            layout.push_row(index, row, &mut |sheet, line| self.on_line(sheet, line));
            self.layout = Some(layout);
        }
        !self.need_date
    }

    fn sheet_end(&mut self) {
        let Some(layout) = self.layout.take() else {
            return;
        };
        let sheet = layout.finish(&mut |sheet, line| self.on_line(sheet, line));
        self.drain();
        self.totals.lines += self.lines;
        self.totals.lines_skipped += sheet.skipped.len();
        if self.work.is_none() {
            // No line reached the rules: the sheet rules run now, or once the date is known.
            if self.decided.is_some() {
                self.sheet_rules(&sheet);
            } else {
                self.pending.push(self.done.len());
            }
        }
        self.done.push(sheet);
    }
}

mod lines;
mod quiet;
mod sink;
#[cfg(test)]
mod tests;
