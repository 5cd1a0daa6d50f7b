//! One finding per line, for a spreadsheet: UTF-8 with a BOM so Excel shows Vietnamese text
//! right, columns a person reads. Files that could not be read come last, one line each, with
//! the severity column saying so.

use super::{severity_label, Report};
use crate::rules::cond::Lang;

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The column titles, in order.
pub fn headers(lang: Lang) -> [&'static str; 15] {
    match lang {
        Lang::Vi => [
            "Tệp",
            "Trang",
            "Dòng",
            "Ô",
            "Mã quy tắc",
            "Mức độ",
            "Quy tắc",
            "Mặt hàng",
            "Nội dung phát hiện",
            "Căn cứ",
            "Ghi chú / Lý do trong tệp",
            "Hàng Việt Nam tương đương",
            "Ngoại lệ đã chấp nhận",
            "Người chấp nhận",
            "Ngày chấp nhận",
        ],
        Lang::En => [
            "File",
            "Sheet",
            "Row",
            "Cells",
            "Rule",
            "Severity",
            "Rule name",
            "Item",
            "Finding",
            "Basis",
            "Note / justification in the file",
            "Vietnamese equivalents",
            "Waiver reason",
            "Waived by",
            "Waiver date",
        ],
    }
}

/// The report as CSV bytes (BOM, header row, one row per finding, then one per unreadable file).
pub fn to_csv(report: &Report, lang: Lang) -> Vec<u8> {
    let mut out = BOM.to_vec();
    {
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(&mut out);
        let _ = w.write_record(headers(lang));
        for f in &report.findings {
            let alternatives = f
                .alternatives
                .iter()
                .map(|e| format!("{} {}", e.maker, e.product).trim().to_string())
                .collect::<Vec<_>>()
                .join("; ");
            let (reason, by, date) = match &f.waived {
                Some(w) => (w.reason.as_str(), w.by.as_str(), w.date.as_str()),
                None => ("", "", ""),
            };
            let row = f.row.to_string();
            let cells = f.cells.join(" ");
            let _ = w.write_record([
                f.file.as_str(),
                &f.sheet,
                &row,
                &cells,
                &f.rule,
                severity_label(f.severity, lang),
                &f.name,
                &f.item,
                &f.message,
                &f.citation,
                &f.note,
                &alternatives,
                reason,
                by,
                date,
            ]);
        }
        let unreadable = match lang {
            Lang::Vi => "không đọc được tệp",
            Lang::En => "file could not be read",
        };
        for e in &report.errors {
            let _ = w.write_record([
                e.file.as_str(),
                "",
                "",
                "",
                "",
                unreadable,
                "",
                "",
                &e.message,
                "",
                "",
                "",
                "",
                "",
                "",
            ]);
        }
        let _ = w.flush();
    }
    out
}
