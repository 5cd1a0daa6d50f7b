//! `hangviet inspect FILE…`: what the reader understood, per sheet.

use crate::lang::Lang;
use hangviet_core::inspect::inspect;
use hangviet_core::model::Workbook;
use serde_json::{json, Value};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Spreadsheet files (xlsx, xlsm, xls, xlsb, ods, csv, tsv).
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Add every line with its row number and each field's raw text and parsed value.
    #[arg(long)]
    lines: bool,
    /// Language of the text output.
    #[arg(long, value_enum, default_value_t = Lang::Vi)]
    lang: Lang,
    #[command(flatten)]
    tables: crate::tables::TableArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Text,
    Json,
}

pub fn run(args: Args) -> ExitCode {
    let tables = match args.tables.build() {
        Ok(t) => t,
        Err(e) => {
            eprintln!("hangviet: {e}");
            return ExitCode::from(2);
        }
    };
    let mut failed = false;
    let mut out = Vec::new();
    for path in &args.files {
        let name = path.display().to_string();
        let result = std::fs::read(path)
            .map_err(|e| format!("{name}: không đọc được tệp ({e})"))
            .and_then(|bytes| inspect(&bytes, &name, &tables).map_err(|e| e.to_string()));
        match result {
            Ok(wb) => out.push(Ok(wb)),
            Err(msg) => {
                eprintln!("{msg}");
                failed = true;
                out.push(Err((name, msg)));
            }
        }
    }
    match args.format {
        Format::Json => {
            let items: Vec<Value> = out
                .iter()
                .map(|r| match r {
                    Ok(wb) => to_json(wb, args.lines),
                    Err((file, msg)) => json!({"file": file, "error": msg, "sheets": []}),
                })
                .collect();
            let v = if args.files.len() == 1 && items.len() == 1 {
                items.into_iter().next().unwrap_or(Value::Null)
            } else {
                Value::Array(items)
            };
            println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
        }
        Format::Text => {
            for wb in out.iter().filter_map(|r| r.as_ref().ok()) {
                print_text(wb, args.lines, args.lang);
            }
        }
    }
    if failed {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    }
}

/// The `inspect --format json` contract: lines only with `--lines`; `line_count` always.
pub fn to_json(wb: &Workbook, lines: bool) -> Value {
    let mut v = serde_json::to_value(wb).unwrap_or(Value::Null);
    if let Some(sheets) = v.get_mut("sheets").and_then(|s| s.as_array_mut()) {
        for (sheet, s) in sheets.iter_mut().zip(&wb.sheets) {
            if let Some(obj) = sheet.as_object_mut() {
                obj.insert("line_count".into(), json!(s.lines.len()));
                if !lines {
                    obj.remove("lines");
                }
            }
        }
    }
    v
}

fn print_text(wb: &Workbook, lines: bool, lang: Lang) {
    let t = |vi, en| lang.t(vi, en);
    println!("{} ({})", wb.file, wb.format);
    for n in &wb.notes {
        println!("  {}: {n}", t("ghi chú", "note"));
    }
    for s in &wb.sheets {
        let hidden = if s.hidden {
            t(" [ẩn]", " [hidden]")
        } else {
            ""
        };
        println!(
            "\n  {} \"{}\"{hidden}: {}",
            t("Trang", "Sheet"),
            s.name,
            s.kind.id()
        );
        if let Some(r) = &s.reason {
            println!("    {}: {r}", t("lý do", "reason"));
        }
        if s.header_rows.is_empty() {
            continue;
        }
        let rows: Vec<String> = s.header_rows.iter().map(|r| r.to_string()).collect();
        println!(
            "    {}: {}",
            t("dòng tiêu đề", "header rows"),
            rows.join(", ")
        );
        for c in &s.columns {
            println!("    {:>3}  {:<18} {}", c.column, c.field.id(), c.header);
        }
        for u in &s.unmapped {
            println!(
                "    {:>3}  {:<18} {}",
                u.column,
                t("(không rõ)", "(unmapped)"),
                u.header
            );
        }
        println!("    {}: {}", t("số dòng hàng", "lines"), s.lines.len());
        let p = serde_json::to_value(&s.package).unwrap_or(Value::Null);
        if let Some(obj) = p.as_object().filter(|o| !o.is_empty()) {
            println!("    {}:", t("thông tin gói thầu", "package"));
            for (k, v) in obj {
                println!(
                    "      {k}: {}",
                    v.as_str()
                        .map(str::to_string)
                        .unwrap_or_else(|| v.to_string())
                );
            }
        }
        if !s.skipped.is_empty() {
            println!("    {}:", t("dòng bỏ qua", "skipped rows"));
            for k in &s.skipped {
                println!("      {} {}: {}", t("dòng", "row"), k.row, k.reason);
            }
        }
        for p in &s.problems {
            println!(
                "    {} {}: {}",
                t("không đọc được ô", "unreadable cell"),
                p.cell,
                p.message
            );
        }
        if lines {
            for l in &s.lines {
                let fields: Vec<String> = l
                    .fields
                    .iter()
                    .filter(|(_, v)| !v.raw.trim().is_empty())
                    .map(|(f, v)| format!("{}={}", f.id(), v.raw.trim().replace('\n', " ")))
                    .collect();
                println!(
                    "      {} {}: {}",
                    t("dòng", "row"),
                    l.row,
                    fields.join(" | ")
                );
            }
        }
    }
    println!();
}
