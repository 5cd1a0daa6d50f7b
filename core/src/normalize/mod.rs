//! The normalise stage: origin, HS code, numbers and names, with the raw text kept.

pub mod hs;
pub mod name;
pub mod origin;

use crate::layout::HeaderTable;
use crate::model::{Field, PurchaseLine};
use crate::Result;
use hs::HsTable;
use origin::OriginTable;

/// Reference tables the reader and normaliser use: header synonyms, origin aliases and groups,
/// the HS nomenclature. Built once per process (`Send + Sync`), shared by every file.
pub struct Tables {
    pub headers: HeaderTable,
    pub origins: OriginTable,
    pub hs: HsTable,
    /// Folded names already worked out (item names repeat across a file and a batch).
    pub names: crate::memo::Memo<std::sync::Arc<str>>,
}

impl Tables {
    /// The tables embedded in the binary (rules/reference/).
    pub fn embedded() -> Result<Tables> {
        Ok(Tables {
            headers: HeaderTable::embedded()?,
            origins: OriginTable::embedded()?,
            hs: HsTable::embedded()?,
            names: Default::default(),
        })
    }
}

/// The fields `apply` reads: a line with the same texts in these is normalised the same way.
pub const READS: [Field; 6] = [
    Field::Name,
    Field::Model,
    Field::Manufacturer,
    Field::Origin,
    Field::OriginRequirement,
    Field::HsCode,
];

/// Fill a line's normalised readings: origin class and countries, HS code with its description,
/// and the folded name used for matching.
pub fn apply(line: &mut PurchaseLine, t: &Tables) {
    readings(line, t);
    let name = match line.text(Field::Name) {
        "" => line.text(Field::Model),
        n => n,
    };
    line.name_folded = t.names.get_or(name, "", || name::fold_name(name).into());
}

/// `apply` but for the folded name, which the rules do not read (grouping imports by name
/// and `inspect` do): what a check needs.
pub fn readings(line: &mut PurchaseLine, t: &Tables) {
    // Classified first, then stored: the manufacturer is read without a copy.
    if let Some(o) = line.fields.get(&Field::Origin) {
        let c = t
            .origins
            .classify_shared(&o.raw, line.text(Field::Manufacturer));
        if let Some(o) = line.fields.get_mut(&Field::Origin) {
            o.origin = Some(c);
        }
    }
    // A bidding document's origin requirement ("G7", "Nhật Bản") reads the same way.
    if let Some(o) = line.fields.get_mut(&Field::OriginRequirement) {
        o.origin = Some(t.origins.classify_shared(&o.raw, ""));
    }
    if let Some(h) = line.fields.get_mut(&Field::HsCode) {
        let from_number = h.value.is_some();
        h.hs = Some(Box::new(t.hs.lookup(&h.raw, from_number)));
    }
}
