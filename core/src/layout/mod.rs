//! The layout stage: per sheet, find the header (maybe rows 3–6, maybe two rows merged), map
//! columns to fields, classify the sheet, and turn item rows into purchase lines while skipping
//! totals, blanks and numbering rows, keeping section rows as context.

mod headers;
pub mod package;
pub mod rows;

pub use crate::error::line_col;
pub use headers::{fold_header, HeaderTable};

use crate::cell::{col_letters, RowAddrs};
use crate::model::{
    ColumnMap, Field, FieldValue, PackageFacts, Problem, PurchaseLine, Sheet, SheetKind, Skipped,
    Unmapped,
};
use crate::number::{parse_number, Parsed};
use crate::read::{RawSheet, Value};
use crate::text::fold;
use rows::{is_item_number, is_numbering_row, is_section_marker, is_signature_row, is_total_text};
use std::collections::BTreeMap;

/// How many rows from the top may hold the header.
pub const HEADER_SCAN_ROWS: usize = 40;

/// What the header expects, for error messages.
pub const EXPECTED_HEADERS: &str =
    "STT, Tên hàng hóa, Ký mã hiệu, Nhãn hiệu, Hãng sản xuất, Xuất xứ, Đơn vị tính, Số lượng, Đơn giá, Thành tiền";

/// The header found in a sheet: its rows and what each column maps to.
#[derive(Debug, Clone)]
struct Header {
    /// 0-based rows.
    rows: Vec<usize>,
    columns: Vec<(usize, Option<Field>, String)>,
    /// Indices into `columns` of the mapped ones, in field order: a line's fields are laid
    /// down in the order its `FieldMap` keeps them, with no shifting.
    by_field: Vec<usize>,
}

impl Header {
    fn fields(&self) -> impl Iterator<Item = Field> + '_ {
        self.columns.iter().filter_map(|c| c.1)
    }
    fn has(&self, f: Field) -> bool {
        self.fields().any(|x| x == f)
    }
    fn header_of(&self, f: Field) -> Option<&str> {
        self.columns
            .iter()
            .find(|c| c.1 == Some(f))
            .map(|c| c.2.as_str())
    }
}

fn text_at(row: &[Value], j: usize) -> String {
    row.get(j)
        .map(|v| v.display().trim().to_string())
        .unwrap_or_default()
}

/// Map one header row (or two merged rows) to columns; first column wins for a field.
fn map_columns(table: &HeaderTable, upper: &[Value], lower: Option<&[Value]>) -> Header {
    let width = upper.len().max(lower.map_or(0, |l| l.len()));
    let mut cols = Vec::new();
    let mut seen = Vec::new();
    for j in 0..width {
        let u = text_at(upper, j);
        let l = lower.map(|l| text_at(l, j)).unwrap_or_default();
        // The lower row is the more specific ("Đơn giá" under "Giá trúng thầu"), unless it is only a
        // unit ("(VNĐ)") or repeats the upper text (a vertical merge).
        let (field, text) = if l.is_empty() || l == u {
            (table.field_for(&u), u.clone())
        } else if u.is_empty() {
            (table.field_for(&l), l.clone())
        } else {
            let both = format!("{u} {l}");
            let shown = format!("{u} / {l}");
            match table.field_for(&l) {
                Some(f) => (Some(f), shown),
                None => (
                    table.field_for(&both).or_else(|| table.field_for(&u)),
                    shown,
                ),
            }
        };
        if text.is_empty() {
            continue;
        }
        let field = field.filter(|f| !seen.contains(f));
        if let Some(f) = field {
            seen.push(f);
        }
        cols.push((j, field, text));
    }
    let mut by_field: Vec<usize> = (0..cols.len()).filter(|&k| cols[k].1.is_some()).collect();
    by_field.sort_by_key(|&k| cols[k].1);
    Header {
        rows: Vec::new(),
        columns: cols,
        by_field,
    }
}

fn score(h: &Header) -> usize {
    let mut fields: Vec<Field> = h.fields().collect();
    fields.sort();
    fields.dedup();
    fields.len()
}

