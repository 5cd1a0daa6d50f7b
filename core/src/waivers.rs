//! Waivers: exceptions an officer accepted (a market consultation found no domestic maker…).
//! A waived finding stays in the report, marked with who accepted it, when and why, and does not
//! count toward `--fail-on`. The file is TOML (`[[waiver]]` tables) or CSV with the same column
//! names; docs/waivers.md describes it. The report records the file's SHA-256.

use crate::engine::{CheckOptions, Engine};
use crate::inspect::inspect;
use crate::model::{Field, Workbook};
use crate::report::{DataFile, Finding, Input, Waived};
use crate::rules::date::Date;
use crate::rules::hex;
use crate::text::fold;
use crate::{Error, Result};
use serde::Deserialize;
use sha2::{Digest, Sha256};

/// One accepted exception. `rule` and one of `file` / `agency` are required, and so are
/// `reason`, `by` and `date`; `sheet`, `row`/`rows` and `item` narrow the match.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Waiver {
    /// Rule code ("VN-R6"), or "*" for every rule.
    pub rule: String,
    /// File name, a path ending, or a pattern with `*` / `?` ("2026/*.xlsx").
    #[serde(default)]
    pub file: String,
    /// Chủ đầu tư: matched without case or tone marks, as a part of the file's agency.
    #[serde(default)]
    pub agency: String,
    #[serde(default)]
    pub sheet: String,
    #[serde(default)]
    pub row: Option<u32>,
    #[serde(default)]
    pub rows: Vec<u32>,
    /// A phrase of the item name (without case or tone marks).
    #[serde(default)]
    pub item: String,
    pub reason: String,
    pub by: String,
    pub date: String,
}

#[derive(Debug, Clone, Default)]
pub struct Waivers {
    pub entries: Vec<Waiver>,
    /// Where they came from, for `Waived::entry` ("waivers.toml").
    pub name: String,
    pub sha256: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TomlFile {
    #[serde(default)]
    waiver: Vec<Waiver>,
}

impl Waivers {
    /// Parse a waiver file: TOML, or CSV when the name ends in `.csv` (or the text starts with a
    /// header row naming `rule`). Errors name the file and the entry.
    pub fn parse(bytes: &[u8], name: &str) -> Result<Waivers> {
        let data_err = |location: String, reason: String| Error::Data { location, reason };
        let text = std::str::from_utf8(bytes).map_err(|_| {
            data_err(
                name.to_string(),
                "tệp miễn trừ phải là văn bản UTF-8 (the waiver file must be UTF-8 text)".into(),
            )
        })?;
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let first = text
            .lines()
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        let is_csv = name.to_ascii_lowercase().ends_with(".csv")
            || (first.starts_with("rule,") || first.starts_with("rule;"));
        let entries = if is_csv {
            parse_csv(text, name)?
        } else {
            toml::from_str::<TomlFile>(text)
                .map_err(|e| data_err(name.to_string(), e.to_string()))?
                .waiver
        };
        for (i, w) in entries.iter().enumerate() {
            let loc = format!("{name}: waiver {}", i + 1);
            if w.rule.trim().is_empty() {
                return Err(data_err(
                    loc,
                    "`rule` is empty: give a rule code such as VN-R6, or \"*\"".into(),
                ));
            }
            if w.file.trim().is_empty() && w.agency.trim().is_empty() {
                return Err(data_err(loc, "give `file` or `agency`: a waiver applies to named files or to one agency's files".into()));
            }
            for (field, v) in [("reason", &w.reason), ("by", &w.by)] {
                if v.trim().is_empty() {
                    return Err(data_err(loc, format!("`{field}` is empty: say why the exception is accepted and who accepted it")));
                }
            }
            if Date::parse(&w.date).is_none() {
                return Err(data_err(
                    loc,
                    format!("`date` = \"{}\" is not a date (YYYY-MM-DD)", w.date),
                ));
            }
        }
        Ok(Waivers {
            entries,
            name: name.to_string(),
            sha256: hex(&Sha256::digest(bytes)),
        })
    }

    /// The data-file record the report keeps.
    pub fn data_file(&self) -> DataFile {
        DataFile {
            kind: "waivers".into(),
            name: self.name.clone(),
            sha256: self.sha256.clone(),
        }
    }

