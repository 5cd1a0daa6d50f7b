//! hangviet as WebAssembly: a thin face over `hangviet-core`, like the `hangviet` binary.
//!
//! Reports are the same JSON `hangviet check --format json` prints, parsed into a JS object.
//! Errors are JS exceptions carrying the message the CLI prints. Engines are built once per
//! module instance (per set of extra data files) and reused for every call.
//!
//! A panic cannot be caught on wasm32 (panic = abort): the hook below records the message for
//! the caller (`lastPanic`), and the caller must load a fresh instance (the page's worker does).

use hangviet_core::engine::{CheckOptions, Engine, ReportBuilder};
use hangviet_core::report::{self, DataFile, FailOn, Finding, Input, Report};
use hangviet_core::rules::cond::Lang;
use hangviet_core::rules::date::Date;
use hangviet_core::rules::{hex, Pack};
use hangviet_core::setup;
use hangviet_core::Result as CoreResult;
use js_sys::{Object, Reflect};
use sha2::{Digest, Sha256};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

mod warm;

/// What the CLI reports (through core's guard around calamine) when the spreadsheet reader
/// breaks on a damaged file; on wasm32 that break is a panic, so the caller reports this instead.
const CRASH_REASON: &str =
    "tệp bị hỏng (bộ đọc bảng tính gặp lỗi cấu trúc); hãy mở bằng Excel và lưu lại";

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = console, js_name = error)]
    fn console_error(s: &str);
}

thread_local! {
    /// The engine for the last set of extra data files ("" = none), built on first use.
    static ENGINE: RefCell<Option<(String, Rc<Engine>)>> = const { RefCell::new(None) };
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

#[wasm_bindgen(start)]
fn start() {
    std::panic::set_hook(Box::new(|info| {
        let msg = info.to_string();
        console_error(&format!("hangviet: internal error: {msg}"));
        LAST_PANIC.with(|p| *p.borrow_mut() = Some(msg));
    }));
}

/// The message of the panic that ended this instance, if any (readable even after the trap).
#[wasm_bindgen(js_name = lastPanic)]
pub fn last_panic() -> Option<String> {
    LAST_PANIC.with(|p| p.borrow().clone())
}

/// The error the CLI gives for a file whose reader broke (report it after a trap).
#[wasm_bindgen(js_name = crashMessage)]
pub fn crash_message(file_name: &str) -> String {
    hangviet_core::Error::unreadable(file_name, CRASH_REASON).to_string()
}

/// The engine version.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// Options as given by JS: every field optional.
///   lang: "vi" | "en"            (default "vi", like the CLI)
///   asOf: "YYYY-MM-DD"           (default: the file's dates, else today)
///   failOn: "violation" | "warning" | "advisory" | "info" | "never"   (default "violation")
///   today: "YYYY-MM-DD"          (default: today's UTC date from the JS clock)
///   rules: { "pack.toml": text, "<rule file>.toml": text, … }   a pack like `--rules DIR`
///   rulesLabel: name shown for that pack (default "rules")
///   origins: text, headers: text  like `--origins FILE`, `--headers FILE`
///   registry: text               registry entries added to the embedded registry
struct Opts {
    check: CheckOptions,
    fail_on: FailOn,
    extras: Extras,
}

#[derive(Default, PartialEq)]
struct Extras {
    rules: BTreeMap<String, String>,
    rules_label: String,
    origins: Option<String>,
    headers: Option<String>,
    registry: Option<String>,
}

impl Extras {
    fn key(&self) -> String {
        if *self == Extras::default() {
            return String::new();
        }
        let mut k = format!("{}\0", self.rules_label);
        for (n, t) in &self.rules {
            k.push_str(&format!("{n}\0{t}\0"));
        }
        for t in [&self.origins, &self.headers, &self.registry] {
            k.push_str(&format!(
                "{}\0{}\0",
                t.is_some(),
                t.as_deref().unwrap_or("")
            ));
        }
        k
    }

    /// The same engine the CLI builds: the embedded pack, replaced (same id) or extended by
    /// the extra pack; the embedded tables extended by the extra files.
    fn build(&self) -> Result<Engine, String> {
        if *self == Extras::default() {
            return Engine::embedded().map_err(|e| e.to_string());
        }
        let mut packs = Vec::new();
        if !self.rules.is_empty() {
            let p = Pack::load(&self.rules_label, &|name| self.rules.get(name).cloned())
                .map_err(|e| e.to_string())?;
            packs.push(p);
        }
        fn one<'a>(t: &'a Option<String>, name: &'static str) -> Vec<(&'static str, &'a str)> {
            t.as_deref().map(|t| (name, t)).into_iter().collect()
        }
        setup::engine(setup::Extras {
            packs,
            origins: one(&self.origins, "origins"),
            headers: one(&self.headers, "headers"),
            registry: one(&self.registry, "registry"),
        })
        .map_err(|e| e.to_string())
    }

    /// The user's data files, recorded in the report as the CLI records its files.
    fn data_files(&self) -> Vec<DataFile> {
        [
            ("origins", &self.origins),
            ("headers", &self.headers),
            ("registry", &self.registry),
        ]
        .into_iter()
        .filter_map(|(kind, text)| {
            text.as_ref().map(|t| DataFile {
                kind: kind.into(),
                name: kind.into(),
                sha256: hex(&Sha256::digest(t.as_bytes())),
            })
        })
        .collect()
    }
}