/// Whether a cell's text looks like data rather than a header label.
fn looks_numeric(v: &Value) -> bool {
    match v {
        Value::Number(_) => true,
        Value::Text(t) => matches!(parse_number(t), Ok(Parsed::Number(_))),
        _ => false,
    }
}

/// Whether `next` continues the header in `row` (a second header row merged with the first).
fn continues_header(table: &HeaderTable, row: &[Value], next: &[Value]) -> bool {
    if next.iter().all(|v| v.is_empty()) || is_numbering_row(next) {
        return false;
    }
    if next.iter().any(looks_numeric) {
        return false;
    }
    let width = row.len().max(next.len());
    (0..width).any(|j| {
        let u = text_at(row, j);
        let l = text_at(next, j);
        if l.is_empty() || l == u {
            return false;
        }
        let unit_like = l.starts_with('(')
            || matches!(fold(&l).as_str(), "vnd" | "dong" | "nhom" | "phan nhom");
        let merged_upper =
            !u.is_empty() && (text_at(row, j + 1) == u || (j > 0 && text_at(row, j - 1) == u));
        (u.is_empty() && table.is_known(&l))
            || (!u.is_empty() && (unit_like || merged_upper || table.is_known(&l)))
    })
}

fn find_header(table: &HeaderTable, rows: &[Vec<Value>]) -> Option<Header> {
    let mut best: Option<(usize, Header)> = None;
    for i in 0..rows.len().min(HEADER_SCAN_ROWS) {
        let row = &rows[i];
        let single = map_columns(table, row, None);
        let s = score(&single);
        if s < 2 {
            continue;
        }
        let mut h = single;
        h.rows = vec![i];
        if let Some(next) = rows.get(i + 1) {
            if continues_header(table, row, next) {
                let mut two = map_columns(table, row, Some(next));
                if score(&two) >= s {
                    two.rows = vec![i, i + 1];
                    h = two;
                }
            }
        }
        let s = score(&h);
        let has_item = h.has(Field::Name) || h.has(Field::Model);
        if (has_item || s >= 3) && best.as_ref().is_none_or(|(bs, _)| s > *bs) {
            best = Some((s, h));
        }
    }
    best.map(|(_, h)| h)
}

/// Words in titles and headers that tell what a sheet is.
fn title_hint(texts: &str) -> Option<SheetKind> {
    let f = fold(texts);
    if f.contains("mau so 15")
        || f.contains("mau 15")
        || f.contains("uu dai hang hoa")
        || f.contains("huong uu dai")
    {
        Some(SheetKind::Preference)
    } else if f.contains("trung thau")
        || f.contains("ket qua lua chon")
        || f.contains("du thau")
        || f.contains("mau so 10")
    {
        Some(SheetKind::Award)
    } else if f.contains("yeu cau ky thuat")
        || f.contains("pham vi cung cap")
        || f.contains("ho so moi thau")
        || f.contains("e-hsmt")
    {
        Some(SheetKind::Requirements)
    } else {
        None
    }
}

