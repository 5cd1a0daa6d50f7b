//! `hangviet rules list|show|test`: what the packs say, and running their examples.

use crate::check::{build_engine, core_lang, load_pack};
use crate::lang::Lang;
use hangviet_core::engine::Engine;
use hangviet_core::normalize::Tables;
use hangviet_core::registry::EmptyRegistry;
use hangviet_core::rules::Rule;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(clap::Subcommand)]
enum Cmd {
    /// List the rules in force: code, severity, name, sheet kinds.
    List {
        #[command(flatten)]
        common: Common,
    },
    /// A rule's documentation, citation by period, and examples.
    Show {
        /// Rule code, e.g. VN-R11.
        code: String,
        #[command(flatten)]
        common: Common,
    },
    /// Run every example of a pack (default: the packs in force); exit 1 on a failure.
    Test {
        /// A pack folder to test instead of the embedded pack.
        dir: Option<PathBuf>,
        #[command(flatten)]
        common: Common,
    },
}

#[derive(clap::Args)]
struct Common {
    /// A rule-pack folder replacing (same id) or extending the embedded pack.
    #[arg(long = "rules", value_name = "DIR")]
    rules: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t = Lang::Vi)]
    lang: Lang,
}

fn engine(common: &Common) -> Result<Engine, ExitCode> {
    build_engine(&common.rules, &crate::tables::TableArgs::default()).map_err(|e| {
        eprintln!("hangviet: {e}");
        ExitCode::from(2)
    })
}

pub fn run(args: Args) -> ExitCode {
    match args.command {
        Cmd::List { common } => {
            let e = match engine(&common) {
                Ok(e) => e,
                Err(c) => return c,
            };
            for p in e.packs() {
                println!("# {} {} ({}) sha256:{}", p.id, p.version, p.source, p.hash);
            }
            for r in e.rules() {
                let kinds: Vec<&str> = r.kinds.iter().map(|k| k.id()).collect();
                println!(
                    "{:<8} {:<9} {}  [{}]",
                    r.code,
                    r.severity.id(),
                    r.name(core_lang(common.lang)),
                    kinds.join(", ")
                );
            }
            ExitCode::SUCCESS
        }
        Cmd::Show { code, common } => {
            let e = match engine(&common) {
                Ok(e) => e,
                Err(c) => return c,
            };
            let text = e
                .rules()
                .find(|r| r.code.eq_ignore_ascii_case(&code))
                .map(|r| show(r, common.lang));
            match text {
                Some(t) => {
                    print!("{t}");
                    ExitCode::SUCCESS
                }
                None => {
                    eprintln!(
                        "hangviet: {} `{code}`; {}",
                        common.lang.t("không có quy tắc", "no rule"),
                        common.lang.t(
                            "xem danh sách: hangviet rules list",
                            "see: hangviet rules list"
                        )
                    );
                    ExitCode::from(2)
                }
            }
        }
        Cmd::Test { dir, common } => {
            let e = match dir {
                Some(d) => {
                    let pack = match load_pack(&d) {
                        Ok(p) => p,
                        Err(msg) => {
                            eprintln!("hangviet: {msg}");
                            return ExitCode::from(2);
                        }
                    };
                    let tables = match Tables::embedded() {
                        Ok(t) => t,
                        Err(err) => {
                            eprintln!("hangviet: {err}");
                            return ExitCode::from(2);
                        }
                    };
                    match Engine::new(vec![pack], tables, Box::new(EmptyRegistry)) {
                        Ok(e) => e,
                        Err(err) => {
                            eprintln!("hangviet: {err}");
                            return ExitCode::from(2);
                        }
                    }
                }
                None => match engine(&common) {
                    Ok(e) => e,
                    Err(c) => return c,
                },
            };
            let results = e.test_examples();
            let failed = results.iter().filter(|r| !r.passed).count();
            for r in &results {
                if r.passed {
                    println!("ok    {} {}", r.rule, r.name);
                } else {
                    println!(
                        "FAIL  {} {} ({})\n      {}",
                        r.rule, r.name, r.location, r.detail
                    );
                }
            }
            println!(
                "{}: {} passed, {} failed",
                common.lang.t("Kết quả", "Result"),
                results.len() - failed,
                failed
            );
            if failed > 0 {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            }
        }
    }
}

fn show(r: &Rule, lang: Lang) -> String {
    let l = core_lang(lang);
    let mut out = format!(
        "{} — {}\n{}: {}   {}: {}\n{}: {}\n\n{}\n\n",
        r.code,
        r.name(l),
        lang.t("Mức độ", "Severity"),
        r.severity.id(),
        lang.t("Loại bảng", "Sheets"),
        r.kinds
            .iter()
            .map(|k| k.id())
            .collect::<Vec<_>>()
            .join(", "),
        lang.t("Định nghĩa tại", "Defined at"),
        r.location,
        r.doc
    );
    out.push_str(lang.t("Căn cứ theo thời kỳ:\n", "Citation by period:\n"));
    for v in &r.versions {
        let from = v.from.map(|d| d.to_string()).unwrap_or_else(|| "…".into());
        let to = v.to.map(|d| d.to_string()).unwrap_or_else(|| "…".into());
        out.push_str(&format!("  [{from} → {to})  {}\n", v.citation.text(l)));
        if !v.note.is_empty() {
            out.push_str(&format!("      {}\n", v.note));
        }
    }
    out.push_str(lang.t("\nVí dụ:\n", "\nExamples:\n"));
    for ex in &r.examples {
        let mark = if ex.fires {
            lang.t("phát hiện", "fires")
        } else {
            lang.t("không phát hiện", "quiet")
        };
        let cells: Vec<String> = ex
            .line
            .iter()
            .map(|(f, t)| format!("{}=“{t}”", f.id()))
            .collect();
        out.push_str(&format!("  [{mark}] {}: {}\n", ex.name, cells.join(", ")));
    }
    out
}
