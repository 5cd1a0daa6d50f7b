//! `cargo bench -p hangviet-cli`: throughput of `hangviet check` against the floor of a bare
//! calamine streaming read (and the csv crate's bare read) of the same generated files, plus the
//! batch speed-up of --jobs 2 over --jobs 1 and peak RSS. Prints figures; asserts nothing.
//!
//! Inputs are generated into target/bench-data/ from the real award rows in
//! tests/fixtures/award_egp.xlsx, with variation so matching does real work.
//! `HANGVIET_BENCH_ROWS=100000` limits the big file (default 1,000,000); `HANGVIET_BENCH_RUNS`
//! sets runs per measurement (default 5; 3 for the million-row file).

use calamine::{open_workbook, Data, Reader, Xlsx};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

struct Row {
    name: String,
    model: String,
    brand: String,
    maker: String,
    origin: String,
    unit: String,
    qty: f64,
    price: f64,
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The 351 real award rows (from the committed fixture, so the bench runs from a fresh clone).
fn source_rows() -> Vec<Row> {
    let mut wb: Xlsx<_> =
        open_workbook(root().join("tests/fixtures/award_egp.xlsx")).expect("award_egp.xlsx");
    let name = wb.sheet_names()[0].clone();
    let range = wb.worksheet_range(&name).expect("sheet");
    let s = |d: &Data| d.to_string();
    let f = |d: &Data| match d {
        Data::Float(x) => *x,
        Data::Int(i) => *i as f64,
        _ => 0.0,
    };
    range
        .rows()
        .filter(|r| r.len() > 9 && matches!(r[0], Data::Int(_) | Data::Float(_)))
        .map(|r| Row {
            name: s(&r[1]),
            model: s(&r[2]),
            brand: s(&r[3]),
            maker: s(&r[4]),
            origin: s(&r[5]),
            unit: s(&r[7]),
            qty: f(&r[8]),
            price: f(&r[9]),
        })
        .collect()
}

/// A small deterministic generator (no rand dependency needed for a bench).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
}

const SIZES: [&str; 8] = [
    "",
    " 5ml",
    " 10ml",
    " số 2/0",
    " cỡ M",
    " loại 1",
    " 20cm",
    " (hộp 100 cái)",
];

fn row_at(src: &[Row], g: &mut Lcg) -> (usize, &'static str, f64) {
    let i = (g.next() as usize) % src.len();
    let v = SIZES[(g.next() as usize) % SIZES.len()];
    let factor = 0.9 + (g.next() % 200) as f64 / 1000.0;
    (i, v, factor)
}

fn write_xlsx(path: &Path, rows: usize, src: &[Row], seed: u64) {
    use rust_xlsxwriter::Workbook;
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet_with_constant_memory().expect("worksheet");
    ws.set_name("Bảng giá trúng thầu").expect("name");
    ws.write_string(0, 0, "BẢNG GIÁ TRÚNG THẦU (dữ liệu sinh cho đo hiệu năng)")
        .expect("w");
    let headers = [
        "STT",
        "Tên hàng hóa",
        "Ký mã hiệu",
        "Nhãn hiệu",
        "Hãng sản xuất",
        "Xuất xứ",
        "Năm sản xuất",
        "Đơn vị tính",
        "Số lượng",
        "Đơn giá trúng thầu (VNĐ)",
        "Thành tiền (VNĐ)",
    ];
    for (j, h) in headers.iter().enumerate() {
        ws.write_string(2, j as u16, *h).expect("w");
    }
    let mut g = Lcg(seed);
    for k in 0..rows {
        let r = 3 + k as u32;
        let (i, v, factor) = row_at(src, &mut g);
        let s = &src[i];
        let price = (s.price * factor).round();
        ws.write_number(r, 0, (k + 1) as f64).expect("w");
        ws.write_string(r, 1, format!("{}{v}", s.name)).expect("w");
        ws.write_string(r, 2, &s.model).expect("w");
        ws.write_string(r, 3, &s.brand).expect("w");
        ws.write_string(r, 4, &s.maker).expect("w");
        ws.write_string(r, 5, &s.origin).expect("w");
        ws.write_number(r, 6, 2026.0).expect("w");
        ws.write_string(r, 7, &s.unit).expect("w");
        ws.write_number(r, 8, s.qty).expect("w");
        ws.write_number(r, 9, price).expect("w");
        ws.write_number(r, 10, price * s.qty).expect("w");
    }
    wb.save(path).expect("save");
}

