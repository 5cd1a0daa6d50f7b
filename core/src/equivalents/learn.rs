//! `registry learn`: award results → entries. Every line whose origin is Viet Nam becomes evidence
//! for its product (maker, model, unit price, notice number, date); lines of the same product by
//! the same maker merge, across files.

use std::collections::HashMap;

use super::data::{EntryRaw, EvidenceRaw};
use crate::model::{Field, PurchaseLine, Sheet, Workbook};
use crate::normalize::name::fold_name;
use crate::normalize::origin::{OriginClass, OriginTable};
use crate::text::fold;

/// What learning did, for the user.
#[derive(Debug, Default)]
pub struct Learned {
    pub entries: Vec<EntryRaw>,
    /// Lines read.
    pub lines: usize,
    /// Lines of Vietnamese origin turned into evidence.
    pub domestic: usize,
    /// Lines of Vietnamese origin left out, with why ("file:row: reason").
    pub skipped: Vec<String>,
}

/// Longest specification kept in an entry (the rest is in the award notice).
const SPEC_MAX: usize = 300;

#[derive(Default)]
pub struct Learner {
    entries: Vec<EntryRaw>,
    by_key: HashMap<(String, String), usize>,
    lines: usize,
    domestic: usize,
    skipped: Vec<String>,
}

impl Learner {
    pub fn new() -> Learner {
        Learner::default()
    }

    pub fn add_workbook(&mut self, wb: &Workbook, origins: &OriginTable) {
        for sheet in &wb.sheets {
            for line in &sheet.lines {
                self.add_line(&wb.file, sheet, line, origins);
            }
        }
    }

    pub fn add_line(
        &mut self,
        file: &str,
        sheet: &Sheet,
        line: &PurchaseLine,
        origins: &OriginTable,
    ) {
        self.lines += 1;
        let origin_raw = line.text(Field::Origin);
        let maker_raw = line.text(Field::Manufacturer);
        let origin = match line
            .get(Field::Origin)
            .and_then(|v| v.origin.as_deref().cloned())
        {
            Some(o) => o,
            None => origins.classify(origin_raw, maker_raw),
        };
        if origin.class != OriginClass::Domestic {
            return;
        }
        let at = format!("{file}:{}", line.row);
        let product = line.text(Field::Name);
        if product.is_empty() {
            self.skipped.push(format!("{at}: không có tên hàng"));
            return;
        }
        let maker = clean_maker(maker_raw)
            .or_else(|| origin.maker.as_deref().and_then(clean_maker))
            .or_else(|| clean_maker(line.text(Field::Brand)));
        let Some(maker) = maker else {
            self.skipped.push(format!(
                "{at}: “{product}” xuất xứ Việt Nam nhưng không rõ nhà sản xuất"
            ));
            return;
        };
        self.domestic += 1;
        let notice = match line.text(Field::NoticeNo) {
            "" => sheet.package.notice_no.clone().unwrap_or_default(),
            n => n.to_string(),
        };
        let reference = if notice.is_empty() {
            format!("{at} (không có số TBMT)")
        } else {
            format!("TBMT {notice}")
        };
        let date = iso_date(line.text(Field::Date))
            .or_else(|| sheet.package.decision_date.clone())
            .unwrap_or_default();
        let buyer = match line.text(Field::Agency) {
            "" => sheet.package.agency.clone().unwrap_or_default(),
            a => a.to_string(),
        };
        let ev = EvidenceRaw {
            kind: "award".to_string(),
            reference,
            date,
            price: line.number(Field::UnitPrice).filter(|p| *p > 0.0),
            unit: line.text(Field::Unit).to_string(),
            buyer,
            note: at,
        };
        let key = (fold_name(product), fold(&maker));
        let idx = match self.by_key.get(&key) {
            Some(&i) => i,
            None => {
                let i = self.entries.len();
                self.entries.push(EntryRaw {
                    product: one_line(product),
                    maker: maker.clone(),
                    ..EntryRaw::default()
                });
                self.by_key.insert(key, i);
                i
            }
        };
        let Some(e) = self.entries.get_mut(idx) else {
            return;
        };
        if e.model.is_empty() {
            e.model = meaningful(line.text(Field::Model));
        }
        if e.brand.is_empty() {
            e.brand = meaningful(line.text(Field::Brand));
        }
        if e.spec.is_empty() {
            e.spec = clip(&one_line(line.text(Field::Spec)), SPEC_MAX);
        }
        if e.hs.is_empty() {
            if let Some(code) = line
                .get(Field::HsCode)
                .and_then(|v| v.hs.as_ref())
                .filter(|h| h.valid)
                .and_then(|h| h.code.clone())
            {
                e.hs = code;
            }
        }
        let dup = e
            .evidence
            .iter()
            .any(|x| x.reference == ev.reference && x.price == ev.price && x.unit == ev.unit);
        if !dup {
            e.evidence.push(ev);
        }
    }

