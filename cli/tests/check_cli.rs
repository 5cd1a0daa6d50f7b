//! End-to-end: `hangviet check` and `hangviet rules` on fixture files, through the built binary.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hangviet"))
        .current_dir(root())
        .args(args)
        .output()
        .expect("run hangviet")
}

fn json(args: &[&str]) -> (Value, i32) {
    let out = run(args);
    let v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
    (v, out.status.code().unwrap_or(-1))
}

/// (row, rule, cells) of every finding, in report order.
fn found(v: &Value) -> Vec<(u64, String, Vec<String>)> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let cells = f["cells"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c.as_str().unwrap().to_string())
                .collect();
            (
                f["row"].as_u64().unwrap(),
                f["rule"].as_str().unwrap().to_string(),
                cells,
            )
        })
        .collect()
}

fn f(row: u64, rule: &str, cells: &[&str]) -> (u64, String, Vec<String>) {
    (
        row,
        rule.to_string(),
        cells.iter().map(|c| c.to_string()).collect(),
    )
}

#[test]
fn award_with_planted_problems() {
    let (v, code) = json(&[
        "check",
        "tests/fixtures/check/award_planted.xlsx",
        "--as-of",
        "2026-03-01",
        "--format",
        "json",
    ]);
    assert_eq!(code, 1, "violations present");
    assert_eq!(
        found(&v),
        [
            // Laptops are in the official TT 04/2012 catalogue of goods made in Viet Nam.
            f(7, "VN-R7", &["F7"]),
            f(7, "VN-R11", &["E7"]),
            f(8, "VN-R11", &["C8"]),
            f(9, "VN-R12", &["F9"]),
            f(10, "VN-R11", &["F10"]),
            f(11, "VN-R15", &["H11", "I11", "J11"]),
            f(12, "VN-R13", &["K12"]),
            f(13, "VN-R13", &["K13"]),
        ]
    );
    let first = &v["findings"][1];
    assert_eq!(
        first["message"],
        "Dòng trúng thầu thiếu hãng sản xuất (ô E7 trống). Mẫu 10B yêu cầu ghi rõ ký mã hiệu, nhãn hiệu, xuất xứ, hãng sản xuất; hồ sơ dự thầu thiếu các thông tin này thì không được xem xét, đánh giá. Đề nghị đối chiếu E-HSDT của nhà thầu trúng thầu và bổ sung."
    );
    assert_eq!(first["severity"], "violation");
    assert_eq!(
        first["citation"],
        "Thông tư 79/2025/TT-BTC, Mẫu số 4A: E-CDNT mục 15.7, 15.8; ghi chú Mẫu số 10B"
    );
    assert_eq!(first["item"], "Máy tính xách tay");
    assert_eq!(first["sheet"], "Giá trúng thầu");
    assert_eq!(first["file"], "tests/fixtures/check/award_planted.xlsx");
    assert_eq!(
        v["findings"][3]["values"]["origin_normalized"]["countries"],
        serde_json::json!(["TH", "MY"])
    );
    let s = &v["summary"];
    assert_eq!(s["lines"], 8);
    assert_eq!(s["lines_skipped"], 0);
    assert_eq!(s["value_total"], 93_800_000.0);
    assert_eq!(s["value_domestic"], 21_500_000.0);
    assert_eq!(s["domestic_share_value"], 0.2292);
    assert_eq!(s["domestic_share_lines"], 0.5);
    assert_eq!(
        s["by_rule"],
        serde_json::json!({"VN-R11": 3, "VN-R12": 1, "VN-R13": 2, "VN-R15": 1, "VN-R7": 1})
    );
    assert_eq!(
        s["by_severity"],
        serde_json::json!({"violation": 3, "warning": 1, "advisory": 0, "info": 4})
    );
    assert_eq!(v["as_of"], "2026-03-01");
    assert_eq!(v["inputs"][0]["as_of_source"], "option");
    assert_eq!(v["inputs"][0]["sha256"].as_str().unwrap().len(), 64);
    assert_eq!(v["tool"]["name"], "hangviet");
    assert_eq!(v["pack"]["id"], "vn");
    assert_eq!(v["errors"], serde_json::json!([]));
}

