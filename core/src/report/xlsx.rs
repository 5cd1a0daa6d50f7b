//! The annotated workbook: a "Tổng hợp" (summary) sheet, a "Phát hiện" (findings) sheet with a
//! link to each cell, and every input sheet re-read with `read` and written as read, with a
//! result column ("Kết quả kiểm tra") and the flagged cells filled and carrying a note with the
//! message and citation. The input files are only read; a new workbook is returned as bytes.

use super::{disclaimer, severity_label, waived_text, Finding, Report, Severity};
use crate::model::Workbook;
use crate::normalize::Tables;
use crate::read::{read, Limits, RawSheet, Value};
use crate::rules::cond::Lang;
use crate::{Error, Result};
use rust_xlsxwriter::{
    Color, DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Note, Url,
    Workbook as Xlsx, Worksheet, XlsxError,
};
use std::collections::{BTreeMap, BTreeSet};

/// Excel's sheet-name limit.
const MAX_SHEET_NAME: usize = 31;

fn xerr(what: &str) -> impl Fn(XlsxError) -> Error + '_ {
    move |e| Error::Data {
        location: what.to_string(),
        reason: format!("cannot write the workbook: {e}"),
    }
}

fn t(lang: Lang, vi: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Vi => vi,
        Lang::En => en,
    }
}

/// Fill colours by severity (Excel's "bad", "neutral"… palette) and for waived findings.
fn fill(sev: Severity, waived: bool) -> Color {
    if waived {
        return Color::RGB(0xD9D9D9);
    }
    match sev {
        Severity::Violation => Color::RGB(0xFFC7CE),
        Severity::Warning => Color::RGB(0xFFD8A8),
        Severity::Advisory => Color::RGB(0xFFEB9C),
        Severity::Info => Color::RGB(0xDDEBF7),
    }
}

/// "D21" → (row 20, column 3), 0-based; None for anything else.
pub fn parse_a1(a1: &str) -> Option<(u32, u16)> {
    let a1 = a1.trim().trim_start_matches('$');
    let split = a1.find(|c: char| c.is_ascii_digit())?;
    let (letters, digits) = a1.split_at(split);
    if letters.is_empty() || letters.len() > 3 {
        return None;
    }
    let mut col: u32 = 0;
    for c in letters.trim_end_matches('$').chars() {
        if !c.is_ascii_alphabetic() {
            return None;
        }
        col = col * 26 + (c.to_ascii_uppercase() as u32 - 'A' as u32 + 1);
    }
    let row: u32 = digits.parse().ok()?;
    if row == 0 || col == 0 || col > 16_384 {
        return None;
    }
    Some((row - 1, (col - 1) as u16))
}

/// A valid, unique sheet name: forbidden characters replaced, cut to 31 characters.
fn sheet_name(wanted: &str, used: &mut BTreeSet<String>) -> String {
    let clean: String = wanted
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { '_' } else { c })
        .collect();
    let clean = clean.trim_matches('\'').trim();
    let base: String = if clean.is_empty() { "Sheet" } else { clean }
        .chars()
        .take(MAX_SHEET_NAME)
        .collect();
    let mut name = base.clone();
    let mut n = 2;
    while used.contains(&name.to_lowercase()) {
        let suffix = format!(" ({n})");
        let keep = MAX_SHEET_NAME.saturating_sub(suffix.chars().count());
        name = format!("{}{suffix}", base.chars().take(keep).collect::<String>());
        n += 1;
    }
    used.insert(name.to_lowercase());
    name
}

/// An internal link to a cell: `internal:'Sheet name'!D21`.
fn link(sheet: &str, cell: &str) -> Url {
    Url::new(format!("internal:'{}'!{cell}", sheet.replace('\'', "''")))
}

/// The annotated workbook, with header rows found through the embedded tables.
pub fn annotated_xlsx(report: &Report, inputs: &[(&str, &[u8])], lang: Lang) -> Result<Vec<u8>> {
    let tables = Tables::embedded()?;
    annotated_xlsx_with(report, inputs, &tables, lang)
}

