//! Package-level facts printed above the table ("Chủ đầu tư: …", "Số TBMT: …", "Hình thức
//! lựa chọn nhà thầu: Đấu thầu rộng rãi", "Nguồn vốn: …", dates). Later rules choose the law in
//! force by these dates; the campaign report groups by agency and period.

use crate::model::PackageFacts;
use crate::read::Value;
use crate::text::fold;

/// Selection methods, folded phrase → id.
const METHODS: &[(&str, &str)] = &[
    ("dau thau rong rai", "open_bidding"),
    ("dau thau han che", "restricted_bidding"),
    ("chao hang canh tranh", "competitive_offers"),
    ("chi dinh thau", "direct_appointment"),
    ("mua sam truc tiep", "direct_procurement"),
    ("tu thuc hien", "self_performance"),
    ("dam phan gia", "price_negotiation"),
    ("mua sam truc tuyen", "online_procurement"),
    (
        "lua chon nha thau trong truong hop dac biet",
        "special_case",
    ),
];

pub fn selection_method_id(text: &str) -> Option<&'static str> {
    let f = fold(text);
    METHODS
        .iter()
        .find(|(p, _)| f.contains(p))
        .map(|(_, id)| *id)
}

/// "dd/mm/yyyy", "dd-mm-yyyy", "dd.mm.yyyy", "yyyy-mm-dd", "ngày 15 tháng 3 năm 2026" → ISO.
pub fn parse_date(text: &str) -> Option<String> {
    let f = fold(text);
    let digits: Vec<u32> = f
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty() && s.len() <= 4)
        .filter_map(|s| s.parse().ok())
        .collect();
    // Look for a (d, m, y) or (y, m, d) triple anywhere in the numbers.
    for w in digits.windows(3) {
        let (a, b, c) = (w[0], w[1], w[2]);
        if (1..=31).contains(&a) && (1..=12).contains(&b) && (1900..=2100).contains(&c) {
            return Some(format!("{c:04}-{b:02}-{a:02}"));
        }
        if (1900..=2100).contains(&a) && (1..=12).contains(&b) && (1..=31).contains(&c) {
            return Some(format!("{a:04}-{b:02}-{c:02}"));
        }
    }
    None
}

/// A date cell (ISO from the reader) or a date written as text.
pub fn date_of(v: &Value) -> Option<String> {
    match v {
        Value::Date(d) => Some(d.chars().take(10).collect()),
        Value::Text(t) => parse_date(t),
        _ => None,
    }
}

/// The value after a label: text after ':' in the same cell, else the next non-empty cell.
fn value_after(cells: &[String], i: usize) -> Option<String> {
    if let Some((_, v)) = cells.get(i)?.split_once(':') {
        let v = v.trim();
        if !v.is_empty() {
            return Some(v.to_string());
        }
    }
    cells
        .iter()
        .skip(i + 1)
        .find(|c| !c.trim().is_empty())
        .map(|c| c.trim().to_string())
}

