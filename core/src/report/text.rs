//! The report for a person: per file, findings grouped by severity, then a summary.

use super::{waived_text, AsOfSource, Report, Severity, Summary, DISCLAIMER_EN, DISCLAIMER_VI};
use crate::rules::cond::{number, percent, Lang};
use std::fmt::Write;

fn sev_title(s: Severity, lang: Lang) -> &'static str {
    match (s, lang) {
        (Severity::Violation, Lang::Vi) => "VI PHẠM",
        (Severity::Warning, Lang::Vi) => "CẢNH BÁO (cần xác minh)",
        (Severity::Advisory, Lang::Vi) => "KHUYẾN NGHỊ",
        (Severity::Info, Lang::Vi) => "THÔNG TIN",
        (Severity::Violation, Lang::En) => "VIOLATIONS",
        (Severity::Warning, Lang::En) => "WARNINGS (need confirmation)",
        (Severity::Advisory, Lang::En) => "ADVISORIES",
        (Severity::Info, Lang::En) => "INFORMATION",
    }
}

fn source_text(s: AsOfSource, lang: Lang) -> &'static str {
    match (s, lang) {
        (AsOfSource::Option, Lang::Vi) => "theo tùy chọn --as-of",
        (AsOfSource::HsmtDate, Lang::Vi) => "ngày phát hành hồ sơ mời thầu",
        (AsOfSource::DecisionDate, Lang::Vi) => "ngày của văn bản",
        (AsOfSource::PlanDate, Lang::Vi) => "ngày phê duyệt kế hoạch lựa chọn nhà thầu",
        (AsOfSource::Today, Lang::Vi) => "tệp không ghi ngày: dùng ngày hôm nay",
        (AsOfSource::Option, Lang::En) => "from --as-of",
        (AsOfSource::HsmtDate, Lang::En) => "bidding documents' issue date",
        (AsOfSource::DecisionDate, Lang::En) => "the document's date",
        (AsOfSource::PlanDate, Lang::En) => "the selection plan's approval date",
        (AsOfSource::Today, Lang::En) => "the file gives no date: today",
    }
}

fn summary_lines(out: &mut String, s: &Summary, lang: Lang, indent: &str) {
    let t = &s.totals;
    let share = |v: Option<f64>| v.map(|v| percent(v, lang)).unwrap_or_else(|| "—".into());
    let (l_lines, l_value, l_dom, l_find) = match lang {
        Lang::Vi => (
            "Số dòng hàng",
            "Tổng giá trị",
            "Tỷ lệ hàng xuất xứ Việt Nam",
            "Phát hiện",
        ),
        Lang::En => (
            "Lines",
            "Total value",
            "Share of Vietnamese origin",
            "Findings",
        ),
    };
    let _ = writeln!(
        out,
        "{indent}{l_lines}: {} ({} {})",
        t.lines,
        t.lines_skipped,
        if lang == Lang::Vi {
            "dòng bỏ qua"
        } else {
            "rows skipped"
        }
    );
    let _ = writeln!(
        out,
        "{indent}{l_value}: {} VND",
        number(t.value_total, lang)
    );
    let _ = writeln!(
        out,
        "{indent}{l_dom}: {} {} ({} VND), {} {} ({}/{})",
        share(s.domestic_share_value),
        if lang == Lang::Vi {
            "theo giá trị"
        } else {
            "by value"
        },
        number(t.value_domestic, lang),
        share(s.domestic_share_lines),
        if lang == Lang::Vi {
            "theo số dòng"
        } else {
            "by lines"
        },
        t.lines_domestic,
        t.lines_counted
    );
    let sev: Vec<String> = Severity::ALL
        .iter()
        .map(|sv| {
            let label = match (sv, lang) {
                (Severity::Violation, Lang::Vi) => "vi phạm",
                (Severity::Warning, Lang::Vi) => "cảnh báo",
                (Severity::Advisory, Lang::Vi) => "khuyến nghị",
                (Severity::Info, Lang::Vi) => "thông tin",
                (Severity::Violation, Lang::En) => "violations",
                (Severity::Warning, Lang::En) => "warnings",
                (Severity::Advisory, Lang::En) => "advisories",
                (Severity::Info, Lang::En) => "info",
            };
            format!(
                "{} {label}",
                t.by_severity.get(sv.id()).copied().unwrap_or(0)
            )
        })
        .collect();
    let _ = writeln!(out, "{indent}{l_find}: {}", sev.join(", "));
}