/// The annotated workbook; `tables` (the ones the check used) find each sheet's header row and
/// lines so the result column can say which rows were read without findings.
pub fn annotated_xlsx_with(
    report: &Report,
    inputs: &[(&str, &[u8])],
    tables: &Tables,
    lang: Lang,
) -> Result<Vec<u8>> {
    let mut book = Xlsx::new();
    let created = report
        .inputs
        .first()
        .map(|i| i.as_of)
        .and_then(|d| ExcelDateTime::from_ymd(d.year, d.month, d.day).ok());
    let mut props = DocProperties::new()
        .set_title(t(
            lang,
            "Kết quả kiểm tra hàng Việt",
            "hangviet check results",
        ))
        .set_comment(disclaimer(lang));
    if let Some(c) = created {
        props = props.set_creation_datetime(&c);
    }
    book.set_properties(&props);

    let mut used = BTreeSet::new();
    let summary_name = sheet_name(t(lang, "Tổng hợp", "Summary"), &mut used);
    let findings_name = sheet_name(t(lang, "Phát hiện", "Findings"), &mut used);

    // Findings by (file, sheet), in report order.
    let mut by_sheet: BTreeMap<(&str, &str), Vec<&Finding>> = BTreeMap::new();
    for f in &report.findings {
        by_sheet.entry((&f.file, &f.sheet)).or_default().push(f);
    }

    // Input sheets first (their names are needed for the links), pushed after the two lists.
    let mut data_sheets = Vec::new();
    let mut where_is: BTreeMap<(&str, &str), String> = BTreeMap::new();
    let many = inputs.len() > 1;
    for (i, (name, bytes)) in inputs.iter().enumerate() {
        let raw = read(bytes, name, &Limits::default())?;
        let wb = crate::inspect::inspect(bytes, name, tables).ok();
        for rs in &raw.sheets {
            let wanted = if many {
                format!("{} {}", i + 1, rs.name)
            } else {
                rs.name.clone()
            };
            let out_name = sheet_name(&wanted, &mut used);
            let key = by_sheet
                .keys()
                .find(|(f, s)| *f == *name && *s == rs.name)
                .copied();
            let findings = key
                .and_then(|k| by_sheet.get(&k))
                .map(|v| v.as_slice())
                .unwrap_or(&[]);
            let ws = data_sheet(rs, &out_name, wb.as_ref(), findings, lang)?;
            if let Some(key) = key {
                where_is.insert(key, out_name.clone());
            }
            data_sheets.push(ws);
        }
    }

    let summary = summary_sheet(report, &summary_name, lang)?;
    let list = findings_sheet(report, &findings_name, &where_is, lang)?;
    book.push_worksheet(summary);
    book.push_worksheet(list);
    for ws in data_sheets {
        book.push_worksheet(ws);
    }
    book.save_to_buffer().map_err(xerr("xlsx"))
}

fn header_format() -> Format {
    Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0xD9E1F2))
        .set_border(FormatBorder::Thin)
        .set_text_wrap()
        .set_align(FormatAlign::Top)
}

