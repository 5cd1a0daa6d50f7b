//! What a condition can ask about besides a cell: package facts read above the table, values
//! computed from several cells (the ND 214 Art. 6(5) domestic cost share, a line's value), and
//! registry answers. Names here are the ids a pack writes.

use crate::model::{Field, PackageFacts, PurchaseLine};
use crate::text::fold;

/// `package = "…"` subjects.
pub const PACKAGE_KEYS: [&str; 5] = [
    "selection_method",
    "bidding_scope",
    "funding_source",
    "package_value",
    "package_name",
];

/// `value = "…"` subjects.
pub const VALUE_KEYS: [&str; 9] = [
    "domestic_share",
    "domestic_share_computed",
    "domestic_share_declared",
    "domestic_share_gap",
    "line_value",
    "amount_gap",
    "amount_gap_ratio",
    "pref_claimed",
    "item_text",
];

/// `registry = "…"` subjects.
pub const REGISTRY_KEYS: [&str; 7] = [
    "equivalents",
    "domestic_makers",
    "qualified_makers",
    "catalogue",
    "drug_domestic_only",
    "complete",
    "awards",
];

/// Selection method as an id: open, restricted, competitive_offer, direct_appointment,
/// direct_purchase, self_performed, special, other. None when the sheet does not say.
pub fn selection_method(p: &PackageFacts) -> Option<&'static str> {
    let raw = p.selection_method.as_deref()?;
    let f = fold(raw);
    if f.is_empty() {
        return None;
    }
    // The reader's ids (open_bidding…) and the Vietnamese wording both map to the pack's ids.
    let table: [(&str, &str); 18] = [
        ("open_bidding", "open"),
        ("restricted_bidding", "restricted"),
        ("competitive_offers", "competitive_offer"),
        ("direct_appointment", "direct_appointment"),
        ("direct_procurement", "direct_purchase"),
        ("self_performance", "self_performed"),
        ("dau thau rong rai", "open"),
        ("rong rai", "open"),
        ("open", "open"),
        ("dau thau han che", "restricted"),
        ("han che", "restricted"),
        ("restricted", "restricted"),
        ("chao hang canh tranh", "competitive_offer"),
        ("competitive", "competitive_offer"),
        ("chi dinh thau", "direct_appointment"),
        ("mua sam truc tiep", "direct_purchase"),
        ("tu thuc hien", "self_performed"),
        ("dac biet", "special"),
    ];
    Some(
        table
            .iter()
            .find(|(k, _)| f.contains(k))
            .map(|(_, v)| *v)
            .unwrap_or("other"),
    )
}

/// How a selection-method id reads in a message.
pub fn selection_method_label(id: &str, vi: bool) -> &'static str {
    let (v, e) = match id {
        "open" => ("đấu thầu rộng rãi", "open bidding"),
        "restricted" => ("đấu thầu hạn chế", "restricted bidding"),
        "competitive_offer" => ("chào hàng cạnh tranh", "competitive offers"),
        "direct_appointment" => ("chỉ định thầu", "direct appointment"),
        "direct_purchase" => ("mua sắm trực tiếp", "direct procurement"),
        "self_performed" => ("tự thực hiện", "self-performance"),
        "special" => (
            "lựa chọn nhà thầu trong trường hợp đặc biệt",
            "special case",
        ),
        _ => ("khác", "other"),
    };
    if vi {
        v
    } else {
        e
    }
}

/// Bidding scope as an id: domestic or international. None when the sheet does not say.
pub fn bidding_scope(p: &PackageFacts) -> Option<&'static str> {
    let f = fold(p.bidding_scope.as_deref()?);
    if f.is_empty() {
        None
    } else if f.contains("quoc te") || f.contains("international") {
        Some("international")
    } else {
        Some("domestic")
    }
}

/// A share written as "45%", "45", "0,45" or 0.45 → 0.45.
pub fn share(line: &PurchaseLine, f: Field) -> Option<f64> {
    let fv = line.get(f)?;
    let raw = fv.raw.trim();
    // The reader may give 0.584 or 58.4 for "58,4%"; a share above 1 is in percent units.
    let v = match fv.value {
        Some(v) => v,
        None => {
            let v = raw
                .trim_end_matches('%')
                .trim()
                .replace(',', ".")
                .parse::<f64>()
                .ok()?;
            if raw.ends_with('%') {
                v / 100.0
            } else {
                v
            }
        }
    };
    Some(if v > 1.0 { v / 100.0 } else { v })
}