    /// The first waiver that matches the finding (`agency`: the file's chủ đầu tư, "" if none).
    pub fn find(&self, f: &Finding, agency: &str) -> Option<Waived> {
        let (i, w) = self
            .entries
            .iter()
            .enumerate()
            .find(|(_, w)| w.matches(f, agency))?;
        Some(Waived {
            reason: w.reason.trim().to_string(),
            by: w.by.trim().to_string(),
            date: Date::parse(&w.date)
                .map(|d| d.to_string())
                .unwrap_or_else(|| w.date.clone()),
            entry: format!("{}#{}", self.name, i + 1),
        })
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl Waiver {
    pub fn matches(&self, f: &Finding, agency: &str) -> bool {
        let rule = self.rule.trim();
        if rule != "*" && !rule.eq_ignore_ascii_case(&f.rule) {
            return false;
        }
        if !self.file.trim().is_empty() && !file_matches(self.file.trim(), &f.file) {
            return false;
        }
        if !self.agency.trim().is_empty() {
            let want = fold(&self.agency);
            if agency.trim().is_empty() || !fold(agency).contains(want.trim()) {
                return false;
            }
        }
        if !self.sheet.trim().is_empty() && self.sheet.trim() != f.sheet.trim() {
            return false;
        }
        if let Some(r) = self.row {
            if r != f.row && !self.rows.contains(&f.row) {
                return false;
            }
        } else if !self.rows.is_empty() && !self.rows.contains(&f.row) {
            return false;
        }
        if !self.item.trim().is_empty() && !fold(&f.item).contains(fold(&self.item).trim()) {
            return false;
        }
        true
    }
}

/// A waiver's `file` against a finding's file path: equal, the same base name, a path ending at a
/// separator, or a `*`/`?` pattern over the whole path or the base name. `\` counts as `/`.
pub fn file_matches(pattern: &str, path: &str) -> bool {
    let pattern = pattern.replace('\\', "/");
    let path = path.replace('\\', "/");
    let base = path.rsplit('/').next().unwrap_or(&path);
    if pattern.contains('*') || pattern.contains('?') {
        return wildcard(&pattern, &path)
            || wildcard(&pattern, base)
            || path
                .char_indices()
                .filter(|(_, c)| *c == '/')
                .any(|(i, _)| wildcard(&pattern, path.get(i + 1..).unwrap_or("")));
    }
    path == pattern || base == pattern || path.ends_with(&format!("/{pattern}"))
}

/// `*` any run of characters, `?` one character; everything else literal.
pub fn wildcard(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some('*') => {
                star = Some((pi, ti));
                pi += 1;
            }
            Some(c) if *c == '?' || Some(c) == t.get(ti) => {
                pi += 1;
                ti += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    pi = sp + 1;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    p.get(pi..).unwrap_or(&[]).iter().all(|c| *c == '*')
}

fn parse_csv(text: &str, name: &str) -> Result<Vec<Waiver>> {
    let delim = if text.lines().next().unwrap_or("").contains(';') {
        b';'
    } else {
        b','
    };
    let mut rd = csv::ReaderBuilder::new()
        .delimiter(delim)
        .flexible(true)
        .from_reader(text.as_bytes());
    let err = |location: String, reason: String| Error::Data { location, reason };
    let headers: Vec<String> = rd
        .headers()
        .map_err(|e| err(name.to_string(), e.to_string()))?
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    const KNOWN: [&str; 9] = [
        "rule", "file", "agency", "sheet", "row", "item", "reason", "by", "date",
    ];
    if let Some(h) = headers.iter().find(|h| !KNOWN.contains(&h.as_str())) {
        return Err(err(
            format!("{name}: line 1"),
            format!("unknown column `{h}`; the columns are {}", KNOWN.join(", ")),
        ));
    }
    let mut out = Vec::new();
    for (i, rec) in rd.records().enumerate() {
        let loc = format!("{name}: line {}", i + 2);
        let rec = rec.map_err(|e| err(loc.clone(), e.to_string()))?;
        if rec.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let get = |k: &str| {
            headers
                .iter()
                .position(|h| h == k)
                .and_then(|i| rec.get(i))
                .unwrap_or("")
                .trim()
                .to_string()
        };
        // "21" or "21 25 28": several rows.
        let mut rows = Vec::new();
        for part in get("row").split([' ', ',', ';']).filter(|s| !s.is_empty()) {
            rows.push(
                part.parse::<u32>()
                    .map_err(|_| err(loc.clone(), format!("row `{part}` is not a row number")))?,
            );
        }
        out.push(Waiver {
            rule: get("rule"),
            file: get("file"),
            agency: get("agency"),
            sheet: get("sheet"),
            row: None,
            rows,
            item: get("item"),
            reason: get("reason"),
            by: get("by"),
            date: get("date"),
        });
    }
    Ok(out)
}

/// The agency (chủ đầu tư) a finding belongs to: the line's own agency column, else the sheet's
/// package facts, else the first sheet that names one.
pub fn agency_of(wb: &Workbook, sheet: &str, row: u32) -> String {
    let s = wb.sheets.iter().find(|s| s.name == sheet);
    let from_line = s
        .and_then(|s| s.lines.iter().find(|l| l.row == row))
        .map(|l| l.text(Field::Agency))
        .filter(|a| !a.is_empty());
    if let Some(a) = from_line {
        return a.to_string();
    }
    s.and_then(|s| s.package.agency.clone())
        .or_else(|| wb.sheets.iter().find_map(|s| s.package.agency.clone()))
        .unwrap_or_default()
}

/// Read and check one file, applying waivers to each finding before it reaches the sink.
/// Returns the file's summary (with `waived` counted) and the workbook as read, for callers that
/// aggregate lines (the campaign report).
pub fn check_file(
    engine: &Engine,
    bytes: &[u8],
    file_name: &str,
    opts: &CheckOptions,
    waivers: Option<&Waivers>,
    sink: &mut dyn FnMut(Finding),
) -> Result<(Input, Workbook)> {
    let sha = hex(&Sha256::digest(bytes));
    let wb = inspect(bytes, file_name, engine.tables())?;
    let mut waived = 0usize;
    let mut input = engine.check_workbook(&wb, sha, opts, &mut |mut f: Finding| {
        if let Some(ws) = waivers.filter(|w| !w.is_empty()) {
            f.waived = ws.find(&f, &agency_of(&wb, &f.sheet, f.row));
            waived += usize::from(f.waived.is_some());
        }
        sink(f)
    });
    input.summary.totals.waived = waived;
    Ok((input, wb))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Severity;

    fn finding(rule: &str, file: &str, row: u32, item: &str) -> Finding {
        Finding {
            rule: rule.into(),
            name: String::new(),
            severity: Severity::Advisory,
            file: file.into(),
            sheet: "KQLCNT".into(),
            row,
            cells: vec![],
            item: item.into(),
            values: Default::default(),
            message: String::new(),
            citation: String::new(),
            alternatives: vec![],
            assumptions: vec![],
            as_of: Date::parse("2026-01-01").unwrap(),
            note: String::new(),
            waived: None,
        }
    }

    #[test]
    fn toml_and_csv_agree() {
        let toml = r#"
[[waiver]]
rule = "VN-R6"
agency = "Bệnh viện Đa khoa tỉnh"
item = "may tho"
reason = "Tham vấn thị trường 03/2026: không có hãng trong nước"
by = "Nguyễn Văn A"
date = "2026-03-15"

[[waiver]]
rule = "*"
file = "2026/*.xlsx"
rows = [21, 25]
reason = "đã bổ sung"
by = "B"
date = "15/03/2026"
"#;
        let w = Waivers::parse(toml.as_bytes(), "w.toml").unwrap();
        assert_eq!(w.entries.len(), 2);
        assert_eq!(w.sha256.len(), 64);
        let csv = "\u{feff}rule,agency,file,row,item,reason,by,date\nVN-R6,Bệnh viện Đa khoa tỉnh,,,may tho,Tham vấn,Nguyễn Văn A,2026-03-15\n*,,2026/*.xlsx,21 25,,đã bổ sung,B,15/03/2026\n";
        let c = Waivers::parse(csv.as_bytes(), "w.csv").unwrap();
        assert_eq!(c.entries.len(), 2);
        for ws in [&w, &c] {
            let f = finding("VN-R6", "a.xlsx", 9, "Máy thở xâm nhập");
            assert!(ws.find(&f, "BỆNH VIỆN ĐA KHOA TỈNH Lào Cai").is_some());
            assert!(ws.find(&f, "Sở Y tế").is_none());
            let f = finding("VN-R11", "data/2026/x.xlsx", 25, "");
            let got = ws.find(&f, "").unwrap();
            assert_eq!(got.date, "2026-03-15");
            assert!(got.entry.ends_with("#2"));
            assert!(ws
                .find(&finding("VN-R11", "data/2026/x.xlsx", 26, ""), "")
                .is_none());
            assert!(ws
                .find(&finding("VN-R11", "data/2025/x.xlsx", 25, ""), "")
                .is_none());
        }
    }

    #[test]
    fn bad_entries_name_the_entry() {
        let e = Waivers::parse(
            b"[[waiver]]\nrule='VN-R6'\nreason='x'\nby='y'\ndate='2026-01-01'\n",
            "w.toml",
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("w.toml: waiver 1") && e.contains("agency"),
            "{e}"
        );
        let e = Waivers::parse(
            b"[[waiver]]\nrule='VN-R6'\nfile='a'\nreason='x'\nby='y'\ndate='soon'\n",
            "w.toml",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("not a date"), "{e}");
        let e = Waivers::parse(b"[[waiver]]\nrule='VN-R6'\nfile='a'\nwhy='x'\n", "w.toml")
            .unwrap_err()
            .to_string();
        assert!(e.contains("why"), "{e}");
        let e = Waivers::parse(b"rule,file,color\n", "w.csv")
            .unwrap_err()
            .to_string();
        assert!(e.contains("color"), "{e}");
    }

    #[test]
    fn wildcards() {
        assert!(wildcard("*.xlsx", "a.xlsx"));
        assert!(wildcard("a?c", "abc"));
        assert!(!wildcard("a?c", "ac"));
        assert!(wildcard("*", ""));
        assert!(!wildcard("*.xls", "a.xlsx"));
        assert!(file_matches("award.xlsx", "C:\\data\\award.xlsx"));
        assert!(file_matches("data/award.xlsx", "/home/u/data/award.xlsx"));
        assert!(!file_matches("ward.xlsx", "/home/u/data/award.xlsx"));
    }
}