fn classify(h: &Header, above: &str) -> (SheetKind, Option<String>) {
    let pref = [
        Field::PrefClaimed,
        Field::OfferPrice,
        Field::Taxes,
        Field::ImportedCost,
        Field::DomesticCost,
        Field::ExwPrice,
        Field::DomesticShare,
    ]
    .iter()
    .filter(|f| h.has(**f))
    .count();
    let priced = h.has(Field::UnitPrice) || h.has(Field::Amount);
    let identity = [
        Field::Model,
        Field::Brand,
        Field::Manufacturer,
        Field::Origin,
    ]
    .iter()
    .filter(|f| h.has(**f))
    .count();
    let price_headers = [Field::UnitPrice, Field::Amount]
        .iter()
        .filter_map(|f| h.header_of(*f))
        .map(fold)
        .collect::<Vec<_>>()
        .join(" ");
    let award_words = price_headers.contains("trung thau")
        || price_headers.contains("du thau")
        || price_headers.contains("chao");
    let spec_is_requirement = h
        .header_of(Field::Spec)
        .is_some_and(|s| fold(s).starts_with("yeu cau"));
    let hint = title_hint(above);

    if pref >= 2 || (pref >= 1 && hint == Some(SheetKind::Preference)) {
        return (SheetKind::Preference, None);
    }
    if h.has(Field::OriginRequirement)
        || ((spec_is_requirement || hint == Some(SheetKind::Requirements))
            && !h.has(Field::Manufacturer)
            && !award_words)
    {
        return (SheetKind::Requirements, None);
    }
    let has_item = h.has(Field::Name) || h.has(Field::Model);
    if has_item
        && priced
        && (award_words
            || identity >= 3
            || h.has(Field::Bidder)
            || (identity >= 1 && hint == Some(SheetKind::Award)))
    {
        return (SheetKind::Award, None);
    }
    if has_item && (priced || h.has(Field::Quantity) || h.has(Field::Unit)) {
        return (SheetKind::Purchase, None);
    }
    (
        SheetKind::Unknown,
        Some(format!(
            "có dòng tiêu đề nhưng thiếu cột tên hàng hoặc số lượng/đơn giá (cần các cột như: {EXPECTED_HEADERS})"
        )),
    )
}

/// Everything the layout stage needs besides the sheet.
pub struct LayoutTables<'a> {
    pub headers: &'a HeaderTable,
}

/// Lays out one sheet row by row, so a long sheet need not sit in memory: the first
/// `HEADER_SCAN_ROWS` rows are held until the header is found, then each row is handled as it
/// comes and each item line goes to the caller's sink at once.
pub struct SheetLayout<'a> {
    tables: &'a LayoutTables<'a>,
    sheet: Sheet,
    /// Rows held until the header is decided: (0-based index, cells).
    held: Vec<(usize, Vec<Value>)>,
    header: Option<Header>,
    decided: bool,
    ended: bool,
    section: Option<String>,
    cols: Cols,
    prev_row: usize,
    /// Agency, notice number and date columns: the value all lines agree on so far.
    agree: [(Field, Agree); 3],
}

#[derive(Default)]
enum Agree {
    #[default]
    None,
    Same(String),
    Mixed,
}

#[derive(Default)]
struct Cols {
    line_no: Option<usize>,
    unit: Option<usize>,
    numeric: Vec<usize>,
    item: Vec<usize>,
    last_header_row: usize,
}

impl<'a> SheetLayout<'a> {
    pub fn new(name: &str, hidden: bool, tables: &'a LayoutTables<'a>) -> Self {
        SheetLayout {
            tables,
            sheet: Sheet {
                name: name.to_string(),
                kind: SheetKind::Unknown,
                reason: None,
                hidden,
                header_rows: Vec::new(),
                columns: Vec::new(),
                unmapped: Vec::new(),
                lines: Vec::new(),
                skipped: Vec::new(),
                problems: Vec::new(),
                package: PackageFacts::default(),
            },
            held: Vec::new(),
            header: None,
            decided: false,
            ended: false,
            section: None,
            cols: Cols::default(),
            prev_row: 0,
            agree: [
                (Field::Agency, Agree::None),
                (Field::NoticeNo, Agree::None),
                (Field::Date, Agree::None),
            ],
        }
    }

    /// The sheet as understood so far (kind, columns and package are final once the header is
    /// decided, i.e. before the first line reaches the sink).
    pub fn sheet(&self) -> &Sheet {
        &self.sheet
    }

    /// Feed the next row (0-based index, increasing; empty rows may be left out).
    pub fn push_row(
        &mut self,
        index: usize,
        row: Vec<Value>,
        sink: &mut dyn FnMut(&Sheet, PurchaseLine),
    ) {
        if self.decided {
            self.body_row(index, row, sink);
            return;
        }
        if index < HEADER_SCAN_ROWS {
            self.held.push((index, row));
            return;
        }
        self.decide(sink);
        self.body_row(index, row, sink);
    }

