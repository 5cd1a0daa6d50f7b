//! Which rules stayed quiet on a line, remembered by the line's texts. Agencies' files repeat
//! the same item (name, model, maker, origin) on many lines, and a rule that reads only texts
//! says the same of each of them: a line whose texts were seen before on the same sheet skips
//! the rules that stayed quiet then, and takes the normalised readings worked out then. A rule
//! that fired is evaluated again on every line (its finding quotes that line's cells), and
//! rules that read numbers are never remembered.
//!
//! Kept per thread, on the thread that checks the line: there the answers are at hand when the
//! rules have run. (Kept by the driver instead, which lays out the lines and would hand each
//! its skip, a 100k-line CSV took 0.215 s rather than 0.184 s: the driver became the slower
//! thread.)

use super::InForce;
use crate::model::{Field, FieldSet, PurchaseLine};
use crate::normalize::hs::HsInfo;
use crate::normalize::origin::Origin;
use crate::normalize::{self, Tables};
use crate::registry::Registry;
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// Which of a sheet's rules are remembered, and the fields that tell their lines apart.
#[derive(Debug)]
pub(super) struct Plan {
    /// Tells this sheet's answers from every other's: sheets, files and engines share a
    /// thread's memory.
    id: u64,
    /// The remembered rules, by their place in the sheet's rules (the first 64).
    rules: u64,
    /// The fields those rules read (and the registry, for those that ask it).
    fields: FieldSet,
}

static NEXT_ID: AtomicU64 = AtomicU64::new(0);

/// Lines remembered per thread before it starts afresh (a file's repetition is local).
const LINES_MAX: usize = 4096;
/// A line whose texts are longer is not remembered: they rarely repeat, and would hold memory.
const KEY_ROOM: usize = 1024;

#[derive(Default)]
struct Known {
    /// The key being built (kept to reuse its memory).
    key: Vec<u8>,
    /// A line's texts → what they gave.
    seen: HashMap<Box<[u8]>, Seen>,
}

/// What a line's texts gave: the remembered rules that stayed quiet, and (when the line was
/// normalised here) the readings `normalize::readings` set.
struct Seen {
    quiet: u64,
    normalised: Option<Readings>,
}

/// The readings `normalize::readings` sets on a line.
#[derive(Clone)]
struct Readings {
    origin: Option<Arc<Origin>>,
    required: Option<Arc<Origin>>,
    hs: Option<Box<HsInfo>>,
}

impl Readings {
    fn of(line: &PurchaseLine) -> Readings {
        Readings {
            origin: line.get(Field::Origin).and_then(|v| v.origin.clone()),
            required: line
                .get(Field::OriginRequirement)
                .and_then(|v| v.origin.clone()),
            hs: line.get(Field::HsCode).and_then(|v| v.hs.clone()),
        }
    }

    /// Set them on a line with the same texts, as `normalize::readings` would.
    fn set(&self, line: &mut PurchaseLine) {
        if let Some(v) = line.fields.get_mut(&Field::Origin) {
            v.origin = self.origin.clone();
        }
        if let Some(v) = line.fields.get_mut(&Field::OriginRequirement) {
            v.origin = self.required.clone();
        }
        if let Some(v) = line.fields.get_mut(&Field::HsCode) {
            v.hs = self.hs.clone();
        }
    }
}

thread_local! {
    static KNOWN: RefCell<Known> = RefCell::new(Known::default());
}

