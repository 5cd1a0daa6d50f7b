//! `hangviet registry learn|import|search` end to end.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("hangviet-registry-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_hangviet"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn learn_writes_entries_with_evidence_and_merges_files() {
    let d = tmp("learn");
    let award = root().join("tests/fixtures/award_egp.xlsx");
    let one = d.join("one.toml");
    let (code, _, err) = run(&["registry", "learn", s(&award), "--output", s(&one)]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("164 mục từ 167 dòng hàng Việt Nam"), "{err}");
    let text = std::fs::read_to_string(&one).unwrap();
    assert_eq!(text.matches("[[entry]]").count(), 164);
    assert!(text.contains("product = \"Chỉ Vicryl số 2-0\""));
    assert!(text.contains("reference = \"TBMT IB2600272847\""));
    assert!(text.contains("price = 61331.0"));
    // Imported lines never become entries.
    assert!(!text.contains("Máy đo độ loãng xương"));
    // The same rows in a second file merge into the same entries.
    let copy = d.join("copy.xlsx");
    std::fs::copy(&award, &copy).unwrap();
    let two = d.join("two.toml");
    let (code, _, err) = run(&["registry", "learn", s(&award), s(&copy), "-o", s(&two)]);
    assert_eq!(code, 0, "{err}");
    let text2 = std::fs::read_to_string(&two).unwrap();
    assert_eq!(text2.matches("[[entry]]").count(), 164);
    // The learned file is a registry `search` can use on its own.
    let (code, out, err) = run(&[
        "registry",
        "search",
        "Chỉ phẫu thuật tự tiêu tổng hợp Polyglactin 910 số 2/0",
        "--registry",
        s(&one),
        "--no-default",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("khớp mạnh: Chỉ Vicryl số 2-0"), "{out}");
    assert!(out.contains("TBMT IB2600272847"), "{out}");
}

#[test]
fn import_reads_the_annex_layout_and_cites_the_circular() {
    let d = tmp("import");
    let csv = d.join("annex.csv");
    std::fs::write(
        &csv,
        "Phụ lục,Số TT,Tên mặt hàng,Mã số theo biểu thuế,,,\"Ký hiệu quy cách, mô tả đặc tính kỹ thuật\"\n\
         ,,,Nhóm,Phân nhóm,,\n\
         Phụ lục I,234,Khuôn thép,8480,10,00,Khuôn ép nhựa\n\
         Phụ lục I,195,Máy tính xách tay,8471,30,20,\n\
         Phụ lục III,100,Gạc hút nước y tế,3005,90,20,\n\
         Phụ lục I,999,Hàng mã sai,9999,,,\n",
    )
    .unwrap();
    let out_path = d.join("cat.toml");
    let (code, _, err) = run(&["registry", "import", s(&csv), "--output", s(&out_path)]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("3 mục; 1 dòng bỏ qua"), "{err}");
    assert!(err.contains("Hàng mã sai"), "{err}");
    let text = std::fs::read_to_string(&out_path).unwrap();
    assert!(text.contains("hs = \"8480.10.00\""), "{text}");
    assert!(
        text.contains("reference = \"TT 04/2012/TT-BKHĐT, Phụ lục I, dòng 234\""),
        "{text}"
    );
    assert!(text.contains("kind = \"catalogue\""));
    assert!(text.contains("bản 2012"));
    // Catalogue entries name no maker: search says so.
    let (code, out, _) = run(&[
        "registry",
        "search",
        "Máy tính xách tay",
        "--hs",
        "8471.30.20",
        "--registry",
        s(&out_path),
        "--no-default",
    ]);
    assert_eq!(code, 0);
    assert!(
        out.contains("khớp mạnh: Máy tính xách tay – (danh mục không nêu nhà sản xuất)"),
        "{out}"
    );
    assert!(out.contains("mã HS trùng 8 số"), "{out}");
    // A tablet is only a suggestion.
    let (_, out, _) = run(&[
        "registry",
        "search",
        "Máy tính bảng",
        "--registry",
        s(&out_path),
        "--no-default",
    ]);
    assert!(!out.contains("khớp mạnh:"), "{out}");
    assert!(out.contains("gợi ý: Máy tính xách tay"), "{out}");
}

#[test]
fn search_uses_the_embedded_registry_and_prints_json() {
    let (code, out, err) = run(&["registry", "search", "Bơm tiêm nhựa 10ml", "--json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let first = &v["matches"][0];
    assert_eq!(first["strong"], true);
    assert_eq!(
        first["equivalent"]["maker"],
        "Công ty cổ phần Nhựa y tế Việt Nam (MPV)"
    );
    assert_eq!(first["equivalent"]["evidence"]["kind"], "award");
    assert!(first["equivalent"]["price_min"].is_number());
    assert!(!v["registry"].as_str().unwrap().is_empty());
    // The catalogue is embedded too.
    let (_, out, _) = run(&["registry", "search", "Giường bệnh nhân các loại"]);
    assert!(
        out.contains("TT 04/2012/TT-BKHĐT, Phụ lục I, dòng 606"),
        "{out}"
    );
}

#[test]
fn a_registry_file_without_evidence_is_refused_with_its_position() {
    let d = tmp("bad");
    let bad = d.join("bad.toml");
    std::fs::write(&bad, "[[entry]]\nproduct = \"Bơm tiêm\"\nmaker = \"MPV\"\n").unwrap();
    let (code, _, err) = run(&["registry", "search", "Bơm tiêm", "--registry", s(&bad)]);
    assert_eq!(code, 2);
    assert!(err.contains("bad.toml:1:1"), "{err}");
    assert!(err.contains("chứng cứ"), "{err}");
}
