//! Every odd or broken spreadsheet in ../shared/data/fixtures either inspects or exits 2 with one
//! line naming the file and the reason. Never a panic (exit 101), never silence.

use std::path::{Path, PathBuf};
use std::process::Command;

fn shared_fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/data/fixtures")
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let p = entry.unwrap().path();
        if p.is_dir() {
            out.extend(files_under(&p));
        } else {
            out.push(p);
        }
    }
    out.sort();
    out
}

#[test]
fn every_shared_fixture_inspects_or_fails_cleanly() {
    let dir = shared_fixtures();
    assert!(
        dir.is_dir(),
        "{} is missing: CI lays shared/ beside the checkout",
        dir.display()
    );
    let files = files_under(&dir);
    assert!(
        files.len() >= 100,
        "expected the 101 shared fixtures, found {}",
        files.len()
    );
    let (mut ok, mut refused) = (0, 0);
    for f in &files {
        let out = Command::new(env!("CARGO_BIN_EXE_hangviet"))
            .args(["inspect", "--format", "json"])
            .arg(f)
            .output()
            .unwrap();
        let code = out.status.code();
        let stderr = String::from_utf8_lossy(&out.stderr);
        match code {
            Some(0) => {
                ok += 1;
                let v: serde_json::Value = serde_json::from_slice(&out.stdout)
                    .unwrap_or_else(|e| panic!("{}: JSON output does not parse: {e}", f.display()));
                assert!(
                    v["sheets"].as_array().is_some_and(|s| !s.is_empty()),
                    "{}",
                    f.display()
                );
            }
            Some(2) => {
                refused += 1;
                let lines: Vec<&str> = stderr.lines().collect();
                assert_eq!(
                    lines.len(),
                    1,
                    "{}: expected one error line, got {stderr:?}",
                    f.display()
                );
                assert!(
                    lines[0].starts_with(&f.display().to_string()),
                    "{}: the error line must name the file: {}",
                    f.display(),
                    lines[0]
                );
                assert!(
                    lines[0].len() > f.display().to_string().len() + 10,
                    "{}: no reason given",
                    f.display()
                );
            }
            other => panic!("{}: exit {other:?}, stderr {stderr}", f.display()),
        }
    }
    eprintln!("{ok} inspected, {refused} refused with a reason");
    assert!(ok > 0 && refused > 0);
}

#[test]
fn a_batch_reports_the_bad_file_and_goes_on() {
    let dir = shared_fixtures();
    let bad = dir.join("calamine/pass_protected.xlsx");
    let good = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/award_utf8_bom.csv");
    let out = Command::new(env!("CARGO_BIN_EXE_hangviet"))
        .args(["inspect", "--format", "json"])
        .arg(&bad)
        .arg(&good)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("pass_protected.xlsx") && stderr.contains("mật khẩu"),
        "{stderr}"
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let arr = v.as_array().unwrap();
    assert_eq!(arr.len(), 2);
    assert!(arr[0]["error"].is_string());
    assert!(arr[1]["sheets"][0]["line_count"].as_u64().unwrap() > 0);
}
