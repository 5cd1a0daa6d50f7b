//! The user's own additions to the reference data: origin aliases and groups, header synonyms,
//! registry files. Read from disk here; combined with the embedded data by `core::setup`, as
//! the browser does.

use hangviet_core::engine::Engine;
use hangviet_core::normalize::Tables;
use hangviet_core::rules::Pack;
use hangviet_core::setup;
use std::path::PathBuf;

#[derive(clap::Args, Debug, Clone, Default)]
pub struct TableArgs {
    /// Extra origin aliases, groups and placeholders (same layout as rules/reference/origins.toml);
    /// entries here win over the embedded ones.
    #[arg(long = "origins", value_name = "FILE")]
    pub origins: Vec<PathBuf>,
    /// Extra header synonyms (same layout as rules/reference/headers.toml).
    #[arg(long = "headers", value_name = "FILE")]
    pub headers: Vec<PathBuf>,
    /// Extra registry files of domestic equivalents (e.g. from `hangviet registry learn`), used
    /// beside the embedded registry.
    #[arg(long = "registry", value_name = "FILE")]
    pub registry: Vec<PathBuf>,
}

/// Files read into (name, text) pairs.
fn read_all(paths: &[PathBuf]) -> Result<Vec<(String, String)>, String> {
    paths
        .iter()
        .map(|p| {
            let name = p.display().to_string();
            let text = std::fs::read_to_string(p).map_err(|e| format!("{name}: {e}"))?;
            Ok((name, text))
        })
        .collect()
}

fn pairs(v: &[(String, String)]) -> Vec<(&str, &str)> {
    v.iter().map(|(n, t)| (n.as_str(), t.as_str())).collect()
}

impl TableArgs {
    /// The embedded tables extended with the user's files. Errors name the file (and line:column).
    pub fn build(&self) -> Result<Tables, String> {
        let (o, h) = (read_all(&self.origins)?, read_all(&self.headers)?);
        setup::tables(&pairs(&o), &pairs(&h)).map_err(|e| e.to_string())
    }

    /// The engine with these tables, the embedded registry plus `--registry` files, and `packs`
    /// (one with the embedded pack's id replaces it).
    pub fn engine(&self, packs: Vec<Pack>) -> Result<Engine, String> {
        let (o, h, r) = (
            read_all(&self.origins)?,
            read_all(&self.headers)?,
            read_all(&self.registry)?,
        );
        setup::engine(setup::Extras {
            packs,
            origins: pairs(&o),
            headers: pairs(&h),
            registry: pairs(&r),
        })
        .map_err(|e| e.to_string())
    }
}