/// Render the report for a person, in `lang`.
pub fn render(r: &Report, lang: Lang) -> String {
    render_with(r, lang, false)
}

/// ANSI colour for a severity heading (terminal output only).
fn paint(s: &str, sev: Severity, colour: bool) -> String {
    if !colour {
        return s.to_string();
    }
    let code = match sev {
        Severity::Violation => "1;31",
        Severity::Warning => "1;33",
        Severity::Advisory => "1;36",
        Severity::Info => "2",
    };
    format!("\x1b[{code}m{s}\x1b[0m")
}

/// Render the report; `colour` adds ANSI colours to the severity headings (for a terminal).
pub fn render_with(r: &Report, lang: Lang, colour: bool) -> String {
    let mut out = String::new();
    let (disclaimer, file_l, date_l, row_l, cell_l, cite_l, none_l) = match lang {
        Lang::Vi => (
            DISCLAIMER_VI,
            "Tệp",
            "Áp dụng văn bản hiệu lực ngày",
            "dòng",
            "ô",
            "Căn cứ",
            "Không có phát hiện.",
        ),
        Lang::En => (
            DISCLAIMER_EN,
            "File",
            "Law in force on",
            "row",
            "cell",
            "Basis",
            "No findings.",
        ),
    };
    let _ = writeln!(
        out,
        "hangviet {} — {} {} ({})",
        r.tool.version,
        if lang == Lang::Vi {
            "bộ quy tắc"
        } else {
            "rule pack"
        },
        r.pack.id,
        r.pack.version
    );
    let _ = writeln!(out, "{disclaimer}\n");
    for input in &r.inputs {
        let _ = writeln!(out, "== {file_l}: {}", input.file);
        let _ = writeln!(
            out,
            "   {date_l} {} ({})",
            input.as_of,
            source_text(input.as_of_source, lang)
        );
        let findings: Vec<_> = r.findings.iter().filter(|f| f.file == input.file).collect();
        if findings.is_empty() {
            let _ = writeln!(out, "   {none_l}");
        }
        for sev in Severity::ALL {
            let group: Vec<_> = findings.iter().filter(|f| f.severity == sev).collect();
            if group.is_empty() {
                continue;
            }
            let title = format!("{} ({})", sev_title(sev, lang), group.len());
            let _ = writeln!(out, "\n   {}", paint(&title, sev, colour));
            for f in group {
                let cells = if f.cells.is_empty() {
                    String::new()
                } else {
                    format!(", {cell_l} {}", f.cells.join(", "))
                };
                let item = if f.item.is_empty() {
                    String::new()
                } else {
                    format!(" — {}", f.item)
                };
                let _ = writeln!(
                    out,
                    "   [{}] {} “{}”, {row_l} {}{cells}{item}",
                    f.rule,
                    if lang == Lang::Vi { "Trang" } else { "Sheet" },
                    f.sheet,
                    f.row
                );
                let _ = writeln!(out, "       {}", f.message);
                let _ = writeln!(out, "       {cite_l}: {}", f.citation);
                if !f.note.is_empty() {
                    let label = if lang == Lang::Vi {
                        "Ghi chú trong tệp"
                    } else {
                        "Note in the file"
                    };
                    let _ = writeln!(out, "       {label}: {}", f.note);
                }
                if let Some(w) = &f.waived {
                    let _ = writeln!(out, "       [{}]", waived_text(w, lang));
                }
            }
        }
        let _ = writeln!(out);
        summary_lines(&mut out, &input.summary, lang, "   ");
        let _ = writeln!(out);
    }
    for e in &r.errors {
        let _ = writeln!(
            out,
            "!! {} {}: {}",
            if lang == Lang::Vi {
                "Không đọc được"
            } else {
                "Could not read"
            },
            e.file,
            e.message
        );
    }
    if r.inputs.len() + r.errors.len() > 1 {
        let _ = writeln!(
            out,
            "== {} ({} {})",
            if lang == Lang::Vi {
                "Tổng hợp"
            } else {
                "Summary"
            },
            r.summary.files,
            if lang == Lang::Vi { "tệp" } else { "files" }
        );
        summary_lines(&mut out, &r.summary, lang, "   ");
    }
    let _ = writeln!(out, "\n{disclaimer}");
    out
}