fn write_csv(path: &Path, rows: usize, src: &[Row], seed: u64) {
    let mut w = csv::Writer::from_path(path).expect("csv");
    w.write_record([
        "STT",
        "Tên hàng hóa",
        "Ký mã hiệu",
        "Nhãn hiệu",
        "Hãng sản xuất",
        "Xuất xứ",
        "Năm sản xuất",
        "Đơn vị tính",
        "Số lượng",
        "Đơn giá trúng thầu (VNĐ)",
        "Thành tiền (VNĐ)",
    ])
    .expect("w");
    let mut g = Lcg(seed);
    for k in 0..rows {
        let (i, v, factor) = row_at(src, &mut g);
        let s = &src[i];
        let price = (s.price * factor).round();
        w.write_record([
            (k + 1).to_string(),
            format!("{}{v}", s.name),
            s.model.clone(),
            s.brand.clone(),
            s.maker.clone(),
            s.origin.clone(),
            "2026".into(),
            s.unit.clone(),
            s.qty.to_string(),
            price.to_string(),
            (price * s.qty).to_string(),
        ])
        .expect("w");
    }
    w.flush().expect("flush");
}

fn ensure(path: &Path, make: impl FnOnce(&Path)) {
    if !path.exists() {
        let t = Instant::now();
        let tmp = path.with_extension("tmp");
        make(&tmp);
        std::fs::rename(&tmp, path).expect("rename");
        eprintln!(
            "generated {} in {:.1}s",
            path.display(),
            t.elapsed().as_secs_f64()
        );
    }
}

/// The floor: iterate every cell with calamine's streaming reader and do nothing else.
fn calamine_floor(path: &Path) -> u64 {
    let mut wb: Xlsx<_> = open_workbook(path).expect("open");
    let name = wb.sheet_names()[0].clone();
    let mut cells = wb.worksheet_cells_reader(&name).expect("reader");
    let mut n = 0u64;
    while let Ok(Some(c)) = cells.next_cell() {
        std::hint::black_box(&c);
        n += 1;
    }
    n
}

fn csv_floor(path: &Path) -> u64 {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(path)
        .expect("csv");
    let mut rec = csv::StringRecord::new();
    let mut n = 0;
    while r.read_record(&mut rec).expect("read") {
        n += rec.len() as u64;
    }
    n
}

/// Run `hangviet check` once; returns wall time and the child's peak RSS in KiB.
fn run_check(args: &[&str]) -> (Duration, Option<u64>) {
    let t = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_hangviet"))
        .arg("check")
        .args(args)
        .env("HANGVIET_PEAK_RSS", "1")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .and_then(|c| c.wait_with_output())
        .expect("run hangviet");
    let d = t.elapsed();
    let code = out.status.code();
    assert!(
        matches!(code, Some(0) | Some(1)),
        "hangviet check {args:?}: {code:?}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rss = String::from_utf8_lossy(&out.stderr).lines().find_map(|l| {
        l.strip_prefix("peak_rss_kib=")
            .and_then(|v| v.trim().parse().ok())
    });
    (d, rss)
}

fn stats(mut v: Vec<f64>) -> (f64, f64, f64) {
    v.sort_by(|a, b| a.total_cmp(b));
    (v[v.len() / 2], v[0], v[v.len() - 1])
}

fn time_n<T>(n: usize, mut f: impl FnMut() -> T) -> Vec<f64> {
    (0..n)
        .map(|_| {
            let t = Instant::now();
            std::hint::black_box(f());
            t.elapsed().as_secs_f64()
        })
        .collect()
}

fn compare_xlsx(path: &Path, rows: usize, runs: usize) {
    let cells = calamine_floor(path);
    let floor = stats(time_n(runs, || calamine_floor(path)));
    let mut times = Vec::new();
    let mut rss = 0;
    for _ in 0..runs {
        let (d, r) = run_check(&[
            "--format",
            "json",
            "--fail-on",
            "never",
            path.to_str().unwrap(),
        ]);
        times.push(d.as_secs_f64());
        rss = rss.max(r.unwrap_or(0));
    }
    let check = stats(times);
    println!(
        "xlsx {rows:>9} rows ({cells} cells): calamine floor {:.2}s [{:.2}–{:.2}]  check {:.2}s [{:.2}–{:.2}]  ratio {:.2}×  {:.0} rows/s  peak RSS {} MB",
        floor.0, floor.1, floor.2, check.0, check.1, check.2, check.0 / floor.0, rows as f64 / check.0, rss / 1024
    );
}

