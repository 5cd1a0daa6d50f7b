//! Reference tables with the user's own additions: origin aliases and groups, header synonyms.

use hangviet_core::equivalents::DomesticRegistry;
use hangviet_core::normalize::Tables;
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

impl TableArgs {
    /// The embedded tables extended with the user's files. Errors name the file (and line:column).
    pub fn build(&self) -> Result<Tables, String> {
        let mut t = Tables::embedded().map_err(|e| e.to_string())?;
        for p in &self.origins {
            let name = p.display().to_string();
            let text = std::fs::read_to_string(p).map_err(|e| format!("{name}: {e}"))?;
            t.origins
                .extend_from_toml(&text, &name)
                .map_err(|e| e.to_string())?;
        }
        for p in &self.headers {
            let name = p.display().to_string();
            let text = std::fs::read_to_string(p).map_err(|e| format!("{name}: {e}"))?;
            t.headers
                .extend_from_toml(&text, &name)
                .map_err(|e| e.to_string())?;
        }
        Ok(t)
    }

    /// The embedded registry of domestic equivalents plus the user's `--registry` files.
    pub fn build_registry(&self, tables: &Tables) -> Result<DomesticRegistry, String> {
        let mut r = DomesticRegistry::embedded(tables).map_err(|e| e.to_string())?;
        for p in &self.registry {
            let name = p.display().to_string();
            let text = std::fs::read_to_string(p).map_err(|e| format!("{name}: {e}"))?;
            r.add_file(&text, &name).map_err(|e| e.to_string())?;
        }
        Ok(r)
    }
}
