//! `hangviet check PATH…`: check files, folders and patterns against the rule packs, in
//! parallel, and write the report as text, JSON, CSV, HTML or an annotated workbook.

use crate::lang::Lang;
use hangviet_core::engine::{CheckOptions, Engine};
use hangviet_core::model::Workbook;
use hangviet_core::report::{self, text, DataFile, FailOn, Finding, Input, Report, Severity};
use hangviet_core::rules::cond;
use hangviet_core::rules::date::Date;
use hangviet_core::rules::{hex, Pack};
use hangviet_core::waivers::{self, Waivers};
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// File endings the reader understands; folders and patterns are searched for these.
const SPREADSHEETS: [&str; 8] = ["xlsx", "xlsm", "xls", "xlsb", "ods", "csv", "tsv", "txt"];

#[derive(clap::Args)]
pub struct Args {
    /// Files, folders (walked, in path order) or patterns with * and ? (expanded here when the
    /// shell did not, e.g. on Windows).
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Output format. `xlsx` (annotated workbook) needs --output.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Write the report to this file instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
    /// Language of messages and of every human-facing format.
    #[arg(long, value_enum, default_value_t = Lang::Vi)]
    lang: Lang,
    /// Exit 1 when a finding (not waived) is at or above this severity.
    #[arg(long, value_parser = ["violation", "warning", "advisory", "info", "never"], default_value = "violation")]
    fail_on: String,
    /// Apply the law in force on this date (YYYY-MM-DD). Default: the bidding documents' issue
    /// date when the file gives it, else the document's date, else today.
    #[arg(long)]
    as_of: Option<String>,
    /// A rule-pack folder: replaces the embedded pack with the same id, or adds to it.
    #[arg(long = "rules", value_name = "DIR")]
    rules: Vec<PathBuf>,
    /// Accepted exceptions (TOML or CSV, see docs/waivers.md): matched findings stay in the
    /// report, marked, and do not count toward --fail-on.
    #[arg(long, value_name = "FILE")]
    waivers: Option<PathBuf>,
    /// Files checked at once (default: one per CPU).
    #[arg(long, short = 'j', value_name = "N")]
    jobs: Option<usize>,
    /// No progress bar and no notes on standard error (errors are still printed).
    #[arg(long, short = 'q')]
    quiet: bool,
    #[command(flatten)]
    tables: crate::tables::TableArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Text,
    Json,
    Csv,
    Html,
    Xlsx,
}

pub fn core_lang(l: Lang) -> cond::Lang {
    match l {
        Lang::Vi => cond::Lang::Vi,
        Lang::En => cond::Lang::En,
    }
}

/// Today's date from the system clock (UTC): the core never reads the clock itself.
pub fn today() -> Date {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    civil_from_days((secs / 86_400) as i64)
}

/// Days since 1970-01-01 → calendar date (H. Hinnant's algorithm).
fn civil_from_days(z: i64) -> Date {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    let year = (yoe + era * 400 + i64::from(month <= 2)) as u16;
    Date { year, month, day }
}

/// Load a pack folder from disk.
pub fn load_pack(dir: &Path) -> Result<Pack, String> {
    let label = dir.display().to_string();
    Pack::load(&label, &|name| std::fs::read_to_string(dir.join(name)).ok())
        .map_err(|e| e.to_string())
}

/// The embedded pack, with `--rules` folders replacing (same id) or extending it.
pub fn build_engine(
    rules: &[PathBuf],
    tables: &crate::tables::TableArgs,
) -> Result<Engine, String> {
    let packs = rules
        .iter()
        .map(|d| load_pack(d))
        .collect::<Result<Vec<_>, _>>()?;
    tables.engine(packs)
}

/// One path the user gave, expanded: files to check, or an error entry for the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    File(PathBuf),
    Missing(String, String),
}

fn is_spreadsheet(p: &Path) -> bool {
    p.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| SPREADSHEETS.contains(&e.to_ascii_lowercase().as_str()))
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        out.push(dir.to_path_buf());
        return;
    };
    let mut entries: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, out);
        } else if is_spreadsheet(&p) {
            out.push(p);
        }
    }
}

fn has_wildcard(s: &str) -> bool {
    s.contains('*') || s.contains('?')
}

