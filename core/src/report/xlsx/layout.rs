//! Layout of the annotated workbook, decided from the cells as read: which merged ranges are
//! carried over, column widths, row heights for wrapped text, number formats and print setup.
//! Nothing here reads the source's own formatting (calamine cannot give it for every format).

use crate::model::Field;
use crate::read::Value;
use crate::rules::cond::Lang;
use rust_xlsxwriter::{Worksheet, XlsxError};
use std::collections::HashMap;

/// Points per line of wrapped Calibri 11 text, and the tallest row we set.
pub const LINE_PT: f64 = 15.0;
pub const MAX_ROW_PT: f64 = 150.0;
/// Rows looked at to size a column (past the header).
pub const WIDTH_SAMPLE_ROWS: u32 = 200;
/// Column widths in characters.
pub const MIN_WIDTH: f64 = 8.0;
pub const MAX_WIDTH: f64 = 60.0;
/// Ordinary columns stop here and wrap, so a whole sheet still prints legibly on one page width;
/// name and specification columns may reach `MAX_WIDTH`.
const TEXT_WIDTH: f64 = 40.0;
/// Cells covered by the merged ranges carried over. A hostile file can declare huge or countless
/// ranges; past this budget the rest are written as the values read (each cell filled).
const MAX_MERGED_CELLS: u64 = 200_000;

/// A merged range, 0-based and inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Merge {
    pub r0: u32,
    pub c0: u16,
    pub r1: u32,
    pub c1: u16,
}

impl Merge {
    pub fn rows(&self) -> u32 {
        self.r1 - self.r0 + 1
    }
}

/// The merged ranges written into one sheet, and which range covers each cell.
#[derive(Debug, Default)]
pub struct Merges {
    pub list: Vec<Merge>,
    at: HashMap<(u32, u16), usize>,
}

impl Merges {
    /// The reader's ranges (first row, first col, last row, last col) cut to the `rows` × `cols`
    /// grid written; single cells, inverted and overlapping ranges (Excel refuses them) dropped.
    pub fn plan(raw: &[(u32, u32, u32, u32)], rows: usize, cols: usize) -> Merges {
        let mut out = Merges::default();
        if rows == 0 || cols == 0 {
            return out;
        }
        let last_row = u32::try_from(rows - 1).unwrap_or(u32::MAX);
        let last_col = u32::try_from(cols - 1).unwrap_or(u32::MAX).min(16_383);
        let mut budget: u64 = 0;
        for &(r0, c0, r1, c1) in raw {
            if r1 < r0 || c1 < c0 || r0 > last_row || c0 > last_col {
                continue;
            }
            let (r1, c1) = (r1.min(last_row), c1.min(last_col));
            if r0 == r1 && c0 == c1 {
                continue;
            }
            let area = u64::from(r1 - r0 + 1) * u64::from(c1 - c0 + 1);
            if budget + area > MAX_MERGED_CELLS {
                continue;
            }
            // c0..=c1 ≤ 16,383 after the cut above, so the casts hold.
            let m = Merge {
                r0,
                c0: c0 as u16,
                r1,
                c1: c1 as u16,
            };
            let cells = || (m.r0..=m.r1).flat_map(move |r| (m.c0..=m.c1).map(move |c| (r, c)));
            if cells().any(|rc| out.at.contains_key(&rc)) {
                continue;
            }
            budget += area;
            let i = out.list.len();
            out.at.extend(cells().map(|rc| (rc, i)));
            out.list.push(m);
        }
        out
    }

    /// The range covering a cell.
    pub fn get(&self, r: u32, c: u16) -> Option<&Merge> {
        self.at.get(&(r, c)).and_then(|&i| self.list.get(i))
    }

    /// The cell that shows a cell's content: the top-left of its range, or itself.
    pub fn anchor(&self, r: u32, c: u16) -> (u32, u16) {
        self.get(r, c).map_or((r, c), |m| (m.r0, m.c0))
    }

    /// True for a covered cell other than its range's top-left (written blank by the merge).
    pub fn hidden(&self, r: u32, c: u16) -> bool {
        self.get(r, c).is_some_and(|m| (m.r0, m.c0) != (r, c))
    }
}

/// How a number is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum NumFmt {
    #[default]
    General,
    /// Thousands separators, no decimals.
    Int,
    /// Thousands separators and exactly this many decimals (as many as the value needs).
    Dec(u8),
    Date,
    DateTime,
}

impl NumFmt {
    pub fn code(self) -> Option<String> {
        match self {
            NumFmt::General => None,
            NumFmt::Int => Some("#,##0".into()),
            NumFmt::Dec(d) => Some(format!("#,##0.{}", "0".repeat(usize::from(d)))),
            NumFmt::Date => Some("dd/mm/yyyy".into()),
            NumFmt::DateTime => Some("dd/mm/yyyy hh:mm:ss".into()),
        }
    }
}

/// Columns holding codes or small counts (STT, year, HS code…) keep Excel's General format:
/// 2026 must not print as "2,026".
fn is_code(field: Field) -> bool {
    matches!(
        field,
        Field::LineNo
            | Field::Year
            | Field::HsCode
            | Field::NoticeNo
            | Field::LotNo
            | Field::Date
            | Field::Model
    )
}

