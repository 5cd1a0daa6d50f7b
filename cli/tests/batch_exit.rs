//! Batch checking: a folder with a broken file in it, patterns, stable order whatever the
//! number of threads, and the exit-code matrix (0/1/2 × --fail-on × waivers).

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn run_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hangviet"))
        .current_dir(dir)
        .args(args)
        .output()
        .expect("run hangviet")
}

/// A folder with two award files, a broken workbook, a note that is not a spreadsheet and a
/// sub-folder.
fn batch_dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("hangviet-batch-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(d.join("data/sub")).unwrap();
    let fx = root().join("tests/fixtures");
    std::fs::copy(fx.join("award_result.xlsx"), d.join("data/a_award.xlsx")).unwrap();
    std::fs::copy(
        fx.join("check/award_planted.xlsx"),
        d.join("data/sub/c_planted.xlsx"),
    )
    .unwrap();
    std::fs::copy(fx.join("award_utf8_bom.csv"), d.join("data/d_award.csv")).unwrap();
    std::fs::write(
        d.join("data/b_broken.xlsx"),
        b"PK\x03\x04 this is not a workbook",
    )
    .unwrap();
    std::fs::write(d.join("data/readme.md"), "not a spreadsheet").unwrap();
    d
}

fn json(dir: &Path, args: &[&str]) -> (Value, i32) {
    let out = run_in(dir, args);
    let v = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    (v, out.status.code().unwrap_or(-1))
}