/// One input sheet as read, with the result column and the flagged cells.
fn data_sheet(
    rs: &RawSheet,
    out_name: &str,
    wb: Option<&Workbook>,
    findings: &[&Finding],
    lang: Lang,
) -> Result<Worksheet> {
    let err = xerr(out_name);
    let mut ws = Worksheet::new();
    ws.set_name(out_name).map_err(&err)?;
    let laid = wb.and_then(|wb| wb.sheets.iter().find(|s| s.name == rs.name));
    let width = rs.rows.iter().map(|r| r.len()).max().unwrap_or(0);
    let result_col = u16::try_from(width).map_err(|_| Error::Data {
        location: out_name.to_string(),
        reason: "too many columns for an annotated copy".into(),
    })?;
    let header_row = laid
        .and_then(|s| s.header_rows.last().copied())
        .unwrap_or(1)
        .saturating_sub(1);

    // Flagged cells: the worst severity (waived ones count last) and the notes' text.
    let mut flagged: BTreeMap<(u32, u16), (Severity, bool, Vec<String>)> = BTreeMap::new();
    let mut by_row: BTreeMap<u32, Vec<&Finding>> = BTreeMap::new();
    for f in findings {
        by_row.entry(f.row.saturating_sub(1)).or_default().push(f);
        let mut text = format!("[{}] {}", f.rule, f.message);
        if !f.citation.is_empty() {
            text.push_str(&format!("\n{}: {}", t(lang, "Căn cứ", "Basis"), f.citation));
        }
        if let Some(w) = &f.waived {
            text.push_str(&format!("\n{}", waived_text(w, lang)));
        }
        for c in f.cells.iter().filter_map(|c| parse_a1(c)) {
            let e = flagged
                .entry(c)
                .or_insert((f.severity, f.waived.is_some(), vec![]));
            let live = f.waived.is_none();
            // A live finding beats a waived one; otherwise the worse severity wins.
            let was_waived = e.1;
            if (live && was_waived) || (live != was_waived && f.severity > e.0) {
                e.0 = f.severity;
                e.1 = !live;
            }
            e.2.push(text.clone());
        }
    }

    for (r, row) in rs.rows.iter().enumerate() {
        let r = r as u32;
        for (c, v) in row.iter().enumerate() {
            let c = c as u16;
            let fmt = flagged
                .get(&(r, c))
                .map(|(s, w, _)| Format::new().set_background_color(fill(*s, *w)));
            write_value(&mut ws, r, c, v, fmt.as_ref()).map_err(&err)?;
        }
    }
    for ((r, c), (s, w, texts)) in &flagged {
        let present = rs
            .rows
            .get(*r as usize)
            .and_then(|row| row.get(*c as usize))
            .is_some();
        if !present {
            let fmt = Format::new().set_background_color(fill(*s, *w));
            ws.write_blank(*r, *c, &fmt).map_err(&err)?;
        }
        let note = Note::new(texts.join("\n\n"))
            .set_author("hangviet")
            .add_author_prefix(false)
            .set_width(420)
            .set_height(160);
        ws.insert_note(*r, *c, &note).map_err(&err)?;
    }

    // The result column.
    let title = t(lang, "Kết quả kiểm tra", "Check result");
    ws.write_string_with_format(header_row, result_col, title, &header_format())
        .map_err(&err)?;
    ws.set_column_width(result_col, 70).map_err(&err)?;
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    let lines: BTreeSet<u32> = laid
        .map(|s| s.lines.iter().map(|l| l.row.saturating_sub(1)).collect())
        .unwrap_or_default();
    let rows: BTreeSet<u32> = lines.iter().chain(by_row.keys()).copied().collect();
    for r in rows {
        let fs = by_row.get(&r).map(|v| v.as_slice()).unwrap_or(&[]);
        let text = if fs.is_empty() {
            t(lang, "Không có phát hiện", "No findings").to_string()
        } else {
            fs.iter()
                .map(|f| {
                    let mut s = format!(
                        "[{}] {}: {}",
                        f.rule,
                        severity_label(f.severity, lang),
                        f.message
                    );
                    if let Some(w) = &f.waived {
                        s.push_str(&format!(" ({})", waived_text(w, lang)));
                    }
                    s
                })
                .collect::<Vec<_>>()
                .join("\n")
        };
        if r == header_row {
            // A sheet-level finding points at the header row: its text goes in the title's note.
            if !fs.is_empty() {
                let note = Note::new(text)
                    .set_author("hangviet")
                    .add_author_prefix(false);
                ws.insert_note(r, result_col, &note).map_err(&err)?;
            }
            continue;
        }
        let fmt = match fs
            .iter()
            .filter(|f| f.waived.is_none())
            .map(|f| f.severity)
            .max()
        {
            Some(s) => wrap.clone().set_background_color(fill(s, false)),
            None if !fs.is_empty() => wrap
                .clone()
                .set_background_color(fill(Severity::Info, true)),
            None => wrap.clone(),
        };
        ws.write_string_with_format(r, result_col, text, &fmt)
            .map_err(&err)?;
    }
    if laid.is_some() {
        ws.set_freeze_panes(header_row + 1, 0).map_err(&err)?;
    }
    Ok(ws)
}

fn write_value(
    ws: &mut Worksheet,
    r: u32,
    c: u16,
    v: &Value,
    fmt: Option<&Format>,
) -> std::result::Result<(), XlsxError> {
    let plain = Format::new();
    let f = fmt.unwrap_or(&plain);
    match v {
        Value::Empty => {
            if fmt.is_some() {
                ws.write_blank(r, c, f)?;
            }
        }
        Value::Number(n) if n.is_finite() => {
            ws.write_number_with_format(r, c, *n, f)?;
        }
        Value::Bool(b) => {
            ws.write_boolean_with_format(r, c, *b, f)?;
        }
        other => {
            ws.write_string_with_format(r, c, other.display(), f)?;
        }
    }
    Ok(())
}

