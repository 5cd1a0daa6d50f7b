//! The agency-style fixtures in tests/fixtures/ against the ground truth their generator wrote
//! (tests/fixtures/expected/*.json): every line found at its row, no total/section row taken as a
//! line, numbers parsed, unreadable numbers kept raw and reported, package facts read.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use unicode_normalization::UnicodeNormalization;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures")
}

fn inspect(file: &Path) -> (Option<i32>, Value, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_hangviet"))
        .args(["inspect", "--format", "json", "--lines"])
        .arg(file)
        .output()
        .unwrap();
    let v = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (
        out.status.code(),
        v,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Text as a person reads it: NFC (the reader composes decomposed marks) and trimmed.
fn same_text(a: &str, b: &str) -> bool {
    a.trim().nfc().eq(b.trim().nfc())
}

fn num_eq(a: &Value, b: &Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => (x - y).abs() <= 1e-6 * x.abs().max(1.0),
        _ => a.is_null() && b.is_null(),
    }
}

fn check_sheet(file: &str, exp: &Value, got: &Value, errors: &mut Vec<String>) {
    let name = exp["name"].as_str().unwrap_or("");
    let mut err = |m: String| errors.push(format!("{file} [{name}]: {m}"));
    if exp["kind"] != got["kind"] {
        err(format!("kind {} != expected {}", got["kind"], exp["kind"]));
    }
    if let Some(rows) = exp.get("header_rows").filter(|r| !r.is_null()) {
        if rows != &got["header_rows"] {
            err(format!(
                "header_rows {} != expected {rows}",
                got["header_rows"]
            ));
        }
    }
    let cols = got["columns"].as_array().cloned().unwrap_or_default();
    if let Some(map) = exp["columns"].as_object() {
        for (field, letter) in map {
            let found = cols.iter().find(|c| c["field"] == field.as_str());
            match found {
                Some(c) if &c["column"] == letter => {}
                Some(c) => err(format!(
                    "field {field} in column {} (expected {letter})",
                    c["column"]
                )),
                None => err(format!(
                    "field {field} not mapped (expected column {letter})"
                )),
            }
        }
    }
    if let Some(extra) = exp["extra_headers"].as_array() {
        let unmapped = got["unmapped"].as_array().cloned().unwrap_or_default();
        for h in extra {
            if !unmapped.iter().any(|u| u["header"] == *h) {
                err(format!("extra header {h} not kept as unmapped"));
            }
        }
    }
    let lines = got["lines"].as_array().cloned().unwrap_or_default();
    if let Some(exp_lines) = exp["lines"].as_array() {
        let got_rows: Vec<u64> = lines.iter().filter_map(|l| l["row"].as_u64()).collect();
        let exp_rows: Vec<u64> = exp_lines.iter().filter_map(|l| l["row"].as_u64()).collect();
        if got_rows != exp_rows {
            let missing: Vec<_> = exp_rows
                .iter()
                .filter(|r| !got_rows.contains(r))
                .take(10)
                .collect();
            let extra: Vec<_> = got_rows
                .iter()
                .filter(|r| !exp_rows.contains(r))
                .take(10)
                .collect();
            err(format!(
                "line rows differ: {} found vs {} expected; missing {missing:?}, extra {extra:?}",
                got_rows.len(),
                exp_rows.len()
            ));
        }
        for el in exp_lines {
            let Some(gl) = lines.iter().find(|l| l["row"] == el["row"]) else {
                continue;
            };
            for (k, ev) in el.as_object().into_iter().flatten() {
                if k == "row" || k == "extra" {
                    continue;
                }
                if k == "section" {
                    // The ground truth holds the name-column text of the section row.
                    let ok = match (ev.as_str(), gl["section"].as_str()) {
                        (Some(e), Some(g)) => g
                            .nfc()
                            .collect::<String>()
                            .contains(&e.nfc().collect::<String>()),
                        (None, g) => g.is_none(),
                        _ => false,
                    };
                    if !ok {
                        err(format!(
                            "row {}: section {} (expected {ev})",
                            el["row"], gl["section"]
                        ));
                    }
                    continue;
                }
                let gf = &gl["fields"][k];
                let ok = match ev {
                    Value::String(s) => gf["raw"].as_str().is_some_and(|g| same_text(g, s)),
                    Value::Number(_) => num_eq(&gf["value"], ev),
                    Value::Null => gf.is_null() || gf["value"].is_null(),
                    _ => true,
                };
                if !ok {
                    err(format!("row {}: {k} = {gf} (expected {ev})", el["row"]));
                }
            }
        }
    }
    let skipped = got["skipped"].as_array().cloned().unwrap_or_default();
    let ended_at = skipped
        .iter()
        .find(|g| g["kind"] == "signature")
        .and_then(|g| g["row"].as_u64());
    for s in exp["skipped_rows"].as_array().into_iter().flatten() {
        let after_end = ended_at.is_some_and(|e| s["row"].as_u64().is_some_and(|r| r > e));
        if lines.iter().any(|l| l["row"] == s["row"]) {
            err(format!(
                "row {} taken as a line (expected {})",
                s["row"], s["why"]
            ));
            continue;
        }
        match skipped.iter().find(|g| g["row"] == s["row"]) {
            Some(g) if g["kind"] == s["why"] => {}
            // A note under the table ("Ghi chú: …") may be what the generator calls the signature block.
            Some(g) if g["kind"] == "note" && s["why"] == "signature" => {}
            // Rows after the signature block are not read at all.
            None if after_end => {}
            Some(g) => err(format!(
                "row {} skipped as {} (expected {})",
                s["row"], g["kind"], s["why"]
            )),
            None => err(format!(
                "row {} not skipped (expected {})",
                s["row"], s["why"]
            )),
        }
    }
    for u in exp["unreadable_numbers"].as_array().into_iter().flatten() {
        let Some(gl) = lines.iter().find(|l| l["row"] == u["row"]) else {
            err(format!("row {} with unreadable number not found", u["row"]));
            continue;
        };
        let f = &gl["fields"][u["field"].as_str().unwrap_or("")];
        if !(f["value"].is_null()
            && f["error"].is_string()
            && f["raw"].as_str().map(str::trim) == u["raw"].as_str())
        {
            err(format!(
                "row {}: unreadable {} not kept raw and reported: {f}",
                u["row"], u["field"]
            ));
        }
    }
    if let Some(pkg) = exp["package"].as_object() {
        for (k, v) in pkg {
            let g = &got["package"][k];
            let ok = if v.is_number() { num_eq(g, v) } else { g == v };
            if !ok {
                err(format!("package.{k} = {g} (expected {v})"));
            }
        }
    }
}

#[test]
fn agency_fixtures_match_their_ground_truth() {
    let dir = fixtures().join("expected");
    let mut expected: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    expected.sort();
    assert!(
        expected.len() >= 10,
        "expected at least 10 fixtures with ground truth, found {}",
        expected.len()
    );
    let mut errors = Vec::new();
    for e in &expected {
        let exp: Value = serde_json::from_str(&std::fs::read_to_string(e).unwrap()).unwrap();
        let file = exp["file"].as_str().unwrap();
        let (code, got, stderr) = inspect(&fixtures().join(file));
        if exp["error"].as_bool() == Some(true) {
            if code != Some(2) || stderr.lines().count() != 1 || !stderr.contains(file) {
                errors.push(format!(
                    "{file}: expected exit 2 with one line naming it, got {code:?} {stderr}"
                ));
            }
            continue;
        }
        if let Some(enc) = exp["legacy_encoding"].as_str() {
            // Legacy font text must at least be detected and named.
            let named = stderr.to_lowercase().contains(&enc.to_lowercase())
                || got.to_string().to_lowercase().contains(&enc.to_lowercase());
            if !named {
                errors.push(format!(
                    "{file}: legacy encoding {enc} not reported: {code:?} {stderr}"
                ));
            }
            continue;
        }
        if code != Some(0) {
            errors.push(format!("{file}: exit {code:?}: {stderr}"));
            continue;
        }
        for es in exp["sheets"].as_array().into_iter().flatten() {
            // Text files have one sheet, which the ground truth leaves unnamed.
            let gs = got["sheets"]
                .as_array()
                .and_then(|a| match es["name"].is_null() {
                    true => a.first(),
                    false => a.iter().find(|s| s["name"] == es["name"]),
                });
            match gs {
                Some(gs) => check_sheet(file, es, gs, &mut errors),
                None => errors.push(format!("{file}: sheet {} not found", es["name"])),
            }
        }
    }
    assert!(
        errors.is_empty(),
        "{} mismatches:\n{}",
        errors.len(),
        errors.join("\n")
    );
}
