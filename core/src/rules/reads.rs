//! What a rule reads of a line, from its conditions. A rule that reads only a line's texts
//! (not its numbers) says the same of every line with the same texts on the same sheet, which
//! is what lets the engine remember that it stayed quiet (engine/quiet.rs).

use super::cond::{Cond, Subject};
use super::Rule;
use crate::model::{Field, FieldSet};

/// The fields a rule's conditions read, and whether they ask the registry or a computed number.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Reads {
    pub fields: FieldSet,
    pub registry: bool,
    /// A number field or a number computed from several: different on nearly every line.
    pub numbers: bool,
}

impl Rule {
    /// What the rule's guard and cases read (their `say` texts only matter once it fires).
    pub fn reads(&self) -> Reads {
        let mut r = Reads::default();
        for c in self.guard.iter().chain(self.cases.iter().map(|c| &c.when)) {
            cond_reads(c, &mut r);
        }
        r
    }
}

fn cond_reads(c: &Cond, r: &mut Reads) {
    match c {
        Cond::All(cs) | Cond::Any(cs) => cs.iter().for_each(|c| cond_reads(c, r)),
        Cond::Not(c) => cond_reads(c, r),
        // The sheet's columns and package facts are the same for all its lines.
        Cond::SheetHas(_) | Cond::SheetLacks(_) => {}
        Cond::Test { subject, .. } => match subject {
            Subject::Field(f) => {
                r.fields.insert(*f);
                r.numbers |= f.is_numeric();
                // An origin is classified with the line's manufacturer (a maker's name typed
                // into "Xuất xứ").
                if *f == Field::Origin {
                    r.fields.insert(Field::Manufacturer);
                }
            }
            Subject::Package(_) => {}
            Subject::Value("item_text") => {
                for f in super::facts::ITEM_TEXT {
                    r.fields.insert(f);
                }
            }
            Subject::Value("pref_claimed") => r.fields.insert(Field::PrefClaimed),
            Subject::Value(_) => r.numbers = true,
            Subject::Registry(_) => r.registry = true,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::Pack;

    fn reads(code: &str) -> Reads {
        let pack = Pack::embedded_vn().expect("embedded pack");
        let rule = pack.rules.iter().find(|r| r.code == code).expect("rule");
        rule.reads()
    }

    #[test]
    fn a_rule_reads_the_fields_its_conditions_test() {
        // VN-R11: model, brand, origin, manufacturer blank or placeholders.
        let r = reads("VN-R11");
        let want = FieldSet::of(&[
            Field::Model,
            Field::Brand,
            Field::Origin,
            Field::Manufacturer,
        ]);
        assert_eq!(r.fields, want);
        assert!(!r.registry && !r.numbers);
    }

    #[test]
    fn an_origin_test_reads_the_manufacturer_too() {
        let r = reads("VN-R12");
        assert_eq!(
            r.fields,
            FieldSet::of(&[Field::Manufacturer, Field::Origin])
        );
    }

    #[test]
    fn registry_and_numbers_are_told_apart() {
        let r6 = reads("VN-R6");
        assert!(r6.registry && !r6.numbers, "{r6:?}");
        let r15 = reads("VN-R15");
        assert!(r15.numbers, "{r15:?}");
    }
}
