//! `hangviet registry learn|import|search`: build registry files from award results and from the
//! official catalogue annex layout, and show what a name matches.

use hangviet_core::equivalents::data::{to_toml, EntryRaw, Meta};
use hangviet_core::equivalents::import::{import, Circular};
use hangviet_core::equivalents::learn::Learner;
use hangviet_core::equivalents::{vnd, DomesticRegistry, SUGGESTION};
use hangviet_core::inspect::inspect;
use hangviet_core::registry::{Registry, STRONG_MATCH};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(clap::Subcommand)]
enum Cmd {
    /// Build registry entries from award results: every line of Vietnamese origin becomes
    /// evidence (maker, model, unit price, notice number, date) for its product.
    Learn(LearnArgs),
    /// Turn the official catalogue annex layout (Số TT | Tên mặt hàng | Mã số theo biểu thuế |
    /// Ký hiệu quy cách…) into catalogue entries citing the circular.
    Import(ImportArgs),
    /// Show the entries a name matches, with scores and reasons (weak ones are suggestions).
    Search(SearchArgs),
}

#[derive(clap::Args)]
struct LearnArgs {
    /// Award result spreadsheets (e.g. e-GP "Bảng giá trúng thầu" exports).
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Registry file to write (TOML); use it with `check --registry PATH`.
    #[arg(long, short)]
    output: PathBuf,
    #[command(flatten)]
    tables: crate::tables::TableArgs,
}

#[derive(clap::Args)]
struct ImportArgs {
    /// Annex table (xlsx, ods, csv…).
    file: PathBuf,
    /// Registry file to write (TOML).
    #[arg(long, short)]
    output: PathBuf,
    /// The circular the annex belongs to.
    #[arg(long, default_value = "TT 04/2012/TT-BKHĐT")]
    circular: String,
    /// Its date of issue (ISO).
    #[arg(long, default_value = "2012-08-13")]
    date: String,
    /// What the evidence is worth, written into every entry.
    #[arg(long)]
    note: Option<String>,
    #[command(flatten)]
    tables: crate::tables::TableArgs,
}

