//! The annotated workbook: a "Tổng hợp" (summary) sheet, a "Phát hiện" (findings) sheet with a
//! link to each cell, and every input sheet re-read with `read` and written as read, with a
//! result column ("Kết quả kiểm tra") and the flagged cells filled and carrying a note with the
//! message and citation. The input files are only read; a new workbook is returned as bytes.

mod layout;

use super::{disclaimer, severity_label, waived_text, Finding, Report, Severity};
use crate::model::{Field, Workbook};
use crate::normalize::Tables;
use crate::read::{read, Limits, RawSheet, Value};
use crate::rules::cond::Lang;
use crate::{Error, Result};
use layout::{Merges, NumFmt, MIN_WIDTH, WIDTH_SAMPLE_ROWS};
use rust_xlsxwriter::{
    Color, DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Note, Url,
    Workbook as Xlsx, Worksheet, XlsxError,
};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Excel's sheet-name limit.
const MAX_SHEET_NAME: usize = 31;
/// Width of the "Kết quả kiểm tra" column, in characters; its text wraps.
const RESULT_WIDTH: f64 = 60.0;

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
fn fill_rgb(sev: Severity, waived: bool) -> u32 {
    if waived {
        return 0xD9D9D9;
    }
    match sev {
        Severity::Violation => 0xFFC7CE,
        Severity::Warning => 0xFFD8A8,
        Severity::Advisory => 0xFFEB9C,
        Severity::Info => 0xDDEBF7,
    }
}

fn fill(sev: Severity, waived: bool) -> Color {
    Color::RGB(fill_rgb(sev, waived))
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

/// A file's name without its folders, for the print header.
fn base_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
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
            let ws = data_sheet(rs, &out_name, base_name(name), wb.as_ref(), findings, lang)?;
            if let Some(key) = key {
                where_is.insert(key, out_name.clone());
            }
            data_sheets.push(ws);
        }
    }

    // The print header of the two lists names the files checked.
    let label = inputs
        .iter()
        .map(|(n, _)| base_name(n))
        .collect::<Vec<_>>()
        .join("; ");
    let summary = summary_sheet(report, &summary_name, &label, lang)?;
    let list = findings_sheet(report, &findings_name, &label, &where_is, lang)?;
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

/// Cell styles of the annotated copy; each becomes one Format, made once per sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
struct Style {
    /// Header rows: bold, tinted, centred.
    head: bool,
    /// Inside the table (header to last line): thin borders for print.
    border: bool,
    wrap: bool,
    /// Titles merged across columns above the header.
    center: bool,
    num: NumFmt,
    /// Fill colour of a flagged cell or a result.
    fill: Option<u32>,
}

#[derive(Default)]
struct Styles(HashMap<Style, Format>);

impl Styles {
    fn get(&mut self, s: Style) -> &Format {
        self.0.entry(s).or_insert_with(|| {
            let mut f = Format::new().set_align(FormatAlign::Top);
            if s.head {
                f = f
                    .set_bold()
                    .set_background_color(Color::RGB(0xD9E1F2))
                    .set_align(FormatAlign::Center)
                    .set_align(FormatAlign::VerticalCenter);
            }
            if s.center {
                f = f
                    .set_align(FormatAlign::Center)
                    .set_align(FormatAlign::VerticalCenter);
            }
            if s.border {
                f = f.set_border(FormatBorder::Thin);
            }
            if s.wrap {
                f = f.set_text_wrap();
            }
            if let Some(code) = s.num.code() {
                f = f.set_num_format(code);
            }
            if let Some(rgb) = s.fill {
                f = f.set_background_color(Color::RGB(rgb));
            }
            f
        })
    }
}

/// An ISO date as read, as an Excel date and its format; None when Excel cannot hold it.
fn as_date(d: &str) -> Option<(ExcelDateTime, NumFmt)> {
    let dt = ExcelDateTime::parse_from_str(d).ok()?;
    Some((
        dt,
        if d.contains('T') {
            NumFmt::DateTime
        } else {
            NumFmt::Date
        },
    ))
}