fn findings_sheet(
    report: &Report,
    name: &str,
    where_is: &BTreeMap<(&str, &str), String>,
    lang: Lang,
) -> Result<Worksheet> {
    let err = xerr(name);
    let mut ws = Worksheet::new();
    ws.set_name(name).map_err(&err)?;
    let heads = super::csv::headers(lang);
    let hf = header_format();
    ws.write_string_with_format(0, 0, "#", &hf).map_err(&err)?;
    for (i, h) in heads.iter().enumerate() {
        ws.write_string_with_format(0, i as u16 + 1, *h, &hf)
            .map_err(&err)?;
    }
    let link_col = heads.len() as u16 + 1;
    ws.write_string_with_format(0, link_col, t(lang, "Đi tới ô", "Go to cell"), &hf)
        .map_err(&err)?;
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    for (i, f) in report.findings.iter().enumerate() {
        let r = i as u32 + 1;
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
        ws.write_number(r, 0, (i + 1) as f64).map_err(&err)?;
        let cols: [&str; 15] = [
            &f.file,
            &f.sheet,
            "",
            &f.cells.join(" "),
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
        ];
        for (c, v) in cols.iter().enumerate() {
            let c = c as u16 + 1;
            if c == 3 {
                ws.write_number(r, c, f64::from(f.row)).map_err(&err)?;
            } else if c == 6 {
                let fmt = wrap
                    .clone()
                    .set_background_color(fill(f.severity, f.waived.is_some()));
                ws.write_string_with_format(r, c, *v, &fmt).map_err(&err)?;
            } else {
                ws.write_string_with_format(r, c, *v, &wrap).map_err(&err)?;
            }
        }
        if let Some(sheet) = where_is.get(&(f.file.as_str(), f.sheet.as_str())) {
            let cell = f
                .cells
                .first()
                .cloned()
                .unwrap_or_else(|| format!("A{}", f.row.max(1)));
            let text = format!("{sheet}!{cell}");
            ws.write_url_with_text(r, link_col, link(sheet, &cell), text)
                .map_err(&err)?;
        }
    }
    for (c, w) in [
        (0u16, 5.0),
        (1, 28.0),
        (2, 14.0),
        (3, 7.0),
        (4, 10.0),
        (5, 9.0),
        (6, 12.0),
        (7, 30.0),
        (8, 30.0),
        (9, 70.0),
        (10, 30.0),
        (11, 30.0),
        (12, 30.0),
        (13, 30.0),
    ] {
        ws.set_column_width(c, w).map_err(&err)?;
    }
    ws.set_freeze_panes(1, 0).map_err(&err)?;
    let last = report.findings.len() as u32;
    ws.autofilter(0, 0, last, link_col).map_err(&err)?;
    Ok(ws)
}

