//! `hangviet`: check Vietnamese public-procurement spreadsheets against the domestic-goods
//! priority policy and the bidding law.

#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod check;
mod inspect;
mod lang;
mod registry_cmd;
mod report_cmd;
mod rules_cmd;
mod tables;
mod template;
mod version;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "hangviet",
    version,
    about = "Kiểm tra danh mục mua sắm công theo chính sách ưu tiên hàng Việt Nam và Luật Đấu thầu"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Show what the reader understood of each file: sheets, header, columns, lines, skipped rows.
    Inspect(inspect::Args),
    /// Check files against the rule packs: findings with cells, messages and citations.
    Check(check::Args),
    /// Rule packs: list, show a rule, run the examples.
    Rules(rules_cmd::Args),
    /// Registry of domestic equivalents: learn from award results, import the official catalogue, search.
    Registry(registry_cmd::Args),
    /// Campaign report (báo cáo 6 tháng và năm): per agency and period, value bought and the
    /// share of Vietnamese origin.
    Report(report_cmd::Args),
    /// Write a blank purchase list (xlsx) in the layout the reader knows best.
    Template(template::Args),
    /// Print the JSON Schema of `check --format json`.
    Schema,
}

fn main() -> ExitCode {
    // Bad input must never show a Rust panic message; the engine turns reader panics into errors.
    std::panic::set_hook(Box::new(|_| {}));
    if let Some(code) = version::handle_flag() {
        return code;
    }
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Inspect(args) => inspect::run(args),
        Command::Check(args) => check::run(args),
        Command::Rules(args) => rules_cmd::run(args),
        Command::Registry(args) => registry_cmd::run(args),
        Command::Report(args) => report_cmd::run(args),
        Command::Template(args) => template::run(args),
        Command::Schema => {
            print!("{}", include_str!("../../schema/report.schema.json"));
            ExitCode::SUCCESS
        }
    };
    report_peak_rss();
    code
}

/// `HANGVIET_PEAK_RSS=1`: print the peak resident set size on stderr (Linux), for the bench.
fn report_peak_rss() {
    if std::env::var_os("HANGVIET_PEAK_RSS").is_none() {
        return;
    }
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    if let Some(kib) = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
    {
        eprintln!("peak_rss_kib={kib}");
    }
}
