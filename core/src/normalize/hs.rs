//! HS code parsing and validation against the Vietnamese nomenclature (TT 31/2022/TT-BTC).

use serde::Serialize;

/// The normalised reading of an HS code cell, serialised flat beside `raw` and `cell`
/// in `fields.hs_code`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HsInfo {
    /// Digits only, 4, 6 or 8 of them ("84713020"); None when unreadable.
    pub code: Option<String>,
    /// Whether the code exists in the nomenclature at its level.
    pub valid: bool,
    /// Vietnamese description from the nomenclature.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Why the code is not valid (malformed, not in the nomenclature).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}