    /// No more rows: decide the header if not yet done, and return the sheet (without lines).
    pub fn finish(mut self, sink: &mut dyn FnMut(&Sheet, PurchaseLine)) -> Sheet {
        if !self.decided {
            self.decide(sink);
        }
        // Agency, notice number and date given as columns become package facts when every
        // line agrees.
        for (f, agree) in &self.agree {
            let Agree::Same(v) = agree else { continue };
            let p = &mut self.sheet.package;
            match f {
                Field::Agency => {
                    p.agency.get_or_insert_with(|| v.clone());
                }
                Field::NoticeNo => {
                    p.notice_no.get_or_insert_with(|| v.clone());
                }
                _ => {
                    if p.decision_date.is_none() {
                        p.decision_date = package::parse_date(v);
                    }
                }
            }
        }
        self.sheet
    }

    fn decide(&mut self, sink: &mut dyn FnMut(&Sheet, PurchaseLine)) {
        self.decided = true;
        let held = std::mem::take(&mut self.held);
        if held.iter().all(|(_, r)| r.iter().all(|v| v.is_empty())) {
            self.sheet.reason = Some("trang tính trống".into());
            self.ended = true;
            return;
        }
        // Dense view of the held rows for header search (missing rows are empty).
        let n = held.last().map_or(0, |(i, _)| i + 1);
        let mut dense: Vec<Vec<Value>> = vec![Vec::new(); n];
        for (i, r) in &held {
            if let Some(slot) = dense.get_mut(*i) {
                *slot = r.clone();
            }
        }
        let Some(header) = find_header(self.tables.headers, &dense) else {
            self.sheet.reason = Some(format!(
                "không tìm thấy dòng tiêu đề trong {HEADER_SCAN_ROWS} dòng đầu (cần các cột như: {EXPECTED_HEADERS})"
            ));
            self.ended = true;
            return;
        };
        let first = header.rows[0];
        let last = *header.rows.last().unwrap_or(&first);
        let above_rows: Vec<&[Value]> = dense[..first].iter().map(|r| r.as_slice()).collect();
        let above_text: String = above_rows
            .iter()
            .flat_map(|r| r.iter().map(|v| v.display()))
            .collect::<Vec<_>>()
            .join(" ");
        package::scan(&above_rows, &mut self.sheet.package);
        let (kind, reason) = classify(&header, &above_text);
        self.sheet.kind = kind;
        self.sheet.reason = reason;
        self.sheet.header_rows = header.rows.iter().map(|r| *r as u32 + 1).collect();
        for (j, f, text) in &header.columns {
            match f {
                Some(f) => self.sheet.columns.push(ColumnMap {
                    field: *f,
                    column: col_letters(*j as u32),
                    header: text.clone(),
                }),
                None => self.sheet.unmapped.push(Unmapped {
                    column: col_letters(*j as u32),
                    header: text.clone(),
                }),
            }
        }
        if kind == SheetKind::Unknown {
            self.ended = true;
            return;
        }
        let col_of = |f: Field| header.columns.iter().find(|c| c.1 == Some(f)).map(|c| c.0);
        self.cols = Cols {
            line_no: col_of(Field::LineNo),
            unit: col_of(Field::Unit),
            numeric: header
                .columns
                .iter()
                .filter(|c| c.1.is_some_and(|f| f.is_numeric()))
                .map(|c| c.0)
                .collect(),
            item: [Field::Name, Field::Model]
                .iter()
                .filter_map(|f| col_of(*f))
                .collect(),
            last_header_row: last,
        };
        self.header = Some(header);
        self.prev_row = last;
        for (i, row) in held.into_iter().filter(|(i, _)| *i > last) {
            self.body_row(i, row, sink);
        }
    }

    fn skip(&mut self, row_no: u32, kind: &'static str, reason: String) {
        self.sheet.skipped.push(Skipped {
            row: row_no,
            kind,
            reason,
        });
    }