fn summary_sheet(report: &Report, name: &str, lang: Lang) -> Result<Worksheet> {
    let err = xerr(name);
    let mut ws = Worksheet::new();
    ws.set_name(name).map_err(&err)?;
    let bold = Format::new().set_bold();
    let warn = Format::new()
        .set_bold()
        .set_font_color(Color::RGB(0xC00000));
    let hf = header_format();
    let money = Format::new().set_num_format("#,##0");
    let pct = Format::new().set_num_format("0.0%");
    ws.write_string_with_format(
        0,
        0,
        t(
            lang,
            "KẾT QUẢ KIỂM TRA DANH MỤC HÀNG HÓA (hàng Việt Nam, Luật Đấu thầu)",
            "PURCHASE LIST CHECK (Vietnamese goods priority, bidding law)",
        ),
        &bold,
    )
    .map_err(&err)?;
    ws.write_string_with_format(1, 0, disclaimer(lang), &warn)
        .map_err(&err)?;
    let packs = report
        .packs
        .iter()
        .map(|p| format!("{} {}", p.id, p.version))
        .collect::<Vec<_>>()
        .join(", ");
    ws.write_string(
        2,
        0,
        format!(
            "hangviet {} — {}: {packs}",
            report.tool.version,
            t(lang, "bộ quy tắc", "rule packs")
        ),
    )
    .map_err(&err)?;

    let heads: [&str; 16] = match lang {
        Lang::Vi => [
            "Tệp",
            "Định dạng",
            "Ngày áp dụng",
            "Số dòng hàng",
            "Dòng bỏ qua",
            "Tổng giá trị (VND)",
            "Giá trị hàng xuất xứ VN",
            "Tỷ lệ VN theo giá trị",
            "Tỷ lệ VN theo số dòng",
            "Dòng không rõ xuất xứ",
            "Vi phạm",
            "Cảnh báo",
            "Khuyến nghị",
            "Thông tin",
            "Đã chấp nhận ngoại lệ",
            "SHA-256",
        ],
        Lang::En => [
            "File",
            "Format",
            "Law as of",
            "Lines",
            "Rows skipped",
            "Total value (VND)",
            "Value of Vietnamese origin",
            "Domestic share by value",
            "Domestic share by lines",
            "Lines of unknown origin",
            "Violations",
            "Warnings",
            "Advisories",
            "Info",
            "Waived",
            "SHA-256",
        ],
    };
    let top = 4u32;
    for (c, h) in heads.iter().enumerate() {
        ws.write_string_with_format(top, c as u16, *h, &hf)
            .map_err(&err)?;
    }
    let mut r = top + 1;
    let put = |ws: &mut Worksheet,
               r: u32,
               file: &str,
               format: &str,
               as_of: &str,
               s: &super::Summary,
               sha: &str|
     -> std::result::Result<(), XlsxError> {
        let tt = &s.totals;
        ws.write_string(r, 0, file)?;
        ws.write_string(r, 1, format)?;
        ws.write_string(r, 2, as_of)?;
        ws.write_number(r, 3, tt.lines as f64)?;
        ws.write_number(r, 4, tt.lines_skipped as f64)?;
        ws.write_number_with_format(r, 5, tt.value_total, &money)?;
        ws.write_number_with_format(r, 6, tt.value_domestic, &money)?;
        if let Some(v) = s.domestic_share_value {
            ws.write_number_with_format(r, 7, v, &pct)?;
        }
        if let Some(v) = s.domestic_share_lines {
            ws.write_number_with_format(r, 8, v, &pct)?;
        }
        ws.write_number(r, 9, tt.lines_unresolved as f64)?;
        for (i, sev) in Severity::ALL.iter().enumerate() {
            let n = tt.by_severity.get(sev.id()).copied().unwrap_or(0);
            ws.write_number(r, 10 + i as u16, n as f64)?;
        }
        ws.write_number(r, 14, tt.waived as f64)?;
        ws.write_string(r, 15, sha)?;
        Ok(())
    };
    for input in &report.inputs {
        put(
            &mut ws,
            r,
            &input.file,
            &input.format,
            &input.as_of.to_string(),
            &input.summary,
            &input.sha256,
        )
        .map_err(&err)?;
        r += 1;
    }
    let total_label = format!(
        "{} ({} {})",
        t(lang, "Tổng cộng", "Total"),
        report.summary.files,
        t(lang, "tệp", "files")
    );
    put(&mut ws, r, &total_label, "", "", &report.summary, "").map_err(&err)?;
    ws.set_row_format(r, &bold).map_err(&err)?;
    r += 2;

    if !report.errors.is_empty() {
        ws.write_string_with_format(
            r,
            0,
            t(lang, "Tệp không đọc được", "Files that could not be read"),
            &bold,
        )
        .map_err(&err)?;
        r += 1;
        for e in &report.errors {
            ws.write_string(r, 0, &e.file).map_err(&err)?;
            ws.write_string(r, 1, &e.message).map_err(&err)?;
            r += 1;
        }
        r += 1;
    }
    ws.write_string_with_format(r, 0, t(lang, "Theo quy tắc", "By rule"), &bold)
        .map_err(&err)?;
    r += 1;
    for (rule, n) in &report.summary.totals.by_rule {
        ws.write_string(r, 0, rule).map_err(&err)?;
        ws.write_number(r, 1, *n as f64).map_err(&err)?;
        r += 1;
    }
    r += 1;
    ws.write_string_with_format(r, 0, t(lang, "Dữ liệu áp dụng", "Data in force"), &bold)
        .map_err(&err)?;
    r += 1;
    for p in &report.packs {
        ws.write_string(r, 0, format!("pack {} {} ({})", p.id, p.version, p.source))
            .map_err(&err)?;
        ws.write_string(r, 1, &p.hash).map_err(&err)?;
        r += 1;
    }
    for d in &report.data_files {
        ws.write_string(r, 0, format!("{} {}", d.kind, d.name))
            .map_err(&err)?;
        ws.write_string(r, 1, &d.sha256).map_err(&err)?;
        r += 1;
    }
    r += 1;
    ws.write_string_with_format(r, 0, disclaimer(lang), &warn)
        .map_err(&err)?;
    ws.set_column_width(0, 40).map_err(&err)?;
    for c in 1..15u16 {
        ws.set_column_width(c, 14).map_err(&err)?;
    }
    Ok(ws)
}

