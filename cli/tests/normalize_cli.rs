//! What `inspect --lines --format json` shows of the normalise stage, and the user's own tables.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures")
        .join(name)
}

fn inspect(args: &[&str], file: &Path) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_hangviet"))
        .args(["inspect", "--format", "json", "--lines"])
        .args(args)
        .arg(file)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn line(v: &Value, row: u64) -> Value {
    v["sheets"][0]["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["row"] == row)
        .cloned()
        .unwrap_or_else(|| panic!("no line at row {row}"))
}

#[test]
fn origin_is_read_into_class_and_countries() {
    let v = inspect(&[], &fixture("award_egp.xlsx"));
    let lines = v["sheets"][0]["lines"].as_array().unwrap();
    assert_eq!(lines.len(), 351);
    for l in lines {
        let o = &l["fields"]["origin"];
        for key in ["raw", "cell", "class", "countries", "note"] {
            assert!(
                o.get(key).is_some(),
                "row {}: origin lacks {key}: {o}",
                l["row"]
            );
        }
        assert!(o["cell"].as_str().unwrap().starts_with('F'));
    }
    let class_of = |raw: &str| {
        lines
            .iter()
            .find(|l| l["fields"]["origin"]["raw"] == raw)
            .map(|l| {
                (
                    l["fields"]["origin"]["class"].clone(),
                    l["fields"]["origin"]["countries"].clone(),
                )
            })
            .unwrap_or_else(|| panic!("no line with origin {raw:?}"))
    };
    assert_eq!(
        class_of("Việt Nam\n"),
        (Value::from("domestic"), serde_json::json!(["VN"]))
    );
    assert_eq!(
        class_of("Malaixia"),
        (Value::from("foreign"), serde_json::json!(["MY"]))
    );
    assert_eq!(
        class_of("Mỹ"),
        (Value::from("foreign"), serde_json::json!(["US"]))
    );
    assert_eq!(
        class_of("Công ty cổ phần Tanaphar/ Việt Nam"),
        (Value::from("domestic"), serde_json::json!(["VN"]))
    );
    assert_eq!(
        class_of("Shanghai SA Medical Plastic & Instruments Co., Ltd.; Trung Quốc"),
        (Value::from("foreign"), serde_json::json!(["CN"]))
    );
}

#[test]
fn hs_codes_carry_their_description_or_the_reason() {
    let v = inspect(&[], &fixture("purchase_plan.xlsx"));
    let laptop = line(&v, 21);
    let hs = &laptop["fields"]["hs_code"];
    assert_eq!(hs["code"], "84713020");
    assert_eq!(hs["valid"], true);
    assert!(hs["description"].as_str().unwrap().len() > 5, "{hs}");
    // A numeric cell: 30051090 read from a number.
    assert_eq!(line(&v, 25)["fields"]["hs_code"]["code"], "30051090");
    let bad = &line(&v, 28)["fields"]["hs_code"];
    assert_eq!(bad["valid"], false);
    assert!(bad["reason"].is_string(), "{bad}");
    // Folded names for matching sit beside the original.
    assert_eq!(line(&v, 24)["name_folded"], "bom tiem nhua 10ml");
}

#[test]
fn users_extend_origin_and_header_tables_without_recompiling() {
    let dir = std::env::temp_dir().join(format!("hangviet-tables-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let csv = dir.join("a.csv");
    std::fs::write(&csv, "STT,Tên hàng hóa,Đơn vị tính,Số lượng,Đơn giá,Nơi làm ra\n1,Bơm tiêm 5ml,Cái,100,\"1.200\",Xứ sở kim chi\n").unwrap();
    let origins = dir.join("origins.toml");
    std::fs::write(&origins, "[country.KR]\nnames = [\"Xứ sở kim chi\"]\n").unwrap();
    let headers = dir.join("headers.toml");
    std::fs::write(&headers, "[fields]\norigin = [\"Nơi làm ra\"]\n").unwrap();

    let plain = inspect(&[], &csv);
    assert!(line(&plain, 2)["fields"].get("origin").is_none());

    let extended = inspect(
        &[
            "--headers",
            headers.to_str().unwrap(),
            "--origins",
            origins.to_str().unwrap(),
        ],
        &csv,
    );
    let o = &line(&extended, 2)["fields"]["origin"];
    assert_eq!(o["class"], "foreign");
    assert_eq!(o["countries"], serde_json::json!(["KR"]));

    // A broken user file is an error naming the file, line and column.
    std::fs::write(&origins, "[country.KR]\nnames = [\"Xứ sở kim chi\"\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_hangviet"))
        .args(["inspect", "--origins"])
        .arg(&origins)
        .arg(&csv)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("origins.toml:"), "{err}");
    std::fs::remove_dir_all(&dir).ok();
}
