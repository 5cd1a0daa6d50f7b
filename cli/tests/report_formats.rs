//! End-to-end: every `check` output format on fixture files, read back the way a user's tools
//! would (JSON against the schema, CSV parsed, the workbook through calamine and LibreOffice,
//! the HTML parsed as markup), and the template read back by `inspect`.

use calamine::{open_workbook_auto, Data, Reader};
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

const FILES: [&str; 2] = [
    "tests/fixtures/award_result.xlsx",
    "tests/fixtures/check/award_planted.xlsx",
];

fn json_report() -> Value {
    let out = run(&["check", FILES[0], FILES[1], "--format", "json"]);
    serde_json::from_slice(&out.stdout).expect("json")
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("hangviet-report-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d.join(name)
}

#[test]
fn json_matches_the_schema_and_schema_command() {
    let schema_text = std::fs::read_to_string(root().join("schema/report.schema.json")).unwrap();
    let out = run(&["schema"]);
    assert_eq!(String::from_utf8(out.stdout).unwrap(), schema_text);
    let schema: Value = serde_json::from_str(&schema_text).unwrap();
    let v = jsonschema::validator_for(&schema).expect("valid schema");
    let report = json_report();
    let errors: Vec<String> = v.iter_errors(&report).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}");
    assert!(!report["findings"].as_array().unwrap().is_empty());
    // A broken report is refused: the schema is not a rubber stamp.
    let mut bad = report.clone();
    bad["findings"][0]["severity"] = Value::from("critical");
    assert!(!v.is_valid(&bad));
    let mut bad = report;
    bad["summary"]
        .as_object_mut()
        .unwrap()
        .remove("value_total");
    assert!(!v.is_valid(&bad));
}

/// RFC 4180 records (quoted fields, doubled quotes, CRLF).
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = vec![];
    let mut row = vec![];
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => row.push(std::mem::take(&mut field)),
            ('\r', false) => {}
            ('\n', false) => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (c, _) => field.push(c),
        }
    }
    rows
}

#[test]
fn csv_has_bom_and_one_finding_per_line() {
    let report = json_report();
    let out = run(&["check", FILES[0], FILES[1], "--format", "csv"]);
    assert!(
        out.stdout.starts_with(b"\xEF\xBB\xBF"),
        "UTF-8 BOM for Excel"
    );
    let text = String::from_utf8(out.stdout[3..].to_vec()).unwrap();
    let rows = parse_csv(&text);
    assert_eq!(rows[0][0], "Tệp");
    assert_eq!(rows[0][8], "Nội dung phát hiện");
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(rows.len() - 1, findings.len());
    for (r, f) in rows[1..].iter().zip(findings) {
        assert_eq!(r.len(), 15);
        assert_eq!(r[0], f["file"].as_str().unwrap());
        assert_eq!(r[2], f["row"].to_string());
        assert_eq!(r[4], f["rule"].as_str().unwrap());
        assert_eq!(r[8], f["message"].as_str().unwrap());
    }
    let en = run(&["check", FILES[0], "--format", "csv", "--lang", "en"]);
    assert!(String::from_utf8_lossy(&en.stdout).contains("File,Sheet,Row,Cells,Rule,Severity"));
}

/// Checks that the markup is balanced (every element closed in order) and returns the start
/// tags with their attribute text.
fn parse_markup(html: &str) -> Vec<(String, String)> {
    let mut stack: Vec<String> = vec![];
    let mut tags = vec![];
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        rest = &rest[i..];
        if rest.starts_with("<![CDATA[") {
            let end = rest.find("]]>").expect("CDATA closed");
            rest = &rest[end + 3..];
            continue;
        }
        let end = rest.find('>').expect("tag closed");
        let tag = &rest[1..end];
        rest = &rest[end + 1..];
        if tag.starts_with('!') {
            continue;
        }
        if let Some(name) = tag.strip_prefix('/') {
            assert_eq!(
                stack.pop().as_deref(),
                Some(name.trim()),
                "unbalanced </{name}>"
            );
            continue;
        }
        let (name, attrs) = tag
            .split_once(' ')
            .unwrap_or((tag.trim_end_matches('/'), ""));
        tags.push((name.to_string(), attrs.to_string()));
        if !tag.ends_with('/') {
            stack.push(name.to_string());
        }
    }
    assert!(stack.is_empty(), "unclosed: {stack:?}");
    tags
}