/// Where a cell sits: in the header, in the table (bordered), and whether its text wraps (in
/// the table, or everywhere when no table was found; titles and signatures run on instead).
#[derive(Clone, Copy)]
struct Place {
    head: bool,
    table: bool,
    wrap: bool,
}

/// The style of a cell from its value and column role: numbers with their format, text wrapped.
fn cell_style(v: &Value, role: Option<Field>, at: Place, fill: Option<u32>) -> Style {
    let (num, wrap) = match v {
        Value::Empty | Value::Bool(_) => (NumFmt::General, false),
        Value::Number(n) => (layout::number_format(*n, role), false),
        Value::Date(d) => (as_date(d).map_or(NumFmt::General, |(_, f)| f), false),
        Value::Text(_) | Value::Error(_) => (NumFmt::General, at.wrap),
    };
    Style {
        head: at.head,
        border: at.table || at.head,
        wrap,
        center: false,
        num,
        fill,
    }
}

/// The text a wrapped cell shows, for its row height.
fn wrapped_text(v: &Value) -> Option<String> {
    match v {
        Value::Text(s) => Some(s.clone()),
        Value::Error(e) => Some(e.clone()),
        _ => None,
    }
}

/// One input sheet as read, with its merged ranges, the result column and the flagged cells.
fn data_sheet(
    rs: &RawSheet,
    out_name: &str,
    label: &str,
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
    // Header rows, 0-based: the first and the last (a two-row header spans both).
    let header: Option<(u32, u32)> = laid.and_then(|s| {
        let first = s.header_rows.iter().min()?;
        let last = s.header_rows.iter().max()?;
        Some((first.saturating_sub(1), last.saturating_sub(1)))
    });
    let (title_row, header_row) = header.unwrap_or((0, 0));
    let in_header = |r: u32| header.is_some_and(|(h0, h1)| (h0..=h1).contains(&r));
    let merges = Merges::plan(&rs.merges, rs.rows.len(), width);
    let mut roles: Vec<Option<Field>> = vec![None; width];
    for m in laid.map(|s| s.columns.as_slice()).unwrap_or(&[]) {
        if let Some((_, c)) = parse_a1(&format!("{}1", m.column)) {
            if let Some(slot) = roles.get_mut(usize::from(c)) {
                *slot = Some(m.field);
            }
        }
    }
    let role = |c: u16| roles.get(usize::from(c)).copied().flatten();

    // Flagged cells, at the cell that shows them (a merged range's top-left): the worst
    // severity (waived ones count last) and the notes' text.
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
        let mut seen = BTreeSet::new();
        for (r, c) in f.cells.iter().filter_map(|c| parse_a1(c)) {
            let at = merges.anchor(r, c);
            if !seen.insert(at) {
                continue; // two cells of one merged range: one note
            }
            let e = flagged
                .entry(at)
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
    let fill_at = |r: u32, c: u16| flagged.get(&(r, c)).map(|(s, w, _)| fill_rgb(*s, *w));

    // The table for print borders: header to the last line or finding, then on while rows hold
    // something (totals under the last line); title and signature blocks stay plain.
    let lines: BTreeSet<u32> = laid
        .map(|s| s.lines.iter().map(|l| l.row.saturating_sub(1)).collect())
        .unwrap_or_default();
    let table: Option<(u32, u32)> = header.map(|(h0, h1)| {
        let mut end = lines
            .iter()
            .chain(by_row.keys())
            .copied()
            .max()
            .unwrap_or(h1)
            .max(h1);
        while rs
            .rows
            .get(end as usize + 1)
            .is_some_and(|row| row.iter().any(|v| !v.is_empty()))
        {
            end += 1;
        }
        (h0, end)
    });
    let in_table = |r: u32| table.is_some_and(|(a, b)| (a..=b).contains(&r));
    let place = |r: u32| Place {
        head: in_header(r),
        table: in_table(r),
        wrap: table.is_none() || in_table(r),
    };

    // Widths from the table's rows (the first 200 past the header), or the sheet's first rows.
    let sample = match (table, header) {
        (Some((a, b)), Some((_, h1))) => {
            a as usize..(b.min(h1.saturating_add(WIDTH_SAMPLE_ROWS)) as usize + 1)
        }
        _ => 0..WIDTH_SAMPLE_ROWS as usize,
    };
    let widths = layout::column_widths(&rs.rows, &merges, header, &roles, width, sample);
    let col_width = |c: u16| widths.get(usize::from(c)).copied().unwrap_or(MIN_WIDTH);
    // Wrapped lines each row needs.
    let mut need: BTreeMap<u32, u32> = BTreeMap::new();
    let mut want = |r: u32, n: u32| {
        let e = need.entry(r).or_insert(1);
        *e = (*e).max(n);
    };
    let mut styles = Styles::default();

    // Cells outside merged ranges.
    for (r, row) in rs.rows.iter().enumerate() {
        let r = r as u32;
        let end = if in_table(r) { width } else { row.len() };
        for c in 0..end {
            let cc = c as u16;
            if merges.get(r, cc).is_some() {
                continue;
            }
            let v = row.get(c).unwrap_or(&Value::Empty);
            let style = cell_style(v, role(cc), place(r), fill_at(r, cc));
            if matches!(v, Value::Empty) && style == Style::default() {
                continue;
            }
            write_value(&mut ws, r, cc, v, styles.get(style)).map_err(&err)?;
            if let (Some(text), true) = (wrapped_text(v), style.wrap) {
                want(r, layout::wrapped_lines(&text, col_width(cc)));
            }
        }
    }
    // Merged ranges: written once, the top-left value over the whole range.
    for m in &merges.list {
        let v = rs
            .rows
            .get(m.r0 as usize)
            .and_then(|row| row.get(usize::from(m.c0)))
            .unwrap_or(&Value::Empty);
        let above = header.is_some_and(|(h0, _)| m.r1 < h0);
        let mut style = cell_style(v, role(m.c0), place(m.r0), fill_at(m.r0, m.c0));
        style.wrap = true;
        style.center = above && m.c1 > m.c0;
        let f = styles.get(style);
        ws.merge_range(m.r0, m.c0, m.r1, m.c1, "", f)
            .map_err(&err)?;
        if !matches!(v, Value::Empty) {
            write_value(&mut ws, m.r0, m.c0, v, f).map_err(&err)?;
        }
        if let (Some(text), 1) = (wrapped_text(v), m.rows()) {
            let w: f64 = (m.c0..=m.c1).map(col_width).sum();
            want(m.r0, layout::wrapped_lines(&text, w));
        }
    }
    // Flagged cells outside what was written still show their colour.
    for ((r, c), (s, w, _)) in &flagged {
        let written = merges.get(*r, *c).is_some()
            || rs
                .rows
                .get(*r as usize)
                .is_some_and(|row| usize::from(*c) < if in_table(*r) { width } else { row.len() });
        if !written {
            let style = Style {
                fill: Some(fill_rgb(*s, *w)),
                ..Style::default()
            };
            ws.write_blank(*r, *c, styles.get(style)).map_err(&err)?;
        }
    }
    for ((r, c), (_, _, texts)) in &flagged {
        let note = Note::new(texts.join("\n\n"))
            .set_author("hangviet")
            .add_author_prefix(false)
            .set_width(420)
            .set_height(160);
        ws.insert_note(*r, *c, &note).map_err(&err)?;
    }

    // The result column: its title over all header rows.
    let title = t(lang, "Kết quả kiểm tra", "Check result");
    let head = styles
        .get(Style {
            head: true,
            border: true,
            wrap: true,
            ..Style::default()
        })
        .clone();
    if title_row < header_row {
        ws.merge_range(title_row, result_col, header_row, result_col, title, &head)
            .map_err(&err)?;
    } else {
        ws.write_string_with_format(title_row, result_col, title, &head)
            .map_err(&err)?;
    }
    ws.set_column_width(result_col, RESULT_WIDTH)
        .map_err(&err)?;
    let rows: BTreeSet<u32> = lines.iter().chain(by_row.keys()).copied().collect();
    let mut header_notes = Vec::new();
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
        if in_header(r) || (header.is_none() && r == header_row) {
            // A sheet-level finding points at the header: its text goes in the title's note.
            if !fs.is_empty() {
                header_notes.push(text);
            }
            continue;
        }
        let fill = match fs
            .iter()
            .filter(|f| f.waived.is_none())
            .map(|f| f.severity)
            .max()
        {
            Some(s) => Some(fill_rgb(s, false)),
            None if !fs.is_empty() => Some(fill_rgb(Severity::Info, true)),
            None => None,
        };
        let style = Style {
            border: in_table(r),
            wrap: true,
            fill,
            ..Style::default()
        };
        want(r, layout::wrapped_lines(&text, RESULT_WIDTH));
        ws.write_string_with_format(r, result_col, text, styles.get(style))
            .map_err(&err)?;
    }
    if !header_notes.is_empty() {
        let note = Note::new(header_notes.join("\n"))
            .set_author("hangviet")
            .add_author_prefix(false)
            .set_width(420)
            .set_height(160);
        ws.insert_note(title_row, result_col, &note).map_err(&err)?;
    }
    // Rows of the table without a result keep the column's border.
    if let Some((a, b)) = table {
        let border = styles
            .get(Style {
                border: true,
                ..Style::default()
            })
            .clone();
        for r in a..=b {
            if !in_header(r) && !lines.contains(&r) && !by_row.contains_key(&r) {
                ws.write_blank(r, result_col, &border).map_err(&err)?;
            }
        }
    }

    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(c as u16, *w).map_err(&err)?;
    }
    for (r, n) in need {
        if n > 1 {
            ws.set_row_height(r, layout::height_for(n)).map_err(&err)?;
        }
    }
    if laid.is_some() {
        ws.set_freeze_panes(header_row + 1, 0).map_err(&err)?;
    }
    layout::print_setup(&mut ws, header, label, lang).map_err(&err)?;
    Ok(ws)
}

