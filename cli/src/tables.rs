//! Reference tables with the user's own additions: origin aliases and groups, header synonyms.

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
}