fn get(o: &JsValue, key: &str) -> Option<JsValue> {
    if !o.is_object() {
        return None;
    }
    Reflect::get(o, &JsValue::from_str(key))
        .ok()
        .filter(|v| !v.is_undefined() && !v.is_null())
}

fn get_str(o: &JsValue, key: &str) -> Result<Option<String>, String> {
    match get(o, key) {
        None => Ok(None),
        Some(v) => v
            .as_string()
            .map(Some)
            .ok_or_else(|| format!("option `{key}` must be a string")),
    }
}

fn today_utc() -> Date {
    let d = js_sys::Date::new_0();
    Date {
        year: d.get_utc_full_year() as u16,
        month: (d.get_utc_month() + 1) as u8,
        day: d.get_utc_date() as u8,
    }
}

fn parse_date(s: &str, lang: Lang) -> Result<Date, String> {
    Date::parse(s).ok_or_else(|| {
        let what = match lang {
            Lang::Vi => "--as-of cần ngày dạng YYYY-MM-DD",
            Lang::En => "--as-of needs a date YYYY-MM-DD",
        };
        format!("{what}: `{s}`")
    })
}

fn parse_opts(o: &JsValue) -> Result<Opts, String> {
    let lang = match get_str(o, "lang")?.as_deref() {
        None | Some("vi") => Lang::Vi,
        Some("en") => Lang::En,
        Some(other) => return Err(format!("lang: `{other}`: expected vi or en")),
    };
    let as_of = match get_str(o, "asOf")? {
        None => None,
        Some(s) if s.trim().is_empty() => None,
        Some(s) => Some(parse_date(s.trim(), lang)?),
    };
    let today = match get_str(o, "today")? {
        None => today_utc(),
        Some(s) => parse_date(s.trim(), lang)?,
    };
    let fail_on = match get_str(o, "failOn")? {
        None => FailOn::At(hangviet_core::report::Severity::Violation),
        Some(s) => FailOn::parse(&s).ok_or_else(|| {
            format!("failOn: `{s}`: expected violation, warning, advisory, info or never")
        })?,
    };
    let mut extras = Extras {
        rules_label: get_str(o, "rulesLabel")?.unwrap_or_else(|| "rules".into()),
        origins: get_str(o, "origins")?,
        headers: get_str(o, "headers")?,
        registry: get_str(o, "registry")?,
        ..Extras::default()
    };
    if let Some(files) = get(o, "rules") {
        let files: Object = files
            .dyn_into()
            .map_err(|_| "option `rules` must be an object { file name: text }".to_string())?;
        for entry in Object::entries(&files).iter() {
            let pair = js_sys::Array::from(&entry);
            let name = pair.get(0).as_string().unwrap_or_default();
            let text = pair
                .get(1)
                .as_string()
                .ok_or_else(|| format!("rules: `{name}` must be the file's text"))?;
            extras.rules.insert(name, text);
        }
    }
    if extras.rules.is_empty() {
        extras.rules_label = String::new();
    }
    Ok(Opts {
        check: CheckOptions {
            as_of,
            today,
            lang,
            threads: 1,
        },
        fail_on,
        extras,
    })
}

