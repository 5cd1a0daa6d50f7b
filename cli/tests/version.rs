//! `hangviet --version` names the tool version and the data built in, with hashes that match
//! what a report prints and the files in the repository (so an auditor can tell which rules
//! and tables produced a report).

use sha2::{Digest, Sha256};
use std::process::Command;

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");

fn hangviet(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_hangviet"))
        .args(args)
        .current_dir(ROOT)
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    (out.status.code().unwrap(), stdout)
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn is_sha256(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

#[test]
fn version_names_pack_registry_and_reference_hashes() {
    let (code, text) = hangviet(&["--version"]);
    assert_eq!(code, 0, "{text}");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], format!("hangviet {}", env!("CARGO_PKG_VERSION")));

    // The pack line carries the hash a report prints under pack.hash.
    let (_, json) = hangviet(&[
        "check",
        "--format",
        "json",
        "--as-of",
        "2026-06-08",
        "tests/fixtures/award_result.xlsx",
    ]);
    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    let pack = &report["pack"];
    let want = format!(
        "pack {} {} sha256:{} ({})",
        pack["id"].as_str().unwrap(),
        pack["version"].as_str().unwrap(),
        pack["hash"].as_str().unwrap(),
        pack["source"].as_str().unwrap()
    );
    assert!(lines.contains(&want.as_str()), "{want} not in\n{text}");

    let registry = lines
        .iter()
        .find_map(|l| l.strip_prefix("registry sha256:"))
        .expect("a registry line");
    assert!(is_sha256(&registry[..64]), "{registry}");

    // Every embedded reference file is listed with the hash of the file in the repository.
    for name in [
        "rules/reference/headers.toml",
        "rules/reference/origins.toml",
        "rules/reference/country_vi.csv",
        "rules/reference/hs_vn_2022.tsv",
    ] {
        let bytes = std::fs::read(format!("{ROOT}/{name}")).unwrap();
        let want = format!("data {name} sha256:{}", sha256_hex(&bytes));
        assert!(lines.contains(&want.as_str()), "{want} not in\n{text}");
    }
}

#[test]
fn short_version_is_one_line() {
    let (code, text) = hangviet(&["-V"]);
    assert_eq!(code, 0);
    assert_eq!(text, format!("hangviet {}\n", env!("CARGO_PKG_VERSION")));
}
