//! HS code parsing and validation against the Vietnamese nomenclature (TT 31/2022/TT-BTC).
//!
//! A cell is read in one of two ways:
//! - number-shaped text ("84713020", "8471.3", "30051090.0", "3005109"): it may come from a
//!   numeric cell that lost a leading zero (chapters 01–09) or trailing zeros after the decimal
//!   point; the lost zeros are restored only when exactly one reading exists in the nomenclature;
//! - written text ("8471.30.20", "8471 30 20", "HS: 8471.30"): separators and OCR noise
//!   (spaces, dashes, the letter O for zero) are dropped.
//!
//! Validity: the nomenclature lists 4-digit headings, 8-digit lines and only some 6-digit
//! subheadings. A 6-digit code is valid when some 8-digit line starts with it, a 4-digit code
//! when some line starts with it (a few headings are listed only as "xxxx0000").

use serde::Serialize;

use crate::text::fold;
use crate::{Error, Result};

/// The normalised reading of an HS code cell, serialised flat beside `raw` and `cell`
/// in `fields.hs_code`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HsInfo {
    /// Digits only, 4, 6 or 8 of them ("84713020"); None when unreadable.
    pub code: Option<String>,
    /// Whether the code exists in the nomenclature at its level.
    pub valid: bool,
    /// Vietnamese description from the nomenclature.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Why the code is not valid (malformed, not in the nomenclature).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// What the reader did to get the code, for the user to check: a restored leading zero,
    /// dropped text, where the description of a 6-digit code without its own row came from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl HsInfo {
    fn invalid(code: Option<String>, reason: String, notes: &[String]) -> HsInfo {
        HsInfo {
            code,
            valid: false,
            description: None,
            reason: Some(reason),
            note: join_notes(notes),
        }
    }
}

/// Where the embedded table comes from, for error messages.
const EMBEDDED_NAME: &str = "rules/reference/hs_vn_2022.tsv";
static EMBEDDED_TSV: &str = include_str!("../../../rules/reference/hs_vn_2022.tsv");