/// Per-line registry lookup cost with 1k, 10k and 100k synthetic entries: the registry is indexed
/// by head word and HS heading, so the cost should not grow with its size.
fn registry_scaling(src: &[Row]) {
    use hangviet_core::equivalents::data::{EntryRaw, EvidenceRaw};
    use hangviet_core::equivalents::DomesticRegistry;
    const WORDS: [&str; 24] = [
        "ống",
        "dây",
        "bơm",
        "kim",
        "găng",
        "bông",
        "băng",
        "gạc",
        "khẩu",
        "trang",
        "túi",
        "lọ",
        "chai",
        "hộp",
        "bộ",
        "cáp",
        "máy",
        "bàn",
        "ghế",
        "tủ",
        "giường",
        "xe",
        "đèn",
        "bình",
    ];
    // Two synthetic registries per size: "same 24 words" (a bigger registry holds more entries
    // for the same few products, so each line really matches more of them) and "growing
    // vocabulary" (a bigger registry holds more different products: the 24 words plus synthetic
    // ones, 24 per 1,000 entries, so a line's real matches stay about the same).
    for growing in [false, true] {
        let mut g = Lcg(11);
        for n in [1_000usize, 10_000, 100_000] {
            let vocabulary = if growing { 24 * n / 1_000 } else { WORDS.len() };
            let mut reg = DomesticRegistry::lexicon_only().expect("lexicon");
            let entries: Vec<EntryRaw> = (0..n)
                .map(|k| {
                    let mut w = || {
                        let i = (g.next() as usize) % vocabulary;
                        WORDS
                            .get(i)
                            .map_or_else(|| format!("từ{i}"), |w| w.to_string())
                    };
                    EntryRaw {
                        product: format!("{} {} {} loại {k}", w(), w(), w()),
                        hs: format!("{:04}.{:02}", 3000 + (k % 6000), k % 90 + 10),
                        maker: format!("Công ty sản xuất số {k}"),
                        evidence: vec![EvidenceRaw {
                            kind: "award".into(),
                            reference: format!("IB{k:08}"),
                            ..Default::default()
                        }],
                        ..Default::default()
                    }
                })
                .collect();
            reg.add_entries(entries, "bench");
            let names: Vec<&str> = src.iter().map(|r| r.name.as_str()).collect();
            let rounds = 20;
            let t = Instant::now();
            let mut hits = 0usize;
            for _ in 0..rounds {
                for name in &names {
                    hits += reg.search(name, "", 0.8).len();
                }
            }
            let per = t.elapsed().as_secs_f64() / (rounds * names.len()) as f64;
            println!(
                "registry {n:>6} entries ({}): {:.1} µs per line lookup ({} lookups, {hits} matches)",
                if growing { "growing vocabulary" } else { "same 24 words" },
                per * 1e6,
                rounds * names.len()
            );
        }
    }
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo test` probes benches with --list
    }
    let dir = root().join("target/bench-data");
    std::fs::create_dir_all(&dir).expect("dir");
    let src = source_rows();
    let big: usize = std::env::var("HANGVIET_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let runs: usize = std::env::var("HANGVIET_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);
    println!(
        "hangviet bench: {} source rows, {runs} runs each (median [min–max])",
        src.len()
    );

    registry_scaling(&src);
    if std::env::var_os("HANGVIET_BENCH_REGISTRY_ONLY").is_some() {
        return;
    }

    let x100k = dir.join("award_100000.xlsx");
    ensure(&x100k, |p| write_xlsx(p, 100_000, &src, 1));
    compare_xlsx(&x100k, 100_000, runs);
    if big > 100_000 {
        let xbig = dir.join(format!("award_{big}.xlsx"));
        ensure(&xbig, |p| write_xlsx(p, big, &src, 2));
        compare_xlsx(&xbig, big, runs.min(3));
    }

    let c100k = dir.join("award_100000.csv");
    ensure(&c100k, |p| write_csv(p, 100_000, &src, 3));
    let floor = stats(time_n(runs, || csv_floor(&c100k)));
    let check = stats(
        (0..runs)
            .map(|_| {
                run_check(&[
                    "--format",
                    "json",
                    "--fail-on",
                    "never",
                    c100k.to_str().unwrap(),
                ])
                .0
                .as_secs_f64()
            })
            .collect(),
    );
    println!(
        "csv  {:>9} rows: csv-crate floor {:.3}s [{:.3}–{:.3}]  check {:.2}s [{:.2}–{:.2}]  ratio {:.2}×",
        100_000, floor.0, floor.1, floor.2, check.0, check.1, check.2, check.0 / floor.0
    );

    let batch = dir.join("batch_1000");
    if !batch.join("f0999.xlsx").exists() {
        std::fs::create_dir_all(&batch).expect("dir");
        let mut g = Lcg(7);
        for k in 0..1000 {
            let n = 30 + (g.next() as usize) % 171;
            ensure(&batch.join(format!("f{k:04}.xlsx")), |p| {
                write_xlsx(p, n, &src, 100 + k as u64)
            });
        }
    }
    let b = batch.to_str().unwrap();
    let j1 = stats(
        (0..runs)
            .map(|_| {
                run_check(&[
                    "--jobs",
                    "1",
                    "--quiet",
                    "--format",
                    "json",
                    "--fail-on",
                    "never",
                    b,
                ])
                .0
                .as_secs_f64()
            })
            .collect(),
    );
    let j2 = stats(
        (0..runs)
            .map(|_| {
                run_check(&[
                    "--jobs",
                    "2",
                    "--quiet",
                    "--format",
                    "json",
                    "--fail-on",
                    "never",
                    b,
                ])
                .0
                .as_secs_f64()
            })
            .collect(),
    );
    println!(
        "batch 1000 files: --jobs 1 {:.2}s [{:.2}–{:.2}]  --jobs 2 {:.2}s [{:.2}–{:.2}]  speed-up {:.2}×",
        j1.0, j1.1, j1.2, j2.0, j2.1, j2.2, j1.0 / j2.0
    );
}