    fn body_row(&mut self, i: usize, row: Vec<Value>, sink: &mut dyn FnMut(&Sheet, PurchaseLine)) {
        if self.ended || i <= self.cols.last_header_row {
            return;
        }
        // Rows the caller left out (empty in the file) are reported as blank.
        for gap in self.prev_row + 1..i {
            self.skip(gap as u32 + 1, "blank", "dòng trống".into());
        }
        self.prev_row = i;
        if self.header.is_none() {
            return;
        }
        let row_no = i as u32 + 1;
        let line_no = self
            .cols
            .line_no
            .and_then(|j| row.get(j))
            .unwrap_or(&Value::Empty);
        let numbered = is_item_number(line_no);
        let has_numbers = self
            .cols
            .numeric
            .iter()
            .any(|&j| row.get(j).is_some_and(looks_numeric));
        if i <= self.cols.last_header_row + 2 && is_numbering_row(&row) {
            self.skip(row_no, "numbering", "dòng đánh số cột".into());
            return;
        }
        // A numbered row with numbers is an item row: none of the checks below can skip it
        // (they all need an unnumbered row or one without numbers), so its texts are not read.
        if !(numbered && has_numbers) && self.not_an_item(&row, row_no, numbered, has_numbers) {
            return;
        }
        if self
            .cols
            .item
            .iter()
            .all(|&j| row.get(j).is_none_or(|v| v.is_empty()))
        {
            self.skip(row_no, "no_name", "không có tên hàng hóa".into());
            return;
        }
        let Some(header) = self.header.as_ref() else {
            return;
        };
        let line = make_line(
            row,
            i as u32,
            header,
            &mut self.sheet.problems,
            self.section.clone(),
        );
        for (f, agree) in &mut self.agree {
            let v = line.text(*f);
            if v.is_empty() {
                continue;
            }
            *agree = match std::mem::take(agree) {
                Agree::None => Agree::Same(v.to_string()),
                Agree::Same(s) if s == v => Agree::Same(s),
                _ => Agree::Mixed,
            };
        }
        sink(&self.sheet, line);
    }

    /// Blank, signature, total, note and section rows: skipped (and said why); true when skipped.
    fn not_an_item(
        &mut self,
        row: &[Value],
        row_no: u32,
        numbered: bool,
        has_numbers: bool,
    ) -> bool {
        let texts: Vec<String> = {
            let mut t: Vec<String> = row
                .iter()
                .filter(|v| !v.is_empty())
                .map(|v| v.display().trim().to_string())
                .collect();
            t.dedup();
            t
        };
        if texts.is_empty() {
            self.skip(row_no, "blank", "dòng trống".into());
            return true;
        }
        if !has_numbers && is_signature_row(&texts) {
            self.skip(row_no, "signature", "khối chữ ký: hết bảng".into());
            self.ended = true;
            return true;
        }
        let first_text = texts.first().cloned().unwrap_or_default();
        let name_text = self
            .cols
            .item
            .first()
            .map(|&j| text_at(row, j))
            .unwrap_or_default();
        if !numbered && (is_total_text(&first_text) || is_total_text(&name_text)) {
            let t: String = first_text.chars().take(40).collect();
            self.skip(row_no, "total", format!("dòng tổng: \"{t}\""));
            return true;
        }
        if !has_numbers && texts.len() == 1 && is_note_text(&first_text) {
            let t: String = first_text.chars().take(60).collect();
            self.skip(row_no, "note", format!("ghi chú: \"{t}\""));
            return true;
        }
        let unit_empty = self
            .cols
            .unit
            .is_none_or(|j| row.get(j).is_none_or(|v| v.is_empty()));
        let line_no = self.cols.line_no.and_then(|j| row.get(j));
        let marker = line_no.is_some_and(|v| is_section_marker(&v.display()));
        let one_text = texts.len() == 1 || (texts.len() == 2 && marker);
        if !numbered && (marker || (!has_numbers && unit_empty && one_text)) {
            let title = texts.join(" ");
            let t: String = title.chars().take(60).collect();
            self.skip(row_no, "section", format!("dòng mục: \"{t}\""));
            self.section = Some(title);
            return true;
        }
        false
    }
}