/// The engine for these extras, built once and kept while the extras stay the same.
fn engine(extras: &Extras) -> Result<Rc<Engine>, String> {
    let key = extras.key();
    ENGINE.with(|cell| {
        if let Some((k, e)) = &*cell.borrow() {
            if *k == key {
                return Ok(e.clone());
            }
        }
        let e = Rc::new(extras.build()?);
        *cell.borrow_mut() = Some((key, e.clone()));
        Ok(e)
    })
}

fn js_err(msg: impl AsRef<str>) -> JsError {
    JsError::new(msg.as_ref())
}

fn to_js(json: &str) -> Result<JsValue, JsError> {
    js_sys::JSON::parse(json).map_err(|_| js_err("internal error: report JSON did not parse"))
}

fn setup(options: &JsValue) -> Result<(Opts, Rc<Engine>), JsError> {
    let opts = parse_opts(options).map_err(js_err)?;
    let engine = engine(&opts.extras).map_err(js_err)?;
    Ok((opts, engine))
}

/// Check one file: the report `hangviet check --format json FILE` prints, as an object.
/// A file that cannot be read throws an Error whose message is the CLI's ("file: reason").
#[wasm_bindgen]
pub fn check(bytes: &[u8], file_name: &str, options: JsValue) -> Result<JsValue, JsError> {
    let (opts, engine) = setup(&options)?;
    let mut b = engine.report(&opts.check);
    let mut found = Vec::new();
    let input = engine
        .check(bytes, file_name, &opts.check, &mut |f| found.push(f))
        .map_err(|e| js_err(e.to_string()))?;
    b.add_input(input, found);
    let mut report = b.finish();
    report.data_files.extend(opts.extras.data_files());
    to_js(&report.to_json())
}

/// Check a 2,000-line award sheet built in memory and drop the report: the worker calls this
/// once it is ready, so the user's first check runs on the browser's optimised code and finds
/// the engine built (warm.rs); then the same sheet as `checkCells` checks it, twice. Returns
/// the number of findings of the first check (the sheet has some).
#[wasm_bindgen(js_name = warmUp)]
pub fn warm_up() -> Result<u32, JsError> {
    let bytes = warm::sample_award(2_000).map_err(|e| js_err(e.to_string()))?;
    let (opts, engine) = setup(&JsValue::UNDEFINED)?;
    let mut n = 0u32;
    engine
        .check(&bytes, "warm-up.xlsx", &opts.check, &mut |_| n += 1)
        .map_err(|e| js_err(e.to_string()))?;
    // And the way a workbook goes when the reading worker is there (`checkCells`): the merge
    // pass, rows from messages. Twice, as the reader warms (`warmUpReader`).
    for _ in 0..2 {
        check_from_cells(&engine, &bytes, &opts.check);
    }
    Ok(n)
}

/// `checkCells` of a workbook whose messages are all there already (read here), findings
/// dropped.
fn check_from_cells(engine: &Engine, bytes: &[u8], opts: &CheckOptions) {
    let name = "warm-up.xlsx";
    let Some(format) = engine.reads_as_cells(bytes, name) else {
        return;
    };
    let mut msgs = Vec::new();
    let limits = hangviet_core::read::Limits::default();
    hangviet_core::read::cells::read_xlsx(std::io::Cursor::new(bytes), name, &limits, &mut |m| {
        msgs.push(m);
        true
    });
    let mut msgs = msgs.into_iter();
    let next = || {
        let m = msgs.next();
        async move { Ok(m) }
    };
    let mut drop_it = |_| {};
    let check = engine.check_cells(bytes, next, name, String::new(), format, opts, &mut drop_it);
    let mut check = std::pin::pin!(check);
    // Every message is there, so the check never waits: one poll runs it to its end.
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    let _ = std::future::Future::poll(check.as_mut(), &mut cx);
}

/// The reading worker's warm-up: read a 10,000-line sheet with as many item names into messages
/// and drop them, once with its texts in a shared-strings part (as Excel writes them) and once
/// in the cells (as one-pass writers do). reader.js calls it twice (`again` keeps the two
/// workbooks for the next call), so the reading code runs optimised by the time a file comes:
/// the browser optimises a function only for its next call, and a file's shared strings and
/// its cells are each one long loop. A smaller warm-up, or one way of storing texts only, left
/// the first big file's read at 720-940 ms where the next ones took 540-600 ms. Returns the
/// number of messages.
#[wasm_bindgen(js_name = warmUpReader)]
pub fn warm_up_reader(again: bool) -> Result<u32, JsError> {
    let samples = match WARM_SAMPLES.with(|s| s.borrow_mut().take()) {
        Some(s) => s,
        None => [
            warm::sample(10_000, 10_000).map_err(|e| js_err(e.to_string()))?,
            warm::sample_inline(10_000, 10_000),
        ],
    };
    let limits = hangviet_core::read::Limits::default();
    let mut n = 0u32;
    for bytes in &samples {
        hangviet_core::read::cells::read_xlsx(
            std::io::Cursor::new(&bytes[..]),
            "warm-up.xlsx",
            &limits,
            &mut |_| {
                n += 1;
                true
            },
        );
    }
    if again {
        WARM_SAMPLES.with(|s| *s.borrow_mut() = Some(samples));
    }
    Ok(n)
}

