//! `hangviet inspect` over the hostile files in tests/fixtures/hostile/ (see make_hostile.py):
//! each ends with exit 2 and one line naming the file and what to do, quickly and in little
//! memory; never a panic (exit 101), never a partial result (the JSON holds the error and no sheets).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

fn hostile() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/hostile")
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(files(&p));
        } else if p.extension().is_some_and(|x| x != "py") {
            out.push(p);
        }
    }
    out.sort();
    out
}

#[test]
fn every_hostile_file_is_refused_in_one_line() {
    let all = files(&hostile());
    assert!(all.len() >= 14, "{} files", all.len());
    for f in &all {
        let start = Instant::now();
        let out = Command::new(env!("CARGO_BIN_EXE_hangviet"))
            .args(["inspect", "--format", "json"])
            .arg(f)
            .output()
            .unwrap();
        let took = start.elapsed();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{}: {stderr}", f.display());
        // JSON output carries the error and no sheets: nothing read half-way.
        let v: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{}: stdout is not JSON: {e}", f.display()));
        assert!(v["error"].is_string(), "{}: {v}", f.display());
        assert_eq!(
            v["sheets"].as_array().map(Vec::len),
            Some(0),
            "{}: {v}",
            f.display()
        );
        let lines: Vec<&str> = stderr.lines().collect();
        assert_eq!(lines.len(), 1, "{}: {stderr}", f.display());
        assert!(
            lines[0].starts_with(&f.display().to_string()),
            "{}",
            lines[0]
        );
        assert!(lines[0].contains("hãy"), "no advice: {}", lines[0]);
        // Refused from the container and the declared sizes, not after building the cells.
        assert!(took < Duration::from_secs(20), "{}: {took:?}", f.display());
    }
}

#[test]
fn check_refuses_the_same_way() {
    let f = hostile().join("zip_bomb.xlsx");
    let out = Command::new(env!("CARGO_BIN_EXE_hangviet"))
        .arg("check")
        .arg(&f)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("zip_bomb.xlsx") && stderr.contains("bom nén"),
        "{stderr}"
    );
}