#[test]
fn html_is_self_contained_and_counts_match() {
    let report = json_report();
    let out = run(&["check", FILES[0], FILES[1], "--format", "html"]);
    let html = String::from_utf8(out.stdout).unwrap();
    assert!(html.contains("lang=\"vi\""));
    assert!(html.contains("không phải kết luận pháp lý"));
    for external in ["src=\"http", "href=\"http", "<link", "@import"] {
        assert!(!html.contains(external), "external asset: {external}");
    }
    let tags = parse_markup(&html);
    let finding_rows = tags
        .iter()
        .filter(|(n, a)| n == "tr" && a.contains("class=\"finding "))
        .count();
    assert_eq!(finding_rows, report["findings"].as_array().unwrap().len());
    let sections = tags
        .iter()
        .filter(|(n, a)| n == "section" && a.contains("class=\"file\""))
        .count();
    assert_eq!(sections, 2);
    // The total row's violation count is the report's.
    let total = html.split("<tr class=\"total\">").nth(1).unwrap();
    let v = report["summary"]["by_severity"]["violation"]
        .as_u64()
        .unwrap();
    assert!(
        total.contains(&format!("data-count=\"violation\">{v}<")),
        "{total}"
    );
    let en = run(&["check", FILES[0], "--format", "html", "--lang", "en"]);
    assert!(String::from_utf8_lossy(&en.stdout).contains("not a legal ruling"));
}

fn cell_text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Float(f) => hangviet_core::read::format_number(*f),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.into(),
        other => other.to_string(),
    }
}