    pub fn finish(self) -> Learned {
        Learned {
            entries: self.entries,
            lines: self.lines,
            domestic: self.domestic,
            skipped: self.skipped,
        }
    }
}

/// Learn from several workbooks at once.
pub fn learn(workbooks: &[Workbook], origins: &OriginTable) -> Learned {
    let mut l = Learner::new();
    for wb in workbooks {
        l.add_workbook(wb, origins);
    }
    l.finish()
}

/// "Công ty cổ phần Vsens/ Việt Nam" → "Công ty cổ phần Vsens"; a bare country or "." is no maker.
fn clean_maker(s: &str) -> Option<String> {
    let mut m = one_line(s);
    for sep in ['/', '-', ';', ','] {
        if let Some((head, tail)) = m.rsplit_once(sep) {
            if matches!(fold(tail).as_str(), "viet nam" | "vietnam" | "vn") {
                m = head.trim().to_string();
            }
        }
    }
    let f = fold(&m);
    let letters = f.chars().filter(|c| c.is_alphabetic()).count();
    if letters < 2 || matches!(f.as_str(), "viet nam" | "vietnam" | "vn") {
        return None;
    }
    Some(m)
}

/// A model or brand cell, "" when it holds no letter or digit (".", "-").
fn meaningful(s: &str) -> String {
    let s = one_line(s);
    if s.chars().any(char::is_alphanumeric) {
        s
    } else {
        String::new()
    }
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max).collect();
    out.push('…');
    out
}

/// "2026-05-28T18:51:31" or "28/05/2026" → "2026-05-28".
fn iso_date(s: &str) -> Option<String> {
    let s = s.trim();
    let b = s.as_bytes();
    if b.len() >= 10
        && b.get(4) == Some(&b'-')
        && b.get(7) == Some(&b'-')
        && s.get(..4)?.bytes().all(|c| c.is_ascii_digit())
    {
        return s.get(..10).map(str::to_string);
    }
    let parts: Vec<&str> = s.split(['/', '-', '.']).collect();
    if let [d, m, y] = parts.as_slice() {
        let (d, m, y): (u32, u32, u32) = (
            d.trim().parse().ok()?,
            m.trim().parse().ok()?,
            y.trim().get(..4)?.parse().ok()?,
        );
        if (1..=31).contains(&d) && (1..=12).contains(&m) && y > 1900 {
            return Some(format!("{y:04}-{m:02}-{d:02}"));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn makers_lose_the_country() {
        assert_eq!(
            clean_maker("Công ty cổ phần Vsens/ Việt Nam").as_deref(),
            Some("Công ty cổ phần Vsens")
        );
        assert_eq!(
            clean_maker("Hiệp hưng - Việt Nam").as_deref(),
            Some("Hiệp hưng")
        );
        assert_eq!(clean_maker("Việt Nam"), None);
        assert_eq!(clean_maker("."), None);
    }

    #[test]
    fn dates() {
        assert_eq!(
            iso_date("2026-05-28T18:51:31").as_deref(),
            Some("2026-05-28")
        );
        assert_eq!(iso_date("28/5/2026").as_deref(), Some("2026-05-28"));
        assert_eq!(iso_date("x"), None);
    }
}
