//! What the reader understood: sheets, their columns, and purchase lines with source cells.
//! These types serialise to the `inspect --format json` contract; extend, don't rename.

use crate::normalize::hs::HsInfo;
use crate::normalize::origin::Origin;
use serde::Serialize;
use std::collections::BTreeMap;

/// A field a column can map to. The snake_case names are the JSON ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    LineNo,
    Name,
    Model,
    Brand,
    Manufacturer,
    Origin,
    Year,
    Spec,
    Unit,
    Quantity,
    UnitPrice,
    Amount,
    HsCode,
    Note,
    Agency,
    NoticeNo,
    Date,
    /// Bidding-document requirement on origin (Mẫu 01A column "Xuất xứ yêu cầu").
    OriginRequirement,
    /// Domestic-preference forms (Mẫu 15A–15C).
    PrefClaimed,
    OfferPrice,
    Taxes,
    ImportedCost,
    DomesticCost,
    ExwPrice,
    /// G = offer price less taxes (Mẫu 15A column "Giá trị G = (I) − (II)").
    NetPrice,
    /// Domestic cost share D in percent (0–100).
    DomesticShare,
    Bidder,
    LotNo,
}

impl Field {
    pub const ALL: [Field; 28] = [
        Field::LineNo,
        Field::Name,
        Field::Model,
        Field::Brand,
        Field::Manufacturer,
        Field::Origin,
        Field::Year,
        Field::Spec,
        Field::Unit,
        Field::Quantity,
        Field::UnitPrice,
        Field::Amount,
        Field::HsCode,
        Field::Note,
        Field::Agency,
        Field::NoticeNo,
        Field::Date,
        Field::OriginRequirement,
        Field::PrefClaimed,
        Field::OfferPrice,
        Field::Taxes,
        Field::ImportedCost,
        Field::DomesticCost,
        Field::ExwPrice,
        Field::NetPrice,
        Field::DomesticShare,
        Field::Bidder,
        Field::LotNo,
    ];

    /// The JSON id, e.g. `unit_price`.
    pub fn id(self) -> &'static str {
        match self {
            Field::LineNo => "line_no",
            Field::Name => "name",
            Field::Model => "model",
            Field::Brand => "brand",
            Field::Manufacturer => "manufacturer",
            Field::Origin => "origin",
            Field::Year => "year",
            Field::Spec => "spec",
            Field::Unit => "unit",
            Field::Quantity => "quantity",
            Field::UnitPrice => "unit_price",
            Field::Amount => "amount",
            Field::HsCode => "hs_code",
            Field::Note => "note",
            Field::Agency => "agency",
            Field::NoticeNo => "notice_no",
            Field::Date => "date",
            Field::OriginRequirement => "origin_requirement",
            Field::PrefClaimed => "pref_claimed",
            Field::OfferPrice => "offer_price",
            Field::Taxes => "taxes",
            Field::ImportedCost => "imported_cost",
            Field::DomesticCost => "domestic_cost",
            Field::ExwPrice => "exw_price",
            Field::NetPrice => "net_price",
            Field::DomesticShare => "domestic_share",
            Field::Bidder => "bidder",
            Field::LotNo => "lot_no",
        }
    }

    pub fn from_id(id: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.id() == id)
    }

    /// Fields whose text is parsed as a number.
    pub fn is_numeric(self) -> bool {
        matches!(
            self,
            Field::Quantity
                | Field::UnitPrice
                | Field::Amount
                | Field::OfferPrice
                | Field::Taxes
                | Field::ImportedCost
                | Field::DomesticCost
                | Field::ExwPrice
                | Field::NetPrice
                | Field::DomesticShare
        )
    }
}

/// What a sheet is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SheetKind {
    Award,
    Purchase,
    Requirements,
    Preference,
    Unknown,
}

impl SheetKind {
    pub fn id(self) -> &'static str {
        match self {
            SheetKind::Award => "award",
            SheetKind::Purchase => "purchase",
            SheetKind::Requirements => "requirements",
            SheetKind::Preference => "preference",
            SheetKind::Unknown => "unknown",
        }
    }
}