thread_local! {
    /// The reader's warm-up workbooks between its rounds (`again`): building them took ~0.1 s
    /// a round. A file read drops them if a round was skipped.
    static WARM_SAMPLES: RefCell<Option<[Vec<u8>; 2]>> = const { RefCell::new(None) };
}

/// The packs in force for these options: [{ id, version, hash, source }], main pack first.
#[wasm_bindgen]
pub fn packs(options: JsValue) -> Result<JsValue, JsError> {
    let (_, engine) = setup(&options)?;
    let v: Vec<serde_json::Value> = engine
        .pack_infos()
        .into_iter()
        .map(|p| serde_json::json!({"id": p.id, "version": p.version, "hash": p.hash, "source": p.source}))
        .collect();
    to_js(&serde_json::Value::Array(v).to_string())
}

/// The rules in force (as `hangviet rules list`): code, severity, name (in `lang`), sheet kinds,
/// and the citation of each dated version.
#[wasm_bindgen]
pub fn rules(options: JsValue) -> Result<JsValue, JsError> {
    let (opts, engine) = setup(&options)?;
    let v: Vec<serde_json::Value> = engine
        .rules()
        .map(|r| {
            serde_json::json!({
                "code": r.code,
                "severity": r.severity.id(),
                "name": r.name(opts.check.lang),
                "kinds": r.kinds.iter().map(|k| k.id()).collect::<Vec<_>>(),
                "versions": r.versions,
            })
        })
        .collect();
    to_js(&serde_json::Value::Array(v).to_string())
}