/// Paths matching a pattern, one component at a time (`data/*/2026-*.xlsx`), sorted.
fn glob(pattern: &Path) -> Vec<PathBuf> {
    let mut current: Vec<PathBuf> = vec![PathBuf::new()];
    for comp in pattern.components() {
        let part = comp.as_os_str().to_string_lossy().to_string();
        let mut next = Vec::new();
        for base in &current {
            if !has_wildcard(&part) {
                next.push(base.join(comp.as_os_str()));
                continue;
            }
            let dir = if base.as_os_str().is_empty() {
                Path::new(".")
            } else {
                base.as_path()
            };
            let Ok(rd) = std::fs::read_dir(dir) else {
                continue;
            };
            let mut names: Vec<String> = rd
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().to_string())
                .filter(|n| !n.starts_with('.') || part.starts_with('.'))
                .filter(|n| waivers::wildcard(&part, n))
                .collect();
            names.sort();
            next.extend(names.into_iter().map(|n| base.join(n)));
        }
        current = next;
    }
    current.into_iter().filter(|p| p.exists()).collect()
}

/// Files to check, in a stable order: each file as given, each folder walked (sorted,
/// spreadsheets only), each pattern expanded. Duplicates are checked once. A path that does not
/// exist becomes an error entry.
pub fn expand(paths: &[PathBuf], lang: Lang) -> Vec<Item> {
    let mut out = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    let mut push = |out: &mut Vec<Item>, p: PathBuf| {
        if seen.insert(p.clone()) {
            out.push(Item::File(p));
        }
    };
    for p in paths {
        let text = p.display().to_string();
        if p.is_dir() {
            let mut files = Vec::new();
            walk(p, &mut files);
            if files.is_empty() {
                out.push(Item::Missing(
                    text,
                    lang.t(
                        "thư mục không có bảng tính nào (xlsx, xlsm, xls, xlsb, ods, csv, tsv)",
                        "the folder holds no spreadsheet (xlsx, xlsm, xls, xlsb, ods, csv, tsv)",
                    )
                    .into(),
                ));
            }
            for f in files {
                push(&mut out, f);
            }
        } else if !p.exists() && has_wildcard(&text) {
            let mut files = Vec::new();
            for m in glob(p) {
                if m.is_dir() {
                    walk(&m, &mut files);
                } else if is_spreadsheet(&m) {
                    files.push(m);
                }
            }
            if files.is_empty() {
                out.push(Item::Missing(
                    text,
                    lang.t(
                        "không có tệp bảng tính nào khớp mẫu này",
                        "no spreadsheet file matches this pattern",
                    )
                    .into(),
                ));
            }
            for f in files {
                push(&mut out, f);
            }
        } else {
            push(&mut out, p.clone());
        }
    }
    out
}

/// Run `work` over the items on `jobs` threads (None: one per CPU), results in item order
/// whatever the scheduling. A progress bar goes to standard error when it is a terminal, the
/// run is not quiet and there is more than one file.
pub fn run_parallel<T: Send>(
    items: &[Item],
    jobs: Option<usize>,
    quiet: bool,
    work: impl Fn(&Item) -> T + Sync + Send,
) -> Vec<T> {
    let bar = (!quiet && items.len() > 1 && std::io::stderr().is_terminal()).then(|| {
        let pb = indicatif::ProgressBar::new(items.len() as u64);
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {bar:40} {pos}/{len} {wide_msg}",
        ) {
            pb.set_style(style);
        }
        pb
    });
    let step = |item: &Item| {
        let r = work(item);
        if let Some(pb) = &bar {
            if let Item::File(p) = item {
                pb.set_message(p.display().to_string());
            }
            pb.inc(1);
        }
        r
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs.unwrap_or(0))
        .build();
    let out = match pool {
        Ok(pool) => pool.install(|| items.par_iter().map(step).collect()),
        Err(_) => items.iter().map(step).collect(),
    };
    if let Some(pb) = bar {
        pb.finish_and_clear();
    }
    out
}

/// SHA-256 of a data file the run used, for the report.
pub fn data_file(kind: &str, path: &Path) -> Option<DataFile> {
    let bytes = std::fs::read(path).ok()?;
    Some(DataFile {
        kind: kind.into(),
        name: path.display().to_string(),
        sha256: hex(&Sha256::digest(&bytes)),
    })
}

/// Load `--waivers`.
pub fn load_waivers(path: &Path) -> Result<Waivers, String> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| format!("{name}: {e}"))?;
    Waivers::parse(&bytes, &name).map_err(|e| e.to_string())
}