#[test]
fn requirement_list_brand_and_origin() {
    // The HSMT issue date (02/04/2026) in the file picks the law: ND 214 in force.
    let (v, code) = json(&[
        "check",
        "tests/fixtures/requirements_hsmt.xlsx",
        "--format",
        "json",
    ]);
    assert_eq!(code, 1);
    assert_eq!(v["inputs"][0]["as_of"], "2026-04-02");
    assert_eq!(v["inputs"][0]["as_of_source"], "hsmt_date");
    assert_eq!(
        found(&v),
        [
            f(15, "VN-R2", &["B15"]),
            f(15, "VN-R3", &["D15"]),
            f(16, "VN-R1", &["D16", "C16"]),
            f(18, "VN-R1", &["D18"]),
            f(19, "VN-R3", &["D19"]),
            f(21, "VN-R1", &["C21"]),
        ]
    );
    let r1 = &v["findings"][3];
    assert!(r1["message"].as_str().unwrap().starts_with(
        "Hồ sơ mời thầu yêu cầu xuất xứ cụ thể “Nhật Bản” (ô D18). Hồ sơ mời thầu gói hàng hóa theo hình thức đấu thầu rộng rãi không được nêu nhãn hiệu, xuất xứ cụ thể"
    ), "{}", r1["message"]);
    assert_eq!(
        r1["citation"],
        "Luật Đấu thầu số 22/2023/QH15, điểm i khoản 6 Điều 16; khoản 2, 3 Điều 44 (sửa đổi bởi Luật số 90/2025/QH15); Nghị định 214/2025/NĐ-CP, điểm a, c khoản 9 Điều 26; Thông tư 79/2025/TT-BTC, Mẫu số 4A, Chương V"
    );
    // Early 2025: ND 214 not yet in force; VN-R1 under the original Luật 22/2023 wording only.
    let (v, _) = json(&[
        "check",
        "tests/fixtures/requirements_hsmt.xlsx",
        "--format",
        "json",
        "--as-of",
        "2025-03-01",
    ]);
    let rules: Vec<_> = found(&v).into_iter().map(|(r, c, _)| (r, c)).collect();
    assert_eq!(
        rules,
        [
            (16, "VN-R1".to_string()),
            (18, "VN-R1".into()),
            (21, "VN-R1".into())
        ]
    );
    assert_eq!(
        v["findings"][0]["citation"],
        "Luật Đấu thầu số 22/2023/QH15, điểm i khoản 6 Điều 16; khoản 2, 3, 4 Điều 44 (văn bản gốc, trước khi sửa đổi bởi Luật số 90/2025/QH15)"
    );
    // JSON in English: the citation is the English text, still one string.
    let (v, _) = json(&[
        "check",
        "tests/fixtures/requirements_hsmt.xlsx",
        "--format",
        "json",
        "--lang",
        "en",
    ]);
    let r1 = &v["findings"][3];
    assert_eq!(
        r1["citation"],
        "Law on Bidding 22/2023/QH15, Art. 16(6)(i); Art. 44(2), (3) (as amended by Law 90/2025/QH15); Decree 214/2025/ND-CP, Art. 26(9)(a), (c); Circular 79/2025/TT-BTC, Form 4A, Chapter V"
    );
    assert!(
        r1["message"]
            .as_str()
            .unwrap()
            .starts_with("The bidding documents require a specific origin “Nhật Bản” (cell D18)."),
        "{}",
        r1["message"]
    );
    let r3 = &v["findings"][1];
    assert_eq!(
        (r3["rule"].as_str(), r3["severity"].as_str()),
        (Some("VN-R3"), Some("warning"))
    );
}

#[test]
fn preference_form_domestic_share() {
    let (v, code) = json(&[
        "check",
        "tests/fixtures/check/preference_planted.xlsx",
        "--as-of",
        "2026-03-01",
        "--format",
        "json",
    ]);
    assert_eq!(code, 1);
    assert_eq!(
        found(&v),
        [
            f(7, "VN-R8", &["I7", "D7", "E7", "F7", "G7", "H7"]),
            f(8, "VN-R8", &["I8", "C8"]),
            f(9, "VN-R8", &["I9", "D9", "E9", "F9", "G9", "H9"]),
        ]
    );
    let m = |i: usize| v["findings"][i]["message"].as_str().unwrap().to_string();
    assert!(m(0).contains("D = 25% < 30%"), "{}", m(0));
    assert!(
        m(1).contains("xuất xứ là “Trung Quốc” (ô C8), không phải Việt Nam"),
        "{}",
        m(1)
    );
    assert!(
        m(2).contains("D kê khai 75% khác D tính lại 50%"),
        "{}",
        m(2)
    );
    assert_eq!(
        v["findings"][0]["citation"],
        "Nghị định 214/2025/NĐ-CP, điểm b khoản 5 Điều 6; Thông tư 79/2025/TT-BTC, Mẫu số 4A: E-CDNT mục 28.1 điểm d, mục 28.3; Mẫu số 15A, 15B, 15C"
    );
    // The shared 15A fixture declares consistent shares: nothing to report.
    let (v, code) = json(&[
        "check",
        "tests/fixtures/preference_15a.xlsx",
        "--as-of",
        "2026-03-01",
        "--format",
        "json",
    ]);
    assert_eq!((found(&v).len(), code), (0, 0));
}