/// The format of a number in a column of the given role: amounts and quantities with thousands
/// separators and only the decimals the value has; codes as they are; in other columns only
/// large numbers (≥ 10,000) are grouped.
pub fn number_format(n: f64, role: Option<Field>) -> NumFmt {
    let grouped = match role {
        Some(f) if is_code(f) => false,
        Some(f) if f.is_numeric() => true,
        _ => n.abs() >= 10_000.0,
    };
    if !grouped || !n.is_finite() {
        return NumFmt::General;
    }
    if n.fract() == 0.0 {
        return NumFmt::Int;
    }
    // Rust prints the shortest text that reads back as the same f64, never with an exponent.
    let text = format!("{}", n.abs());
    match text.split_once('.').map(|(_, d)| d.len()) {
        Some(d @ 1..=6) => NumFmt::Dec(d as u8),
        _ => NumFmt::General,
    }
}

/// The text a number shows with its format (for widths), e.g. "26,816,000".
fn shown_number(n: f64, fmt: NumFmt) -> usize {
    let plain = crate::read::format_number(n);
    match fmt {
        NumFmt::Int | NumFmt::Dec(_) => {
            let digits = plain
                .split('.')
                .next()
                .unwrap_or("")
                .trim_start_matches('-')
                .len();
            plain.chars().count() + digits.saturating_sub(1) / 3
        }
        NumFmt::Date => 10,
        NumFmt::DateTime => 19,
        NumFmt::General => plain.chars().count(),
    }
}

/// Width of one character in Excel's units (the width of "0" in Calibri 11), on the generous
/// side so wrapped text is never cut: capitals wider, small letters a little narrower, spaces and
/// punctuation about half.
fn char_width(c: char) -> f64 {
    if c.is_uppercase() {
        1.1
    } else if c == ' ' || c == '.' || c == ',' || c == 'i' || c == 'l' {
        0.4
    } else if c.is_lowercase() {
        0.85
    } else {
        1.0
    }
}

fn text_width(s: &str) -> f64 {
    s.chars().map(char_width).sum()
}

/// Lines a text takes when wrapped at word boundaries in a column `width` characters wide.
pub fn wrapped_lines(text: &str, width: f64) -> u32 {
    let room = (width - 1.0).max(1.0);
    let mut lines = 0u32;
    for para in text.trim_end_matches('\n').split('\n') {
        let mut n = 1u32;
        let mut used = 0.0;
        for word in para.split(' ') {
            let w = text_width(word);
            let need = if used > 0.0 {
                used + char_width(' ') + w
            } else {
                w
            };
            if need <= room || used == 0.0 {
                used = need;
                // A word longer than the column breaks across lines.
                while used > room {
                    n += 1;
                    used -= room;
                }
            } else {
                n += 1;
                used = w;
                while used > room {
                    n += 1;
                    used -= room;
                }
            }
        }
        lines = lines.saturating_add(n);
    }
    lines.max(1)
}

/// A row height in points for this many lines, capped.
pub fn height_for(lines: u32) -> f64 {
    (f64::from(lines) * LINE_PT).min(MAX_ROW_PT)
}

/// Columns whose content is long text by nature: they may be wider than the others.
fn is_wide(field: Field) -> bool {
    matches!(field, Field::Name | Field::Spec | Field::Note)
}

/// A width per column from the content of the `sample` rows: the longest line of text (header
/// rows count as wrapped on two lines), numbers as shown with their format; cells of ranges
/// merged across columns (titles, section rows) are left out. Clamped to 8–40 characters, 8–60
/// for name, specification and note columns.
pub fn column_widths(
    rows: &[Vec<Value>],
    merges: &Merges,
    header: Option<(u32, u32)>,
    roles: &[Option<Field>],
    cols: usize,
    sample: std::ops::Range<usize>,
) -> Vec<f64> {
    let mut need = vec![0.0f64; cols];
    for (r, row) in rows
        .iter()
        .enumerate()
        .skip(sample.start)
        .take(sample.len())
    {
        let r = r as u32;
        let in_header = header.is_some_and(|(h0, h1)| (h0..=h1).contains(&r));
        for (c, v) in row.iter().enumerate().take(cols) {
            let cc = c as u16;
            if merges.get(r, cc).is_some_and(|m| m.c0 != m.c1) || merges.hidden(r, cc) {
                continue;
            }
            let role = roles.get(c).copied().flatten();
            let w = match v {
                Value::Empty => 0.0,
                Value::Number(n) => shown_number(*n, number_format(*n, role)) as f64,
                Value::Date(d) => {
                    if d.contains('T') {
                        19.0
                    } else {
                        10.0
                    }
                }
                other => {
                    let text = other.display();
                    if in_header {
                        let longest_word =
                            text.split_whitespace().map(text_width).fold(0.0, f64::max);
                        longest_word.max(text_width(&text) / 2.0)
                    } else {
                        text.lines().map(text_width).fold(0.0, f64::max)
                    }
                }
            };
            if let Some(slot) = need.get_mut(c) {
                *slot = slot.max(w);
            }
        }
    }
    need.iter()
        .enumerate()
        .map(|(c, &w)| {
            let wide = roles.get(c).copied().flatten().is_some_and(is_wide);
            let max = if wide { MAX_WIDTH } else { TEXT_WIDTH };
            (w.ceil() + 2.0).clamp(MIN_WIDTH, max)
        })
        .collect()
}