/// What one file gave. (Variants differ in size; there is one per file, so no boxing.)
#[allow(clippy::large_enum_variant)]
pub enum Checked {
    Ok {
        input: Input,
        findings: Vec<Finding>,
        /// The workbook as read, kept only when the caller asks (campaign report).
        workbook: Option<Workbook>,
    },
    Err(String, String),
}

/// Read and check one item. `keep` keeps the workbook for the caller.
pub fn check_item(
    engine: &Engine,
    item: &Item,
    opts: &CheckOptions,
    waivers: Option<&Waivers>,
    lang: Lang,
    keep: bool,
) -> Checked {
    let path = match item {
        Item::Missing(name, why) => return Checked::Err(name.clone(), why.clone()),
        Item::File(p) => p,
    };
    let name = path.display().to_string();
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            return Checked::Err(
                name,
                format!(
                    "{} ({e})",
                    lang.t("không đọc được tệp", "cannot read the file")
                ),
            )
        }
    };
    let mut findings = Vec::new();
    match waivers::check_file(engine, &bytes, &name, opts, waivers, &mut |f| {
        findings.push(f)
    }) {
        Ok((input, wb)) => Checked::Ok {
            input,
            findings,
            workbook: keep.then_some(wb),
        },
        Err(e) => Checked::Err(name, e.to_string()),
    }
}

/// Write bytes to `--output`, or to standard output.
pub fn emit(output: Option<&Path>, bytes: &[u8]) -> Result<(), String> {
    match output {
        Some(p) => std::fs::write(p, bytes).map_err(|e| format!("{}: {e}", p.display())),
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(bytes)
                .and_then(|_| out.flush())
                .map_err(|e| e.to_string())
        }
    }
}

pub fn parse_as_of(s: &Option<String>, lang: Lang) -> Result<Option<Date>, String> {
    match s {
        None => Ok(None),
        Some(s) => Date::parse(s).map(Some).ok_or_else(|| {
            format!(
                "{}: `{s}`",
                lang.t(
                    "--as-of cần ngày dạng YYYY-MM-DD",
                    "--as-of needs a date YYYY-MM-DD"
                )
            )
        }),
    }
}

/// Findings written in item order while files are checked in parallel: the first unfinished
/// item writes straight to the output; later items hold theirs until it is their turn.
struct Ordered<W: Write> {
    out: W,
    next: usize,
    held: std::collections::BTreeMap<usize, Vec<u8>>,
    first: bool,
    error: Option<String>,
}

impl<W: Write> Ordered<W> {
    /// `chunk` is whole findings, each preceded by ",\n".
    fn write(&mut self, chunk: &[u8]) {
        if chunk.is_empty() || self.error.is_some() {
            return;
        }
        let chunk = if self.first {
            self.first = false;
            chunk.strip_prefix(b",").unwrap_or(chunk)
        } else {
            chunk
        };
        if let Err(e) = self.out.write_all(chunk) {
            self.error = Some(e.to_string());
        }
    }

    fn done(&mut self, item: usize, chunk: Vec<u8>) {
        if item != self.next {
            self.held.insert(item, chunk);
            return;
        }
        self.write(&chunk);
        self.next += 1;
        while let Some(c) = self.held.remove(&self.next) {
            self.write(&c);
            self.next += 1;
        }
    }
}

