//! One self-contained HTML file (no external assets, no network): summary, per-file tables of
//! findings, filters, printable. Written as well-formed XHTML-compatible markup so any XML parser
//! can read it back (tests do).

use super::{disclaimer, severity_label, waived_text, Report, Severity, Summary};
use crate::rules::cond::{number, percent, Lang};
use std::fmt::Write;

/// Text for an element or an attribute value.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Control characters are not allowed in XML 1.0 text.
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\t' | '\r') => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn t(lang: Lang, vi: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Vi => vi,
        Lang::En => en,
    }
}

const STYLE: &str = r#"
body{font-family:"Segoe UI",Roboto,"Noto Sans",Arial,sans-serif;margin:1.5em;color:#1a1a1a;font-size:14px}
h1{font-size:1.4em;margin:0 0 .3em}h2{font-size:1.15em;margin:1.4em 0 .3em;border-bottom:1px solid #ccc}
.disclaimer{background:#fff4e5;border-left:4px solid #e67e22;padding:.5em .8em;font-weight:600}
.meta{color:#555;font-size:.9em}
table{border-collapse:collapse;width:100%;margin:.4em 0}
th,td{border:1px solid #ccc;padding:.25em .4em;vertical-align:top;text-align:left}
th{background:#e8eef8}td.n{text-align:right;white-space:nowrap}
tr.total td{font-weight:700;background:#f4f4f4}
tr.violation td.sev{background:#ffc7ce}tr.warning td.sev{background:#ffd8a8}
tr.advisory td.sev{background:#ffeb9c}tr.info td.sev{background:#ddebf7}
tr.waived{color:#777}tr.waived td.sev{background:#d9d9d9}
.filters{background:#f6f8fa;border:1px solid #ddd;padding:.5em;margin:1em 0}
.filters label{margin-right:1em}.errors li{color:#a00}
.cite{color:#555;font-size:.9em}.note{font-style:italic}
.bar{fill:#2e7d32}.bar-bg{fill:#e0e0e0}svg text{font-size:12px}
@media print{.filters{display:none}body{margin:0;font-size:11px}tr{page-break-inside:avoid}}
"#;

const SCRIPT: &str = r#"
function hvFilter(){
  var sev={}, boxes=document.querySelectorAll('input.sevbox');
  for(var i=0;i!==boxes.length;i++){sev[boxes[i].value]=boxes[i].checked;}
  var rule=document.getElementById('f-rule').value;
  var text=document.getElementById('f-text').value.toLowerCase();
  var waived=document.getElementById('f-waived').checked;
  var rows=document.querySelectorAll('tr.finding');
  for(var j=0;j!==rows.length;j++){
    var r=rows[j], show=sev[r.getAttribute('data-severity')];
    if(show){show=(rule==='')||(r.getAttribute('data-rule')===rule);}
    if(show){show=(text==='')||(r.textContent.toLowerCase().indexOf(text)!==-1);}
    if(show){show=waived||(r.getAttribute('data-waived')==='0');}
    r.style.display=show?'':'none';
  }
}
"#;

/// Head of a page: title, style, script; `<body>` opened.
pub fn page_start(out: &mut String, title: &str, lang: Lang) {
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"{}\" xmlns=\"http://www.w3.org/1999/xhtml\">\n<head>\n<meta charset=\"utf-8\"/>\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n<title>{}</title>\n<style>{STYLE}</style>\n<script>//<![CDATA[{SCRIPT}//]]></script>\n</head>\n<body>\n",
        t(lang, "vi", "en"),
        esc(title)
    );
}

fn summary_row(out: &mut String, class: &str, label: &str, s: &Summary, lang: Lang) {
    let tt = &s.totals;
    let share = |v: Option<f64>| v.map(|v| percent(v, lang)).unwrap_or_else(|| "—".into());
    let _ = write!(
        out,
        "<tr class=\"{class}\"><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>",
        esc(label),
        tt.lines,
        tt.lines_skipped,
        number(tt.value_total, lang),
        number(tt.value_domestic, lang),
        share(s.domestic_share_value),
        share(s.domestic_share_lines),
        tt.lines_unresolved,
    );
    for sev in Severity::ALL {
        let n = tt.by_severity.get(sev.id()).copied().unwrap_or(0);
        let _ = write!(out, "<td class=\"n\" data-count=\"{}\">{n}</td>", sev.id());
    }
    let _ = writeln!(
        out,
        "<td class=\"n\" data-count=\"waived\">{}</td></tr>",
        tt.waived
    );
}

/// The check report as one HTML page.
pub fn to_html(report: &Report, lang: Lang) -> String {
    let mut out = String::new();
    let title = t(
        lang,
        "Kết quả kiểm tra danh mục hàng hóa",
        "Purchase list check results",
    );
    page_start(&mut out, title, lang);
    let _ = writeln!(out, "<h1>{}</h1>", esc(title));
    let _ = writeln!(out, "<p class=\"disclaimer\">{}</p>", esc(disclaimer(lang)));
    let packs = report
        .packs
        .iter()
        .map(|p| format!("{} {}", p.id, p.version))
        .collect::<Vec<_>>()
        .join(", ");
    let _ = writeln!(
        out,
        "<p class=\"meta\">hangviet {} — {}: {}{}</p>",
        esc(&report.tool.version),
        t(lang, "bộ quy tắc", "rule packs"),
        esc(&packs),
        report
            .as_of
            .map(|d| format!(
                " — {} {d}",
                t(lang, "áp dụng văn bản hiệu lực ngày", "law in force on")
            ))
            .unwrap_or_default()
    );

    // Summary.
    let _ = writeln!(out, "<h2>{}</h2>", t(lang, "Tổng hợp", "Summary"));
    let heads: [&str; 13] = match lang {
        Lang::Vi => [
            "Tệp",
            "Số dòng hàng",
            "Dòng bỏ qua",
            "Tổng giá trị (VND)",
            "Giá trị hàng xuất xứ VN",
            "Tỷ lệ VN theo giá trị",
            "Tỷ lệ VN theo số dòng",
            "Dòng chưa rõ xuất xứ",
            "Vi phạm",
            "Cảnh báo",
            "Khuyến nghị",
            "Thông tin",
            "Đã chấp nhận ngoại lệ",
        ],
        Lang::En => [
            "File",
            "Lines",
            "Rows skipped",
            "Total value (VND)",
            "Value of Vietnamese origin",
            "Domestic share by value",
            "Domestic share by lines",
            "Lines of unresolved origin",
            "Violations",
            "Warnings",
            "Advisories",
            "Info",
            "Waived",
        ],
    };
    out.push_str("<table id=\"summary\"><thead><tr>");
    for h in heads {
        let _ = write!(out, "<th>{}</th>", esc(h));
    }
    out.push_str("</tr></thead><tbody>\n");
    for input in &report.inputs {
        summary_row(&mut out, "file-row", &input.file, &input.summary, lang);
    }
    let label = format!(
        "{} ({} {})",
        t(lang, "Tổng cộng", "Total"),
        report.summary.files,
        t(lang, "tệp", "files")
    );
    summary_row(&mut out, "total", &label, &report.summary, lang);
    out.push_str("</tbody></table>\n");

    if !report.errors.is_empty() {
        let _ = writeln!(
            out,
            "<h2>{}</h2>\n<ul class=\"errors\" id=\"errors\">",
            t(lang, "Tệp không đọc được", "Files that could not be read")
        );
        for e in &report.errors {
            let _ = writeln!(
                out,
                "<li class=\"error\"><b>{}</b>: {}</li>",
                esc(&e.file),
                esc(&e.message)
            );
        }
        out.push_str("</ul>\n");
    }

    // Filters.
    out.push_str("<div class=\"filters\">");
    for sev in Severity::ALL {
        let _ = write!(
            out,
            "<label><input type=\"checkbox\" class=\"sevbox\" value=\"{}\" checked=\"checked\" onchange=\"hvFilter()\"/> {}</label>",
            sev.id(),
            esc(severity_label(sev, lang))
        );
    }
    let _ = write!(
        out,
        "<label>{} <select id=\"f-rule\" onchange=\"hvFilter()\"><option value=\"\">{}</option>",
        t(lang, "Quy tắc", "Rule"),
        t(lang, "tất cả", "all")
    );
    for rule in report.summary.totals.by_rule.keys() {
        let _ = write!(out, "<option value=\"{0}\">{0}</option>", esc(rule));
    }
    let _ = writeln!(
        out,
        "</select></label><label>{} <input type=\"search\" id=\"f-text\" oninput=\"hvFilter()\"/></label><label><input type=\"checkbox\" id=\"f-waived\" checked=\"checked\" onchange=\"hvFilter()\"/> {}</label></div>",
        t(lang, "Tìm", "Search"),
        t(lang, "hiện các ngoại lệ đã chấp nhận", "show waived findings")
    );

    // Per file.
    let cols: [&str; 9] = match lang {
        Lang::Vi => [
            "Trang",
            "Dòng",
            "Ô",
            "Quy tắc",
            "Mức độ",
            "Mặt hàng",
            "Nội dung",
            "Ghi chú / Lý do trong tệp",
            "Ngoại lệ",
        ],
        Lang::En => [
            "Sheet",
            "Row",
            "Cells",
            "Rule",
            "Severity",
            "Item",
            "Finding",
            "Note in the file",
            "Waiver",
        ],
    };
    for input in &report.inputs {
        let _ = writeln!(
            out,
            "<section class=\"file\" data-file=\"{0}\"><h2>{1}: {0}</h2>",
            esc(&input.file),
            t(lang, "Tệp", "File")
        );
        let _ = writeln!(
            out,
            "<p class=\"meta\">{} {} — {} {} — SHA-256 {}</p>",
            t(lang, "Áp dụng văn bản hiệu lực ngày", "Law in force on"),
            input.as_of,
            input.summary.totals.lines,
            t(lang, "dòng hàng", "lines"),
            esc(&input.sha256)
        );
        let findings: Vec<_> = report
            .findings
            .iter()
            .filter(|f| f.file == input.file)
            .collect();
        if findings.is_empty() {
            let _ = writeln!(
                out,
                "<p>{}</p></section>",
                t(lang, "Không có phát hiện.", "No findings.")
            );
            continue;
        }
        out.push_str("<table class=\"findings\"><thead><tr>");
        for h in cols {
            let _ = write!(out, "<th>{}</th>", esc(h));
        }
        out.push_str("</tr></thead><tbody>\n");
        for f in findings {
            let waived = f.waived.is_some();
            let _ = write!(
                out,
                "<tr class=\"finding {}{}\" data-severity=\"{}\" data-rule=\"{}\" data-waived=\"{}\">",
                f.severity.id(),
                if waived { " waived" } else { "" },
                f.severity.id(),
                esc(&f.rule),
                u8::from(waived)
            );
            let _ = write!(
                out,
                "<td>{}</td><td class=\"n\">{}</td><td>{}</td><td title=\"{}\">{}</td><td class=\"sev\">{}</td><td>{}</td>",
                esc(&f.sheet),
                f.row,
                esc(&f.cells.join(", ")),
                esc(&f.name),
                esc(&f.rule),
                esc(severity_label(f.severity, lang)),
                esc(&f.item)
            );
            let _ = write!(
                out,
                "<td>{}<div class=\"cite\">{}: {}</div>",
                esc(&f.message),
                t(lang, "Căn cứ", "Basis"),
                esc(&f.citation)
            );
            if !f.alternatives.is_empty() {
                let alts = f
                    .alternatives
                    .iter()
                    .map(|e| format!("{} {}", e.maker, e.product))
                    .collect::<Vec<_>>()
                    .join("; ");
                let _ = write!(
                    out,
                    "<div class=\"cite\">{}: {}</div>",
                    t(lang, "Hàng Việt Nam tương đương", "Vietnamese equivalents"),
                    esc(&alts)
                );
            }
            let _ = writeln!(
                out,
                "</td><td class=\"note\">{}</td><td>{}</td></tr>",
                esc(&f.note),
                f.waived
                    .as_ref()
                    .map(|w| esc(&waived_text(w, lang)))
                    .unwrap_or_default()
            );
        }
        out.push_str("</tbody></table></section>\n");
    }
    if !report.data_files.is_empty() {
        let _ = writeln!(
            out,
            "<h2>{}</h2><ul class=\"meta\">",
            t(lang, "Dữ liệu áp dụng", "Data in force")
        );
        for d in &report.data_files {
            let _ = writeln!(
                out,
                "<li>{} {} — SHA-256 {}</li>",
                esc(&d.kind),
                esc(&d.name),
                esc(&d.sha256)
            );
        }
        out.push_str("</ul>\n");
    }
    let _ = writeln!(
        out,
        "<p class=\"disclaimer\">{}</p>\n</body>\n</html>",
        esc(disclaimer(lang))
    );
    out
}

/// The campaign report as one HTML page, with a bar chart (inline SVG) of the domestic share.
pub fn campaign_html(c: &crate::campaign::CampaignReport, lang: Lang) -> String {
    let mut out = String::new();
    let title = t(
        lang,
        "Báo cáo kết quả thực hiện Cuộc vận động ưu tiên dùng hàng Việt Nam",
        "Campaign report: use of Vietnamese goods",
    );
    page_start(&mut out, title, lang);
    let _ = writeln!(out, "<h1>{}</h1>", esc(title));
    let _ = writeln!(out, "<p class=\"disclaimer\">{}</p>", esc(disclaimer(lang)));
    let _ = writeln!(
        out,
        "<p class=\"meta\">hangviet {} — {}: {}</p>",
        esc(&c.tool.version),
        t(lang, "kỳ báo cáo", "period"),
        esc(c.period.as_deref().unwrap_or(t(
            lang,
            "theo ngày của văn bản",
            "from the documents' dates"
        )))
    );
    if !c.registry.note.is_empty() {
        let _ = writeln!(
            out,
            "<p class=\"meta\" id=\"registry-note\">{}</p>",
            esc(&c.registry.note)
        );
    }
    let heads: [&str; 11] = match lang {
        Lang::Vi => [
            "Chủ đầu tư / đơn vị",
            "Kỳ",
            "Số tệp",
            "Số dòng hàng",
            "Tổng giá trị mua sắm (VND)",
            "Giá trị hàng xuất xứ VN",
            "Tỷ lệ VN theo giá trị",
            "Tỷ lệ VN theo số dòng",
            "Hàng nhập khẩu có hàng Việt tương đương (VND)",
            "Dòng không rõ xuất xứ",
            "Nhóm hàng nhập khẩu lớn nhất",
        ],
        Lang::En => [
            "Agency",
            "Period",
            "Files",
            "Lines",
            "Total value (VND)",
            "Value of Vietnamese origin",
            "Domestic share by value",
            "Domestic share by lines",
            "Imported with a domestic equivalent (VND)",
            "Lines of unknown origin",
            "Top imported product groups",
        ],
    };
    let unknown = t(lang, "(không rõ)", "(unknown)");
    out.push_str("<table id=\"campaign\"><thead><tr>");
    for h in heads {
        let _ = write!(out, "<th>{}</th>", esc(h));
    }
    out.push_str("</tr></thead><tbody>\n");
    let share = |v: Option<f64>| v.map(|v| percent(v, lang)).unwrap_or_else(|| "—".into());
    let row = |out: &mut String, class: &str, r: &crate::campaign::Row, label: &str| {
        let top = r
            .top_imported
            .iter()
            .take(5)
            .map(|g| format!("{} ({})", g.label, number(g.value, lang)))
            .collect::<Vec<_>>()
            .join("; ");
        let _ = writeln!(
            out,
            "<tr class=\"{class}\"><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td></tr>",
            esc(label),
            esc(if r.period.is_empty() { unknown } else { &r.period }),
            r.files.len(),
            r.lines,
            number(r.value_total, lang),
            number(r.value_domestic, lang),
            share(r.domestic_share_value),
            share(r.domestic_share_lines),
            number(r.value_imported_with_equivalent, lang),
            r.lines_unknown_origin,
            esc(&top)
        );
    };
    for r in &c.rows {
        let label = if r.agency.is_empty() {
            unknown
        } else {
            &r.agency
        };
        row(&mut out, "group-row", r, label);
    }
    row(&mut out, "total", &c.total, t(lang, "Tổng cộng", "Total"));
    out.push_str("</tbody></table>\n");

    // Chart: one bar per row, the domestic share by value.
    let bar_h = 22;
    let height = c.rows.len() * bar_h + 10;
    let _ = writeln!(
        out,
        "<h2>{}</h2>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"760\" height=\"{height}\" role=\"img\" aria-label=\"{}\">",
        t(lang, "Tỷ lệ hàng Việt Nam theo giá trị", "Domestic share by value"),
        t(lang, "Biểu đồ tỷ lệ hàng Việt Nam", "Domestic share chart")
    );
    for (i, r) in c.rows.iter().enumerate() {
        let y = i * bar_h + 5;
        let v = r.domestic_share_value.unwrap_or(0.0).clamp(0.0, 1.0);
        let label: String = format!(
            "{} {}",
            if r.agency.is_empty() {
                unknown
            } else {
                &r.agency
            },
            r.period
        )
        .chars()
        .take(40)
        .collect();
        let _ = writeln!(
            out,
            "<text x=\"0\" y=\"{}\">{}</text><rect class=\"bar-bg\" x=\"300\" y=\"{y}\" width=\"400\" height=\"16\"/><rect class=\"bar\" x=\"300\" y=\"{y}\" width=\"{:.1}\" height=\"16\"/><text x=\"705\" y=\"{}\">{}</text>",
            y + 13,
            esc(&label),
            v * 400.0,
            y + 13,
            esc(&share(r.domestic_share_value))
        );
    }
    out.push_str("</svg>\n");
    if !c.errors.is_empty() {
        let _ = writeln!(
            out,
            "<h2>{}</h2>\n<ul class=\"errors\" id=\"errors\">",
            t(lang, "Tệp không đọc được", "Files that could not be read")
        );
        for e in &c.errors {
            let _ = writeln!(
                out,
                "<li class=\"error\"><b>{}</b>: {}</li>",
                esc(&e.file),
                esc(&e.message)
            );
        }
        out.push_str("</ul>\n");
    }
    let _ = writeln!(
        out,
        "<p class=\"disclaimer\">{}</p>\n</body>\n</html>",
        esc(disclaimer(lang))
    );
    out
}

#[cfg(test)]
mod tests {
    use super::esc;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            esc("a<b & \"c\" 'd'"),
            "a&lt;b &amp; &quot;c&quot; &#39;d&#39;"
        );
        assert_eq!(esc("x\u{1}y"), "x y");
    }
}
