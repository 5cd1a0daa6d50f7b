//! `hangviet rules test`: every rule's examples, run through the same evaluation as a real
//! sheet (lines are normalised by the caller's `prepare`, exactly like lines read from a file).

use super::cond::{Ctx, Lang};
use super::date::Date;
use super::{Example, Pack, Rule, Scope};
use crate::cell::col_letters;
use crate::model::{ColumnMap, Field, FieldValue, PurchaseLine, Sheet};
use crate::normalize::origin::Origin;
use crate::registry::{EmptyRegistry, FixedRegistry, Registry};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct ExampleResult {
    pub rule: String,
    pub name: String,
    pub location: String,
    pub passed: bool,
    /// What happened: the message when it fired, or why the example failed.
    pub detail: String,
}

/// The date an example is judged on: its own, else the start of the rule's latest period.
pub fn example_date(rule: &Rule, ex: &Example) -> Date {
    ex.as_of
        .or_else(|| rule.versions.iter().filter_map(|v| v.from).max())
        .unwrap_or(Date {
            year: 2026,
            month: 1,
            day: 1,
        })
}

/// Build the one-line sheet an example describes (header on row 1, the line on row 2).
pub fn example_sheet(ex: &Example, prepare: &dyn Fn(&mut PurchaseLine)) -> Sheet {
    // Columns in the fields' natural order (name, model, brand, manufacturer, origin, …).
    let mut fields: Vec<Field> = ex.line.iter().map(|(f, _)| *f).collect();
    for c in &ex.columns {
        if !fields.contains(c) {
            fields.push(*c);
        }
    }
    fields.sort();
    let columns: Vec<ColumnMap> = fields
        .iter()
        .enumerate()
        .map(|(i, f)| ColumnMap {
            field: *f,
            column: col_letters(i as u32),
            header: f.id().to_string(),
        })
        .collect();
    let mut line = PurchaseLine {
        row: 2,
        fields: Default::default(),
        extra: Default::default(),
        section: None,
        name_folded: Default::default(),
    };
    for (f, text) in &ex.line {
        let col = columns
            .iter()
            .find(|c| c.field == *f)
            .map(|c| c.column.clone())
            .unwrap_or_default();
        line.fields
            .insert(*f, FieldValue::text(text.clone(), format!("{col}2")));
    }
    prepare(&mut line);
    for (f, fv) in line.fields.iter_mut() {
        if f.is_numeric() && fv.value.is_none() && fv.error.is_none() {
            fv.value = plain_number(&fv.raw);
        }
    }
    Sheet {
        name: "example".into(),
        kind: ex.kind,
        reason: None,
        hidden: false,
        header_rows: vec![1],
        columns,
        unmapped: vec![],
        lines: vec![line],
        skipped: vec![],
        problems: vec![],
        package: ex.package.clone(),
    }
}

/// Examples write numbers plainly ("1.234.567" or "1234567,5" or "45%").
fn plain_number(s: &str) -> Option<f64> {
    let t = s.trim().trim_end_matches('%').trim();
    if t.is_empty() {
        return None;
    }
    let t = if t.contains(',') {
        t.replace('.', "").replace(',', ".")
    } else if t.matches('.').count() > 1 || t.split('.').nth(1).is_some_and(|d| d.len() == 3) {
        t.replace('.', "")
    } else {
        t.to_string()
    };
    t.parse().ok()
}

/// Run one example; Ok(message or "") on pass, Err(why) on failure.
pub fn run_example(
    rule: &Rule,
    ex: &Example,
    prepare: &dyn Fn(&mut PurchaseLine),
    classify: &dyn Fn(&str, &str) -> Origin,
) -> Result<String, String> {
    let date = example_date(rule, ex);
    let sheet = example_sheet(ex, prepare);
    let fixed;
    let registry: &dyn Registry = match &ex.registry {
        Some(l) => {
            fixed = FixedRegistry(l.clone());
            &fixed
        }
        None => &EmptyRegistry,
    };
    let version = rule.version_at(date);
    let eval = |lang: Lang| match version {
        Some(v) if rule.applies_to(sheet.kind) => {
            let line = match rule.scope {
                Scope::Line => sheet.lines.first(),
                Scope::Sheet => None,
            };
            let ctx = Ctx::new(&sheet, line, &v.params, registry, classify, lang);
            rule.evaluate(&ctx)
        }
        _ => None,
    };
    match (ex.fires, eval(Lang::Vi)) {
        (true, Some(f)) => {
            if let Some(want) = &ex.expect {
                if !f.message.contains(want.as_str()) {
                    return Err(format!(
                        "fired, but the message does not contain “{want}”: {}",
                        f.message
                    ));
                }
            }
            if let Some(want) = &ex.expect_en {
                let en = eval(Lang::En).map(|f| f.message).unwrap_or_default();
                if !en.contains(want.as_str()) {
                    return Err(format!(
                        "fired, but the English message does not contain “{want}”: {en}"
                    ));
                }
            }
            if let (Some(want), Some(v)) = (&ex.expect_citation, version) {
                let c = &v.citation;
                if !c.vi.contains(want.as_str()) && !c.en.contains(want.as_str()) {
                    return Err(format!(
                        "fired on {date}, but the citation in force does not contain “{want}”: {} | {}",
                        c.vi, c.en
                    ));
                }
            }
            Ok(f.message)
        }
        (true, None) => Err(format!("expected to fire on {date}, did not")),
        (false, None) => Ok(String::new()),
        (false, Some(f)) => Err(format!(
            "expected not to fire on {date}, fired: {}",
            f.message
        )),
    }
}

/// Run every example of every rule of the pack.
pub fn run(
    pack: &Pack,
    prepare: &dyn Fn(&mut PurchaseLine),
    classify: &dyn Fn(&str, &str) -> Origin,
) -> Vec<ExampleResult> {
    let mut out = Vec::new();
    for rule in &pack.rules {
        for ex in &rule.examples {
            let r = run_example(rule, ex, prepare, classify);
            out.push(ExampleResult {
                rule: rule.code.clone(),
                name: ex.name.clone(),
                location: ex.location.clone(),
                passed: r.is_ok(),
                detail: r.unwrap_or_else(|e| e),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::plain_number;

    #[test]
    fn example_numbers() {
        assert_eq!(plain_number("1.234.567"), Some(1234567.0));
        assert_eq!(plain_number("1234567,5"), Some(1234567.5));
        assert_eq!(plain_number("45%"), Some(45.0));
        assert_eq!(plain_number("0.45"), Some(0.45));
        assert_eq!(plain_number("12.500"), Some(12500.0));
        assert_eq!(plain_number(""), None);
    }
}