/// 64 lower-case hex digits.
fn is_sha256(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Several files into one report, in the order added, as `hangviet check FILE…` does:
/// an unreadable file becomes an entry in `errors` and the batch goes on.
#[wasm_bindgen]
pub struct Session {
    engine: Rc<Engine>,
    opts: Opts,
    builder: Option<ReportBuilder>,
    report: Option<Report>,
    /// The bytes of each file read, for the annotated workbook.
    inputs: Vec<(String, Vec<u8>)>,
    /// Each finding's searchable text, lower-cased, built on the first text search.
    search: Option<Vec<String>>,
}

#[wasm_bindgen]
impl Session {
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<Session, JsError> {
        let (opts, engine) = setup(&options)?;
        let builder = Some(engine.report(&opts.check));
        Ok(Session {
            engine,
            opts,
            builder,
            report: None,
            inputs: Vec::new(),
            search: None,
        })
    }

    fn builder(&mut self) -> Result<&mut ReportBuilder, JsError> {
        self.builder
            .as_mut()
            .ok_or_else(|| js_err("this session is finished; start a new one"))
    }

    /// Check one file into the report. Returns { findings } or { error } for this file.
    /// `bytes` by value: wasm-bindgen copies the array into the module once, and the session
    /// keeps that copy for the annotated workbook (a slice would have meant a second copy).
    /// `sha256`: the file's SHA-256 in lower-case hex when the caller has it (the page's worker
    /// asks the browser's own crypto.subtle, several times faster than hashing in wasm);
    /// without it, or not 64 hex digits, the module hashes the bytes itself.
    pub fn add(
        &mut self,
        bytes: Vec<u8>,
        file_name: &str,
        sha256: Option<String>,
    ) -> Result<JsValue, JsError> {
        let engine = self.engine.clone();
        let opts = self.opts.check;
        let b = self
            .builder
            .as_mut()
            .ok_or_else(|| js_err("this session is finished; start a new one"))?;
        let mut found = Vec::new();
        let given = sha256.filter(|s| is_sha256(s));
        let checked = match given {
            Some(sha) => engine.check_hashed(&bytes, file_name, sha, &opts, &mut |f| found.push(f)),
            None => engine.check(&bytes, file_name, &opts, &mut |f| found.push(f)),
        };
        let out = match checked {
            Ok(input) => {
                let n = found.len();
                b.add_input(input, found);
                self.inputs.push((file_name.to_string(), bytes));
                serde_json::json!({ "findings": n })
            }
            Err(e) => {
                let msg = e.to_string();
                b.add_error(file_name, &msg);
                serde_json::json!({ "error": msg })
            }
        };
        to_js(&out.to_string())
    }

    /// Whether `checkCells` can check this file (an xlsx/xlsm, as `hangviet check` streams
    /// them): then a second worker may read it (`readCells`) while this one checks.
    #[wasm_bindgen(js_name = readsAsCells)]
    /// Only the file's two ends are copied into the module to ask (copying 9 MB cost the
    /// reading worker 40–90 ms of waiting).
    pub fn reads_as_cells(&self, bytes: &js_sys::Uint8Array, file_name: &str) -> bool {
        let len = u64::from(bytes.length());
        let (head, tail) = hangviet_core::engine::probe_edges(len);
        // The ranges lie within `len`, which came from a u32.
        let copy = |r: std::ops::Range<u64>| bytes.subarray(r.start as u32, r.end as u32).to_vec();
        self.engine
            .reads_as_cells_from_edges(&copy(head), &copy(tail), len, file_name)
            .is_some()
    }

    /// Check an xlsx/xlsm (`readsAsCells`) whose cells another worker reads (`readCells`) and
    /// `next()` hands over: resolves to a `Checked` for `addChecked`, which adds it to this
    /// session as `add` would have. `bytes` and `sha256` as for `add` (kept for the annotated
    /// workbook, and for the whole-file check when this file needs one: then `addChecked`
    /// runs it, and the reading worker should be stopped). Add files in order: a session's
    /// files are reported in the order they are added.
    #[wasm_bindgen(js_name = checkCells)]
    pub fn check_cells(
        &self,
        bytes: Vec<u8>,
        file_name: String,
        sha256: Option<String>,
        next: js_sys::Function,
    ) -> js_sys::Promise {
        let engine = self.engine.clone();
        let opts = self.opts.check;
        wasm_bindgen_futures::future_to_promise(async move {
            let sha = sha256.clone().filter(|s| is_sha256(s));
            let format = engine.reads_as_cells(&bytes, &file_name);
            let outcome = match (format, sha.clone()) {
                (Some(format), Some(sha)) => {
                    let mut found = Vec::new();
                    let checked = engine
                        .check_cells(
                            &bytes,
                            || next_message(&next, &file_name),
                            &file_name,
                            sha,
                            format,
                            &opts,
                            &mut |f| found.push(f),
                        )
                        .await;
                    match checked {
                        Ok(Some(input)) => Some(Ok((input, found))),
                        Ok(None) => None,
                        Err(e) => Some(Err(e.to_string())),
                    }
                }
                // Not one it reads as cells, or no hash given: the whole-file check.
                _ => None,
            };
            Ok(Checked {
                name: file_name,
                bytes,
                sha256,
                outcome,
            }
            .into())
        })
    }

    /// Add what `checkCells` resolved to. Returns { findings } or { error } for this file, as
    /// `add`; { fallback: true } too when the whole-file check ran here instead.
    #[wasm_bindgen(js_name = addChecked)]
    pub fn add_checked(&mut self, checked: Checked) -> Result<JsValue, JsError> {
        let Checked {
            name,
            bytes,
            sha256,
            outcome,
        } = checked;
        let Some(outcome) = outcome else {
            let out = self.add(bytes, &name, sha256)?;
            Reflect::set(&out, &JsValue::from_str("fallback"), &JsValue::TRUE)
                .map_err(|_| js_err("internal error: result object"))?;
            return Ok(out);
        };
        let b = self.builder()?;
        let out = match outcome {
            Ok((input, found)) => {
                let n = found.len();
                b.add_input(input, found);
                self.inputs.push((name, bytes));
                serde_json::json!({ "findings": n })
            }
            Err(msg) => {
                b.add_error(&name, &msg);
                serde_json::json!({ "error": msg })
            }
        };
        to_js(&out.to_string())
    }

    /// Record a file that could not be checked (unreadable by the browser, or it broke an
    /// earlier instance of the module), as the CLI records a file it cannot read.
    #[wasm_bindgen(js_name = addError)]
    pub fn add_error(&mut self, file_name: &str, message: &str) -> Result<(), JsError> {
        self.builder()?.add_error(file_name, message);
        Ok(())
    }

    /// The report; further calls return the same report.
    pub fn finish(&mut self) -> Result<JsValue, JsError> {
        to_js(&self.report()?.to_json())
    }

    /// The report as the JSON text the CLI prints.
    #[wasm_bindgen(js_name = toJson)]
    pub fn to_json(&mut self) -> Result<String, JsError> {
        Ok(self.report()?.to_json())
    }

    /// The report as `hangviet check --format csv` writes it (UTF-8 with BOM).
    #[wasm_bindgen(js_name = toCsv)]
    pub fn to_csv(&mut self) -> Result<Vec<u8>, JsError> {
        let lang = self.opts.check.lang;
        Ok(report::csv::to_csv(self.report()?, lang))
    }

    /// The annotated workbook `hangviet check --format xlsx` writes: each file's sheets with
    /// the finding cells highlighted and noted, a findings sheet and a summary sheet.
    #[wasm_bindgen(js_name = toXlsx)]
    pub fn to_xlsx(&mut self) -> Result<Vec<u8>, JsError> {
        let lang = self.opts.check.lang;
        let engine = self.engine.clone();
        self.report()?;
        let (Some(report), inputs) = (&self.report, &self.inputs) else {
            return Err(js_err("internal error: no report"));
        };
        let refs: Vec<(&str, &[u8])> = inputs
            .iter()
            .map(|(n, b)| (n.as_str(), b.as_slice()))
            .collect();
        report::xlsx::annotated_xlsx_with(report, &refs, engine.tables(), lang)
            .map_err(|e| js_err(e.to_string()))
    }

    /// What a page shows first, without the findings themselves (a large report's findings are
    /// tens of MB of JSON): `{ summary, inputs, errors, findings: count, rule_names: { code:
    /// name } }` as JSON text, each part as in the JSON report.
    pub fn overview(&mut self) -> Result<String, JsError> {
        let r = self.report()?;
        // The rule filter names each rule as its findings do.
        let mut names: BTreeMap<&str, &str> = BTreeMap::new();
        for f in &r.findings {
            names.insert(&f.rule, &f.name);
        }
        let json = |v: Result<String, serde_json::Error>| {
            v.map_err(|e| js_err(format!("internal error: report JSON: {e}")))
        };
        Ok(format!(
            "{{\"summary\":{},\"inputs\":{},\"errors\":{},\"findings\":{},\"rule_names\":{}}}",
            json(serde_json::to_string(&r.summary))?,
            json(serde_json::to_string(&r.inputs))?,
            json(serde_json::to_string(&r.errors))?,
            r.findings.len(),
            json(serde_json::to_string(&names))?,
        ))
    }

    /// One page of the findings that pass the filters, in report order, as JSON text
    /// `{ total, offset, rows: [finding…] }` (each finding as in the JSON report).
    /// `severity` and `rule` ("" = any) match exactly; `text` ("" = any; give it trimmed and
    /// lower-cased) must occur in the finding's item, message and cells, lower-cased. An offset
    /// past the end gives the last page (`offset` says which).
    pub fn findings(
        &mut self,
        severity: &str,
        rule: &str,
        text: &str,
        offset: u32,
        limit: u32,
    ) -> Result<String, JsError> {
        self.report()?;
        if !text.is_empty() && self.search.is_none() {
            if let Some(r) = &self.report {
                // As the page searched before: `${item} ${message} ${cells.join(" ")}`.
                let texts = r
                    .findings
                    .iter()
                    .map(|f| {
                        format!("{} {} {}", f.item, f.message, f.cells.join(" ")).to_lowercase()
                    })
                    .collect();
                self.search = Some(texts);
            }
        }
        let (Some(r), search) = (&self.report, &self.search) else {
            return Err(js_err("internal error: no report"));
        };
        let hits: Vec<usize> = r
            .findings
            .iter()
            .enumerate()
            .filter(|(i, f)| {
                (severity.is_empty() || f.severity.id() == severity)
                    && (rule.is_empty() || f.rule == rule)
                    && (text.is_empty()
                        || search
                            .as_ref()
                            .and_then(|s| s.get(*i))
                            .is_some_and(|s| s.contains(text)))
            })
            .map(|(i, _)| i)
            .collect();
        let limit = (limit as usize).max(1);
        let mut start = offset as usize;
        if start >= hits.len() {
            start = hits.len().saturating_sub(1) / limit * limit;
        }
        let rows: Vec<&hangviet_core::report::Finding> = hits
            .iter()
            .skip(start)
            .take(limit)
            .filter_map(|&i| r.findings.get(i))
            .collect();
        let rows = serde_json::to_string(&rows)
            .map_err(|e| js_err(format!("internal error: report JSON: {e}")))?;
        Ok(format!(
            "{{\"total\":{},\"offset\":{start},\"rows\":{rows}}}",
            hits.len()
        ))
    }

    /// The CLI's exit code for this report: 0 clean, 1 findings at or above failOn, 2 errors.
    #[wasm_bindgen(js_name = exitCode)]
    pub fn exit_code(&mut self) -> Result<i32, JsError> {
        let fail_on = self.opts.fail_on;
        Ok(self.report()?.exit_code(fail_on))
    }
}

impl Session {
    fn report(&mut self) -> Result<&Report, JsError> {
        if let Some(b) = self.builder.take() {
            let mut r = b.finish();
            r.data_files.extend(self.opts.extras.data_files());
            self.report = Some(r);
        }
        self.report
            .as_ref()
            .ok_or_else(|| js_err("internal error: no report"))
    }
}

/// The reading worker's half: read an xlsx/xlsm and give its cells to `emit` as messages
/// (Uint8Array each, in order; `emit` may keep and transfer them). A bad file's error is the
/// last message; this throws only when `emit` did (the messages are then cut short).
#[wasm_bindgen(js_name = readCells)]
pub fn read_cells(bytes: &[u8], file_name: &str, emit: &js_sys::Function) -> Result<(), JsError> {
    WARM_SAMPLES.with(|s| s.borrow_mut().take());
    let limits = hangviet_core::read::Limits::default();
    let mut failed = None;
    hangviet_core::read::cells::read_xlsx(
        std::io::Cursor::new(bytes),
        file_name,
        &limits,
        &mut |m| {
            let m = js_sys::Uint8Array::from(&m[..]);
            match emit.call1(&JsValue::NULL, &m) {
                Ok(_) => true,
                Err(e) => {
                    failed = Some(e.as_string().unwrap_or_else(|| format!("{e:?}")));
                    false
                }
            }
        },
    );
    match failed {
        Some(e) => Err(js_err(format!("readCells: emit failed: {e}"))),
        None => Ok(()),
    }
}

/// A file checked from its cells (`Session.checkCells`), for `Session.addChecked`.
#[wasm_bindgen]
pub struct Checked {
    name: String,
    bytes: Vec<u8>,
    sha256: Option<String>,
    /// None: the file needs the whole-file check (`addChecked` runs it).
    outcome: Option<Result<(Input, Vec<Finding>), String>>,
}

/// The next message from the reading worker: `next()` gives a promise of a Uint8Array, or of
/// null after the last, or of a string (the panic text) when that worker broke on the file.
async fn next_message(next: &js_sys::Function, file_name: &str) -> CoreResult<Option<Vec<u8>>> {
    let internal = |what: &str| {
        hangviet_core::Error::unreadable(
            file_name,
            format!("lỗi nội bộ khi nhận các ô từ luồng đọc ({what}); hãy tải lại trang"),
        )
    };
    let promise: js_sys::Promise = next
        .call0(&JsValue::NULL)
        .map_err(|_| internal("next"))?
        .dyn_into()
        .map_err(|_| internal("next"))?;
    let v = wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .map_err(|_| internal("await"))?;
    if v.is_null() || v.is_undefined() {
        return Ok(None);
    }
    if v.is_string() {
        // The reader broke on this file: as `crashMessage` (and the CLI's guard) words it.
        return Err(hangviet_core::Error::unreadable(file_name, CRASH_REASON));
    }
    let m: js_sys::Uint8Array = v.dyn_into().map_err(|_| internal("message"))?;
    Ok(Some(m.to_vec()))
}

/// Test seam: panics, as the spreadsheet reader would on a file that breaks it. The browser
/// tests use it to prove the page recovers (panics trap on wasm32; no real input does this now).
#[wasm_bindgen(js_name = panicForTest)]
pub fn panic_for_test() {
    panic!("panicForTest called");
}
