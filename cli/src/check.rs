//! `hangviet check PATH…`: check files (and folders, walked in path order) against the rule packs.

use crate::lang::Lang;
use hangviet_core::engine::{CheckOptions, Engine};
use hangviet_core::registry::EmptyRegistry;
use hangviet_core::report::{text, FailOn};
use hangviet_core::rules::cond;
use hangviet_core::rules::date::Date;
use hangviet_core::rules::Pack;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// File endings the reader understands; folders are searched for these.
const SPREADSHEETS: [&str; 8] = ["xlsx", "xlsm", "xls", "xlsb", "ods", "csv", "tsv", "txt"];

#[derive(clap::Args)]
pub struct Args {
    /// Files or folders (folders are walked, files taken in path order).
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Language of messages and text output.
    #[arg(long, value_enum, default_value_t = Lang::Vi)]
    lang: Lang,
    /// Exit 1 when a finding is at or above this severity.
    #[arg(long, value_parser = ["violation", "warning", "advisory", "info", "never"], default_value = "violation")]
    fail_on: String,
    /// Apply the law in force on this date (YYYY-MM-DD). Default: the bidding documents' issue
    /// date when the file gives it, else the document's date, else today.
    #[arg(long)]
    as_of: Option<String>,
    /// A rule-pack folder: replaces the embedded pack with the same id, or adds to it.
    #[arg(long = "rules", value_name = "DIR")]
    rules: Vec<PathBuf>,
    #[command(flatten)]
    tables: crate::tables::TableArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Text,
    Json,
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
    let mut packs = vec![Pack::embedded_vn().map_err(|e| e.to_string())?];
    for dir in rules {
        let p = load_pack(dir)?;
        match packs.iter_mut().find(|q| q.id == p.id) {
            Some(slot) => *slot = p,
            None => packs.push(p),
        }
    }
    let tables = tables.build()?;
    Engine::new(packs, tables, Box::new(EmptyRegistry)).map_err(|e| e.to_string())
}

/// Files to check: each file as given, each folder walked (sorted, spreadsheets only).
/// A path that does not exist stays in the list so it becomes an error entry.
fn expand(paths: &[PathBuf]) -> Vec<PathBuf> {
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
            } else if p
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| SPREADSHEETS.contains(&e.to_ascii_lowercase().as_str()))
            {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            walk(p, &mut out);
        } else {
            out.push(p.clone());
        }
    }
    out
}

pub fn run(args: Args) -> ExitCode {
    let lang = core_lang(args.lang);
    let as_of = match &args.as_of {
        None => None,
        Some(s) => match Date::parse(s) {
            Some(d) => Some(d),
            None => {
                eprintln!(
                    "hangviet: {}: `{s}`",
                    args.lang.t(
                        "--as-of cần ngày dạng YYYY-MM-DD",
                        "--as-of needs a date YYYY-MM-DD"
                    )
                );
                return ExitCode::from(2);
            }
        },
    };
    let fail_on = FailOn::parse(&args.fail_on).unwrap_or(FailOn::Never);
    let engine = match build_engine(&args.rules, &args.tables) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("hangviet: {e}");
            return ExitCode::from(2);
        }
    };
    let opts = CheckOptions {
        as_of,
        today: today(),
        lang,
    };
    let mut report = engine.report(&opts);
    for path in expand(&args.paths) {
        let name = path.display().to_string();
        match std::fs::read(&path) {
            Err(e) => report.add_error(
                &name,
                &format!(
                    "{} ({e})",
                    args.lang.t("không đọc được tệp", "cannot read the file")
                ),
            ),
            Ok(bytes) => {
                let mut found = Vec::new();
                match engine.check(&bytes, &name, &opts, &mut |f| found.push(f)) {
                    Ok(input) => report.add_input(input, found),
                    Err(e) => report.add_error(&name, &e.to_string()),
                }
            }
        }
    }
    let report = report.finish();
    match args.format {
        Format::Json => println!("{}", report.to_json()),
        Format::Text => print!("{}", text::render(&report, lang)),
    }
    for e in &report.errors {
        eprintln!("hangviet: {}: {}", e.file, e.message);
    }
    ExitCode::from(report.exit_code(fail_on) as u8)
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