/// Read the facts from the rows above the header (and any row that reads "Label: value").
pub fn scan(rows: &[&[Value]], facts: &mut PackageFacts) {
    for row in rows {
        let cells: Vec<String> = row.iter().map(|v| v.display()).collect();
        for (i, cell) in cells.iter().enumerate() {
            let f = fold(cell);
            if f.is_empty() {
                continue;
            }
            let label = f.split(':').next().unwrap_or("").trim().to_string();
            let set = |slot: &mut Option<String>, v: Option<String>| {
                if slot.is_none() {
                    *slot = v;
                }
            };
            if label.starts_with("chu dau tu")
                || label.starts_with("ben moi thau")
                || label.starts_with("don vi mua sam")
            {
                set(&mut facts.agency, value_after(&cells, i));
            } else if label.starts_with("ten goi thau") || label == "goi thau" {
                set(&mut facts.package_name, value_after(&cells, i));
            } else if label.starts_with("so tbmt")
                || label.starts_with("ma tbmt")
                || label.starts_with("so thong bao moi thau")
                || label.starts_with("so hieu tbmt")
            {
                set(&mut facts.notice_no, value_after(&cells, i));
            } else if label.starts_with("hinh thuc lua chon")
                || label.starts_with("hinh thuc dau thau")
            {
                let v = value_after(&cells, i);
                if let Some(id) = v.as_deref().and_then(selection_method_id) {
                    set(&mut facts.selection_method, Some(id.to_string()));
                }
                if let Some(scope) = v.as_deref().and_then(scope_of) {
                    set(&mut facts.bidding_scope, Some(scope.to_string()));
                }
            } else if label.starts_with("nguon von") {
                set(&mut facts.funding_source, value_after(&cells, i));
            } else if label.starts_with("pham vi")
                || label.starts_with("dau thau trong nuoc")
                || label.starts_with("dau thau quoc te")
                || label.starts_with("trong nuoc")
                || label.starts_with("quoc te")
            {
                let v = if label == "trong nuoc" || label == "quoc te" {
                    Some(cell.clone())
                } else {
                    value_after(&cells, i).or(Some(cell.clone()))
                };
                if let Some(scope) = v.as_deref().and_then(scope_of) {
                    set(&mut facts.bidding_scope, Some(scope.to_string()));
                }
            } else if label.starts_with("ngay phe duyet ke hoach")
                || label.starts_with("ngay phe duyet khlcnt")
                || label == "ngay phe duyet"
            {
                set(
                    &mut facts.plan_date,
                    value_after(&cells, i).as_deref().and_then(parse_date),
                );
            } else if label.starts_with("ngay phat hanh")
                || label.starts_with("ngay dang tai tbmt")
                || label.starts_with("ngay dang tai thong bao moi thau")
            {
                set(
                    &mut facts.hsmt_date,
                    value_after(&cells, i).as_deref().and_then(parse_date),
                );
            } else if label.starts_with("ngay quyet dinh")
                || label.starts_with("ngay phe duyet ket qua")
                || label.starts_with("ngay phe duyet")
                || label.starts_with("ngay dang tai")
            {
                set(
                    &mut facts.decision_date,
                    value_after(&cells, i).as_deref().and_then(parse_date),
                );
            } else if label.starts_with("gia goi thau") || label.starts_with("gia tri goi thau") {
                if let Some(v) = value_after(&cells, i) {
                    if let Ok(crate::number::Parsed::Number(n)) = crate::number::parse_number(&v) {
                        facts.package_value.get_or_insert(n);
                    }
                }
            }
            // A method or scope named anywhere in the title lines ("… đấu thầu rộng rãi trong nước").
            if facts.selection_method.is_none() {
                if let Some(id) = selection_method_id(cell) {
                    facts.selection_method = Some(id.to_string());
                }
            }
            if facts.bidding_scope.is_none() && (f.contains("dau thau") || f.contains("pham vi")) {
                if let Some(scope) = scope_of(cell) {
                    facts.bidding_scope = Some(scope.to_string());
                }
            }
            if facts.decision_date.is_none() && f.contains("quyet dinh") && f.contains("ngay") {
                facts.decision_date = parse_date(cell);
            }
        }
    }
}

fn scope_of(text: &str) -> Option<&'static str> {
    let f = fold(text);
    if f.contains("quoc te") {
        Some("international")
    } else if f.contains("trong nuoc") {
        Some("domestic")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Value {
        Value::Text(s.into())
    }

    #[test]
    fn dates() {
        assert_eq!(parse_date("15/03/2026").as_deref(), Some("2026-03-15"));
        assert_eq!(parse_date("2026-03-15").as_deref(), Some("2026-03-15"));
        assert_eq!(
            parse_date("Gia Lai, ngày 5 tháng 8 năm 2025").as_deref(),
            Some("2025-08-05")
        );
        assert_eq!(
            parse_date("Quyết định số 123/QĐ-SYT ngày 02/01/2026").as_deref(),
            Some("2026-01-02")
        );
        assert_eq!(parse_date("không rõ"), None);
    }

    #[test]
    fn facts_above_the_table() {
        let rows = [
            vec![t("Chủ đầu tư: Trung tâm Y tế Phù Cát")],
            vec![t("Tên gói thầu:"), t("Mua sắm thiết bị y tế năm 2026")],
            vec![t("Số TBMT: IB2600188592")],
            vec![t(
                "Hình thức lựa chọn nhà thầu: Đấu thầu rộng rãi trong nước",
            )],
            vec![t("Nguồn vốn: Ngân sách nhà nước")],
            vec![t("Ngày phê duyệt kế hoạch: 15/03/2026")],
        ];
        let refs: Vec<&[Value]> = rows.iter().map(|r| r.as_slice()).collect();
        let mut f = PackageFacts::default();
        scan(&refs, &mut f);
        assert_eq!(f.agency.as_deref(), Some("Trung tâm Y tế Phù Cát"));
        assert_eq!(
            f.package_name.as_deref(),
            Some("Mua sắm thiết bị y tế năm 2026")
        );
        assert_eq!(f.notice_no.as_deref(), Some("IB2600188592"));
        assert_eq!(f.selection_method.as_deref(), Some("open_bidding"));
        assert_eq!(f.bidding_scope.as_deref(), Some("domestic"));
        assert_eq!(f.funding_source.as_deref(), Some("Ngân sách nhà nước"));
        assert_eq!(f.plan_date.as_deref(), Some("2026-03-15"));
    }
}