/// The campaign report as a workbook: the table per agency and period with a bar chart of the
/// domestic share, the top imported product groups, and the files that could not be read.
pub fn campaign_xlsx(c: &crate::campaign::CampaignReport, lang: Lang) -> Result<Vec<u8>> {
    use rust_xlsxwriter::{Chart, ChartType};
    let mut book = Xlsx::new();
    let props = DocProperties::new()
        .set_title(t(lang, "Báo cáo Cuộc vận động", "Campaign report"))
        .set_comment(disclaimer(lang));
    book.set_properties(&props);
    let name = t(lang, "Báo cáo", "Report");
    let err = xerr(name);
    let mut ws = Worksheet::new();
    ws.set_name(name).map_err(&err)?;
    let bold = Format::new().set_bold();
    let warn = Format::new()
        .set_bold()
        .set_font_color(Color::RGB(0xC00000));
    let hf = header_format();
    let money = Format::new().set_num_format("#,##0");
    let pct = Format::new().set_num_format("0.0%");
    ws.write_string_with_format(
        0,
        0,
        t(
            lang,
            "BÁO CÁO KẾT QUẢ THỰC HIỆN CUỘC VẬN ĐỘNG “NGƯỜI VIỆT NAM ƯU TIÊN DÙNG HÀNG VIỆT NAM”",
            "CAMPAIGN REPORT: USE OF VIETNAMESE GOODS",
        ),
        &bold,
    )
    .map_err(&err)?;
    ws.write_string_with_format(1, 0, disclaimer(lang), &warn)
        .map_err(&err)?;
    ws.write_string(2, 0, &c.registry.note).map_err(&err)?;
    let heads: [&str; 12] = match lang {
        Lang::Vi => [
            "Chủ đầu tư / đơn vị",
            "Kỳ",
            "Số tệp",
            "Số dòng hàng",
            "Tổng giá trị mua sắm (VND)",
            "Giá trị hàng xuất xứ VN",
            "Tỷ lệ VN theo giá trị",
            "Tỷ lệ VN theo số dòng",
            "Giá trị hàng nhập khẩu",
            "Hàng nhập khẩu có hàng Việt tương đương (VND)",
            "Dòng không rõ xuất xứ",
            "Dòng không có giá trị",
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
            "Value of imported goods",
            "Imported with a domestic equivalent (VND)",
            "Lines of unknown origin",
            "Lines without a value",
        ],
    };
    let top = 4u32;
    for (i, h) in heads.iter().enumerate() {
        ws.write_string_with_format(top, i as u16, *h, &hf)
            .map_err(&err)?;
    }
    let unknown = t(lang, "(không rõ)", "(unknown)");
    let put = |ws: &mut Worksheet,
               r: u32,
               row: &crate::campaign::Row,
               label: &str|
     -> std::result::Result<(), XlsxError> {
        ws.write_string(r, 0, label)?;
        ws.write_string(
            r,
            1,
            if row.period.is_empty() {
                unknown
            } else {
                &row.period
            },
        )?;
        ws.write_number(r, 2, row.files.len() as f64)?;
        ws.write_number(r, 3, row.lines as f64)?;
        ws.write_number_with_format(r, 4, row.value_total, &money)?;
        ws.write_number_with_format(r, 5, row.value_domestic, &money)?;
        if let Some(v) = row.domestic_share_value {
            ws.write_number_with_format(r, 6, v, &pct)?;
        }
        if let Some(v) = row.domestic_share_lines {
            ws.write_number_with_format(r, 7, v, &pct)?;
        }
        ws.write_number_with_format(r, 8, row.value_foreign, &money)?;
        ws.write_number_with_format(r, 9, row.value_imported_with_equivalent, &money)?;
        ws.write_number(r, 10, row.lines_unknown_origin as f64)?;
        ws.write_number(r, 11, row.lines_without_value as f64)?;
        Ok(())
    };
    let mut r = top + 1;
    for row in &c.rows {
        let label = if row.agency.is_empty() {
            unknown
        } else {
            &row.agency
        };
        put(&mut ws, r, row, label).map_err(&err)?;
        r += 1;
    }
    let last_row = r.saturating_sub(1);
    put(&mut ws, r, &c.total, t(lang, "Tổng cộng", "Total")).map_err(&err)?;
    ws.set_row_format(r, &bold).map_err(&err)?;
    ws.set_column_width(0, 40).map_err(&err)?;
    for col in 1..12u16 {
        ws.set_column_width(col, 16).map_err(&err)?;
    }
    if !c.rows.is_empty() {
        let mut chart = Chart::new(ChartType::Bar);
        chart
            .add_series()
            .set_categories((name, top + 1, 0, last_row, 0))
            .set_values((name, top + 1, 6, last_row, 6))
            .set_name(t(lang, "Tỷ lệ VN theo giá trị", "Domestic share by value"));
        chart.title().set_name(t(
            lang,
            "Tỷ lệ hàng Việt Nam theo giá trị",
            "Domestic share by value",
        ));
        chart.legend().set_hidden();
        chart.x_axis().set_num_format("0%");
        ws.insert_chart(r + 2, 0, &chart).map_err(&err)?;
    }

    // Top imported groups.
    let gname = t(lang, "Nhóm hàng nhập khẩu", "Imported groups");
    let gerr = xerr(gname);
    let mut gs = Worksheet::new();
    gs.set_name(gname).map_err(&gerr)?;
    let gheads = match lang {
        Lang::Vi => [
            "Chủ đầu tư / đơn vị",
            "Kỳ",
            "Nhóm hàng",
            "Số dòng",
            "Giá trị (VND)",
        ],
        Lang::En => ["Agency", "Period", "Product group", "Lines", "Value (VND)"],
    };
    for (i, h) in gheads.iter().enumerate() {
        gs.write_string_with_format(0, i as u16, *h, &hf)
            .map_err(&gerr)?;
    }
    let mut gr = 1u32;
    for row in c.rows.iter().chain(std::iter::once(&c.total)) {
        let label = if std::ptr::eq(row, &c.total) {
            t(lang, "Tổng cộng", "Total")
        } else if row.agency.is_empty() {
            unknown
        } else {
            &row.agency
        };
        for g in &row.top_imported {
            gs.write_string(gr, 0, label).map_err(&gerr)?;
            gs.write_string(gr, 1, &row.period).map_err(&gerr)?;
            gs.write_string(gr, 2, &g.label).map_err(&gerr)?;
            gs.write_number(gr, 3, g.lines as f64).map_err(&gerr)?;
            gs.write_number_with_format(gr, 4, g.value, &money)
                .map_err(&gerr)?;
            gr += 1;
        }
    }
    gs.set_column_width(0, 40).map_err(&gerr)?;
    gs.set_column_width(2, 50).map_err(&gerr)?;
    gs.set_column_width(4, 18).map_err(&gerr)?;

    // Files read and files that could not be read.
    let fname = t(lang, "Tệp", "Files");
    let ferr = xerr(fname);
    let mut fs = Worksheet::new();
    fs.set_name(fname).map_err(&ferr)?;
    let fheads = match lang {
        Lang::Vi => [
            "Tệp",
            "Số dòng dùng",
            "Ngoài kỳ báo cáo",
            "Kỳ lấy theo --period",
            "SHA-256 / lỗi",
        ],
        Lang::En => [
            "File",
            "Lines used",
            "Outside the period",
            "Period from --period",
            "SHA-256 / error",
        ],
    };
    for (i, h) in fheads.iter().enumerate() {
        fs.write_string_with_format(0, i as u16, *h, &hf)
            .map_err(&ferr)?;
    }
    let mut fr = 1u32;
    for f in &c.files {
        fs.write_string(fr, 0, &f.file).map_err(&ferr)?;
        fs.write_number(fr, 1, f.lines_used as f64).map_err(&ferr)?;
        fs.write_number(fr, 2, f.lines_outside_period as f64)
            .map_err(&ferr)?;
        fs.write_number(fr, 3, f.lines_period_from_option as f64)
            .map_err(&ferr)?;
        fs.write_string(fr, 4, &f.sha256).map_err(&ferr)?;
        fr += 1;
    }
    for e in &c.errors {
        fs.write_string_with_format(fr, 0, &e.file, &warn)
            .map_err(&ferr)?;
        fs.write_string(fr, 4, &e.message).map_err(&ferr)?;
        fr += 1;
    }
    fs.set_column_width(0, 50).map_err(&ferr)?;
    fs.set_column_width(4, 70).map_err(&ferr)?;
    book.push_worksheet(ws);
    book.push_worksheet(gs);
    book.push_worksheet(fs);
    book.save_to_buffer().map_err(xerr("xlsx"))
}