#[test]
fn egp_award_export_is_deterministic() {
    let args = ["check", "tests/fixtures/award_egp.xlsx", "--format", "json"];
    let a = run(&args);
    let b = run(&args);
    assert_eq!(a.stdout, b.stdout);
    let v: Value = serde_json::from_slice(&a.stdout).unwrap();
    // The per-line decision dates decide the law (2026: ND 214).
    assert_eq!(v["inputs"][0]["as_of"], "2026-05-28");
    assert_eq!(v["summary"]["lines"], 351);
    assert_eq!(
        v["summary"]["by_rule"],
        serde_json::json!({"VN-R11": 56, "VN-R12": 13, "VN-R6": 2, "VN-R7": 4})
    );
    // Findings in row order, then rule code.
    let rows: Vec<(u64, String)> = found(&v).into_iter().map(|(r, c, _)| (r, c)).collect();
    let mut sorted = rows.clone();
    sorted.sort_by_key(|(r, c)| (*r, c[4..].parse::<u32>().unwrap_or(0)));
    assert_eq!(rows, sorted);
}

#[test]
fn unreadable_file_is_an_error_entry_and_others_are_checked() {
    let (v, code) = json(&[
        "check",
        "tests/fixtures/check/no_such_file.xlsx",
        "tests/fixtures/check/award_planted.xlsx",
        "--format",
        "json",
        "--as-of",
        "2026-03-01",
        "--fail-on",
        "never",
    ]);
    assert_eq!(code, 2);
    assert_eq!(
        v["errors"][0]["file"],
        "tests/fixtures/check/no_such_file.xlsx"
    );
    assert_eq!(v["inputs"].as_array().unwrap().len(), 1);
    assert_eq!(v["summary"]["files"], 2);
    assert_eq!(v["summary"]["files_with_errors"], 1);
}

#[test]
fn fail_on_levels() {
    let code = |fail: &str, file: &str| {
        run(&["check", file, "--as-of", "2026-03-01", "--fail-on", fail])
            .status
            .code()
            .unwrap()
    };
    let award = "tests/fixtures/check/award_planted.xlsx";
    assert_eq!(code("violation", award), 1);
    assert_eq!(code("never", award), 0);
    // The shared purchase plan has only info/warning findings at most.
    let out = run(&[
        "check",
        "tests/fixtures/purchase_plan.xlsx",
        "--format",
        "json",
        "--fail-on",
        "never",
    ]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["summary"]["by_severity"]["violation"], 0);
    assert_eq!(code("violation", "tests/fixtures/purchase_plan.xlsx"), 0);
    assert_eq!(code("info", "tests/fixtures/purchase_plan.xlsx"), 1);
    assert_eq!(
        run(&["check", award, "--as-of", "03/2026"]).status.code(),
        Some(2)
    );
    assert_eq!(
        run(&["check", award, "--fail-on", "high"]).status.code(),
        Some(2)
    );
}

#[test]
fn text_report_in_both_languages() {
    let out = run(&[
        "check",
        "tests/fixtures/check/award_planted.xlsx",
        "--as-of",
        "2026-03-01",
    ]);
    let t = String::from_utf8(out.stdout).unwrap();
    assert!(t.contains("không phải kết luận pháp lý"), "{t}");
    assert!(t.contains("VI PHẠM (3)"), "{t}");
    assert!(
        t.contains("[VN-R11] Trang “Giá trúng thầu”, dòng 7, ô E7 — Máy tính xách tay"),
        "{t}"
    );
    assert!(
        t.contains(
            "Căn cứ: Thông tư 79/2025/TT-BTC, Mẫu số 4A: E-CDNT mục 15.7, 15.8; ghi chú Mẫu số 10B"
        ),
        "{t}"
    );
    assert!(
        t.contains("Tỷ lệ hàng xuất xứ Việt Nam: 22,9% theo giá trị"),
        "{t}"
    );
    let out = run(&[
        "check",
        "tests/fixtures/check/award_planted.xlsx",
        "--as-of",
        "2026-03-01",
        "--lang",
        "en",
    ]);
    let t = String::from_utf8(out.stdout).unwrap();
    assert!(t.contains("not a legal ruling"), "{t}");
    assert!(
        t.contains("Award line: no manufacturer (cell E7 blank)."),
        "{t}"
    );
    // The citation follows --lang too.
    assert!(
        t.contains(
            "Basis: Circular 79/2025/TT-BTC, Form 4A: E-CDNT clauses 15.7, 15.8; notes to Form 10B"
        ),
        "{t}"
    );
}