/// SHA-256 of a file, read in blocks.
fn sha256_file(path: &Path) -> std::io::Result<String> {
    let mut f = std::fs::File::open(path)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = std::io::Read::read(&mut f, &mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(hex(&h.finalize()))
}

/// Check one file from disk without holding it: the hash is taken on a second thread while the
/// engine streams the file.
fn check_streaming(
    engine: &Engine,
    path: &Path,
    opts: &CheckOptions,
    lang: Lang,
    write: &mut dyn FnMut(&[u8], Severity),
) -> Result<Input, String> {
    let name = path.display().to_string();
    let cannot = |e: std::io::Error| {
        format!(
            "{} ({e})",
            lang.t("không đọc được tệp", "cannot read the file")
        )
    };
    let file = std::fs::File::open(path).map_err(cannot)?;
    let big = file.metadata().map(|m| m.len() > 4 << 20).unwrap_or(false);
    let src = std::io::BufReader::with_capacity(64 * 1024, file);
    let mut check =
        |src| engine.check_reader_encoded(src, &name, String::new(), opts, encode_json, write);
    let (sha, checked) = if big {
        std::thread::scope(|s| {
            let h = s.spawn(|| {
                // Only needed by the end: it takes the time the check leaves (100k-line CSV:
                // 0.167 -> 0.160 s; the same-priority thread took turns with the reader).
                hangviet_core::read::pipe::in_background();
                sha256_file(path)
            });
            let checked = check(src);
            let sha = h
                .join()
                .unwrap_or_else(|_| Err(std::io::Error::other("hash thread failed")));
            (sha, checked)
        })
    } else {
        (sha256_file(path), check(src))
    };
    let mut input = checked.map_err(|e| e.to_string())?;
    input.sha256 = sha.map_err(cannot)?;
    Ok(input)
}

/// One element of the report's `findings` array, after the one before it.
fn encode_json(f: &Finding, out: &mut Vec<u8>) {
    out.extend_from_slice(b",\n");
    // Writing to a Vec fails only on a serialiser error, which a `Finding` does not have.
    let _ = serde_json::to_writer(out, f);
}

/// One file's summary, or its name and error.
type FileResult = Result<Input, (String, String)>;

/// `--format json` without waivers: findings stream to the output as files are checked (a
/// million-line sheet is never held), then inputs, summary and errors.
fn run_json_stream(
    args: &Args,
    engine: &Engine,
    opts: &CheckOptions,
    items: &[Item],
    fail_on: FailOn,
) -> Result<i32, String> {
    let out: Box<dyn Write + Send> = match &args.output {
        Some(p) => Box::new(std::fs::File::create(p).map_err(|e| format!("{}: {e}", p.display()))?),
        None => Box::new(std::io::stdout()),
    };
    let mut out = std::io::BufWriter::with_capacity(256 * 1024, out);
    out.write_all(b"{\n\"findings\": [")
        .map_err(|e| e.to_string())?;
    let ordered = std::sync::Mutex::new(Ordered {
        out,
        next: 0,
        held: Default::default(),
        first: true,
        error: None,
    });
    let hit = std::sync::atomic::AtomicBool::new(false);
    let work = |(i, item): &(usize, &Item)| {
        let mut buf: Vec<u8> = Vec::new();
        let result = match item {
            Item::Missing(name, why) => Err((name.clone(), why.clone())),
            Item::File(p) => {
                let mut write = |bytes: &[u8], max: Severity| {
                    if let FailOn::At(min) = fail_on {
                        if max >= min {
                            hit.store(true, std::sync::atomic::Ordering::Relaxed);
                        }
                    }
                    buf.extend_from_slice(bytes);
                    if buf.len() > 1 << 20 {
                        if let Ok(mut o) = ordered.lock() {
                            if o.next == *i {
                                o.write(&buf);
                                buf.clear();
                            }
                        }
                    }
                };
                check_streaming(engine, p, opts, args.lang, &mut write)
                    .map_err(|e| (p.display().to_string(), e))
            }
        };
        if let Ok(mut o) = ordered.lock() {
            o.done(*i, std::mem::take(&mut buf));
        }
        (*i, result)
    };
    // Same pool and progress bar as the other formats; the item's index is its place in `items`.
    let results: Vec<(usize, FileResult)> = run_parallel(items, args.jobs, args.quiet, |item| {
        let i = (item as *const Item as usize - items.as_ptr() as usize)
            / std::mem::size_of::<Item>().max(1);
        work(&(i, item))
    });
    let mut builder = engine.report(opts);
    for (_, r) in results {
        match r {
            Ok(input) => builder.add_input(input, Vec::new()),
            Err((name, message)) => builder.add_error(&name, &message),
        }
    }
    let mut report = builder.finish();
    add_data_files(&mut report, &args.tables, None);
    let ordered = ordered.into_inner().map_err(|e| e.to_string())?;
    if let Some(e) = ordered.error {
        return Err(e);
    }
    let mut out = ordered.out;
    let tail = serde_json::to_value(&report).map_err(|e| e.to_string())?;
    let mut text = String::from("\n]");
    if let serde_json::Value::Object(map) = tail {
        for (k, v) in map.iter().filter(|(k, _)| k.as_str() != "findings") {
            let v = serde_json::to_string_pretty(v).map_err(|e| e.to_string())?;
            text.push_str(&format!(",\n{}: {v}", serde_json::Value::from(k.as_str())));
        }
    }
    text.push_str("\n}\n");
    out.write_all(text.as_bytes())
        .and_then(|_| out.flush())
        .map_err(|e| e.to_string())?;
    for e in &report.errors {
        eprintln!("hangviet: {}: {}", e.file, e.message);
    }
    Ok(if !report.errors.is_empty() {
        2
    } else {
        i32::from(hit.load(std::sync::atomic::Ordering::Relaxed))
    })
}

/// Colour text output on a terminal (not when NO_COLOR is set or the output is a file).
fn use_colour(output: Option<&Path>) -> bool {
    output.is_none() && std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
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
    if args.jobs == Some(0) {
        return fail(
            args.lang
                .t("--jobs cần số ≥ 1", "--jobs needs a number ≥ 1")
                .into(),
        );
    }
    let fail_on = FailOn::parse(&args.fail_on).unwrap_or(FailOn::Never);
    let engine = match build_engine(&args.rules, &args.tables) {
        Ok(e) => e,
        Err(e) => return fail(e),
    };
    let waivers = match &args.waivers {
        None => None,
        Some(p) => match load_waivers(p) {
            Ok(w) => Some(w),
            Err(e) => return fail(e),
        },
    };
    let items = expand(&args.paths, args.lang);
    let threads = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let opts = CheckOptions {
        as_of,
        today: today(),
        lang,
        // Fewer files than threads (one big file): read ahead and check its lines on the idle
        // cores. Never with --jobs 1.
        threads: if items.len() < threads { threads } else { 1 },
    };
    if args.format == Format::Json && waivers.is_none() {
        return match run_json_stream(&args, &engine, &opts, &items, fail_on) {
            Ok(code) => {
                if let (Some(p), false) = (&args.output, args.quiet) {
                    eprintln!(
                        "hangviet: {} {}",
                        args.lang.t("đã ghi", "wrote"),
                        p.display()
                    );
                }
                ExitCode::from(code as u8)
            }
            Err(e) => fail(e),
        };
    }
    let results = run_parallel(&items, args.jobs, args.quiet, |item| {
        check_item(&engine, item, &opts, waivers.as_ref(), args.lang, false)
    });
    let mut builder = engine.report(&opts);
    for r in results {
        match r {
            Checked::Ok {
                input, findings, ..
            } => builder.add_input(input, findings),
            Checked::Err(name, message) => builder.add_error(&name, &message),
        }
    }
    let mut report = builder.finish();
    add_data_files(&mut report, &args.tables, waivers.as_ref());

    let rendered: Result<Vec<u8>, String> = match args.format {
        Format::Json => Ok(format!("{}\n", report.to_json()).into_bytes()),
        Format::Text => {
            Ok(text::render_with(&report, lang, use_colour(args.output.as_deref())).into_bytes())
        }
        Format::Csv => Ok(report::csv::to_csv(&report, lang)),
        Format::Html => Ok(report::html::to_html(&report, lang).into_bytes()),
        Format::Xlsx => annotated(&engine, &report, lang),
    };
    let written = rendered.and_then(|bytes| emit(args.output.as_deref(), &bytes));
    for e in &report.errors {
        eprintln!("hangviet: {}: {}", e.file, e.message);
    }
    if let Err(e) = written {
        return fail(e);
    }
    if let (Some(p), false) = (&args.output, args.quiet) {
        eprintln!(
            "hangviet: {} {}",
            args.lang.t("đã ghi", "wrote"),
            p.display()
        );
    }
    ExitCode::from(report.exit_code(fail_on) as u8)
}

/// The data files in force besides the packs: waivers and the user's own tables.
pub fn add_data_files(
    report: &mut Report,
    tables: &crate::tables::TableArgs,
    waivers: Option<&Waivers>,
) {
    if let Some(w) = waivers {
        report.data_files.push(w.data_file());
    }
    for p in &tables.origins {
        report.data_files.extend(data_file("origins", p));
    }
    for p in &tables.headers {
        report.data_files.extend(data_file("headers", p));
    }
}

/// The annotated workbook: each input re-read from disk (only read, never written).
fn annotated(engine: &Engine, report: &Report, lang: cond::Lang) -> Result<Vec<u8>, String> {
    let mut files = Vec::with_capacity(report.inputs.len());
    for input in &report.inputs {
        let bytes = std::fs::read(&input.file).map_err(|e| format!("{}: {e}", input.file))?;
        files.push((input.file.clone(), bytes));
    }
    let refs: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    report::xlsx::annotated_xlsx_with(report, &refs, engine.tables(), lang)
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::civil_from_days;

    #[test]
    fn civil_dates() {
        assert_eq!(civil_from_days(0).to_string(), "1970-01-01");
        assert_eq!(civil_from_days(20_304).to_string(), "2025-08-04");
        assert_eq!(civil_from_days(19_782).to_string(), "2024-02-29");
    }
}
