//! Header synonyms (rules/reference/headers.toml): header text → field.

use crate::error::line_col;
use crate::model::Field;
use crate::text::fold;
use crate::{Error, Result};
use serde::Deserialize;
use std::collections::BTreeMap;

const EMBEDDED: &str = include_str!("../../../rules/reference/headers.toml");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HeaderFile {
    #[serde(default)]
    fields: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    ignore: Option<Ignore>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Ignore {
    headers: Vec<String>,
}

/// What a synonym points at: a field, or "keep this column as an extra".
#[derive(Debug, Clone, Copy, PartialEq)]
enum Target {
    Field(Field),
    Ignore,
}

#[derive(Debug, Clone)]
pub struct HeaderTable {
    synonyms: Vec<(String, Target)>,
}

/// Fold a header for matching: diacritics and case off, bracketed parts ("(VNĐ)", "(1)") and
/// punctuation dropped.
pub fn fold_header(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut depth = 0;
    for c in s.chars() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' if depth > 0 => depth -= 1,
            _ if depth > 0 => {}
            ',' | ';' | ':' | '*' | '.' | '-' | '–' | '_' | '\'' | '"' => out.push(' '),
            c => out.push(c),
        }
    }
    fold(&out)
}

impl HeaderTable {
    pub fn embedded() -> Result<HeaderTable> {
        let mut t = HeaderTable {
            synonyms: Vec::new(),
        };
        t.extend_from_toml(EMBEDDED, "rules/reference/headers.toml")?;
        Ok(t)
    }

    /// Add a user's synonym file (same layout as the embedded one).
    pub fn extend_from_toml(&mut self, text: &str, source: &str) -> Result<()> {
        let file: HeaderFile = toml::from_str(text).map_err(|e| {
            let location = match e.span() {
                Some(span) => {
                    let (line, col) = line_col(text, span.start);
                    format!("{source}:{line}:{col}")
                }
                None => source.to_string(),
            };
            Error::Data {
                location,
                reason: e.message().to_string(),
            }
        })?;
        for (id, names) in file.fields {
            let field = Field::from_id(&id).ok_or_else(|| Error::Data {
                location: source.to_string(),
                reason: format!(
                    "trường \"{id}\" không tồn tại; các trường hợp lệ: {}",
                    Field::ALL
                        .iter()
                        .map(|f| f.id())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            })?;
            for n in names {
                self.synonyms.push((fold_header(&n), Target::Field(field)));
            }
        }
        if let Some(ig) = file.ignore {
            for n in ig.headers {
                self.synonyms.push((fold_header(&n), Target::Ignore));
            }
        }
        // Longest first so the most specific synonym wins.
        self.synonyms
            .sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0.cmp(&b.0)));
        self.synonyms.dedup_by(|a, b| a.0 == b.0);
        Ok(())
    }

    /// The field a header names, if any.
    pub fn field_for(&self, header: &str) -> Option<Field> {
        let h = fold_header(header);
        if h.is_empty() {
            return None;
        }
        for (syn, target) in &self.synonyms {
            if syn.is_empty() {
                continue;
            }
            let hit = h == *syn
                || (syn.len() >= 3
                    && h.len() > syn.len()
                    && h.starts_with(syn.as_str())
                    && h.as_bytes()[syn.len()] == b' ');
            if hit {
                return match target {
                    Target::Field(f) => Some(*f),
                    Target::Ignore => None,
                };
            }
        }
        None
    }

    /// Whether a header text is one we know (for scoring header rows).
    pub fn is_known(&self, header: &str) -> bool {
        self.field_for(header).is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t() -> HeaderTable {
        HeaderTable::embedded().unwrap()
    }

    #[test]
    fn maps_vietnamese_headers_with_and_without_marks() {
        let t = t();
        assert_eq!(t.field_for("Tên hàng hóa"), Some(Field::Name));
        assert_eq!(t.field_for("TEN HANG HOA"), Some(Field::Name));
        assert_eq!(
            t.field_for("Đơn giá trúng thầu (VNĐ)"),
            Some(Field::UnitPrice)
        );
        assert_eq!(t.field_for("Don gia"), Some(Field::UnitPrice));
        assert_eq!(t.field_for("Thành tiền (VNĐ)"), Some(Field::Amount));
        assert_eq!(
            t.field_for("Xuất xứ (quốc gia, vùng lãnh thổ sản xuất)"),
            Some(Field::Origin)
        );
        assert_eq!(t.field_for("Hãng/Nước sản xuất"), Some(Field::Manufacturer));
        assert_eq!(t.field_for("Hãng sản xuất"), Some(Field::Manufacturer));
        assert_eq!(t.field_for("Hãng"), Some(Field::Brand));
        assert_eq!(t.field_for("ĐVT"), Some(Field::Unit));
        assert_eq!(
            t.field_for("Xuất xứ yêu cầu"),
            Some(Field::OriginRequirement)
        );
        assert_eq!(t.field_for("Tên nhà thầu"), Some(Field::Bidder));
        assert_eq!(t.field_for("Giá trị G = (I) - (II)"), Some(Field::NetPrice));
        assert_eq!(
            t.field_for("Giá trị nội địa G* = G − C"),
            Some(Field::DomesticCost)
        );
        assert_eq!(t.field_for("Mã vạch"), None);
        assert_eq!(t.field_for("(VNĐ)"), None);
        assert_eq!(
            t.field_for("Cấu hình, tính năng kỹ thuật cơ bản"),
            Some(Field::Spec)
        );
        assert_eq!(t.field_for("Số TBMT"), Some(Field::NoticeNo));
        assert_eq!(t.field_for("Mã HS"), Some(Field::HsCode));
        assert_eq!(t.field_for("Country of origin"), Some(Field::Origin));
        assert_eq!(t.field_for("Unit price"), Some(Field::UnitPrice));
    }

    #[test]
    fn a_bad_synonym_file_names_line_and_column() {
        let mut t = t();
        let err = t
            .extend_from_toml("[fields]\nname = [\"a\"\n", "extra.toml")
            .unwrap_err();
        assert!(err.to_string().starts_with("extra.toml:"), "{err}");
        let err = t
            .extend_from_toml("[fields]\nnmae = [\"a\"]\n", "extra.toml")
            .unwrap_err();
        assert!(err.to_string().contains("nmae"), "{err}");
    }
}
