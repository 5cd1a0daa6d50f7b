//! `registry import`: the official catalogue annex layout (`Số TT | Tên mặt hàng | Mã số theo
//! biểu thuế | Ký hiệu quy cách, mô tả đặc tính kỹ thuật`) → catalogue entries citing the
//! circular. Every HS code is checked against the nomenclature; rows without a valid code are
//! left out and listed, never guessed.

use super::data::{EntryRaw, EvidenceRaw};
use crate::model::{Field, Workbook};
use crate::normalize::Tables;

/// Which circular the annex belongs to.
#[derive(Debug, Clone)]
pub struct Circular {
    /// "TT 04/2012/TT-BKHĐT".
    pub number: String,
    /// ISO date of issue.
    pub date: String,
    /// What the evidence is worth, written into each entry ("bản 2012: …").
    pub note: String,
}

impl Default for Circular {
    fn default() -> Circular {
        Circular {
            number: "TT 04/2012/TT-BKHĐT".to_string(),
            date: "2012-08-13".to_string(),
            note: "bản 2012: chứng cứ hàng trong nước đã sản xuất được năm 2012; các thông tư sau (14/2015, 01/2018, 05/2021, 01/2023) đã thay thế".to_string(),
        }
    }
}

#[derive(Debug, Default)]
pub struct Imported {
    pub entries: Vec<EntryRaw>,
    /// Rows left out: "file:row: why".
    pub skipped: Vec<String>,
}

/// Headers of the annex column ("Phụ lục") when the rows of several annexes share one table.
const ANNEX_HEADERS: &[&str] = &["phu luc", "annex"];

pub fn import(wb: &Workbook, tables: &Tables, circ: &Circular) -> Imported {
    let mut out = Imported::default();
    for sheet in &wb.sheets {
        for line in &sheet.lines {
            let at = format!("{}:{}", wb.file, line.row);
            let name = line
                .text(Field::Name)
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            if name.is_empty() {
                out.skipped.push(format!("{at}: không có tên mặt hàng"));
                continue;
            }
            let raw_hs = line.text(Field::HsCode);
            let info = line
                .get(Field::HsCode)
                .and_then(|v| v.hs.clone())
                .unwrap_or_else(|| tables.hs.lookup(raw_hs, false));
            let code = match (&info.code, info.valid) {
                (Some(c), true) => c.clone(),
                _ => {
                    let why = info
                        .reason
                        .clone()
                        .unwrap_or_else(|| "không có mã".to_string());
                    out.skipped.push(format!(
                        "{at}: “{name}”: mã HS “{raw_hs}” không dùng được ({why})"
                    ));
                    continue;
                }
            };
            let annex = line
                .extra
                .iter()
                .find(|(h, _)| {
                    ANNEX_HEADERS
                        .iter()
                        .any(|a| crate::text::fold(h).starts_with(a))
                })
                .map(|(_, v)| v.raw.trim().to_string())
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| sheet.name.clone());
            let row_no = line.text(Field::LineNo);
            let reference = if row_no.is_empty() {
                format!("{}, {annex}", circ.number)
            } else {
                format!("{}, {annex}, dòng {row_no}", circ.number)
            };
            out.entries.push(EntryRaw {
                product: name,
                hs: dotted(&code),
                spec: line
                    .text(Field::Spec)
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" "),
                evidence: vec![EvidenceRaw {
                    kind: "catalogue".to_string(),
                    reference,
                    date: circ.date.clone(),
                    note: circ.note.clone(),
                    ..EvidenceRaw::default()
                }],
                ..EntryRaw::default()
            });
        }
    }
    out
}

/// "84713020" → "8471.30.20".
pub fn dotted(code: &str) -> String {
    let parts: Vec<&str> = [code.get(..4), code.get(4..6), code.get(6..8)]
        .into_iter()
        .flatten()
        .filter(|p| !p.is_empty())
        .collect();
    parts.join(".")
}