/// `&` starts a code in Excel's header and footer text: a literal one is doubled.
fn header_text(s: &str, max_chars: usize) -> String {
    let cut: String = s.chars().take(max_chars).collect();
    cut.replace('&', "&&")
}

/// Landscape A4, one page wide, `repeat` rows on every page, the file name and sheet name in the
/// header and page numbers in the footer.
pub fn print_setup(
    ws: &mut Worksheet,
    repeat: Option<(u32, u32)>,
    label: &str,
    lang: Lang,
) -> Result<(), XlsxError> {
    const A4: u8 = 9;
    ws.set_landscape();
    ws.set_paper_size(A4);
    ws.set_print_fit_to_pages(1, 0);
    ws.set_print_center_horizontally(true);
    if let Some((first, last)) = repeat {
        ws.set_repeat_rows(first, last)?;
    }
    // Excel keeps 255 characters of header text: the label is cut well before.
    ws.set_header(format!("&L{}&R&A", header_text(label, 120)));
    let page = match lang {
        Lang::Vi => "Trang &P / &N",
        Lang::En => "Page &P of &N",
    };
    ws.set_footer(format!("&Lhangviet&C{page}"));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merges_are_cut_to_the_grid_and_never_overlap() {
        let raw = [
            (0, 0, 0, 2),         // A1:C1
            (0, 1, 1, 1),         // B1:B2 overlaps A1:C1: dropped
            (3, 3, 3, 3),         // single cell: dropped
            (2, 5, 2, 0),         // inverted: dropped
            (4, 0, 9, 99),        // cut to the grid: A5:E6
            (50, 0, 51, 1),       // below the rows read: dropped
            (1, 3, 1_000_000, 4), // cut to D2:E6
        ];
        let m = Merges::plan(&raw, 6, 5);
        // The last one, cut to D2:E6, overlaps A5:E6 and is dropped too.
        assert_eq!(
            m.list,
            vec![
                Merge {
                    r0: 0,
                    c0: 0,
                    r1: 0,
                    c1: 2
                },
                Merge {
                    r0: 4,
                    c0: 0,
                    r1: 5,
                    c1: 4
                },
            ]
        );
        assert_eq!(m.anchor(0, 2), (0, 0));
        assert!(m.hidden(0, 1) && !m.hidden(0, 0) && !m.hidden(3, 3));
        assert_eq!(m.anchor(3, 3), (3, 3));
    }

    #[test]
    fn merge_budget_bounds_hostile_ranges() {
        let raw: Vec<(u32, u32, u32, u32)> = (0..1000).map(|r| (r, 0, r, 16_383)).collect();
        let m = Merges::plan(&raw, 1000, 16_384);
        let cells: u64 = m
            .list
            .iter()
            .map(|x| u64::from(x.rows()) * u64::from(x.c1 - x.c0 + 1))
            .sum();
        assert!(cells <= MAX_MERGED_CELLS && !m.list.is_empty());
    }

    #[test]
    fn numbers_grouped_only_where_they_are_amounts() {
        assert_eq!(number_format(110_000_000.0, None), NumFmt::Int);
        assert_eq!(number_format(2026.0, Some(Field::Year)), NumFmt::General);
        assert_eq!(number_format(2026.0, None), NumFmt::General);
        assert_eq!(number_format(880.0, Some(Field::UnitPrice)), NumFmt::Int);
        assert_eq!(
            number_format(2_234_666.666_7, Some(Field::UnitPrice)),
            NumFmt::Dec(4)
        );
        assert_eq!(number_format(12.5, Some(Field::Quantity)), NumFmt::Dec(1));
        assert_eq!(NumFmt::Dec(2).code().as_deref(), Some("#,##0.00"));
        assert_eq!(shown_number(26_816_000.0, NumFmt::Int), "26,816,000".len());
    }

    #[test]
    fn wrapped_lines_follow_words_and_newlines() {
        assert_eq!(wrapped_lines("", 20.0), 1);
        assert_eq!(wrapped_lines("Cái", 20.0), 1);
        // Digits are one unit wide: three 4-digit words per line (4 + 0.4 + 4 + 0.4
        // + 4 = 12.8) fit the room of a 14-character column, two in a 13.
        assert_eq!(wrapped_lines("0000 0000 0000 0000 0000 0000", 14.0), 2);
        assert_eq!(wrapped_lines("0000 0000 0000 0000 0000 0000", 13.0), 3);
        assert_eq!(wrapped_lines("a\nb\nc\n", 20.0), 3);
        // A word longer than the column breaks.
        assert_eq!(wrapped_lines(&"0".repeat(100), 11.0), 10);
        assert_eq!(height_for(30), MAX_ROW_PT);
    }
}