/// ND 214 Art. 6(5)(b): D = G*/G, G = offer price less taxes (EXW when the bidder makes the goods),
/// G* = domestic cost, or G − C with C the imported costs. Returns (D, taxes assumed zero).
pub fn domestic_share_computed(line: &PurchaseLine) -> Option<(f64, bool)> {
    let mut taxes_assumed = false;
    let g = match line.number(Field::ExwPrice) {
        Some(exw) => exw,
        None => {
            match (line.number(Field::OfferPrice), line.number(Field::Taxes)) {
                (Some(offer), Some(taxes)) => offer - taxes,
                // The form's own G = (I) − (II) column.
                (_, _) if line.number(Field::NetPrice).is_some() => line.number(Field::NetPrice)?,
                (Some(offer), None) => {
                    taxes_assumed = true;
                    offer
                }
                (None, _) => return None,
            }
        }
    };
    if g <= 0.0 || !g.is_finite() {
        return None;
    }
    let g_star = match line.number(Field::DomesticCost) {
        Some(d) => d,
        None => g - line.number(Field::ImportedCost)?,
    };
    Some((g_star / g, taxes_assumed))
}

/// Whether a "claimed" cell says yes ("x", "✓", "có", "yes", "1").
pub fn truthy(raw: &str) -> bool {
    let f = fold(raw);
    matches!(
        f.as_str(),
        "x" | "v" | "co" | "yes" | "y" | "1" | "true" | "dung" | "✓" | "✔" | "☑" | "☒"
    ) || f.starts_with("co ")
}

/// A line's value: its amount, else quantity × unit price.
pub fn line_value(line: &PurchaseLine) -> Option<f64> {
    line.number(Field::Amount)
        .or_else(|| Some(line.number(Field::Quantity)? * line.number(Field::UnitPrice)?))
}

/// |amount − quantity × unit price| when all three are present.
pub fn amount_gap(line: &PurchaseLine) -> Option<f64> {
    let a = line.number(Field::Amount)?;
    let q = line.number(Field::Quantity)?;
    let p = line.number(Field::UnitPrice)?;
    Some((a - q * p).abs())
}

/// The fields a requirement's text is made of.
pub const ITEM_TEXT: [Field; 4] = [
    Field::Name,
    Field::Spec,
    Field::Note,
    Field::OriginRequirement,
];

/// The folded text a requirement is written in: name, spec, note, origin requirement.
pub fn item_text(line: &PurchaseLine) -> String {
    ITEM_TEXT
        .iter()
        .map(|f| fold(line.text(*f)))
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" | ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::FieldValue;

    fn line(fields: &[(Field, &str, Option<f64>)]) -> PurchaseLine {
        let mut l = PurchaseLine {
            row: 2,
            fields: Default::default(),
            extra: Default::default(),
            section: None,
            name_folded: Default::default(),
        };
        for (f, raw, v) in fields {
            let mut fv = FieldValue::text(*raw, "A2");
            fv.value = *v;
            l.fields.insert(*f, fv);
        }
        l
    }

    #[test]
    fn domestic_share_direct_and_indirect() {
        let l = line(&[
            (Field::OfferPrice, "110", Some(110.0)),
            (Field::Taxes, "10", Some(10.0)),
            (Field::ImportedCost, "75", Some(75.0)),
        ]);
        let (d, assumed) = domestic_share_computed(&l).unwrap();
        assert!((d - 0.25).abs() < 1e-9);
        assert!(!assumed);
        let l = line(&[
            (Field::ExwPrice, "200", Some(200.0)),
            (Field::DomesticCost, "120", Some(120.0)),
        ]);
        assert!((domestic_share_computed(&l).unwrap().0 - 0.6).abs() < 1e-9);
        let l = line(&[(Field::OfferPrice, "0", Some(0.0))]);
        assert!(domestic_share_computed(&l).is_none());
    }

    #[test]
    fn shares_and_flags() {
        let l = line(&[(Field::DomesticShare, "45%", None)]);
        assert!((share(&l, Field::DomesticShare).unwrap() - 0.45).abs() < 1e-9);
        let l = line(&[(Field::DomesticShare, "0,45", None)]);
        assert!((share(&l, Field::DomesticShare).unwrap() - 0.45).abs() < 1e-9);
        // The reader's value for "58,4%" may be a fraction or percent units.
        let l = line(&[(Field::DomesticShare, "58,4%", Some(0.584))]);
        assert!((share(&l, Field::DomesticShare).unwrap() - 0.584).abs() < 1e-9);
        let l = line(&[(Field::DomesticShare, "58,4", Some(58.4))]);
        assert!((share(&l, Field::DomesticShare).unwrap() - 0.584).abs() < 1e-9);
        assert!(truthy("X") && truthy("Có") && !truthy("") && !truthy("không"));
        let p = PackageFacts {
            selection_method: Some("Chào hàng cạnh tranh".into()),
            bidding_scope: Some("Quốc tế".into()),
            ..Default::default()
        };
        assert_eq!(selection_method(&p), Some("competitive_offer"));
        assert_eq!(bidding_scope(&p), Some("international"));
        assert_eq!(selection_method(&PackageFacts::default()), None);
    }
}
