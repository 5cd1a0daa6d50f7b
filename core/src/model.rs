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

/// A set of fields (one bit each): what a rule or the registry reads of a line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FieldSet(u32);

// One bit per field, and every field in `ALL` at its own place (a field missing there would be
// missing from every `FieldSet::iter`, and from the keys of remembered lines).
const _: () = assert!(Field::ALL.len() <= 32);
const _: () = assert!(Field::LotNo as usize + 1 == Field::ALL.len());

impl FieldSet {
    pub const EMPTY: FieldSet = FieldSet(0);

    pub fn of(fields: &[Field]) -> FieldSet {
        let mut s = FieldSet::EMPTY;
        for f in fields {
            s.insert(*f);
        }
        s
    }

    pub fn insert(&mut self, f: Field) {
        self.0 |= 1 << (f as u32);
    }

    pub fn contains(self, f: Field) -> bool {
        self.0 & (1 << (f as u32)) != 0
    }

    pub fn union(self, other: FieldSet) -> FieldSet {
        FieldSet(self.0 | other.0)
    }

    /// In field order.
    pub fn iter(self) -> impl Iterator<Item = Field> {
        Field::ALL.into_iter().filter(move |f| self.contains(*f))
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
/// than a line's checking spent on anything else but the rules. Beside it, each field's place:
/// the rules read fields thousands of times per second, and a search cost more than the test.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldMap {
    items: Vec<(Field, FieldValue)>,
    /// `Field as usize` → index in `items`, or `NONE`.
    place: [u8; Field::ALL.len()],
}

const NONE: u8 = u8::MAX;

impl Default for FieldMap {
    fn default() -> FieldMap {
        FieldMap {
            items: Vec::new(),
            place: [NONE; Field::ALL.len()],
        }
    }
}

impl FieldMap {
    pub fn new() -> FieldMap {
        FieldMap::default()
    }

    pub fn with_capacity(n: usize) -> FieldMap {
        FieldMap {
            items: Vec::with_capacity(n),
            ..FieldMap::default()
        }
    }

    fn at(&self, f: Field) -> Option<usize> {
        match self.place.get(f as usize) {
            Some(&i) if i != NONE => Some(usize::from(i)),
            _ => None,
        }
    }

    /// After a field went in or out of the middle.
    fn reindex(&mut self) {
        self.place = [NONE; Field::ALL.len()];
        for (i, (k, _)) in self.items.iter().enumerate() {
            if let Some(p) = self.place.get_mut(*k as usize) {
                // At most `Field::ALL.len()` items: one per field.
                *p = i as u8;
            }
        }
    }

    pub fn get(&self, f: &Field) -> Option<&FieldValue> {
        self.at(*f).and_then(|i| self.items.get(i)).map(|(_, v)| v)
    }

    pub fn get_mut(&mut self, f: &Field) -> Option<&mut FieldValue> {
        let i = self.at(*f)?;
        self.items.get_mut(i).map(|(_, v)| v)
    }

    pub fn contains_key(&self, f: &Field) -> bool {
        self.at(*f).is_some()
    }

    /// Set `f`, giving back the value it had.
    pub fn insert(&mut self, f: Field, v: FieldValue) -> Option<FieldValue> {
        if let Some(i) = self.at(f) {
            return self
                .items
                .get_mut(i)
                .map(|slot| std::mem::replace(&mut slot.1, v));
        }
        // Fields given in order (as a line is made) go on the end.
        if self.items.last().is_none_or(|(k, _)| *k < f) {
            if let Some(p) = self.place.get_mut(f as usize) {
                *p = self.items.len() as u8;
            }
            self.items.push((f, v));
            return None;
        }
        let i = self.items.partition_point(|(k, _)| *k < f);
        self.items.insert(i, (f, v));
        self.reindex();
        None
    }

    pub fn remove(&mut self, f: &Field) -> Option<FieldValue> {
        let i = self.at(*f)?;
        let v = self.items.remove(i).1;
        self.reindex();
        Some(v)
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&Field, &FieldValue)> {
        self.items.iter().map(|(k, v)| (k, v))
    }

    pub fn iter_mut(&mut self) -> impl Iterator<Item = (&Field, &mut FieldValue)> {
        self.items.iter_mut().map(|(k, v)| (&*k, v))
    }

    pub fn keys(&self) -> impl Iterator<Item = &Field> {
        self.items.iter().map(|(k, _)| k)
    }

    pub fn values(&self) -> impl Iterator<Item = &FieldValue> {
        self.items.iter().map(|(_, v)| v)
    }
}

impl Serialize for FieldMap {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(self.items.len()))?;
        for (k, v) in &self.items {
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
    /// Shared with the answer cache: item names repeat, and a copy per line cost an allocation.
    #[serde(skip_serializing_if = "str::is_empty")]
    pub name_folded: std::sync::Arc<str>,
}

impl PurchaseLine {
    pub fn get(&self, f: Field) -> Option<&FieldValue> {
        self.fields.get(&f)
    }

    /// Trimmed text of a field, "" when absent.
    pub fn text(&self, f: Field) -> &str {
        self.fields
            .get(&f)
            .map(|v| crate::text::trim(&v.raw))
            .unwrap_or("")
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
    fn every_field_is_in_all_at_its_place_and_in_a_full_set() {
        let mut all = FieldSet::EMPTY;
        for (i, f) in Field::ALL.into_iter().enumerate() {
            assert_eq!(f as usize, i, "{f:?}");
            all.insert(f);
        }
        assert_eq!(all.iter().collect::<Vec<_>>(), Field::ALL.to_vec());
        let some = FieldSet::of(&[Field::Origin, Field::Name]);
        assert_eq!(
            some.iter().collect::<Vec<_>>(),
            vec![Field::Name, Field::Origin]
        );
        assert!(some.contains(Field::Name) && !some.contains(Field::Model));
    }

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
        // After a removal every field is still found where it is.
        assert_eq!(
            map.get(&Field::Quantity).map(|v| v.raw.as_str()),
            Some("v3")
        );
        assert_eq!(map.get(&Field::Amount).map(|v| v.raw.as_str()), Some("v0"));
    }

    #[test]
    fn field_map_agrees_with_a_tree_map_over_mixed_operations() {
        let mut map = FieldMap::new();
        let mut tree = BTreeMap::new();
        let mut g: u64 = 1;
        for step in 0..5000u32 {
            g = g
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let f = Field::ALL[(g >> 33) as usize % Field::ALL.len()];
            if (g >> 60) < 3 {
                assert_eq!(map.remove(&f), tree.remove(&f), "step {step}");
            } else {
                let v = FieldValue::text(format!("s{step}"), crate::cell::Addr::EMPTY);
                assert_eq!(map.insert(f, v.clone()), tree.insert(f, v), "step {step}");
            }
            assert!(map.iter().eq(tree.iter()), "step {step}");
            for f in Field::ALL {
                assert_eq!(map.get(&f), tree.get(&f), "step {step} {f:?}");
            }
        }
    }
}