/// One cell's worth of a line: the text as read, its address, and the parsed number when the
/// field is numeric. A number that cannot be read keeps `value: None` and says why in `error`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldValue {
    pub raw: String,
    pub cell: crate::cell::Addr,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Set on `origin` by the normalise stage. Behind a pointer, like `hs`: only one field of a
    /// line has it, and every field of every line would otherwise carry the space; shared,
    /// because the same origin text gives the same answer on thousands of lines.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub origin: Option<std::sync::Arc<Origin>>,
    /// Set on `hs_code` by the normalise stage.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub hs: Option<Box<HsInfo>>,
}

impl FieldValue {
    pub fn text(raw: impl Into<String>, cell: impl Into<crate::cell::Addr>) -> Self {
        FieldValue {
            raw: raw.into(),
            cell: cell.into(),
            value: None,
            error: None,
            origin: None,
            hs: None,
        }
    }
}

/// A line's fields, in field order (as a `BTreeMap` would keep them, and serialised the same
/// way). A sorted vector: a line has about ten, and a tree's nodes cost more to build and free
/// than a line's checking spent on anything else but the rules.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FieldMap(Vec<(Field, FieldValue)>);

impl FieldMap {
    pub fn new() -> FieldMap {
        FieldMap::default()
    }

    pub fn with_capacity(n: usize) -> FieldMap {
        FieldMap(Vec::with_capacity(n))
    }

    fn at(&self, f: Field) -> Result<usize, usize> {
        self.0.binary_search_by(|(k, _)| k.cmp(&f))
    }

    pub fn get(&self, f: &Field) -> Option<&FieldValue> {
        self.at(*f).ok().and_then(|i| self.0.get(i)).map(|(_, v)| v)
    }

    pub fn get_mut(&mut self, f: &Field) -> Option<&mut FieldValue> {
        let i = self.at(*f).ok()?;
        self.0.get_mut(i).map(|(_, v)| v)
    }

    pub fn contains_key(&self, f: &Field) -> bool {
        self.at(*f).is_ok()
    }

    /// Set `f`, giving back the value it had.
    pub fn insert(&mut self, f: Field, v: FieldValue) -> Option<FieldValue> {
        match self.at(f) {
            Ok(i) => self
                .0
                .get_mut(i)
                .map(|slot| std::mem::replace(&mut slot.1, v)),
            Err(i) => {
                self.0.insert(i, (f, v));
                None
            }
        }
    }

    pub fn remove(&mut self, f: &Field) -> Option<FieldValue> {
        let i = self.at(*f).ok()?;
        Some(self.0.remove(i).1)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&Field, &FieldValue)> {
        self.0.iter().map(|(k, v)| (k, v))
    }

    pub fn iter_mut(&mut self) -> impl Iterator<Item = (&Field, &mut FieldValue)> {
        self.0.iter_mut().map(|(k, v)| (&*k, v))
    }

    pub fn keys(&self) -> impl Iterator<Item = &Field> {
        self.0.iter().map(|(k, _)| k)
    }

    pub fn values(&self) -> impl Iterator<Item = &FieldValue> {
        self.0.iter().map(|(_, v)| v)
    }
}

impl Serialize for FieldMap {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

/// One item row of a sheet.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PurchaseLine {
    /// 1-based row as a spreadsheet shows it (CSV: the record number).
    pub row: u32,
    pub fields: FieldMap,
    /// Columns the mapper did not know, by their header text.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub extra: BTreeMap<String, FieldValue>,
    /// The section row above this line ("I. Vật tư y tế"), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub section: Option<String>,
    /// Folded item name for matching (set by the normalise stage).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub name_folded: String,
}

impl PurchaseLine {
    pub fn get(&self, f: Field) -> Option<&FieldValue> {
        self.fields.get(&f)
    }

    /// Trimmed text of a field, "" when absent.
    pub fn text(&self, f: Field) -> &str {
        self.fields.get(&f).map(|v| v.raw.trim()).unwrap_or("")
    }

