//! Hashes of the reference data the engine embeds (hangviet-core `include_str!`s the same files
//! from the same checkout), for `hangviet --version`. Done here, at build time, so the binary
//! does not carry a second copy of the 0.9 MB HS nomenclature just to hash it.

use sha2::{Digest, Sha256};
use std::fmt::Write as _;

/// The files hangviet-core embeds from rules/reference/, as the engine names them.
const REFERENCE: [&str; 4] = [
    "rules/reference/headers.toml",
    "rules/reference/origins.toml",
    "rules/reference/country_vi.csv",
    "rules/reference/hs_vn_2022.tsv",
];

fn main() {
    let mut lines = String::new();
    for name in REFERENCE {
        let path = format!("../{name}");
        println!("cargo:rerun-if-changed={path}");
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let hex: String = Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let _ = write!(lines, "{name}={hex};");
    }
    println!("cargo:rustc-env=HANGVIET_REFERENCE_SHA256={lines}");
}
