//! The registry file format (rules/vn/registry/README.md): TOML with `[[entry]]` tables, each
//! with at least one `[[entry.evidence]]`, and an optional `[lexicon]` table. Reading checks every
//! entry and names the file, line and column of what is wrong; writing produces the same format.

use serde::{Deserialize, Serialize};
use toml::Spanned;

use super::lexicon::LexiconRaw;
use crate::error::line_col;
use crate::registry::EvidenceKind;
use crate::{Error, Result};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileRaw {
    #[serde(default)]
    pub meta: Option<Meta>,
    #[serde(default)]
    pub lexicon: Option<LexiconRaw>,
    #[serde(default)]
    pub entry: Vec<Spanned<EntryRaw>>,
}

#[derive(Debug, Default, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Meta {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub source: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub licence: String,
}

/// One product made in Viet Nam by one maker (or, for the catalogue, by unnamed makers).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct EntryRaw {
    /// Vietnamese product name as the source gives it.
    pub product: String,
    /// Other names of the same product (brand used as a generic name, catalogue wording…).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub names: Vec<String>,
    /// HS code, 4, 6 or 8 digits, dots allowed ("8471.30.20").
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub hs: String,
    /// Specification or range the evidence covers.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub spec: String,
    /// The analyser or system a reagent or part is tied to (closed system), "" for generic goods.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub system: String,
    /// Maker in Viet Nam; "" only for catalogue rows (the catalogue names none).
    #[serde(default)]
    pub maker: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub model: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub brand: String,
    #[serde(default)]
    pub evidence: Vec<EvidenceRaw>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct EvidenceRaw {
    /// "catalogue", "award", "maker", "market_consultation", "drug_list".
    pub kind: String,
    /// Notice number, circular and row, URL…
    pub reference: String,
    /// ISO date, "" when unknown.
    #[serde(default)]
    pub date: String,
    /// Unit price in đồng (award evidence).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price: Option<f64>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub unit: String,
    /// Who bought it (award evidence).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub buyer: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

/// A file as written by `learn` and `import`.
#[derive(Debug, Serialize)]
pub struct FileOut<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meta: Option<&'a Meta>,
    pub entry: &'a [EntryRaw],
}

pub fn to_toml(meta: Option<&Meta>, entries: &[EntryRaw]) -> Result<String> {
    toml::to_string(&FileOut {
        meta,
        entry: entries,
    })
    .map_err(|e| Error::Data {
        location: "registry".to_string(),
        reason: format!("cannot write the registry file: {e}"),
    })
}

/// Parse and check one registry file.
pub fn parse(text: &str, source: &str) -> Result<FileRaw> {
    let file: FileRaw = toml::from_str(text).map_err(|e| {
        let at = e
            .span()
            .map(|s| {
                let (l, c) = line_col(text, s.start);
                format!("{source}:{l}:{c}")
            })
            .unwrap_or_else(|| source.to_string());
        Error::Data {
            location: at,
            reason: format!(
                "tệp danh mục hàng trong nước không đọc được: {}",
                e.message()
            ),
        }
    })?;
    for e in &file.entry {
        check(e.get_ref()).map_err(|reason| {
            let (l, c) = line_col(text, e.span().start);
            Error::Data {
                location: format!("{source}:{l}:{c}"),
                reason,
            }
        })?;
    }
    Ok(file)
}

fn check(e: &EntryRaw) -> std::result::Result<(), String> {
    if e.product.trim().is_empty() {
        return Err("mục thiếu tên mặt hàng (product); hãy điền tên".to_string());
    }
    if e.evidence.is_empty() {
        return Err(format!(
            "mục “{}” không có chứng cứ ([[entry.evidence]]): mỗi mục phải nêu nguồn (danh mục chính thức, kết quả trúng thầu, dòng sản phẩm của nhà sản xuất)",
            e.product
        ));
    }
    let hs: String = e.hs.chars().filter(|c| !matches!(c, '.' | ' ')).collect();
    if !hs.is_empty() && (!hs.chars().all(|c| c.is_ascii_digit()) || ![4, 6, 8].contains(&hs.len()))
    {
        return Err(format!(
            "mã HS “{}” của “{}” phải có 4, 6 hoặc 8 chữ số",
            e.hs, e.product
        ));
    }
    for ev in &e.evidence {
        let Some(kind) = EvidenceKind::from_id(&ev.kind) else {
            return Err(format!(
                "loại chứng cứ “{}” không có; dùng catalogue, award, maker, market_consultation hoặc drug_list",
                ev.kind
            ));
        };
        if ev.reference.trim().is_empty() {
            return Err(format!(
                "chứng cứ của “{}” thiếu reference (số TBMT, văn bản và dòng, địa chỉ…)",
                e.product
            ));
        }
        if kind != EvidenceKind::Catalogue && e.maker.trim().is_empty() {
            return Err(format!(
                "mục “{}” thiếu nhà sản xuất (maker); chỉ dòng danh mục chính thức (catalogue) mới được để trống",
                e.product
            ));
        }
    }
    Ok(())
}