/// The template's columns: header text as the reader knows it, and the example row.
pub const TEMPLATE: [(&str, &str); 14] = [
    ("STT", "1"),
    ("Tên hàng hóa", "Bàn làm việc gỗ công nghiệp"),
    ("Ký mã hiệu", "BLV-1200"),
    ("Nhãn hiệu", "Hòa Phát"),
    ("Hãng sản xuất", "Công ty CP Nội thất Hòa Phát"),
    ("Xuất xứ", "Việt Nam"),
    ("Năm sản xuất", "2026"),
    ("Mã HS", "9403.30"),
    ("Thông số kỹ thuật", "1200 x 600 x 750 mm, gỗ MFC chống ẩm"),
    ("Đơn vị tính", "Cái"),
    ("Số lượng", "10"),
    ("Đơn giá", "2500000"),
    ("Thành tiền", "25000000"),
    ("Ghi chú", "Dòng ví dụ: thay bằng hàng hóa của đơn vị"),
];

/// A blank purchase list in the layout the reader knows best: a title, the agency line, one
/// header row with every column the checks use, and a filled example row.
pub fn purchase_template() -> Result<Vec<u8>> {
    let err = xerr("template");
    let mut book = Xlsx::new();
    let mut ws = Worksheet::new();
    ws.set_name("Danh mục").map_err(&err)?;
    let bold = Format::new().set_bold();
    ws.write_string_with_format(0, 0, "DANH MỤC HÀNG HÓA MUA SẮM", &bold)
        .map_err(&err)?;
    ws.write_string(1, 0, "Chủ đầu tư: (tên đơn vị)")
        .map_err(&err)?;
    let hf = header_format();
    let money = Format::new().set_num_format("#,##0");
    for (c, (head, example)) in TEMPLATE.iter().enumerate() {
        let c = c as u16;
        ws.write_string_with_format(3, c, *head, &hf)
            .map_err(&err)?;
        let numeric = matches!(
            *head,
            "STT" | "Năm sản xuất" | "Số lượng" | "Đơn giá" | "Thành tiền"
        );
        match example.parse::<f64>() {
            Ok(n) if numeric => {
                let f = if n >= 1000.0 && *head != "Năm sản xuất" {
                    &money
                } else {
                    &Format::new()
                };
                ws.write_number_with_format(4, c, n, f).map_err(&err)?;
            }
            _ => {
                ws.write_string(4, c, *example).map_err(&err)?;
            }
        }
        ws.set_column_width(c, if c == 1 || c == 8 || c == 13 { 32 } else { 14 })
            .map_err(&err)?;
    }
    // Thành tiền = Số lượng × Đơn giá on the example row, with its cached value.
    ws.write_formula_with_format(
        4,
        12,
        rust_xlsxwriter::Formula::new("=K5*L5").set_result("25000000"),
        &money,
    )
    .map_err(&err)?;
    ws.set_freeze_panes(4, 0).map_err(&err)?;
    book.push_worksheet(ws);
    book.save_to_buffer().map_err(xerr("template"))
}