#[derive(clap::Args)]
struct SearchArgs {
    /// Item name as a purchase list writes it.
    text: String,
    /// HS code of the item, if known.
    #[arg(long)]
    hs: Option<String>,
    /// Extra registry files beside the embedded one.
    #[arg(long = "registry", value_name = "FILE")]
    registry: Vec<PathBuf>,
    /// Leave out the embedded registry.
    #[arg(long)]
    no_default: bool,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

pub fn run(args: Args) -> ExitCode {
    let r = match args.command {
        Cmd::Learn(a) => learn(a),
        Cmd::Import(a) => import_cmd(a),
        Cmd::Search(a) => search(a),
    };
    match r {
        Ok(code) => code,
        Err(msg) => {
            eprintln!("hangviet: {msg}");
            ExitCode::from(2)
        }
    }
}

fn learn(a: LearnArgs) -> Result<ExitCode, String> {
    let tables = a.tables.build()?;
    let mut learner = Learner::new();
    let mut failed = false;
    for path in &a.files {
        let name = path.display().to_string();
        match std::fs::read(path)
            .map_err(|e| format!("{name}: không đọc được tệp ({e})"))
            .and_then(|b| inspect(&b, &name, &tables).map_err(|e| e.to_string()))
        {
            Ok(wb) => learner.add_workbook(&wb, &tables.origins),
            Err(msg) => {
                eprintln!("{msg}");
                failed = true;
            }
        }
    }
    let learned = learner.finish();
    for s in &learned.skipped {
        eprintln!("bỏ qua: {s}");
    }
    let meta = Meta {
        description: format!(
            "Học từ kết quả trúng thầu: {} dòng hàng xuất xứ Việt Nam trong {} dòng đã đọc",
            learned.domestic, learned.lines
        ),
        source: a
            .files
            .iter()
            .map(|p| file_name(p))
            .collect::<Vec<_>>()
            .join(", "),
        licence: String::new(),
    };
    write(&a.output, &meta, &learned.entries)?;
    eprintln!(
        "{}: {} mục từ {} dòng hàng Việt Nam ({} dòng đã đọc)",
        a.output.display(),
        learned.entries.len(),
        learned.domestic,
        learned.lines
    );
    Ok(if failed {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

fn import_cmd(a: ImportArgs) -> Result<ExitCode, String> {
    let tables = a.tables.build()?;
    let name = a.file.display().to_string();
    let bytes = std::fs::read(&a.file).map_err(|e| format!("{name}: không đọc được tệp ({e})"))?;
    let mut circ = Circular {
        number: a.circular.clone(),
        date: a.date.clone(),
        ..Circular::default()
    };
    match a.note {
        Some(n) => circ.note = n,
        None if a.circular != Circular::default().number => circ.note = String::new(),
        None => {}
    }
    let got = import(&bytes, &name, &tables, &circ).map_err(|e| e.to_string())?;
    for s in &got.skipped {
        eprintln!("bỏ qua: {s}");
    }
    let meta = Meta {
        description: format!("{}: danh mục hàng hóa trong nước đã sản xuất được", circ.number),
        source: file_name(&a.file),
        licence: "Văn bản quy phạm pháp luật, không thuộc đối tượng bảo hộ quyền tác giả (Luật SHTT Điều 15)".to_string(),
    };
    write(&a.output, &meta, &got.entries)?;
    eprintln!(
        "{}: {} mục; {} dòng bỏ qua",
        a.output.display(),
        got.entries.len(),
        got.skipped.len()
    );
    Ok(ExitCode::SUCCESS)
}

fn search(a: SearchArgs) -> Result<ExitCode, String> {
    let tables = crate::tables::TableArgs::default().build()?;
    let mut reg = if a.no_default {
        DomesticRegistry::lexicon_only().map_err(|e| e.to_string())?
    } else {
        DomesticRegistry::embedded(&tables).map_err(|e| e.to_string())?
    };
    for p in &a.registry {
        let name = p.display().to_string();
        let text = std::fs::read_to_string(p).map_err(|e| format!("{name}: {e}"))?;
        reg.add_file(&text, &name).map_err(|e| e.to_string())?;
    }
    let hs: String =
        a.hs.as_deref()
            .unwrap_or("")
            .chars()
            .filter(|c| c.is_ascii_digit())
            .collect();
    let found = reg.search(&a.text, &hs, SUGGESTION);
    if a.json {
        let items: Vec<serde_json::Value> = found
            .iter()
            .map(|m| {
                serde_json::json!({
                    "strong": m.equivalent.score >= STRONG_MATCH,
                    "equivalent": m.equivalent,
                    "spec": m.spec,
                    "source": m.source,
                })
            })
            .collect();
        let out = serde_json::json!({ "query": a.text, "hs": hs, "registry": reg.hash(), "matches": items });
        println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
        return Ok(ExitCode::SUCCESS);
    }
    if found.is_empty() {
        println!(
            "Không có mục nào trong danh mục hàng trong nước khớp với “{}”.",
            a.text
        );
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "“{}”: {} mục (≥ {STRONG_MATCH} là khớp mạnh, dùng trong kết luận; thấp hơn chỉ là gợi ý)",
        a.text,
        found.len()
    );
    for m in &found {
        let e = &m.equivalent;
        let tag = if e.score >= STRONG_MATCH {
            "khớp mạnh"
        } else {
            "gợi ý"
        };
        let maker = if e.maker.is_empty() {
            "(danh mục không nêu nhà sản xuất)"
        } else {
            &e.maker
        };
        println!("{:.2} {tag}: {} – {maker}", e.score, e.product);
        println!("     lý do: {}", e.reason);
        println!("     chứng cứ: {}", e.evidence.reference);
        if let (Some(lo), Some(hi)) = (e.price_min, e.price_max) {
            if lo == hi {
                println!("     giá: {} đ", vnd(lo));
            } else {
                println!("     giá: {} – {} đ", vnd(lo), vnd(hi));
            }
        }
        println!("     nguồn: {}", m.source);
    }
    Ok(ExitCode::SUCCESS)
}

fn write(path: &Path, meta: &Meta, entries: &[EntryRaw]) -> Result<(), String> {
    let text = to_toml(Some(meta), entries).map_err(|e| e.to_string())?;
    let header =
        "# Registry of domestic equivalents (hangviet). Format: rules/vn/registry/README.md\n";
    std::fs::write(path, format!("{header}{text}"))
        .map_err(|e| format!("{}: không ghi được ({e})", path.display()))
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| p.display().to_string())
}