fn write_value(
    ws: &mut Worksheet,
    r: u32,
    c: u16,
    v: &Value,
    f: &Format,
) -> std::result::Result<(), XlsxError> {
    match v {
        Value::Empty => {
            ws.write_blank(r, c, f)?;
        }
        Value::Number(n) if n.is_finite() => {
            ws.write_number_with_format(r, c, *n, f)?;
        }
        Value::Bool(b) => {
            ws.write_boolean_with_format(r, c, *b, f)?;
        }
        Value::Date(d) => match as_date(d) {
            Some((dt, _)) => {
                ws.write_datetime_with_format(r, c, dt, f)?;
            }
            None => {
                ws.write_string_with_format(r, c, d, f)?;
            }
        },
        other => {
            ws.write_string_with_format(r, c, other.display(), f)?;
        }
    }
    Ok(())
}

fn findings_sheet(
    report: &Report,
    name: &str,
    label: &str,
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
    let width = |c: u16| {
        FINDINGS_WIDTHS
            .get(usize::from(c))
            .copied()
            .unwrap_or(MIN_WIDTH)
    };
    let head_lines = heads
        .iter()
        .enumerate()
        .map(|(i, h)| layout::wrapped_lines(h, width(i as u16 + 1)))
        .max()
        .unwrap_or(1);
    if head_lines > 1 {
        ws.set_row_height(0, layout::height_for(head_lines))
            .map_err(&err)?;
    }
    // Every cell top-aligned, so a number sits level with the first line of the text beside it.
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    let top = Format::new().set_align(FormatAlign::Top);
    let link_fmt = Format::new().set_hyperlink().set_align(FormatAlign::Top);
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
        ws.write_number_with_format(r, 0, (i + 1) as f64, &top)
            .map_err(&err)?;
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
        let mut lines = 1;
        for (c, v) in cols.iter().enumerate() {
            let c = c as u16 + 1;
            if !v.is_empty() {
                lines = lines.max(layout::wrapped_lines(v, width(c)));
            }
            if c == 3 {
                ws.write_number_with_format(r, c, f64::from(f.row), &top)
                    .map_err(&err)?;
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
            ws.write_url_with_format(r, link_col, link(sheet, &cell).set_text(text), &link_fmt)
                .map_err(&err)?;
        }
        if lines > 1 {
            ws.set_row_height(r, layout::height_for(lines))
                .map_err(&err)?;
        }
    }
    for (c, w) in FINDINGS_WIDTHS.iter().enumerate() {
        ws.set_column_width(c as u16, *w).map_err(&err)?;
    }
    ws.set_freeze_panes(1, 0).map_err(&err)?;
    let last = report.findings.len() as u32;
    ws.autofilter(0, 0, last, link_col).map_err(&err)?;
    layout::print_setup(&mut ws, Some((0, 0)), label, lang).map_err(&err)?;
    Ok(ws)
}

