//! `hangviet report PATH… --by agency --period 2026H1`: the campaign's six-monthly and yearly
//! report over award and purchase files (per agency and period: value bought, Vietnamese-origin
//! value and share, imported goods with domestic equivalents, lines of unknown origin, top
//! imported product groups).

use crate::check::{
    build_engine, check_item, core_lang, emit, expand, parse_as_of, run_parallel, today, Checked,
};
use crate::lang::Lang;
use hangviet_core::campaign::{Campaign, CampaignOptions, CampaignReport, GroupBy, Period};
use hangviet_core::engine::CheckOptions;
use hangviet_core::report;
use hangviet_core::rules::cond::{number, percent};
use std::fmt::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Award / purchase files, folders or patterns.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Rows of the report: per agency (chủ đầu tư), per file, or per period only.
    #[arg(long, value_parser = ["agency", "file", "period"], default_value = "agency")]
    by: String,
    /// Period (2026, 2026H1, 2026Q3): the period of undated files, and a filter on dated lines.
    /// Without it, dated lines are grouped by half-year.
    #[arg(long)]
    period: Option<String>,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Write the report to this file instead of standard output (needed for xlsx).
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = Lang::Vi)]
    lang: Lang,
    /// The law date for the checks that find imported goods with domestic equivalents.
    #[arg(long)]
    as_of: Option<String>,
    #[arg(long = "rules", value_name = "DIR")]
    rules: Vec<PathBuf>,
    #[arg(long, short = 'j', value_name = "N")]
    jobs: Option<usize>,
    #[arg(long, short = 'q')]
    quiet: bool,
    #[command(flatten)]
    tables: crate::tables::TableArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Text,
    Json,
    Html,
    Xlsx,
}

pub fn run(args: Args) -> ExitCode {
    let lang = core_lang(args.lang);
    let fail = |msg: String| {
        eprintln!("hangviet: {msg}");
        ExitCode::from(2)
    };
    let as_of = match parse_as_of(&args.as_of, args.lang) {
        Ok(d) => d,
        Err(e) => return fail(e),
    };
    let period = match &args.period {
        None => None,
        Some(p) => match Period::parse(p) {
            Some(p) => Some(p),
            None => {
                return fail(format!(
                    "{}: `{p}`",
                    args.lang.t(
                        "--period cần dạng 2026, 2026H1 hoặc 2026Q1",
                        "--period needs 2026, 2026H1 or 2026Q1"
                    )
                ))
            }
        },
    };
    if args.format == Format::Xlsx && args.output.is_none() {
        return fail(
            args.lang
                .t(
                    "--format xlsx ghi ra một bảng tính: cần --output TỆP.xlsx",
                    "--format xlsx writes a workbook: give --output FILE.xlsx",
                )
                .into(),
        );
    }
    let by = GroupBy::parse(&args.by).unwrap_or(GroupBy::Agency);
    let engine = match build_engine(&args.rules, &args.tables) {
        Ok(e) => e,
        Err(e) => return fail(e),
    };
    let opts = CheckOptions {
        as_of,
        today: today(),
        lang,
        threads: 1,
    };
    let copts = CampaignOptions { by, period };
    let items = expand(&args.paths, args.lang);
    // Each worker reduces its file to a small aggregate; the workbook is dropped there.
    let parts = run_parallel(&items, args.jobs, args.quiet, |item| {
        let mut part = Campaign::new(copts);
        match check_item(&engine, item, &opts, None, args.lang, true) {
            Checked::Ok {
                input,
                findings,
                workbook: Some(wb),
            } => part.add_workbook(&wb, &input.sha256, &findings, engine.tables()),
            Checked::Ok { input, .. } => part.add_error(&input.file, "internal: workbook missing"),
            Checked::Err(name, message) => part.add_error(&name, &message),
        }
        part
    });
    let mut campaign = Campaign::new(copts);
    for p in parts {
        campaign.merge(p);
    }
    let c = campaign.finish(&engine, lang);
    let rendered: Result<Vec<u8>, String> = match args.format {
        Format::Json => serde_json::to_string_pretty(&c)
            .map(|s| format!("{s}\n").into_bytes())
            .map_err(|e| e.to_string()),
        Format::Text => Ok(render_text(&c, args.lang).into_bytes()),
        Format::Html => Ok(report::html::campaign_html(&c, lang).into_bytes()),
        Format::Xlsx => report::xlsx::campaign_xlsx(&c, lang).map_err(|e| e.to_string()),
    };
    for e in &c.errors {
        eprintln!("hangviet: {}: {}", e.file, e.message);
    }
    if let Err(e) = rendered.and_then(|b| emit(args.output.as_deref(), &b)) {
        return fail(e);
    }
    ExitCode::from(if c.errors.is_empty() { 0 } else { 2 })
}

fn render_text(c: &CampaignReport, lang: Lang) -> String {
    let l = match lang {
        Lang::Vi => hangviet_core::rules::cond::Lang::Vi,
        Lang::En => hangviet_core::rules::cond::Lang::En,
    };
    let share = |v: Option<f64>| v.map(|v| percent(v, l)).unwrap_or_else(|| "—".into());
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}\n{}\n",
        lang.t(
            "BÁO CÁO CUỘC VẬN ĐỘNG ƯU TIÊN DÙNG HÀNG VIỆT NAM",
            "CAMPAIGN REPORT: USE OF VIETNAMESE GOODS"
        ),
        c.disclaimer
    );
    if !c.registry.note.is_empty() {
        let _ = writeln!(out, "{}\n", c.registry.note);
    }
    let unknown = lang.t("(không rõ)", "(unknown)");
    for r in c.rows.iter().chain(std::iter::once(&c.total)) {
        let name = if std::ptr::eq(r, &c.total) {
            lang.t("TỔNG CỘNG", "TOTAL")
        } else if r.agency.is_empty() {
            unknown
        } else {
            &r.agency
        };
        let period = if r.period.is_empty() {
            unknown
        } else {
            &r.period
        };
        let _ = writeln!(out, "== {name} — {period}");
        let _ = writeln!(
            out,
            "   {}: {} ({} {}), {}: {} VND",
            lang.t("Số dòng", "Lines"),
            r.lines,
            r.files.len(),
            lang.t("tệp", "files"),
            lang.t("tổng giá trị", "total value"),
            number(r.value_total, l)
        );
        let _ = writeln!(
            out,
            "   {}: {} VND — {} {}, {} {}",
            lang.t("Hàng xuất xứ Việt Nam", "Vietnamese origin"),
            number(r.value_domestic, l),
            share(r.domestic_share_value),
            lang.t("theo giá trị", "by value"),
            share(r.domestic_share_lines),
            lang.t("theo số dòng", "by lines")
        );
        let _ = writeln!(
            out,
            "   {}: {} VND; {}: {}",
            lang.t(
                "Hàng nhập khẩu có hàng Việt tương đương",
                "Imported with a domestic equivalent"
            ),
            number(r.value_imported_with_equivalent, l),
            lang.t("dòng không rõ xuất xứ", "lines of unknown origin"),
            r.lines_unknown_origin
        );
        for g in r.top_imported.iter().take(5) {
            let _ = writeln!(out, "     - {} ({} VND)", g.label, number(g.value, l));
        }
    }
    for e in &c.errors {
        let _ = writeln!(
            out,
            "!! {} {}: {}",
            lang.t("Không đọc được", "Could not read"),
            e.file,
            e.message
        );
    }
    out
}
