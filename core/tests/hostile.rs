//! Hostile and broken spreadsheets (tests/fixtures/hostile/, made by make_hostile.py, and the
//! crash inputs cargo-fuzz found under fuzz/): each is refused with one message that names the
//! file, says what is wrong and what to do, without a panic (not even one caught inside the
//! reader) and without allocating what the file claims.

use hangviet_core::read::{read, Limits};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/hostile")
}

static PANICS: AtomicUsize = AtomicUsize::new(0);

/// Count every panic, including those the reader catches around calamine: the browser build
/// aborts on a panic, so none may happen at all.
fn count_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let prev = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            PANICS.fetch_add(1, Ordering::SeqCst);
            prev(info);
        }));
    });
}

fn refusal(rel: &str) -> String {
    count_panics();
    let bytes = std::fs::read(dir().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
    let before = PANICS.load(Ordering::SeqCst);
    let got = read(&bytes, rel, &Limits::default());
    assert_eq!(
        PANICS.load(Ordering::SeqCst),
        before,
        "{rel}: a panic was caught inside the reader"
    );
    match got {
        Ok(book) => panic!(
            "{rel}: read {} sheets, expected a refusal",
            book.sheets.len()
        ),
        Err(e) => {
            let msg = e.to_string();
            // The file, and the sheet when the fault is in one: `f.xlsx, trang "Sheet1": …`.
            assert!(
                msg.starts_with(&format!("{rel}: "))
                    || msg.starts_with(&format!("{rel}, trang \"")),
                "{msg}"
            );
            assert!(!msg.contains('\n'), "one line: {msg}");
            msg
        }
    }
}

fn has(msg: &str, parts: &[&str]) {
    for p in parts {
        assert!(msg.contains(p), "{p:?} missing in: {msg}");
    }
}

#[test]
fn zip_bomb_is_refused_before_inflating() {
    let m = refusal("zip_bomb.xlsx");
    has(&m, &["xl/worksheets/sheet1.xml", "70 MB", "bom nén", "hãy"]);
}

#[test]
fn shared_string_count_larger_than_its_part_is_refused() {
    let m = refusal("sst_count.xlsx");
    has(&m, &["2000000000 chuỗi", "hãy mở bằng Excel"]);
}

#[test]
fn far_apart_cells_are_refused_before_allocating() {
    let m = refusal("far_cells.xlsx");
    has(
        &m,
        &[
            "trang \"Danh mục\"",
            "1048576 dòng × 16384 cột",
            "XFD1048576",
            "vượt giới hạn 10000000 ô",
            "hãy xoá",
        ],
    );
}

#[test]
fn a_lying_dimension_allocates_nothing_and_reads() {
    count_panics();
    let bytes = std::fs::read(dir().join("lying_dimension.xlsx")).unwrap();
    let book = read(&bytes, "lying_dimension.xlsx", &Limits::default()).unwrap();
    assert_eq!(book.sheets[0].rows.len(), 1);
    assert_eq!(book.sheets[0].rows[0].len(), 2);
}

#[test]
fn a_row_past_the_grid_is_refused() {
    let m = refusal("row_past_grid.xlsx");
    has(&m, &["trang \"Danh mục\"", "dòng 4000000000", "ngoài lưới"]);
}

#[test]
fn a_cell_past_the_text_bound_is_named() {
    let m = refusal("long_cell.xlsx");
    has(
        &m,
        &["trang \"Danh mục\", ô B2", "32767 ký tự", "hãy rút gọn"],
    );
}

#[test]
fn too_many_sheets_are_refused() {
    let m = refusal("many_sheets.xlsx");
    has(&m, &["300 trang tính", "256"]);
}

#[test]
fn merges_count_against_the_cell_bound() {
    let m = refusal("merge_bomb.xlsx");
    has(&m, &["trang \"Danh mục\"", "gộp ô", "B1", "hãy bỏ gộp"]);
}

#[test]
fn ods_repeats_are_counted_before_calamine_expands_them() {
    let m = refusal("ods_repeat.ods");
    has(
        &m,
        &["trang \"Danh mục\"", "lặp lại", "vượt giới hạn", "hãy xoá"],
    );
}

#[test]
fn calamine_dos_ods_is_refused() {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/data/fixtures/calamine/issue_594_dos.ods");
    let Ok(bytes) = std::fs::read(&p) else {
        return; // shared/ lies beside the checkout in CI; bad_input.rs asserts it is there
    };
    count_panics();
    let msg = read(&bytes, "issue_594_dos.ods", &Limits::default())
        .unwrap_err()
        .to_string();
    has(&msg, &["issue_594_dos.ods: ", "vượt giới hạn"]);
}

#[test]
fn xls_dimensions_claim_is_refused() {
    let m = refusal("xls_dimensions.xls");
    has(&m, &["1048576 dòng × 16384 cột", "vượt giới hạn"]);
}

#[test]
fn truncated_xls_is_refused_without_a_panic() {
    let m = refusal("xls_truncated.xls");
    has(&m, &["tệp xls bị hỏng", "hãy mở bằng Excel"]);
}

/// Crash inputs from `cargo fuzz run read_any` (before the guards: calamine panicked on a
/// partial sector or an out-of-range FAT index, or grew memory past 2 GB following a looping
/// sector chain; on an xlsb whose sheet names a relationship id its workbook does not have;
/// on a row numbered past u32 with overflow checks on, which its release build does not have
/// and the tests now build it without: crash-0199b499.xlsx).
#[test]
fn fuzz_crashes_are_refused_cleanly() {
    let mut n = 0;
    for e in std::fs::read_dir(dir().join("fuzz")).unwrap() {
        let name = e.unwrap().file_name().into_string().unwrap();
        let m = refusal(&format!("fuzz/{name}"));
        assert!(m.contains("hãy"), "{m}");
        n += 1;
    }
    assert!(n >= 4);
}

/// The bounds also hold when the caller sets them lower (the browser may).
#[test]
fn smaller_limits_apply_to_every_format() {
    count_panics();
    let limits = Limits {
        max_cells: 20,
        ..Limits::default()
    };
    for f in [
        "purchase_plan.xlsx",
        "purchase_plan.xls",
        "purchase_plan.ods",
        "award_utf8_bom.csv",
    ] {
        let bytes = std::fs::read(dir().join("..").join(f)).unwrap();
        let msg = read(&bytes, f, &limits).unwrap_err().to_string();
        assert!(
            msg.starts_with(&format!("{f}: ")) && msg.contains("20"),
            "{msg}"
        );
    }
}

/// The streaming check refuses every hostile file with the same message whatever the threads
/// (one, or the reader ahead with the merge pre-pass beside it and lines on workers). From
/// `cargo fuzz run check_stream`: a zip whose central directory lies was refused with calamine's
/// wording on threads and the pre-pass's wording without.
#[test]
fn threads_do_not_change_a_refusal() {
    use hangviet_core::engine::{CheckOptions, Engine};
    let e = Engine::embedded().unwrap();
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir())
        .unwrap()
        .chain(std::fs::read_dir(dir().join("fuzz")).unwrap())
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file() && p.extension().is_none_or(|x| x != "py"))
        .collect();
    files.sort();
    assert!(files.len() >= 15, "{}", files.len());
    for p in files {
        let bytes = std::fs::read(&p).unwrap();
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        let run = |threads: usize| {
            let opts = CheckOptions {
                as_of: None,
                today: hangviet_core::rules::date::Date::parse("2026-06-01").unwrap(),
                lang: hangviet_core::rules::cond::Lang::Vi,
                threads,
            };
            let mut n = 0;
            let r = e.check_reader(
                std::io::Cursor::new(&bytes[..]),
                &name,
                String::new(),
                &opts,
                &mut |_| n += 1,
            );
            (r.map_err(|e| e.to_string()), n)
        };
        let one = run(1);
        assert_eq!(one, run(3), "{name}");
    }
}