#[test]
fn folder_with_a_broken_file() {
    let d = batch_dir("folder");
    let (v, code) = json(&d, &["check", "data", "--format", "json", "--jobs", "3"]);
    assert_eq!(code, 2, "an unreadable input makes the run exit 2");
    let files: Vec<&str> = v["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["file"].as_str().unwrap())
        .collect();
    assert_eq!(
        files,
        [
            "data/a_award.xlsx",
            "data/d_award.csv",
            "data/sub/c_planted.xlsx"
        ]
    );
    let errors = v["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0]["file"], "data/b_broken.xlsx");
    assert!(!errors[0]["message"].as_str().unwrap().is_empty());
    assert_eq!(v["summary"]["files"], 4);
    assert_eq!(v["summary"]["files_with_errors"], 1);

    // Same report, byte for byte, on one thread and on many; and through a pattern.
    let one = run_in(&d, &["check", "data", "--format", "json", "--jobs", "1"]);
    let many = run_in(&d, &["check", "data", "--format", "json", "--jobs", "4"]);
    assert_eq!(one.stdout, many.stdout);
    let (g, code) = json(&d, &["check", "data/*.xlsx", "--format", "json", "-j", "2"]);
    assert_eq!(code, 2);
    assert_eq!(g["inputs"].as_array().unwrap().len(), 1);
    assert_eq!(g["errors"][0]["file"], "data/b_broken.xlsx");
    let (g, _) = json(&d, &["check", "data/*/*.xlsx", "--format", "json"]);
    assert_eq!(g["inputs"][0]["file"], "data/sub/c_planted.xlsx");
    let (g, code) = json(&d, &["check", "data/*.ods", "--format", "json"]);
    assert_eq!(code, 2, "a pattern matching nothing is an error entry");
    assert_eq!(g["errors"][0]["file"], "data/*.ods");

    // Nothing on standard error but the error lines when piped (no progress bar).
    let out = run_in(&d, &["check", "data", "--format", "json"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("b_broken.xlsx"));
}

fn write(d: &Path, name: &str, text: &str) -> String {
    std::fs::write(d.join(name), text).unwrap();
    name.to_string()
}

#[test]
fn exit_code_matrix_with_waivers() {
    let d = batch_dir("exit");
    let file = "data/a_award.xlsx";
    let (v, _) = json(
        &d,
        &["check", file, "--format", "json", "--fail-on", "never"],
    );
    let findings = v["findings"].as_array().unwrap().clone();
    let worst = findings
        .iter()
        .map(|f| f["severity"].as_str().unwrap())
        .collect::<Vec<_>>();
    assert!(
        worst.contains(&"violation"),
        "the fixture has violations: {worst:?}"
    );

    let all = write(
        &d,
        "all.toml",
        "[[waiver]]\nrule = \"*\"\nfile = \"a_award.xlsx\"\nreason = \"Tham vấn thị trường: không có hãng trong nước\"\nby = \"Nguyễn Văn A\"\ndate = \"2026-06-10\"\n",
    );
    let r11 = write(
        &d,
        "r11.csv",
        "rule,file,row,reason,by,date\nVN-R11,a_award.xlsx,21 25 26 28,Đã bổ sung theo E-HSDT,Trần B,2026-06-11\n",
    );
    let levels = ["violation", "warning", "advisory", "info", "never"];
    let sev_rank = |s: &str| levels.iter().position(|l| *l == s).unwrap();
    for level in levels {
        // Without waivers: 1 when any finding is at or above the level.
        let expect = i32::from(
            level != "never"
                && findings
                    .iter()
                    .any(|f| sev_rank(f["severity"].as_str().unwrap()) <= sev_rank(level)),
        );
        let (_, code) = json(&d, &["check", file, "--format", "json", "--fail-on", level]);
        assert_eq!(code, expect, "--fail-on {level}");

        // Everything waived: 0 at every level; the findings stay, marked.
        let (w, code) = json(
            &d,
            &[
                "check",
                file,
                "--format",
                "json",
                "--fail-on",
                level,
                "--waivers",
                &all,
            ],
        );
        assert_eq!(code, 0, "--fail-on {level} with all waived");
        assert_eq!(w["findings"].as_array().unwrap().len(), findings.len());
        assert!(w["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["waived"]["by"] == "Nguyễn Văn A"));
        assert_eq!(w["summary"]["waived"], findings.len());
        assert_eq!(w["data_files"][0]["kind"], "waivers");
        assert_eq!(w["data_files"][0]["sha256"].as_str().unwrap().len(), 64);

        // VN-R11 rows waived: only the others count.
        let left = findings.iter().filter(|f| {
            !(f["rule"] == "VN-R11" && [21, 25, 26, 28].contains(&f["row"].as_u64().unwrap()))
        });
        let expect = i32::from(
            level != "never"
                && left
                    .clone()
                    .any(|f| sev_rank(f["severity"].as_str().unwrap()) <= sev_rank(level)),
        );
        let (_, code) = json(
            &d,
            &[
                "check",
                file,
                "--format",
                "json",
                "--fail-on",
                level,
                "--waivers",
                &r11,
            ],
        );
        assert_eq!(code, expect, "--fail-on {level} with VN-R11 waived");

        // An unreadable input is 2 whatever the level and the waivers.
        let (_, code) = json(
            &d,
            &[
                "check",
                file,
                "data/b_broken.xlsx",
                "--format",
                "json",
                "--fail-on",
                level,
                "--waivers",
                &all,
            ],
        );
        assert_eq!(code, 2);
    }
    // A malformed waiver file is a usage error naming the entry.
    let bad = write(
        &d,
        "bad.toml",
        "[[waiver]]\nrule = \"VN-R6\"\nreason = \"x\"\nby = \"y\"\ndate = \"2026-01-01\"\n",
    );
    let out = run_in(&d, &["check", file, "--waivers", &bad]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("bad.toml: waiver 1"));
    // Text and HTML show the waiver.
    let out = run_in(&d, &["check", file, "--waivers", &all]);
    assert!(String::from_utf8_lossy(&out.stdout)
        .contains("đã chấp nhận ngoại lệ (Nguyễn Văn A, 2026-06-10)"));
}

#[test]
fn campaign_report_by_agency() {
    let d = batch_dir("campaign");
    let (v, code) = json(
        &d,
        &[
            "report", "data", "--by", "agency", "--period", "2026H1", "--format", "json",
        ],
    );
    assert_eq!(code, 2, "the broken file is reported and makes it exit 2");
    assert_eq!(v["kind"], "campaign");
    assert_eq!(v["errors"].as_array().unwrap().len(), 1);
    let rows = v["rows"].as_array().unwrap();
    assert!(!rows.is_empty());
    let sum: f64 = rows
        .iter()
        .map(|r| r["value_total"].as_f64().unwrap())
        .sum();
    assert!((sum - v["total"]["value_total"].as_f64().unwrap()).abs() < 1.0);
    for r in rows {
        assert_eq!(r["period"], "2026H1");
        let share = r["domestic_share_value"].as_f64();
        if let Some(s) = share {
            let expect = r["value_domestic"].as_f64().unwrap() / r["value_total"].as_f64().unwrap();
            assert!((s - expect).abs() < 1e-4);
        }
    }
    // The check and the report agree on the domestic value of a file.
    let (c, _) = json(&d, &["check", "data/a_award.xlsx", "--format", "json"]);
    let (r, code) = json(&d, &["report", "data/a_award.xlsx", "--format", "json"]);
    assert_eq!(code, 0);
    assert_eq!(r["total"]["value_domestic"], c["summary"]["value_domestic"]);
    assert_eq!(r["total"]["value_total"], c["summary"]["value_total"]);
    // A period filter that excludes the files' dates leaves no rows.
    let (r, _) = json(
        &d,
        &[
            "report",
            "data/a_award.xlsx",
            "--period",
            "2025",
            "--format",
            "json",
        ],
    );
    assert!(r["rows"].as_array().unwrap().is_empty());
    assert!(r["files"][0]["lines_outside_period"].as_u64().unwrap() > 0);
    // HTML and xlsx render.
    let out = run_in(&d, &["report", "data/a_award.xlsx", "--format", "html"]);
    let html = String::from_utf8_lossy(&out.stdout);
    assert!(html.contains("<svg") && html.contains("id=\"campaign\""));
    let x = d.join("campaign.xlsx");
    let out = run_in(
        &d,
        &[
            "report",
            "data/a_award.xlsx",
            "--format",
            "xlsx",
            "-o",
            x.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(0));
    use calamine::Reader;
    let mut wb = calamine::open_workbook_auto(&x).unwrap();
    assert_eq!(wb.sheet_names()[0], "Báo cáo");
    assert!(wb.worksheet_range("Báo cáo").unwrap().height() >= 6);
}
