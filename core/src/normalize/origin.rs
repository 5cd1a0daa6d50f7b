//! Origin ("Xuất xứ") normalisation: what country produced the goods.

use serde::Serialize;

/// The class of an origin cell, as the JSON contract names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OriginClass {
    Domestic,
    Foreign,
    Group,
    Several,
    Unknown,
}

/// A country group named as an origin ("G7", "EU/Châu Âu", "ASEAN").
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OriginGroup {
    /// Stable id from the alias table, e.g. "EU", "G7", "ASEAN".
    pub id: String,
    /// Whether Viet Nam belongs to the group (ASEAN yes, EU no).
    pub includes_vn: bool,
}

/// The normalised reading of an origin cell. Serialised flat beside `raw` and `cell`
/// in `fields.origin`: `{raw, cell, class, countries, note, …}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Origin {
    pub class: OriginClass,
    /// ISO 3166-1 alpha-2 codes; `["VN"]` for domestic.
    pub countries: Vec<String>,
    /// Why the answer is what it is when it is not plain (unknown reason, swapped columns…).
    pub note: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<OriginGroup>,
    /// "assembled" (lắp ráp tại…), "joint_venture" (liên doanh): not silently domestic,
    /// since the law's test is the domestic cost share (ND 214 Art. 6).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub qualifier: Option<String>,
    /// The origin cell holds a maker's name and the country came from the manufacturer cell.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub swapped: bool,
    /// The origin cell names a maker beside the country ("Tanaphar/ Việt Nam").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub maker: Option<String>,
}