#[test]
fn rules_test_passes_on_the_vn_pack() {
    let out = run(&["rules", "test"]);
    let t = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{t}");
    assert!(t.contains(", 0 failed"), "{t}");
    assert!(!t.contains("FAIL"), "{t}");
    let out = run(&["rules", "test", "rules/vn"]);
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn rules_list_and_show() {
    let out = run(&["rules", "list"]);
    let t = String::from_utf8(out.stdout).unwrap();
    for code in ["VN-R1 ", "VN-R8 ", "VN-R11 ", "VN-R16 "] {
        assert!(t.contains(code), "{code} missing in {t}");
    }
    let out = run(&["rules", "show", "vn-r1"]);
    let t = String::from_utf8(out.stdout).unwrap();
    assert!(
        t.contains(
            "[… → 2025-07-01)  Luật Đấu thầu số 22/2023/QH15, điểm i khoản 6 Điều 16; khoản 2, 3, 4 Điều 44 (văn bản gốc"
        ),
        "{t}"
    );
    assert!(t.contains("[2025-08-04 → …)"), "{t}");
    assert!(t.contains("origin column requires Japan"), "{t}");
    assert_eq!(run(&["rules", "show", "VN-R99"]).status.code(), Some(2));
}

fn broken_pack(name: &str, rule_text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hangviet-broken-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("pack.toml"),
        "id = \"x\"\nversion = \"1\"\nfiles = [\"r.toml\"]\n",
    )
    .unwrap();
    std::fs::write(dir.join("r.toml"), rule_text).unwrap();
    dir
}

#[test]
fn broken_pack_fails_with_file_line_column() {
    let dir = broken_pack(
        "field",
        "[[rule]]\ncode = \"X-1\"\nname = { vi = \"a\", en = \"a\" }\nseverity = \"info\"\nkinds = [\"award\"]\ncitation = \"c\"\nmessage = { vi = \"m\", en = \"m\" }\nwhen = { field = \"hang_sx\", empty = true }\n",
    );
    let d = dir.display().to_string();
    let out = run(&["rules", "test", &d]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains(&format!(
            "{d}/r.toml:8:18: unknown field `hang_sx`; expected one of"
        )),
        "{err}"
    );
    // The same pack given to check is a usage error before any file is read.
    let out = run(&[
        "check",
        "--rules",
        &d,
        "tests/fixtures/check/award_planted.xlsx",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let syntax = broken_pack("syntax", "[[rule]\ncode = \"X-1\"\n");
    let out = run(&["rules", "test", &syntax.display().to_string()]);
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("/r.toml:1:"), "{err}");
    let _ = std::fs::remove_dir_all(dir);
    let _ = std::fs::remove_dir_all(syntax);
}

#[test]
fn extra_pack_adds_rules() {
    let dir = broken_pack(
        "extra",
        "[[rule]]\ncode = \"X-1\"\nname = { vi = \"Thiếu năm sản xuất\", en = \"No year\" }\nseverity = \"info\"\nkinds = [\"award\"]\ncitation = \"nội bộ\"\nmessage = { vi = \"thiếu năm sản xuất\", en = \"no year\" }\nwhen = { field = \"name\", phrase = [\"giấy a4\"] }\n[[rule.example]]\nfires = true\nline = { name = \"Giấy A4\" }\n[[rule.example]]\nfires = false\nline = { name = \"Bút bi\" }\n",
    );
    let d = dir.display().to_string();
    let (v, _) = json(&[
        "check",
        "--rules",
        &d,
        "tests/fixtures/check/award_planted.xlsx",
        "--as-of",
        "2026-03-01",
        "--format",
        "json",
    ]);
    assert_eq!(v["packs"].as_array().unwrap().len(), 2);
    assert_eq!(v["summary"]["by_rule"]["X-1"], 1);
    let _ = std::fs::remove_dir_all(dir);
}
