//! The labelled evaluation of the registry matcher (tests/registry_eval/README.md): learn from one
//! fold of the real award rows, look up every line of the other fold, compare with the hand labels.
//! Fails if precision drops below 0.95.

use hangviet_core::equivalents::learn::Learner;
use hangviet_core::equivalents::DomesticRegistry;
use hangviet_core::inspect::inspect;
use hangviet_core::model::{Field, PurchaseLine};
use hangviet_core::normalize::Tables;
use hangviet_core::registry::STRONG_MATCH;
use std::collections::HashMap;
use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A small CSV reader for labels.csv (quoted fields with commas).
fn read_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    for line in text.lines().filter(|l| !l.is_empty()) {
        let mut fields = Vec::new();
        let mut cur = String::new();
        let mut quoted = false;
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '"' if quoted && chars.peek() == Some(&'"') => {
                    cur.push('"');
                    chars.next();
                }
                '"' => quoted = !quoted,
                ',' if !quoted => fields.push(std::mem::take(&mut cur)),
                c => cur.push(c),
            }
        }
        fields.push(cur);
        rows.push(fields);
    }
    rows
}

struct Label {
    fold: String,
    label: bool,
    name: String,
}

#[test]
fn precision_on_the_labelled_award_rows() {
    let tables = Tables::embedded().unwrap();
    let bytes = std::fs::read(root().join("tests/fixtures/award_egp.xlsx")).unwrap();
    let wb = inspect(&bytes, "award_egp.xlsx", &tables).unwrap();
    let sheet = &wb.sheets[0];
    let labels_text =
        std::fs::read_to_string(root().join("tests/registry_eval/labels.csv")).unwrap();
    let rows = read_csv(&labels_text);
    let head = &rows[0];
    let col = |n: &str| head.iter().position(|h| h == n).unwrap();
    let (c_row, c_fold, c_label, c_name) =
        (col("xlsx_row"), col("fold"), col("label"), col("name"));
    // Labels are in the order of the award rows; the xlsx has one line per row in that order.
    let mut labels: HashMap<u32, Label> = HashMap::new();
    let lines: Vec<&PurchaseLine> = sheet.lines.iter().collect();
    assert_eq!(lines.len(), 351);
    for (r, l) in rows[1..].iter().zip(&lines) {
        let _: u32 = r[c_row].parse().unwrap();
        labels.insert(
            l.row,
            Label {
                fold: r[c_fold].clone(),
                label: r[c_label] == "1",
                name: r[c_name].clone(),
            },
        );
    }
    assert_eq!(labels.len(), 351);
    for l in &lines {
        let lab = &labels[&l.row];
        let squash = hangviet_core::text::fold;
        assert_eq!(
            squash(l.text(Field::Name)),
            squash(&lab.name),
            "row {}",
            l.row
        );
    }

    let (mut tp, mut fp, mut fn_, mut tn) = (0, 0, 0, 0);
    let (mut tp_imp, mut fp_imp, mut fn_imp, mut n_imp) = (0, 0, 0, 0);
    let mut errors = Vec::new();
    for (learn_fold, check_fold) in [("A", "B"), ("B", "A")] {
        let mut learner = Learner::new();
        for l in lines.iter().filter(|l| labels[&l.row].fold == learn_fold) {
            learner.add_line("award_egp.xlsx", sheet, l, &tables.origins);
        }
        let mut reg = DomesticRegistry::lexicon_only().unwrap();
        reg.add_entries(learner.finish().entries, "learned");
        for l in lines.iter().filter(|l| labels[&l.row].fold == check_fold) {
            let lab = &labels[&l.row];
            // Origin hidden: only the name (and HS code) go to the matcher.
            let found = reg.search(l.text(Field::Name), "", STRONG_MATCH);
            let predicted = !found.is_empty();
            let domestic = l
                .get(Field::Origin)
                .and_then(|o| o.origin.as_ref())
                .is_some_and(|o| o.countries == ["VN"]);
            let imported = !domestic;
            if imported {
                n_imp += 1;
            }
            match (predicted, lab.label) {
                (true, true) => {
                    tp += 1;
                    tp_imp += imported as usize;
                }
                (true, false) => {
                    fp += 1;
                    fp_imp += imported as usize;
                    errors.push(format!(
                        "FP row {} “{}” → “{}” ({:.2}: {})",
                        l.row,
                        lab.name,
                        found[0].equivalent.product,
                        found[0].equivalent.score,
                        found[0].equivalent.reason
                    ));
                }
                (false, true) => {
                    fn_ += 1;
                    fn_imp += imported as usize;
                    let best = reg.search(l.text(Field::Name), "", 0.0);
                    errors.push(format!(
                        "FN row {} “{}” (best: {})",
                        l.row,
                        lab.name,
                        best.first()
                            .map(|m| format!(
                                "“{}” {:.2}: {}",
                                m.equivalent.product, m.equivalent.score, m.equivalent.reason
                            ))
                            .unwrap_or_default()
                    ));
                }
                (false, false) => tn += 1,
            }
        }
    }
    let precision = tp as f64 / (tp + fp).max(1) as f64;
    let recall = tp as f64 / (tp + fn_).max(1) as f64;
    eprintln!("{}", errors.join("\n"));
    eprintln!(
        "registry eval: {} lines, {} positives; TP {tp} FP {fp} FN {fn_} TN {tn}; precision {precision:.3} recall {recall:.3}; imported lines {n_imp}: TP {tp_imp} FP {fp_imp} FN {fn_imp}",
        tp + fp + fn_ + tn,
        tp + fn_
    );
    assert!(tp + fp > 0, "the matcher found nothing");
    assert!(precision >= 0.95, "precision {precision:.3} < 0.95");
}