#[test]
fn annotated_workbook_round_trips_and_opens_in_libreoffice() {
    let report = json_report();
    let out_path = tmp("annotated.xlsx");
    let before = std::fs::read(root().join(FILES[0])).unwrap();
    let out = run(&[
        "check",
        FILES[0],
        FILES[1],
        "--format",
        "xlsx",
        "--output",
        out_path.to_str().unwrap(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        std::fs::read(root().join(FILES[0])).unwrap(),
        before,
        "input untouched"
    );
    let mut wb = open_workbook_auto(&out_path).expect("calamine opens it");
    let names = wb.sheet_names();
    assert_eq!(
        &names[..2],
        &["Tổng hợp".to_string(), "Phát hiện".to_string()]
    );
    let list = wb.worksheet_range("Phát hiện").unwrap();
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(list.height(), findings.len() + 1);
    let summary = wb.worksheet_range("Tổng hợp").unwrap();
    let all: Vec<String> = summary.rows().flatten().map(cell_text).collect();
    assert!(all
        .iter()
        .any(|s| s.contains("không phải kết luận pháp lý")));
    // "By rule" names each rule and its severity beside the count.
    for (rule, n) in report["summary"]["by_rule"].as_object().unwrap() {
        let f = findings.iter().find(|f| &f["rule"] == rule).unwrap();
        let row: Vec<String> = summary
            .rows()
            .find(|r| r.first().map(cell_text).as_deref() == Some(rule.as_str()))
            .unwrap_or_else(|| panic!("no row for {rule}"))
            .iter()
            .map(cell_text)
            .collect();
        assert_eq!(row[1], n.to_string(), "{rule}");
        let label = match f["severity"].as_str().unwrap() {
            "violation" => "vi phạm",
            "warning" => "cảnh báo",
            "advisory" => "khuyến nghị",
            _ => "thông tin",
        };
        assert_eq!(row[2], label, "{rule}");
        assert_eq!(row[3], f["name"].as_str().unwrap(), "{rule}");
        assert!(!row[3].is_empty());
    }

    // Every input cell comes back as read; merged ranges are merged again, their value written
    // once in the top-left cell; the result column follows the data.
    let limits = hangviet_core::read::Limits::default();
    let raw = hangviet_core::read::read(&before, "award_result.xlsx", &limits).unwrap();
    let sheet = &raw.sheets[0];
    let name = names
        .iter()
        .find(|n| n.starts_with("1 "))
        .expect("first file's sheet")
        .clone();
    let range = wb.worksheet_range(&name).unwrap();
    let width = sheet.rows.iter().map(|r| r.len()).max().unwrap();
    let written = std::fs::read(&out_path).unwrap();
    let back = hangviet_core::read::read(&written, "annotated.xlsx", &limits).unwrap();
    let copy = back.sheets.iter().find(|s| s.name == name).unwrap();
    assert!(sheet.merges.len() >= 20, "the fixture's titles and header");
    for m in &sheet.merges {
        assert!(copy.merges.contains(m), "merge {m:?} lost");
    }
    let hidden = |r: u32, c: u32| {
        sheet.merges.iter().any(|&(r0, c0, r1, c1)| {
            (r0..=r1).contains(&r) && (c0..=c1).contains(&c) && (r, c) != (r0, c0)
        })
    };
    for (r, row) in sheet.rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            let got = range
                .get_value((r as u32, c as u32))
                .map(cell_text)
                .unwrap_or_default();
            let want = if hidden(r as u32, c as u32) {
                String::new()
            } else {
                v.display()
            };
            assert_eq!(got, want, "{name} row {} col {}", r + 1, c + 1);
            // Read back as the checker reads (merged values filled), the grid is the input's.
            assert_eq!(&copy.rows[r][c], v, "{name} row {} col {}", r + 1, c + 1);
        }
    }
    let results: Vec<String> = (0..range.height() as u32)
        .filter_map(|r| range.get_value((r, width as u32)).map(cell_text))
        .collect();
    assert!(results.contains(&"Kết quả kiểm tra".to_string()));
    let r11 = findings
        .iter()
        .filter(|f| f["file"] == FILES[0] && f["rule"] == "VN-R11")
        .count();
    assert_eq!(
        results.iter().filter(|s| s.contains("[VN-R11]")).count(),
        r11
    );

    // LibreOffice opens and converts it, when installed.
    if Command::new("soffice").arg("--version").output().is_err() {
        eprintln!("soffice not installed: LibreOffice conversion not tested");
        return;
    }
    let outdir = tmp("lo");
    let conv = Command::new("soffice")
        .args([
            "--headless",
            "--norestore",
            "--convert-to",
            "csv",
            "--outdir",
        ])
        .arg(&outdir)
        .arg(&out_path)
        .env("HOME", tmp("lo-home"))
        .output()
        .expect("run soffice");
    assert!(
        conv.status.success(),
        "{}",
        String::from_utf8_lossy(&conv.stderr)
    );
    // The first sheet (Tổng hợp) as CSV in LibreOffice's default encoding: check ASCII text.
    let csv = std::fs::read(outdir.join("annotated.csv")).expect("converted");
    let csv = String::from_utf8_lossy(&csv);
    assert!(csv.contains("hangviet") && csv.contains("SHA-256"), "{csv}");
    // As LibreOffice shows every sheet (its HTML export): amounts with thousands separators,
    // never in exponent form, and the national motto once, across its nine merged columns.
    let conv = Command::new("soffice")
        .args([
            "--headless",
            "--norestore",
            "--convert-to",
            "html",
            "--outdir",
        ])
        .arg(&outdir)
        .arg(&out_path)
        .env("HOME", tmp("lo-home"))
        .output()
        .expect("run soffice");
    assert!(conv.status.success());
    let html = std::fs::read_to_string(outdir.join("annotated.html")).expect("converted");
    assert!(html.contains(">110,000,000<"), "K21 formatted");
    assert!(!html.contains("E+0"), "no amount in exponent form");
    let motto = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM";
    let titled = back
        .sheets
        .iter()
        .filter(|s| {
            s.rows
                .first()
                .is_some_and(|r| r.iter().any(|v| v.display() == motto))
        })
        .count();
    assert!(titled >= 1);
    assert_eq!(
        html.matches(motto).count(),
        titled,
        "written once per sheet"
    );
    assert!(html.contains(&format!(
        "colspan=9 align=\"center\" valign=middle><font color=\"#000000\">{motto}"
    )));
}

#[test]
fn template_reads_back_with_every_column_mapped() {
    let path = tmp("template.xlsx");
    let _ = std::fs::remove_file(&path);
    let out = run(&["template", path.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let again = run(&["template", path.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(2), "no silent overwrite");
    let out = run(&[
        "inspect",
        path.to_str().unwrap(),
        "--format",
        "json",
        "--lines",
    ]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let v = if v.is_array() { v[0].clone() } else { v };
    let sheet = &v["sheets"][0];
    assert!(["purchase", "award"].contains(&sheet["kind"].as_str().unwrap()));
    assert_eq!(sheet["unmapped"].as_array().unwrap().len(), 0);
    assert_eq!(sheet["columns"].as_array().unwrap().len(), 14);
    assert_eq!(sheet["line_count"], 1);
    let line = &sheet["lines"][0]["fields"];
    assert_eq!(line["origin"]["raw"], "Việt Nam");
    assert_eq!(line["amount"]["value"], 25_000_000.0);
}