#[cfg(test)]
thread_local! {
    /// Tests check files with nothing remembered, to compare.
    pub(super) static OFF: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

impl Plan {
    /// None when no rule of the sheet can be remembered.
    pub fn new(rules: &InForce, registry: &dyn Registry) -> Option<Plan> {
        #[cfg(test)]
        if OFF.with(|o| o.get()) {
            return None;
        }
        let mut plan = Plan {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            rules: 0,
            fields: FieldSet::EMPTY,
        };
        for (i, (rule, _)) in rules.iter().enumerate().take(64) {
            let reads = rule.reads();
            if reads.numbers {
                continue;
            }
            let mut fields = reads.fields;
            if reads.registry {
                // A registry that does not say what it reads could read anything.
                let Some(f) = registry.reads() else { continue };
                fields = fields.union(f);
            }
            plan.rules |= 1 << i;
            plan.fields = plan.fields.union(fields);
        }
        // And what normalising reads, so that a line seen before is normalised from memory.
        plan.fields = plan.fields.union(FieldSet::of(&crate::normalize::READS));
        (plan.rules != 0).then_some(plan)
    }

    /// Check a normalised `line`: `check(skip)` evaluates the sheet's rules but those in
    /// `skip` (known to stay quiet), and gives back its result and the rules that fired.
    pub fn check<T>(&self, line: &PurchaseLine, check: impl FnOnce(u64) -> (T, u64)) -> T {
        let Some(key) = self.key(line) else {
            return check(0).0;
        };
        let quiet = with_known(|k| k.seen.get(key.as_slice()).map(|s| s.quiet)).flatten();
        let (out, fired) = check(quiet.unwrap_or(0) & self.rules);
        let remember = quiet.is_none().then_some(Seen {
            quiet: self.rules & !fired,
            normalised: None,
        });
        done(key, remember);
        out
    }

    /// Normalise `line` (from memory when its texts were seen before) and check it as `check`
    /// does.
    pub fn normalise_and_check<T>(
        &self,
        line: &mut PurchaseLine,
        tables: &Tables,
        check: impl FnOnce(&PurchaseLine, u64) -> (T, u64),
    ) -> T {
        let Some(key) = self.key(line) else {
            normalize::readings(line, tables);
            return check(line, 0).0;
        };
        let quiet = with_known(|k| {
            let s = k.seen.get(key.as_slice())?;
            s.normalised.as_ref()?.set(line);
            Some(s.quiet)
        })
        .flatten();
        // Not seen, or seen by `check` (never on the same sheet): worked out afresh.
        let readings = quiet.is_none().then(|| {
            normalize::readings(line, tables);
            Readings::of(line)
        });
        let (out, fired) = check(line, quiet.unwrap_or(0) & self.rules);
        let remember = readings.map(|r| Seen {
            quiet: self.rules & !fired,
            normalised: Some(r),
        });
        done(key, remember);
        out
    }

    /// The line as the remembered rules see it: each field they read, present or not, with
    /// its text and number. None when too long to remember.
    fn key(&self, line: &PurchaseLine) -> Option<Vec<u8>> {
        let mut key = with_known(|k| std::mem::take(&mut k.key)).unwrap_or_default();
        key.clear();
        key.extend_from_slice(&self.id.to_le_bytes());
        for f in self.fields.iter() {
            let Some(v) = line.get(f) else {
                key.push(0);
                continue;
            };
            // A field takes its text and 18 bytes: checked before the text is copied, so a
            // huge cell is not copied to be thrown away.
            if key.len() + v.raw.len() + 18 > KEY_ROOM {
                done(key, None);
                return None;
            }
            key.push(1);
            key.extend_from_slice(&(v.raw.len() as u64).to_le_bytes());
            key.extend_from_slice(v.raw.as_bytes());
            match v.value {
                None => key.push(0),
                Some(n) => {
                    key.push(1);
                    key.extend_from_slice(&n.to_bits().to_le_bytes());
                }
            }
        }
        Some(key)
    }
}

/// This thread's answers, unless they are in use (never expected: a check does not nest).
fn with_known<T>(f: impl FnOnce(&mut Known) -> T) -> Option<T> {
    KNOWN
        .try_with(|k| k.try_borrow_mut().ok().map(|mut k| f(&mut k)))
        .ok()
        .flatten()
}

/// Remember what a line gave, if anything new, and keep the key's memory for the next line.
fn done(key: Vec<u8>, seen: Option<Seen>) {
    with_known(|k| {
        if let Some(seen) = seen {
            if k.seen.len() >= LINES_MAX {
                k.seen.clear();
            }
            k.seen.insert(key.as_slice().into(), seen);
        }
        k.key = key;
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Field, FieldValue, SheetKind};
    use crate::registry::{EmptyRegistry, Lookup};
    use crate::rules::date::Date;
    use crate::rules::{Pack, Rule, Version};

    fn award_rules(pack: &Pack) -> Vec<(&Rule, &Version)> {
        let day = Date::parse("2026-06-01").expect("date");
        pack.rules
            .iter()
            .filter(|r| r.applies_to(SheetKind::Award))
            .filter_map(|r| r.version_at(day).map(|v| (r, v)))
            .collect()
    }

    fn line(cells: &[(Field, &str)]) -> PurchaseLine {
        let mut l = PurchaseLine {
            row: 2,
            fields: Default::default(),
            extra: Default::default(),
            section: None,
            name_folded: Default::default(),
        };
        for (f, t) in cells {
            l.fields.insert(*f, FieldValue::text(*t, "A2"));
        }
        l
    }

    /// What `check` was asked to skip, the second time the same line comes.
    fn skipped_again(plan: &Plan, first: &PurchaseLine, again: &PurchaseLine, fired: u64) -> u64 {
        plan.check(first, |skip| {
            assert_eq!(skip, 0, "a line never seen skips nothing");
            ((), fired)
        });
        plan.check(again, |skip| (skip, fired))
    }

    fn item() -> PurchaseLine {
        line(&[
            (Field::Name, "Bơm tiêm 5ml"),
            (Field::Model, "BT-5"),
            (Field::Brand, ""),
            (Field::Manufacturer, "Vinahankook"),
            (Field::Origin, "Việt Nam"),
        ])
    }

    #[test]
    fn rules_that_read_numbers_are_never_remembered() {
        let pack = Pack::embedded_vn().expect("pack");
        let rules = award_rules(&pack);
        let plan = Plan::new(&rules, &EmptyRegistry).expect("plan");
        for (i, (rule, _)) in rules.iter().enumerate() {
            let remembered = plan.rules & (1 << i) != 0;
            assert_eq!(remembered, !rule.reads().numbers, "{}", rule.code);
        }
        let r15 = rules.iter().position(|(r, _)| r.code == "VN-R15");
        assert!(r15.is_some_and(|i| plan.rules & (1 << i) == 0));
    }

    #[test]
    fn a_line_seen_before_skips_only_the_rules_that_stayed_quiet() {
        let pack = Pack::embedded_vn().expect("pack");
        let plan = Plan::new(&award_rules(&pack), &EmptyRegistry).expect("plan");
        let fired = plan.rules & plan.rules.wrapping_neg(); // the first remembered rule fired
        let mut again = item();
        again.row = 9;
        // Only numbers and the row differ: the remembered rules do not read them.
        again
            .fields
            .insert(Field::Quantity, FieldValue::text("12", "J9"));
        let skip = skipped_again(&plan, &item(), &again, fired);
        assert_eq!(skip, plan.rules & !fired);
    }

    #[test]
    fn a_changed_text_or_another_sheet_is_checked_afresh() {
        let pack = Pack::embedded_vn().expect("pack");
        let rules = award_rules(&pack);
        let fresh = || Plan::new(&rules, &EmptyRegistry).expect("plan");
        let mut brand = item();
        brand
            .fields
            .insert(Field::Brand, FieldValue::text("Vikimco", "D2"));
        assert_eq!(skipped_again(&fresh(), &item(), &brand, 0), 0);
        // The manufacturer decides how an origin reads ("Hãng X / Việt Nam").
        let mut maker = item();
        maker
            .fields
            .insert(Field::Manufacturer, FieldValue::text("Terumo", "E2"));
        assert_eq!(skipped_again(&fresh(), &item(), &maker, 0), 0);
        // A column present but blank is not a column missing.
        let mut missing = item();
        missing.fields.remove(&Field::Brand);
        assert_eq!(skipped_again(&fresh(), &item(), &missing, 0), 0);
        // The same line again does skip (the cases above are not vacuous).
        let plan = fresh();
        assert_ne!(skipped_again(&plan, &item(), &item(), 0), 0);
        // Another sheet (or file, or engine) has answers of its own.
        assert_eq!(fresh().check(&item(), |skip| (skip, 0)), 0);
    }

    #[test]
    fn registry_rules_are_remembered_only_when_the_registry_says_what_it_reads() {
        struct Opaque;
        impl Registry for Opaque {
            fn lookup(&self, _line: &PurchaseLine) -> std::sync::Arc<Lookup> {
                std::sync::Arc::default()
            }
        }
        let pack = Pack::embedded_vn().expect("pack");
        let rules = award_rules(&pack);
        let known = Plan::new(&rules, &EmptyRegistry).expect("plan");
        let opaque = Plan::new(&rules, &Opaque).expect("plan");
        for (i, (rule, _)) in rules.iter().enumerate() {
            let reads = rule.reads();
            if reads.registry && !reads.numbers {
                assert!(known.rules & (1 << i) != 0, "{}", rule.code);
                assert!(opaque.rules & (1 << i) == 0, "{}", rule.code);
            }
        }
    }

    #[test]
    fn long_texts_are_not_remembered() {
        let pack = Pack::embedded_vn().expect("pack");
        let plan = Plan::new(&award_rules(&pack), &EmptyRegistry).expect("plan");
        let mut long = item();
        let maker = "Công ty cổ phần Vinahankook ".repeat(40);
        long.fields
            .insert(Field::Manufacturer, FieldValue::text(maker, "E2"));
        assert_eq!(skipped_again(&plan, &long, &long, 0), 0);
    }

    #[test]
    fn a_line_normalised_from_memory_reads_as_if_normalised_afresh() {
        let tables = Tables::embedded().expect("tables");
        let texts = [
            (Field::Name, "Máy tính xách tay"),
            (Field::Model, "Latitude 3440"),
            (Field::Manufacturer, "Dell Inc."),
            (Field::Origin, "Công ty Dell/ Trung Quốc"),
            (Field::OriginRequirement, "G7"),
            (Field::HsCode, "8471.30.20"),
        ];
        let pack = Pack::embedded_vn().expect("pack");
        let plan = Plan::new(&award_rules(&pack), &EmptyRegistry).expect("plan");
        let mut first = line(&texts);
        let skip = plan.normalise_and_check(&mut first, &tables, |_, skip| (skip, 0));
        assert_eq!(skip, 0);
        let mut again = line(&texts);
        again.row = 7;
        // Other tables (their own answer cache): only memory gives the first line's answers.
        let other = Tables::embedded().expect("tables");
        let skip = plan.normalise_and_check(&mut again, &other, |_, skip| (skip, 0));
        assert_eq!(skip, plan.rules);
        let origin = |l: &PurchaseLine| l.get(Field::Origin).and_then(|v| v.origin.clone());
        let (a, b) = (origin(&first), origin(&again));
        assert!(a.is_some_and(|a| b.is_some_and(|b| Arc::ptr_eq(&a, &b))));
        let mut fresh = line(&texts);
        fresh.row = 7;
        normalize::readings(&mut fresh, &tables);
        assert_eq!(again, fresh);
        assert!(again.get(Field::HsCode).is_some_and(|v| v.hs.is_some()));
    }
}