/// Lay out a whole sheet held in memory, collecting its lines.
pub fn layout_sheet(raw: &RawSheet, tables: &LayoutTables) -> Sheet {
    let mut layout = SheetLayout::new(&raw.name, raw.hidden, tables);
    let mut lines = Vec::new();
    for (i, row) in raw.rows.iter().enumerate() {
        if row.is_empty() {
            continue;
        }
        layout.push_row(i, row.clone(), &mut |_, l| lines.push(l));
    }
    let mut sheet = layout.finish(&mut |_, l| lines.push(l));
    sheet.lines = lines;
    sheet
}

fn make_line(
    mut row: Vec<Value>,
    i: u32,
    header: &Header,
    problems: &mut Vec<Problem>,
    section: Option<String>,
) -> PurchaseLine {
    let mut fields = crate::model::FieldMap::with_capacity(header.by_field.len());
    // Number errors, by column, so they are reported in column order as before.
    let mut errors: Vec<(usize, Problem)> = Vec::new();
    let addrs = RowAddrs::new(i);
    for &k in &header.by_field {
        let Some((j, Some(f), _)) = header.columns.get(k) else {
            continue;
        };
        // Each column appears once in the header, so its cell can be moved out of the row.
        let v = row.get_mut(*j).map(std::mem::take).unwrap_or(Value::Empty);
        let cell = addrs.at(*j as u32);
        let number = match v {
            Value::Number(n) => Some(n),
            _ => None,
        };
        // An empty cell's text is "", which reads as no number, as it should.
        let text = matches!(v, Value::Text(_) | Value::Empty);
        let mut fv = FieldValue::text(v.into_text(), cell);
        if f.is_numeric() {
            read_number(*f, number, text, &mut fv);
            if let Some(e) = &fv.error {
                errors.push((
                    k,
                    Problem {
                        row: i + 1,
                        cell: fv.cell.to_string(),
                        message: format!("{}: {e}", f.id()),
                    },
                ));
            }
        } else if number.is_some() {
            // Keep numeric cells' value (HS codes typed as numbers lose leading zeros).
            fv.value = number;
        }
        fields.insert(*f, fv);
    }
    errors.sort_by_key(|e| e.0);
    problems.extend(errors.into_iter().map(|e| e.1));
    let mut extra = BTreeMap::new();
    for (j, f, text) in &header.columns {
        if f.is_none() {
            if let Some(v) = row.get_mut(*j).map(std::mem::take) {
                if !v.is_empty() {
                    extra.insert(
                        text.clone(),
                        FieldValue::text(v.into_text(), addrs.at(*j as u32)),
                    );
                }
            }
        }
    }
    PurchaseLine {
        row: i + 1,
        fields,
        extra,
        section,
        name_folded: Default::default(),
    }
}

/// "Ghi chú: …", "Lưu ý: …" under the table.
fn is_note_text(s: &str) -> bool {
    let f = fold(s);
    ["ghi chu", "luu y", "chu y", "note"]
        .iter()
        .any(|p| f.starts_with(p) && f[p.len()..].trim_start().starts_with(':'))
}

/// Read a numeric field: `number` is the value of a number cell; otherwise `fv.raw` is parsed
/// when the cell held text (or nothing) and refused when it held a date, a boolean or an error.
fn read_number(field: Field, number: Option<f64>, text: bool, fv: &mut FieldValue) {
    // The domestic share D is kept in percent: "58,4%" and a 0.584 cell formatted as % are 58.4.
    let percent = field == Field::DomesticShare;
    if let Some(n) = number {
        fv.value = Some(if percent && n.abs() <= 1.0 {
            n * 100.0
        } else {
            n
        });
    } else if text {
        match parse_number(&fv.raw) {
            Ok(Parsed::Percent(n)) if percent => fv.value = Some(n * 100.0),
            Ok(Parsed::Number(n)) | Ok(Parsed::Percent(n)) => fv.value = Some(n),
            Ok(Parsed::Empty) => {}
            Err(reason) => fv.error = Some(reason),
        }
    } else {
        fv.error = Some(format!("không phải số: \"{}\"", fv.raw));
    }
}