/// The nomenclature, indexed by code. Built once; lookups are binary searches.
#[derive(Debug, Clone)]
pub struct HsTable {
    /// 4-digit headings listed as rows, sorted by code.
    headings: Vec<(u32, &'static str)>,
    /// 6-digit subheadings listed as rows, sorted.
    subheadings: Vec<(u32, &'static str)>,
    /// 8-digit lines, sorted.
    lines: Vec<(u32, &'static str)>,
}

/// A description and where it came from when the code has no row of its own.
struct Described {
    text: &'static str,
    /// Set when the description was borrowed from another row.
    source: Option<String>,
}

impl HsTable {
    /// The embedded nomenclature (rules/reference/hs_vn_2022.tsv).
    pub fn embedded() -> Result<HsTable> {
        HsTable::from_tsv(EMBEDDED_TSV, EMBEDDED_NAME)
    }

    /// Build from `code<TAB>description` lines (4-, 6- or 8-digit codes).
    /// `location` names the source in error messages.
    pub fn from_tsv(text: &'static str, location: &str) -> Result<HsTable> {
        let mut table = HsTable {
            headings: Vec::with_capacity(1_100),
            subheadings: Vec::with_capacity(2_000),
            lines: Vec::with_capacity(11_500),
        };
        for (i, line) in text.lines().enumerate() {
            let line = line.trim_end_matches('\r');
            if line.is_empty() {
                continue;
            }
            let bad = |reason: String| Error::Data {
                location: format!("{location}:{}", i + 1),
                reason,
            };
            let (code, desc) = line.split_once('\t').ok_or_else(|| {
                bad("thiếu dấu TAB giữa mã và mô tả (dạng: mã<TAB>mô tả)".to_string())
            })?;
            let n = code_number(code)
                .ok_or_else(|| bad(format!("mã \"{code}\" phải gồm 4, 6 hoặc 8 chữ số")))?;
            // A trailing ':' only introduces the rows below; it reads oddly on its own.
            let desc = desc.trim().trim_end_matches(':').trim_end();
            if desc.is_empty() {
                return Err(bad(format!("mã {code} không có mô tả")));
            }
            match code.len() {
                4 => table.headings.push((n, desc)),
                6 => table.subheadings.push((n, desc)),
                _ => table.lines.push((n, desc)),
            }
        }
        for v in [
            &mut table.headings,
            &mut table.subheadings,
            &mut table.lines,
        ] {
            // The file is in code order already; sorting keeps lookups right if edited by hand.
            v.sort_unstable_by_key(|e| e.0);
            if let Some(w) = v.windows(2).find(|w| w[0].0 == w[1].0) {
                return Err(Error::Data {
                    location: location.to_string(),
                    reason: format!("mã {} xuất hiện hai lần", w[0].0),
                });
            }
        }
        if table.lines.is_empty() {
            return Err(Error::Data {
                location: location.to_string(),
                reason: "bảng mã HS không có dòng 8 số nào".to_string(),
            });
        }
        Ok(table)
    }

    /// Number of codes listed as rows (4-, 6- and 8-digit).
    pub fn len(&self) -> usize {
        self.headings.len() + self.subheadings.len() + self.lines.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Description of a 4/6/8-digit code if it exists ("8471", "847130", "8471.30.20").
    pub fn description(&self, code: &str) -> Option<&str> {
        let digits: String = code.chars().filter(|c| !matches!(c, '.' | ' ')).collect();
        self.describe(&digits).map(|d| d.text)
    }

    /// Read an HS cell. `from_number` is true when the cell was numeric (leading zeros may be lost).
    pub fn lookup(&self, raw: &str, from_number: bool) -> HsInfo {
        let reading = match read_cell(raw, from_number) {
            Ok(r) => r,
            Err(CellError::Empty) => {
                return HsInfo {
                    code: None,
                    valid: false,
                    description: None,
                    reason: Some("ô trống".to_string()),
                    note: None,
                }
            }
            Err(CellError::Bad(reason)) => return HsInfo::invalid(None, reason, &[]),
        };
        let Reading { candidates, notes } = reading;
        match candidates.as_slice() {
            [] => HsInfo::invalid(None, "không đọc được mã HS".to_string(), &notes),
            [only] => self.validate(&only.digits, only.note.as_deref(), &notes),
            several => {
                let found: Vec<&Candidate> = several
                    .iter()
                    .filter(|c| self.describe(&c.digits).is_some())
                    .collect();
                let tried = several
                    .iter()
                    .map(|c| dotted(&c.digits))
                    .collect::<Vec<_>>()
                    .join(" hoặc ");
                match found.as_slice() {
                    [one] => {
                        let others: Vec<String> = several
                            .iter()
                            .filter(|c| c.digits != one.digits)
                            .map(|c| dotted(&c.digits))
                            .collect();
                        let note = format!(
                            "{} ({} không có trong Danh mục)",
                            one.note.as_deref().unwrap_or(""),
                            others.join(", ")
                        );
                        self.validate(&one.digits, Some(&note), &notes)
                    }
                    [] => HsInfo::invalid(
                        None,
                        format!(
                            "mã có số chữ số lẻ; đã thử thêm số 0 bị mất ({tried}) nhưng không có \
                             trong Danh mục hàng hóa XNK (TT 31/2022/TT-BTC)"
                        ),
                        &notes,
                    ),
                    _ => HsInfo::invalid(
                        None,
                        format!(
                            "mã có số chữ số lẻ, có thể là {tried} (đều có trong Danh mục); hãy \
                             ghi mã dạng văn bản, ví dụ \"{}\"",
                            dotted(&several[0].digits)
                        ),
                        &notes,
                    ),
                }
            }
        }
    }

    /// Check a 4/6/8-digit string against the nomenclature.
    fn validate(&self, digits: &str, candidate_note: Option<&str>, notes: &[String]) -> HsInfo {
        let mut notes: Vec<String> = notes.to_vec();
        if let Some(n) = candidate_note {
            notes.push(n.to_string());
        }
        match self.describe(digits) {
            Some(d) => {
                if let Some(src) = d.source {
                    notes.push(src);
                }
                HsInfo {
                    code: Some(digits.to_string()),
                    valid: true,
                    description: Some(d.text.to_string()),
                    reason: None,
                    note: join_notes(&notes),
                }
            }
            None => HsInfo::invalid(
                Some(digits.to_string()),
                self.unknown_reason(digits),
                &notes,
            ),
        }
    }

    /// Why a well-formed code is not in the nomenclature, with the nearest valid level.
    fn unknown_reason(&self, digits: &str) -> String {
        let level = match digits.len() {
            4 => "nhóm",
            6 => "phân nhóm",
            _ => "mã 8 số",
        };
        let mut reason = format!(
            "{level} {} không có trong Danh mục hàng hóa XNK Việt Nam (TT 31/2022/TT-BTC)",
            dotted(digits)
        );
        let sub = digits.get(..6).filter(|_| digits.len() == 8);
        if let Some(sub) = sub.filter(|s| self.describe(s).is_some()) {
            let lines = self.lines_under(sub, 6);
            reason.push_str(&format!(
                "; phân nhóm {} có các mã: {}",
                dotted(sub),
                lines.join(", ")
            ));
        } else if let Some(head) = digits.get(..4).filter(|_| digits.len() > 4) {
            if self.describe(head).is_some() {
                reason.push_str(&format!("; nhóm {head} có trong Danh mục"));
            } else {
                reason.push_str(&format!("; nhóm {head} cũng không có"));
            }
        }
        reason
    }

    /// Up to `max` 8-digit lines starting with `prefix`, dotted, with "…" when there are more.
    fn lines_under(&self, prefix: &str, max: usize) -> Vec<String> {
        let Some(range) = prefix_range(prefix) else {
            return Vec::new();
        };
        let slice = self.lines_in(range);
        let mut out: Vec<String> = slice
            .iter()
            .take(max)
            .map(|(n, _)| dotted(&format!("{n:08}")))
            .collect();
        if slice.len() > max {
            out.push("…".to_string());
        }
        out
    }

    fn lines_in(&self, (lo, hi): (u32, u32)) -> &[(u32, &'static str)] {
        let start = self.lines.partition_point(|e| e.0 < lo);
        let end = self.lines.partition_point(|e| e.0 <= hi);
        self.lines.get(start..end).unwrap_or(&[])
    }

    /// Description of a 4/6/8-digit code, derived when the code has no row of its own.
    fn describe(&self, digits: &str) -> Option<Described> {
        let n = code_number(digits)?;
        let own = |v: &[(u32, &'static str)]| {
            v.binary_search_by_key(&n, |e| e.0)
                .ok()
                .and_then(|i| v.get(i))
                .map(|e| Described {
                    text: e.1,
                    source: None,
                })
        };
        match digits.len() {
            8 => own(&self.lines),
            6 => own(&self.subheadings).or_else(|| {
                let under = self.lines_in(prefix_range(digits)?);
                let first = under.first()?;
                let first_code = format!("{:08}", first.0);
                let gap = format!(
                    "phân nhóm {} không có dòng riêng trong Danh mục",
                    dotted(digits)
                );
                if under.len() == 1 && first.0 == n * 100 {
                    // "xxxxxx00" is the subheading itself.
                    return Some(Described {
                        text: first.1,
                        source: Some(format!("{gap}; mô tả lấy từ dòng {}", dotted(&first_code))),
                    });
                }
                let head = digits.get(..4)?;
                match own_heading(&self.headings, head) {
                    // The heading is not split at six digits: its text covers the subheading.
                    Some(text) => Some(Described {
                        text,
                        source: Some(format!("{gap}; mô tả lấy từ nhóm {head}")),
                    }),
                    None => Some(Described {
                        text: first.1,
                        source: Some(format!(
                            "{gap}; mô tả lấy từ dòng 8 số đầu tiên {}",
                            dotted(&first_code)
                        )),
                    }),
                }
            }),
            4 => own(&self.headings).or_else(|| {
                let under = self.lines_in(prefix_range(digits)?);
                let first = under.first()?;
                Some(Described {
                    text: first.1,
                    source: Some(format!(
                        "nhóm {digits} không có dòng riêng trong Danh mục; mô tả lấy từ dòng {}",
                        dotted(&format!("{:08}", first.0))
                    )),
                })
            }),
            _ => None,
        }
    }
}

fn own_heading(headings: &[(u32, &'static str)], head: &str) -> Option<&'static str> {
    let n = code_number(head)?;
    let i = headings.binary_search_by_key(&n, |e| e.0).ok()?;
    headings.get(i).map(|e| e.1)
}

/// The numeric value of a 4/6/8-digit code string.
fn code_number(code: &str) -> Option<u32> {
    if !matches!(code.len(), 4 | 6 | 8) || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    code.parse().ok()
}

/// The 8-digit number range of lines under a 4- or 6-digit prefix.
fn prefix_range(prefix: &str) -> Option<(u32, u32)> {
    let n = code_number(prefix)?;
    let scale = match prefix.len() {
        4 => 10_000,
        6 => 100,
        _ => return None,
    };
    Some((n * scale, n * scale + scale - 1))
}

/// "84713020" → "8471.30.20", "847130" → "8471.30".
fn dotted(digits: &str) -> String {
    match (digits.get(..4), digits.get(4..6), digits.get(6..)) {
        (Some(h), Some(s), Some(l)) if !l.is_empty() => format!("{h}.{s}.{l}"),
        (Some(h), Some(s), _) => format!("{h}.{s}"),
        _ => digits.to_string(),
    }
}

fn join_notes(notes: &[String]) -> Option<String> {
    if notes.is_empty() {
        None
    } else {
        Some(notes.join("; "))
    }
}

// ---------------------------------------------------------------------------------------------
// Reading the cell text

enum CellError {
    Empty,
    Bad(String),
}

/// One possible code and what was changed to get it.
struct Candidate {
    digits: String,
    note: Option<String>,
}

impl Candidate {
    fn plain(digits: String) -> Candidate {
        Candidate { digits, note: None }
    }
}

/// Possible codes (several only when a lost zero could sit at either end) and notes.
struct Reading {
    candidates: Vec<Candidate>,
    notes: Vec<String>,
}

const NEED: &str = "mã HS cần 4, 6 hoặc 8 chữ số, ví dụ 8471, 8471.30 hoặc 8471.30.20";

fn read_cell(raw: &str, from_number: bool) -> std::result::Result<Reading, CellError> {
    let text: String = raw
        .chars()
        .map(|c| if is_space(c) { ' ' } else { c })
        .filter(|&c| !is_invisible(c))
        .collect();
    let text = text.trim();
    if text.is_empty() {
        return Err(CellError::Empty);
    }
    if let Some(r) = read_number_shape(text, from_number)? {
        return Ok(r);
    }
    read_written(text)
}

fn is_space(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{a0}' | '\u{202f}' | '\u{2007}')
}

fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{feff}' | '\u{2060}'
    )
}

/// A cell that looks like a number: "84713020", "3005109", "8471.3", "30051090.0", "8.471302E+07".
/// Returns Ok(None) when the text has another shape.
fn read_number_shape(
    text: &str,
    from_number: bool,
) -> std::result::Result<Option<Reading>, CellError> {
    let (int, frac) = match split_plain_number(text) {
        Some(p) => p,
        None => return read_exponent(text),
    };
    let source = if from_number {
        "ô dạng số"
    } else {
        "mã ghi như số"
    };
    let frac_is_float_zero = frac.len() == 1 && frac == "0";
    let frac_all_zero = frac.bytes().all(|b| b == b'0');
    if frac.is_empty() || frac_is_float_zero || (frac_all_zero && !matches!(int.len(), 3 | 4)) {
        return Ok(Some(integer_candidates(int, source)?));
    }
    // "8471.3" (from 8471.30), "101.21" (from 0101.21), "3005.109" (from 3005.10.90).
    let mut notes = Vec::new();
    let head = match int.len() {
        4 => int.to_string(),
        3 => {
            notes.push(format!(
                "{source} đã mất số 0 ở đầu: \"{text}\" đọc là 0{int}.{frac}"
            ));
            format!("0{int}")
        }
        _ => {
            return Err(CellError::Bad(format!(
                "\"{text}\": phần trước dấu chấm phải là nhóm 4 số; {NEED}"
            )))
        }
    };
    let tail = match frac.len() {
        2 | 4 => frac.to_string(),
        1 | 3 => {
            notes.push(format!(
                "{source} đã mất số 0 ở cuối: \"{text}\" đọc là {}.{frac}0",
                head
            ));
            format!("{frac}0")
        }
        _ => {
            return Err(CellError::Bad(format!(
                "\"{text}\": quá nhiều chữ số sau dấu chấm; {NEED}"
            )))
        }
    };
    Ok(Some(Reading {
        candidates: vec![Candidate::plain(format!("{head}{tail}"))],
        notes,
    }))
}

/// "84713020" → ("84713020", ""), "8471.3" → ("8471", "3"), "30051090,0" → ("30051090", "0").
fn split_plain_number(text: &str) -> Option<(&str, &str)> {
    let (int, frac) = match text.find(['.', ',']) {
        Some(i) => (text.get(..i)?, text.get(i + 1..)?),
        None => (text, ""),
    };
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if int.is_empty()
        || !digits(int)
        || !digits(frac)
        || (text.len() > int.len() && frac.is_empty())
    {
        return None;
    }
    Some((int, frac))
}

/// Scientific notation as CSV exports write big numbers: "8.471302E+07".
fn read_exponent(text: &str) -> std::result::Result<Option<Reading>, CellError> {
    let Some(e) = text.find(['e', 'E']) else {
        return Ok(None);
    };
    let (mantissa, exp) = (text.get(..e).unwrap_or(""), text.get(e + 1..).unwrap_or(""));
    let exp = exp.strip_prefix('+').unwrap_or(exp);
    let mantissa_ok = !mantissa.is_empty()
        && mantissa.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && mantissa.bytes().filter(|&b| b == b'.').count() <= 1;
    if !mantissa_ok || exp.is_empty() || !exp.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(None);
    }
    let value: f64 = text
        .parse()
        .map_err(|_| CellError::Bad(format!("\"{text}\": không đọc được số; {NEED}")))?;
    if value.fract() != 0.0 || !(100.0..1e8).contains(&value) {
        return Err(CellError::Bad(format!(
            "\"{text}\": số dạng khoa học không phải mã HS; hãy định dạng ô là văn bản"
        )));
    }
    let int = format!("{value:.0}");
    integer_candidates(&int, "ô dạng số (ký hiệu khoa học)").map(Some)
}

/// Digits of an integer-shaped cell; odd lengths lost a zero at one end.
fn integer_candidates(int: &str, source: &str) -> std::result::Result<Reading, CellError> {
    let candidates = match int.len() {
        4 | 6 | 8 => vec![Candidate::plain(int.to_string())],
        3 | 5 | 7 => vec![
            Candidate {
                digits: format!("0{int}"),
                note: Some(format!(
                    "{source} đã mất số 0 ở đầu: {int} đọc là {}",
                    dotted(&format!("0{int}"))
                )),
            },
            Candidate {
                digits: format!("{int}0"),
                note: Some(format!(
                    "{source} thiếu một số 0 ở cuối: {int} đọc là {}",
                    dotted(&format!("{int}0"))
                )),
            },
        ],
        n => return Err(CellError::Bad(format!("\"{int}\" có {n} chữ số; {NEED}"))),
    };
    Ok(Reading {
        candidates,
        notes: Vec::new(),
    })
}

/// A run of code characters in written text, with its digits.
struct Run {
    start: usize,
    end: usize,
    digits: String,
    /// Digits of each space-separated part, to tell "8471 30 20" from two codes.
    groups: Vec<String>,
    ocr_letters: bool,
}

/// Written codes: "8471.30.20", "8471 30 20", "HS: 8471.30", "847I.3O.2O".
fn read_written(text: &str) -> std::result::Result<Reading, CellError> {
    let chars: Vec<char> = text.chars().collect();
    let runs = code_runs(&chars);
    let codes: Vec<&Run> = runs.iter().filter(|r| r.digits.len() >= 3).collect();
    let run = match codes.as_slice() {
        [] => {
            let n: usize = runs.iter().map(|r| r.digits.len()).sum();
            return Err(CellError::Bad(if n == 0 {
                format!("\"{text}\" không có chữ số nào; {NEED}")
            } else {
                format!("\"{text}\": {NEED}")
            }));
        }
        [one] => *one,
        many => {
            let list: Vec<String> = many.iter().map(|r| dotted(&r.digits)).collect();
            return Err(CellError::Bad(format!(
                "ô có nhiều mã HS ({}); mỗi dòng hàng chỉ ghi một mã",
                list.join(", ")
            )));
        }
    };
    let mut notes = Vec::new();
    if run.ocr_letters {
        notes.push("đã đọc chữ O/I/l lẫn trong mã thành số 0/1".to_string());
    }
    let outside: String = chars
        .get(..run.start)
        .unwrap_or(&[])
        .iter()
        .chain([' '].iter())
        .chain(chars.get(run.end..).unwrap_or(&[]).iter())
        .collect();
    if !is_label(&outside) {
        notes.push(format!(
            "bỏ qua phần chữ ngoài mã: \"{}\"",
            outside.split_whitespace().collect::<Vec<_>>().join(" ")
        ));
    }
    if run.groups.len() > 1 && run.groups.iter().all(|g| matches!(g.len(), 4 | 6 | 8)) {
        let list: Vec<String> = run.groups.iter().map(|g| dotted(g)).collect();
        return Err(CellError::Bad(format!(
            "ô có nhiều mã HS ({}); mỗi dòng hàng chỉ ghi một mã",
            list.join(", ")
        )));
    }
    if runs.iter().any(|r| r.start != run.start) {
        return Err(CellError::Bad(format!(
            "\"{text}\": ngoài mã {} còn có số khác; ô chỉ nên ghi một mã HS",
            dotted(&run.digits)
        )));
    }
    let d = &run.digits;
    let candidate = match d.len() {
        4 | 6 | 8 => Candidate::plain(d.clone()),
        3 | 5 | 7 if run.groups.first().is_some_and(|g| g.len() == 3) => Candidate {
            digits: format!("0{d}"),
            note: Some(format!(
                "mã thiếu số 0 ở đầu: đọc là {}",
                dotted(&format!("0{d}"))
            )),
        },
        n => return Err(CellError::Bad(format!("\"{text}\" có {n} chữ số; {NEED}"))),
    };
    Ok(Reading {
        candidates: vec![candidate],
        notes,
    })
}

/// Maximal runs of digits joined by '.', '-', '_', single spaces or a comma between digits;
/// the letters O/o (zero) and I/l (one) count as digits when a digit is beside them.
fn code_runs(chars: &[char]) -> Vec<Run> {
    let at = |i: usize| chars.get(i).copied();
    let digit_at = |i: Option<usize>| i.and_then(at).is_some_and(|c| c.is_ascii_digit());
    let ocr = |i: usize| -> Option<char> {
        let c = at(i)?;
        let v = match c {
            'O' | 'o' => '0',
            'I' | 'l' => '1',
            _ => return None,
        };
        // Only inside a number: a digit directly before or after, and no letter beside.
        let prev = i.checked_sub(1).and_then(at);
        let next = at(i + 1);
        let letter =
            |c: Option<char>| c.is_some_and(|c| c.is_alphabetic() && ocr_letter(c).is_none());
        let near_digit = digit_at(i.checked_sub(1)) || digit_at(Some(i + 1));
        (near_digit && !letter(prev) && !letter(next)).then_some(v)
    };
    let mut runs = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let first = at(i).filter(|c| c.is_ascii_digit()).or_else(|| ocr(i));
        if first.is_none() {
            i += 1;
            continue;
        }
        let start = i;
        let mut run = Run {
            start,
            end: start,
            digits: String::new(),
            groups: vec![String::new()],
            ocr_letters: false,
        };
        let mut end = i;
        while let Some(c) = at(i) {
            let d = if c.is_ascii_digit() { Some(c) } else { ocr(i) };
            if let Some(d) = d {
                run.ocr_letters |= !c.is_ascii_digit();
                run.digits.push(d);
                if let Some(g) = run.groups.last_mut() {
                    g.push(d);
                }
                i += 1;
                end = i;
                continue;
            }
            // A short cluster of separators between digits: ".", " ", " . ", "-", a lone ",".
            let mut j = i;
            while j < i + 3 && at(j).is_some_and(is_code_separator) {
                j += 1;
            }
            let cluster = chars.get(i..j).unwrap_or(&[]);
            let lone_comma = cluster == [','];
            let joins = j > i
                && (lone_comma || !cluster.contains(&','))
                && (digit_at(Some(j)) || ocr(j).is_some());
            if !joins {
                break;
            }
            if cluster.contains(&' ') {
                run.groups.push(String::new());
            }
            i = j;
        }
        run.end = end;
        i = end.max(start + 1);
        runs.push(run);
    }
    runs
}

fn is_code_separator(c: char) -> bool {
    matches!(c, ' ' | '.' | '-' | '_' | '\u{2013}' | ',')
}

fn ocr_letter(c: char) -> Option<char> {
    match c {
        'O' | 'o' => Some('0'),
        'I' | 'l' => Some('1'),
        _ => None,
    }
}

/// Text around a code that says nothing more than "this is the HS code".
fn is_label(outside: &str) -> bool {
    let f = fold(outside);
    let words: Vec<&str> = f
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let label = ["ma", "so", "hs", "code", "hscode", "nhom", "phan", "ahtn"];
    words.iter().all(|w| label.contains(w))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::OnceLock;

    fn table() -> &'static HsTable {
        static T: OnceLock<HsTable> = OnceLock::new();
        T.get_or_init(|| HsTable::embedded().expect("embedded table"))
    }

    fn ok(raw: &str, from_number: bool) -> HsInfo {
        let info = table().lookup(raw, from_number);
        assert!(info.valid, "{raw:?} should be valid: {info:?}");
        info
    }

    fn code(raw: &str, from_number: bool) -> String {
        ok(raw, from_number).code.unwrap_or_default()
    }

    #[test]
    fn embedded_table_loads_every_row() {
        let t = table();
        // 1,059 headings + 1,980 subheadings + 11,414 lines in the source CSV.
        assert_eq!(t.len(), 14_453);
        assert_eq!(t.lines.len(), 11_414);
    }

    #[test]
    fn embedded_table_builds_fast() {
        let start = std::time::Instant::now();
        let t = HsTable::embedded().expect("table");
        let took = start.elapsed();
        eprintln!("HsTable::embedded() took {took:?} for {} codes", t.len());
        // Debug builds are slow; this only guards against something pathological.
        assert!(took.as_millis() < 500, "took {took:?}");
    }

    #[test]
    fn written_forms() {
        for raw in [
            "8471.30.20",
            "84713020",
            "8471 30 20",
            " 8471.30.20 ",
            "8471-30-20",
        ] {
            let info = ok(raw, false);
            assert_eq!(info.code.as_deref(), Some("84713020"), "{raw}");
            assert_eq!(
                info.description.as_deref(),
                Some("Máy tính xách tay kể cả notebook và subnotebook")
            );
            assert_eq!(info.reason, None);
        }
        assert_eq!(code("8471.30", false), "847130");
        assert_eq!(code("8471", false), "8471");
        assert!(ok("8471", false)
            .description
            .is_some_and(|d| d.starts_with("Máy xử lý dữ liệu tự động")));
    }

    #[test]
    fn ocr_like_noise() {
        assert_eq!(code("8471 .30. 20", false), "84713020");
        assert_eq!(code("8471\u{a0}30\u{a0}20", false), "84713020");
        assert_eq!(code("84 71 30 20", false), "84713020");
        let info = ok("847I.3O.2O", false);
        assert_eq!(info.code.as_deref(), Some("84713020"));
        assert!(info.note.is_some_and(|n| n.contains("chữ O")));
        // Labels are not noise worth a note; other text is noted.
        let info = ok("Mã HS: 8471.30.20", false);
        assert_eq!(info.note, None);
        let info = ok("8471.30.20 (máy tính xách tay)", false);
        assert!(info.note.is_some_and(|n| n.contains("máy tính xách tay")));
    }

    #[test]
    fn six_digit_with_own_row() {
        assert_eq!(table().description("010130"), Some("Lừa"));
        let info = ok("8471.30", false);
        assert!(info.description.is_some_and(|d| d.contains("xách tay")));
        assert_eq!(info.note, None);
    }

    #[test]
    fn six_digit_from_single_line() {
        // 0206.10 has no row; its only line 0206.10.00 is the subheading itself.
        let info = ok("0206.10", false);
        assert_eq!(
            info.description.as_deref(),
            Some("Của động vật họ trâu bò, tươi hoặc ướp lạnh")
        );
        let note = info.note.unwrap_or_default();
        assert!(note.contains("không có dòng riêng"), "{note}");
        assert!(note.contains("0206.10.00"), "{note}");
    }

    #[test]
    fn six_digit_from_heading() {
        // 0508.00 has lines 0508.00.20 and 0508.00.90 and no row: the heading describes it.
        let info = ok("0508.00", false);
        assert!(info.description.is_some_and(|d| d.starts_with("San hô")));
        assert!(info.note.is_some_and(|n| n.contains("nhóm 0508")));
        assert_eq!(
            table()
                .description("050800")
                .map(|d| d.starts_with("San hô")),
            Some(true)
        );
    }

    #[test]
    fn heading_listed_only_as_a_line() {
        // 0501 appears only as 0501.00.00.
        let info = ok("0501", false);
        assert!(info.description.is_some_and(|d| d.starts_with("Tóc người")));
        assert!(info.note.is_some_and(|n| n.contains("0501.00.00")));
    }

    #[test]
    fn unknown_codes_are_kept_with_reason() {
        let info = table().lookup("8471.30.00", false);
        assert!(!info.valid);
        assert_eq!(info.code.as_deref(), Some("84713000"));
        let reason = info.reason.unwrap_or_default();
        assert!(reason.contains("không có trong Danh mục"), "{reason}");
        assert!(
            reason.contains("8471.30.20"),
            "suggests the lines: {reason}"
        );

        let info = table().lookup("9999", false);
        assert!(!info.valid);
        assert_eq!(info.code.as_deref(), Some("9999"));
        let info = table().lookup("8471.99", false);
        assert!(!info.valid);
        assert!(info.reason.is_some_and(|r| r.contains("nhóm 8471 có")));
    }

    #[test]
    fn empty_cell() {
        for raw in ["", "   ", "\u{a0}"] {
            assert_eq!(
                table().lookup(raw, false),
                HsInfo {
                    code: None,
                    valid: false,
                    description: None,
                    reason: Some("ô trống".to_string()),
                    note: None,
                }
            );
        }
    }

    #[test]
    fn malformed_cells() {
        for raw in [
            "theo hồ sơ",
            "84",
            "847130201",
            "Chương 84",
            "8471.30.20.11.22",
        ] {
            let info = table().lookup(raw, false);
            assert!(!info.valid, "{raw}");
            assert_eq!(info.code, None, "{raw}");
            assert!(info.reason.is_some_and(|r| !r.is_empty()), "{raw}");
        }
        let info = table().lookup("8471.30.20; 8471.41.10", false);
        assert!(info.reason.is_some_and(|r| r.contains("nhiều mã")));
        let info = table().lookup("84713020 84714110", false);
        assert!(info.reason.is_some_and(|r| r.contains("nhiều mã")));
    }

    #[test]
    fn numeric_cell_lost_leading_zero() {
        // 0101.21.00 typed into a numeric cell shows as 1012100.
        let info = ok("1012100", true);
        assert_eq!(info.code.as_deref(), Some("01012100"));
        assert!(info.note.is_some_and(|n| n.contains("mất số 0 ở đầu")));
        // 0206 as a number: 206 → 0206 (2060 does not exist).
        assert_eq!(code("206", true), "0206");
        // 0101.21 as a number: 101.21.
        assert_eq!(code("101.21", true), "010121");
    }

    #[test]
    fn numeric_cell_lost_trailing_zero() {
        // 3005.10.90 written "3005.1090" in a numeric cell becomes 3005.109.
        let info = ok("3005.109", true);
        assert_eq!(info.code.as_deref(), Some("30051090"));
        assert!(info.note.is_some_and(|n| n.contains("mất số 0 ở cuối")));
        // "3005109" (7 digits): 03005109 does not exist, 30051090 does.
        let info = ok("3005109", true);
        assert_eq!(info.code.as_deref(), Some("30051090"));
        let note = info.note.unwrap_or_default();
        assert!(note.contains("3005.10.90"), "{note}");
        assert!(note.contains("0300.51.09 không có"), "{note}");
        // 8471.30 typed into a numeric cell is 8471.3.
        assert_eq!(code("8471.3", true), "847130");
    }

    #[test]
    fn float_formatting_of_numeric_cells() {
        assert_eq!(code("30051090.0", true), "30051090");
        assert_eq!(code("30051090,0", false), "30051090");
        assert_eq!(code("84713020", true), "84713020");
        assert_eq!(code("8.471302E+07", true), "84713020");
        assert_eq!(code("8471.0", true), "8471");
    }

    #[test]
    fn ambiguous_lost_zero_is_not_guessed() {
        // Find a 7-digit number where both readings exist, and check it is refused.
        let t = table();
        let both = t.lines.iter().find_map(|(n, _)| {
            let s = format!("{n:08}");
            let short = s.strip_prefix('0')?;
            let other = format!("{short}0");
            t.describe(&other).map(|_| short.to_string())
        });
        assert_eq!(both.as_deref(), Some("7102100"));
        // 0710.21.00 and 7102.10.00 both exist.
        let info = t.lookup("7102100", true);
        assert!(!info.valid);
        assert_eq!(info.code, None);
        let reason = info.reason.unwrap_or_default();
        assert!(reason.contains("0710.21.00 hoặc 7102.10.00"), "{reason}");
    }

    #[test]
    fn description_accepts_all_levels() {
        let t = table();
        assert!(t.description("8471").is_some());
        assert!(t.description("847130").is_some());
        assert!(t.description("8471.30.20").is_some());
        assert_eq!(t.description("84713000"), None);
        assert_eq!(t.description("abc"), None);
    }

    #[test]
    fn bad_tsv_is_a_data_error() {
        let err = HsTable::from_tsv("8471\tMáy\n84713\tX\n", "test.tsv")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("test.tsv:2"), "{err}");
        assert!(HsTable::from_tsv("8471 Máy\n", "t").is_err());
    }

    #[test]
    fn every_listed_code_is_valid() {
        let t = table();
        for (n, _) in &t.lines {
            assert!(t.lookup(&format!("{n:08}"), false).valid, "{n:08}");
        }
        for (n, _) in &t.subheadings {
            assert!(t.lookup(&format!("{n:06}"), false).valid, "{n:06}");
        }
        for (n, _) in &t.headings {
            assert!(t.lookup(&format!("{n:04}"), false).valid, "{n:04}");
        }
    }

    proptest::proptest! {
        #[test]
        fn lookup_never_panics(s in "\\PC{0,40}", n in proptest::bool::ANY) {
            let info = table().lookup(&s, n);
            proptest::prop_assert!(info.valid == info.reason.is_none());
        }

        #[test]
        fn lookup_never_panics_on_code_like_text(s in "[0-9 .,\\-OIl]{0,20}", n in proptest::bool::ANY) {
            let info = table().lookup(&s, n);
            if let Some(c) = &info.code {
                proptest::prop_assert!(matches!(c.len(), 4 | 6 | 8));
            }
        }
    }
}