    pub fn number(&self, f: Field) -> Option<f64> {
        self.fields.get(&f).and_then(|v| v.value)
    }
}

/// A column the mapper understood.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ColumnMap {
    pub field: Field,
    /// Column letter(s), e.g. "C".
    pub column: String,
    /// Header text as read (merged header rows joined with " / ").
    pub header: String,
}

/// A column the mapper did not know; its cells are kept in `PurchaseLine::extra`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Unmapped {
    pub column: String,
    pub header: String,
}

/// A row that did not become a line, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Skipped {
    pub row: u32,
    /// Machine id: "blank", "numbering", "total", "section", "note", "signature", "no_name".
    pub kind: &'static str,
    /// What a person reads.
    pub reason: String,
}

/// A cell whose text could not be read as what its column needs (kept raw, never 0).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Problem {
    pub row: u32,
    pub cell: String,
    pub message: String,
}

/// Package-level facts printed above the table or carried as columns.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PackageFacts {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agency: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub package_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notice_no: Option<String>,
    /// Ngày phê duyệt kế hoạch lựa chọn nhà thầu (ISO date).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plan_date: Option<String>,
    /// Ngày phát hành hồ sơ mời thầu (ISO date): decides which law applies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hsmt_date: Option<String>,
    /// Ngày quyết định / ngày đăng tải (ISO date).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decision_date: Option<String>,
    /// Selection method id: "open_bidding", "restricted_bidding", "competitive_offers",
    /// "direct_appointment", "direct_procurement", "self_performance", "price_negotiation",
    /// "online_procurement", "special_case".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub selection_method: Option<String>,
    /// "domestic" or "international".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bidding_scope: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub funding_source: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub package_value: Option<f64>,
}

/// What the reader understood of one sheet.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sheet {
    pub name: String,
    pub kind: SheetKind,
    /// Why the sheet is `unknown` (or other notes on the classification).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub hidden: bool,
    /// 1-based header rows (several when the header is merged over rows).
    pub header_rows: Vec<u32>,
    pub columns: Vec<ColumnMap>,
    pub unmapped: Vec<Unmapped>,
    pub lines: Vec<PurchaseLine>,
    pub skipped: Vec<Skipped>,
    pub problems: Vec<Problem>,
    pub package: PackageFacts,
}

impl Sheet {
    pub fn has(&self, f: Field) -> bool {
        self.columns.iter().any(|c| c.field == f)
    }
}

/// What the reader understood of one file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Workbook {
    pub file: String,
    /// "xlsx", "xls", "xlsb", "ods", "csv", "tsv"…
    pub format: String,
    pub sheets: Vec<Sheet>,
    /// Notes on the file as a whole (legacy font encoding seen, encoding used for a CSV…).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn field_map_keeps_field_order_as_a_tree_map_did() {
        // Columns come in sheet order; the map (and the JSON) are in field order.
        let cols = [
            Field::Amount,
            Field::Name,
            Field::Origin,
            Field::Quantity,
            Field::Name,
        ];
        let mut map = FieldMap::new();
        let mut tree = BTreeMap::new();
        for (i, f) in cols.iter().enumerate() {
            let v = FieldValue::text(format!("v{i}"), crate::cell::Addr::at(1, i as u32));
            assert_eq!(map.insert(*f, v.clone()), tree.insert(*f, v));
        }
        assert_eq!(map.len(), tree.len());
        assert!(map.keys().eq(tree.keys()));
        assert_eq!(
            serde_json::to_string(&map).ok(),
            serde_json::to_string(&tree).ok()
        );
        assert_eq!(map.get(&Field::Name).map(|v| v.raw.as_str()), Some("v4"));
        assert!(map.get(&Field::Brand).is_none() && !map.contains_key(&Field::Brand));
        if let Some(v) = map.get_mut(&Field::Origin) {
            v.raw = "Việt Nam".into();
        }
        assert_eq!(
            map.remove(&Field::Origin).map(|v| v.raw),
            Some("Việt Nam".into())
        );
        assert_eq!(map.len(), 3);
    }
}
