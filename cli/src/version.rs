//! `hangviet --version`: the tool version and the data built into it, with SHA-256 hashes, so a
//! report can be traced to the exact rules and tables that produced it. The pack hash is the
//! one reports print under `pack.hash`.

use hangviet_core::equivalents::DomesticRegistry;
use hangviet_core::normalize::Tables;
use hangviet_core::registry::Registry;
use hangviet_core::rules::Pack;
use std::process::ExitCode;

/// `name=hex;` pairs computed by build.rs from the files hangviet-core embeds.
const REFERENCE_SHA256: &str = env!("HANGVIET_REFERENCE_SHA256");

/// Prints the long version and returns the exit code when the first argument is `--version`;
/// otherwise `None` and clap handles the command line (`-V` stays the one-line version).
pub fn handle_flag() -> Option<ExitCode> {
    if std::env::args_os().nth(1)? != "--version" {
        return None;
    }
    match long_version() {
        Ok(text) => {
            print!("{text}");
            Some(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("hangviet: embedded data does not load: {e}");
            Some(ExitCode::from(2))
        }
    }
}

/// One `key value` line each: version, pack, registry, reference files.
pub fn long_version() -> Result<String, String> {
    let mut out = format!("hangviet {}\n", env!("CARGO_PKG_VERSION"));
    let pack = Pack::embedded_vn().map_err(|e| e.to_string())?;
    out += &format!(
        "pack {} {} sha256:{} ({})\n",
        pack.id, pack.version, pack.hash, pack.source
    );
    let tables = Tables::embedded().map_err(|e| e.to_string())?;
    let registry = DomesticRegistry::embedded(&tables).map_err(|e| e.to_string())?;
    out += &format!("registry sha256:{} (embedded)\n", registry.hash());
    for (name, hex) in reference_hashes() {
        out += &format!("data {name} sha256:{hex}\n");
    }
    Ok(out)
}

/// The reference files' hashes, in the order build.rs lists them.
fn reference_hashes() -> Vec<(&'static str, &'static str)> {
    REFERENCE_SHA256
        .split(';')
        .filter_map(|pair| pair.split_once('='))
        .collect()
}