/// Widths of the findings sheet's columns: #, file, sheet, row, cells, rule, severity, rule name,
/// item, message, citation, note, equivalents, waiver, by, date, link.
const FINDINGS_WIDTHS: [f64; 17] = [
    5.0, 28.0, 14.0, 7.0, 10.0, 9.0, 12.0, 30.0, 30.0, 70.0, 30.0, 30.0, 30.0, 30.0, 16.0, 12.0,
    22.0,
];

fn summary_sheet(report: &Report, name: &str, label: &str, lang: Lang) -> Result<Worksheet> {
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
    let rule_heads = match lang {
        Lang::Vi => ["Mã quy tắc", "Số phát hiện", "Mức độ", "Quy tắc"],
        Lang::En => ["Rule", "Findings", "Severity", "Rule name"],
    };
    for (c, h) in rule_heads.iter().enumerate() {
        ws.write_string_with_format(r, c as u16, *h, &hf)
            .map_err(&err)?;
    }
    r += 1;
    for (rule, n) in &report.summary.totals.by_rule {
        // Name and severity from the rule's first finding (a rule has one severity).
        let first = report.findings.iter().find(|f| &f.rule == rule);
        ws.write_string(r, 0, rule).map_err(&err)?;
        ws.write_number(r, 1, *n as f64).map_err(&err)?;
        if let Some(f) = first {
            let fmt = Format::new().set_background_color(fill(f.severity, false));
            ws.write_string_with_format(r, 2, severity_label(f.severity, lang), &fmt)
                .map_err(&err)?;
            // The name runs on over the empty cells to its right.
            ws.write_string(r, 3, &f.name).map_err(&err)?;
        }
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
    if heads.iter().any(|h| layout::wrapped_lines(h, 14.0) > 1) {
        let lines = heads
            .iter()
            .map(|h| layout::wrapped_lines(h, 14.0))
            .max()
            .unwrap_or(1);
        ws.set_row_height(top, layout::height_for(lines))
            .map_err(&err)?;
    }
    layout::print_setup(&mut ws, None, label, lang).map_err(&err)?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{CheckOptions, Engine};
    use crate::rules::date::Date;
    use std::io::Read;

    const AWARD: &[u8] = include_bytes!("../../../tests/fixtures/award_result.xlsx");

    /// One part of the written xlsx zip, as text.
    fn part(xlsx: &[u8], name: &str) -> String {
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(xlsx)).unwrap();
        let mut s = String::new();
        zip.by_name(name).unwrap().read_to_string(&mut s).unwrap();
        s
    }

    /// The `<c r="K21" s="…">` style index of a cell in a sheet part.
    fn style_of(sheet_xml: &str, cell: &str) -> usize {
        let at = sheet_xml
            .find(&format!("<c r=\"{cell}\""))
            .unwrap_or_else(|| panic!("{cell} not written"));
        let tag = &sheet_xml[at..at + sheet_xml[at..].find('>').unwrap()];
        let s = tag
            .split(" s=\"")
            .nth(1)
            .expect("a style")
            .split('"')
            .next();
        s.unwrap().parse().unwrap()
    }

    /// The `<xf …>` of a style index in styles.xml.
    fn xf(styles: &str, i: usize) -> String {
        let xfs = styles.split("<cellXfs").nth(1).unwrap();
        let xfs = xfs.split("</cellXfs>").next().unwrap();
        xfs.split("<xf ").nth(i + 1).unwrap().to_string()
    }

    /// The number format code of a cell ("General" when none is set).
    fn num_format(styles: &str, sheet_xml: &str, cell: &str) -> String {
        let x = xf(styles, style_of(sheet_xml, cell));
        let id = x
            .split("numFmtId=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        match styles
            .split(&format!("<numFmt numFmtId=\"{id}\" formatCode=\""))
            .nth(1)
        {
            Some(rest) => rest.split('"').next().unwrap().to_string(),
            None if id == "0" => "General".into(),
            None => format!("built-in {id}"),
        }
    }

    fn award_workbook() -> (Report, Vec<u8>) {
        let engine = Engine::embedded().unwrap();
        let opts = CheckOptions {
            as_of: None,
            today: Date::parse("2026-06-01").unwrap(),
            lang: Lang::Vi,
            threads: 1,
        };
        let report = engine.check_all(&[("award_result.xlsx".into(), Ok(AWARD.to_vec()))], &opts);
        let out = annotated_xlsx_with(
            &report,
            &[("award_result.xlsx", AWARD)],
            engine.tables(),
            Lang::Vi,
        )
        .unwrap();
        (report, out)
    }

    #[test]
    fn report_xlsx_keeps_merges_values_and_formats() {
        let (_, out) = award_workbook();
        let input = read(AWARD, "in.xlsx", &Limits::default()).unwrap();
        let back = read(&out, "out.xlsx", &Limits::default()).unwrap();
        let (src, copy) = (&input.sheets[0], &back.sheets[2]);
        assert_eq!(copy.name, "KQLCNT");
        // Every merged range of the input is merged in the copy (titles, two-row header,
        // section rows); the result column's title adds one over the two header rows.
        for m in &src.merges {
            assert!(copy.merges.contains(m), "{m:?} lost: {:?}", copy.merges);
        }
        assert!(
            copy.merges.contains(&(12, 12, 13, 12)),
            "result title M13:M14"
        );
        assert_eq!(copy.merges.len(), src.merges.len() + 1);
        // Read back (merged values filled by the reader), every input cell is as read.
        let width = src.rows.iter().map(|r| r.len()).max().unwrap();
        for (r, row) in src.rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                let got = copy.rows.get(r).and_then(|x| x.get(c));
                assert_eq!(
                    got.unwrap_or(&Value::Empty),
                    v,
                    "row {} col {}",
                    r + 1,
                    c + 1
                );
            }
        }
        // The merged title is written once: D1 holds it, E1..L1 are blank in the file.
        let sheet = part(&out, "xl/worksheets/sheet3.xml");
        assert!(sheet.contains("<mergeCell ref=\"D1:L1\"/>"), "{sheet}");
        let e1 = &sheet[sheet.find("<c r=\"E1\"").unwrap()..];
        assert!(
            e1[..e1.find('>').unwrap() + 1].ends_with("/>"),
            "E1 is blank"
        );
        // Amounts with thousands separators (built-in format 3 is "#,##0"), a fraction with
        // the decimals it has, the year-like text untouched.
        let styles = part(&out, "xl/styles.xml");
        assert_eq!(num_format(&styles, &sheet, "K21"), "#,##0");
        assert_eq!(num_format(&styles, &sheet, "J17"), "#,##0.0000");
        assert_eq!(num_format(&styles, &sheet, "A17"), "General", "STT");
        assert_eq!(width, 12);
        // Print: landscape A4, one page wide, header rows repeated, file name and pages.
        assert!(sheet.contains("<pageSetUpPr fitToPage=\"1\"/>"), "{sheet}");
        assert!(sheet.contains("paperSize=\"9\"") && sheet.contains("orientation=\"landscape\""));
        assert!(sheet.contains("fitToHeight=\"0\""));
        assert!(sheet.contains("<oddHeader>&amp;Laward_result.xlsx&amp;R&amp;A</oddHeader>"));
        assert!(sheet.contains("Trang &amp;P / &amp;N"));
        let book = part(&out, "xl/workbook.xml");
        assert!(
            book.contains("_xlnm.Print_Titles") && book.contains("KQLCNT!$13:$14"),
            "{book}"
        );
        // Rows with wrapped results are taller than one line.
        assert!(sheet.contains("<row r=\"21\"") && sheet.contains("customHeight=\"1\""));
    }

    #[test]
    fn report_xlsx_summary_names_each_rule() {
        let (report, out) = award_workbook();
        let back = read(&out, "out.xlsx", &Limits::default()).unwrap();
        let summary = &back.sheets[0];
        assert_eq!(summary.name, "Tổng hợp");
        let r11 = report.findings.iter().find(|f| f.rule == "VN-R11").unwrap();
        let row = summary
            .rows
            .iter()
            .find(|r| r.first() == Some(&Value::Text("VN-R11".into())))
            .expect("a row for VN-R11");
        let n = report.summary.totals.by_rule["VN-R11"] as f64;
        assert_eq!(row.get(1), Some(&Value::Number(n)));
        assert_eq!(row.get(2), Some(&Value::Text("vi phạm".into())));
        assert_eq!(row.get(3), Some(&Value::Text(r11.name.clone())));
        // The findings list: numbers top-aligned like the text beside them.
        let list = part(&out, "xl/worksheets/sheet2.xml");
        let styles = part(&out, "xl/styles.xml");
        for cell in ["A2", "D2"] {
            assert!(
                xf(&styles, style_of(&list, cell)).contains("vertical=\"top\""),
                "{cell}"
            );
        }
    }

    fn finding(cells: &[&str], row: u32) -> Finding {
        Finding {
            rule: "VN-R11".into(),
            name: "Thiếu nhãn hiệu".into(),
            severity: Severity::Violation,
            file: "f.xlsx".into(),
            sheet: "S".into(),
            row,
            cells: cells.iter().map(|c| c.to_string()).collect(),
            item: String::new(),
            values: BTreeMap::new(),
            message: "Nhãn hiệu trống".into(),
            citation: "Mẫu 10B".into(),
            alternatives: vec![],
            assumptions: vec![],
            as_of: Date::parse("2026-06-01").unwrap(),
            note: String::new(),
            waived: None,
        }
    }

    #[test]
    fn report_xlsx_flagged_cell_inside_a_merge_colours_the_range() {
        let text = |s: &str| Value::Text(s.into());
        let rs = RawSheet {
            name: "S".into(),
            hidden: false,
            // B2:C2 merged (filled by the reader), a date and an amount beside.
            rows: vec![
                vec![text("Tên"), text("Nhãn"), text("Nhãn"), text("Ngày")],
                vec![
                    text("Bàn"),
                    text("X"),
                    text("X"),
                    Value::Date("2026-03-15".into()),
                    Value::Number(1_500_000.0),
                ],
            ],
            merges: vec![(1, 1, 1, 2), (0, 1, 0, 2)],
        };
        let f = finding(&["C2"], 2);
        let ws = data_sheet(&rs, "S", "f&g.xlsx", None, &[&f], Lang::Vi).unwrap();
        let mut book = Xlsx::new();
        book.push_worksheet(ws);
        let out = book.save_to_buffer().unwrap();
        let sheet = part(&out, "xl/worksheets/sheet1.xml");
        assert!(sheet.contains("<mergeCell ref=\"B2:C2\"/>"), "{sheet}");
        // The note sits on B2, the cell that shows the merged value, and B2 carries the fill.
        let comments = part(&out, "xl/comments1.xml");
        assert!(comments.contains("ref=\"B2\""), "{comments}");
        let styles = part(&out, "xl/styles.xml");
        let b2 = xf(&styles, style_of(&sheet, "B2"));
        let fill: usize = b2
            .split("fillId=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let fills = styles.split("<fills").nth(1).unwrap();
        let fill_xml = fills.split("<fill>").nth(fill + 1).unwrap();
        assert!(fill_xml.contains("FFC7CE"), "{fill_xml}");
        assert_eq!(style_of(&sheet, "C2"), style_of(&sheet, "B2"));
        // A date is a date, an amount has separators; both read back as they were.
        assert!(sheet.contains("<oddHeader>&amp;Lf&amp;&amp;g.xlsx&amp;R&amp;A</oddHeader>"));
        let back = read(&out, "o.xlsx", &Limits::default()).unwrap();
        assert_eq!(back.sheets[0].rows[1][3], Value::Date("2026-03-15".into()));
        assert_eq!(back.sheets[0].rows[1][4], Value::Number(1_500_000.0));
        assert_eq!(num_format(&styles, &sheet, "E2"), "#,##0");
        assert_eq!(num_format(&styles, &sheet, "D2"), "dd/mm/yyyy");
    }
}
