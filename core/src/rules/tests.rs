//! Loading: the embedded pack compiles; broken packs fail with file:line:column.

use super::*;

fn load(files: &[(&str, &str)]) -> crate::Result<Pack> {
    Pack::load("p", &|name| {
        files
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, t)| t.to_string())
    })
}

const MANIFEST: &str = "id = \"t\"\nversion = \"1\"\nfiles = [\"r.toml\"]\n";

fn err(rules: &str) -> String {
    match load(&[("pack.toml", MANIFEST), ("r.toml", rules)]) {
        Ok(_) => panic!("expected a load error"),
        Err(e) => e.to_string(),
    }
}

const GOOD: &str = r#"
[[rule]]
code = "T-1"
name = { vi = "a", en = "a" }
severity = "warning"
kinds = ["award"]
citation = "x"
message = { vi = "thiếu {matched}", en = "missing {matched}" }
when = { field = "manufacturer", empty = true, say = { vi = "hãng (ô {cell})", en = "maker (cell {cell})" } }
"#;

#[test]
fn embedded_pack_loads_in_code_order() {
    let p = Pack::embedded_vn().unwrap();
    assert_eq!(p.id, "vn");
    assert_eq!(p.hash.len(), 64);
    let codes: Vec<&str> = p.rules.iter().map(|r| r.code.as_str()).collect();
    assert_eq!(
        codes,
        [
            "VN-R1", "VN-R2", "VN-R3", "VN-R4", "VN-R5", "VN-R6", "VN-R7", "VN-R8", "VN-R11",
            "VN-R12", "VN-R13", "VN-R14", "VN-R15", "VN-R16"
        ]
    );
    for r in &p.rules {
        assert!(
            r.examples.iter().any(|e| e.fires),
            "{} has no firing example",
            r.code
        );
        assert!(
            r.examples.iter().any(|e| !e.fires),
            "{} has no quiet example",
            r.code
        );
    }
}

#[test]
fn good_pack_loads() {
    let p = load(&[("pack.toml", MANIFEST), ("r.toml", GOOD)]).unwrap();
    assert_eq!(p.rules.len(), 1);
    assert_eq!(p.rules[0].location, "p/r.toml:2:1");
}

#[test]
fn unknown_field_names_file_line_column() {
    let bad = GOOD.replace("field = \"manufacturer\"", "field = \"manufactur\"");
    let e = err(&bad);
    assert!(
        e.starts_with("p/r.toml:9:18: unknown field `manufactur`"),
        "{e}"
    );
    assert!(e.contains("expected one of"), "{e}");
}

#[test]
fn unknown_key_and_syntax_errors() {
    let e = err(&GOOD.replace("empty = true", "emptyy = true"));
    assert!(e.starts_with("p/r.toml:9:"), "{e}");
    assert!(e.contains("emptyy"), "{e}");
    let e = err(&GOOD.replace("severity = \"warning\"", "severity = \"high\""));
    assert!(
        e.starts_with("p/r.toml:5:12: unknown severity `high`"),
        "{e}"
    );
    let e = err("[[rule]\ncode = 1\n");
    assert!(e.starts_with("p/r.toml:1:"), "{e}");
    let e = err(&GOOD.replace("{matched}\", en", "{matchd}\", en"));
    assert!(e.starts_with("p/r.toml:8:"), "{e}");
    assert!(e.contains("unknown placeholder `{matchd}`"), "{e}");
    let e = err(&GOOD.replace("empty = true,", "regex = \"(unclosed\","));
    assert!(e.contains("invalid regex"), "{e}");
}

#[test]
fn missing_rule_file_points_at_manifest() {
    let e = load(&[("pack.toml", MANIFEST)]).unwrap_err().to_string();
    assert!(
        e.starts_with("p/pack.toml:3:10: rule file `r.toml` not found"),
        "{e}"
    );
}

#[test]
fn duplicate_codes_and_overlapping_versions() {
    let two = format!("{GOOD}\n{GOOD}");
    let e = err(&two);
    assert!(
        e.contains("rule T-1 is already defined at p/r.toml:2:1"),
        "{e}"
    );
    let overlap =
        GOOD.to_string() + "from = \"2025-01-01\"\n[[rule.version]]\nfrom = \"2024-01-01\"\n";
    let e = err(&overlap);
    assert!(e.contains("versions overlap"), "{e}");
}

#[test]
fn versions_pick_by_date() {
    let p = Pack::embedded_vn().unwrap();
    let r1 = p.rule("VN-R1").unwrap();
    let d = |s| date::Date::parse(s).unwrap();
    assert!(r1
        .version_at(d("2025-03-01"))
        .unwrap()
        .citation
        .en
        .contains("Art. 44(2)–(4) (original text"));
    assert!(r1
        .version_at(d("2025-07-15"))
        .unwrap()
        .citation
        .en
        .contains("Art. 44(2), (3) (as amended by Law 90/2025/QH15)"));
    assert!(r1
        .version_at(d("2026-01-10"))
        .unwrap()
        .citation
        .en
        .contains("Decree 214/2025/ND-CP, Art. 26(9)(a), (c)"));
    let r8 = p.rule("VN-R8").unwrap();
    assert!(r8.version_at(d("2025-08-03")).is_none());
    assert_eq!(
        r8.version_at(d("2025-08-04")).unwrap().params["d_min"],
        0.30
    );
}

#[test]
fn code_order_is_natural() {
    assert!(code_key("VN-R2") < code_key("VN-R10"));
    assert!(code_key("VN-R10") < code_key("VN-R11"));
    assert!(code_key("AB-1") < code_key("VN-R1"));
}

#[test]
fn citation_plain_or_per_language() {
    // A plain string serves both languages.
    let p = load(&[("pack.toml", MANIFEST), ("r.toml", GOOD)]).unwrap();
    let c = &p.rules[0].versions[0].citation;
    assert_eq!((c.text(Lang::Vi), c.text(Lang::En)), ("x", "x"));
    // A table gives each language its own text; a period without a citation keeps the rule's.
    let two = GOOD.replace(
        "citation = \"x\"",
        "citation.vi = \"Luật Đấu thầu số 22/2023/QH15, điểm i khoản 6 Điều 16\"\ncitation.en = \"Law on Bidding 22/2023/QH15, Art. 16(6)(i)\"\nfrom = \"2025-08-04\"\nto = \"2026-01-01\"",
    ) + "[[rule.version]]\nto = \"2025-08-04\"\ncitation = { vi = \"Luật cũ\", en = \"Old law\" }\n[[rule.version]]\nfrom = \"2026-01-01\"\n";
    let p = load(&[("pack.toml", MANIFEST), ("r.toml", &two)]).unwrap();
    let r = &p.rules[0];
    let d = |s| date::Date::parse(s).unwrap();
    let at = |s| r.version_at(d(s)).unwrap().citation.clone();
    assert_eq!(at("2025-08-03").text(Lang::Vi), "Luật cũ");
    assert_eq!(at("2025-08-03").text(Lang::En), "Old law");
    assert_eq!(
        at("2025-08-04").text(Lang::Vi),
        "Luật Đấu thầu số 22/2023/QH15, điểm i khoản 6 Điều 16"
    );
    assert_eq!(
        at("2026-01-15").text(Lang::En),
        "Law on Bidding 22/2023/QH15, Art. 16(6)(i)"
    );
}

#[test]
fn bad_citations_name_the_place() {
    let e = err(&GOOD.replace("citation = \"x\"", "citation.vi = \"a\""));
    assert!(e.starts_with("p/r.toml:7:"), "{e}");
    assert!(e.contains("citation.en is missing"), "{e}");
    let e = err(&GOOD.replace(
        "citation = \"x\"",
        "citation = { vi = \"a\", en = \"b\", fr = \"c\" }",
    ));
    assert!(e.contains("unknown key `citation.fr`"), "{e}");
    let e = err(&GOOD.replace("citation = \"x\"", "citation = 3"));
    assert!(
        e.starts_with("p/r.toml:7:12: expected a citation string"),
        "{e}"
    );
    let e = err(&GOOD.replace("citation = \"x\"", "citation = { vi = \"a\", en = 1 }"));
    assert!(e.contains("`en` must be a non-empty string"), "{e}");
}

#[test]
fn vn_citations_name_the_documents_in_both_languages() {
    let p = Pack::embedded_vn().unwrap();
    for r in &p.rules {
        for v in &r.versions {
            let c = &v.citation;
            assert_ne!(c.vi, c.en, "{}: one text for both languages", r.code);
            for short in ["ND214", "TT79-4A", "Luật ĐT", "L23", "L90"] {
                assert!(
                    !c.vi.contains(short),
                    "{}: shorthand {short} in {}",
                    r.code,
                    c.vi
                );
                assert!(
                    !c.en.contains(short),
                    "{}: shorthand {short} in {}",
                    r.code,
                    c.en
                );
            }
            assert!(c.vi.contains("số") || c.vi.contains("Nghị định") || c.vi.contains("Thông tư"));
        }
    }
}

#[test]
fn vn_periods_turn_on_the_effective_dates() {
    let p = Pack::embedded_vn().unwrap();
    let d = |s: &str| date::Date::parse(s).unwrap();
    let vi = |code: &str, day: &str| {
        p.rule(code)
            .unwrap()
            .version_at(d(day))
            .map(|v| v.citation.vi.clone())
    };
    // Luật 90/2025 in force 01/7/2025; ND 214 (and TT 79/2025) from 04/8/2025.
    assert!(vi("VN-R1", "2025-06-30").unwrap().contains("văn bản gốc"));
    let july = vi("VN-R1", "2025-07-01").unwrap();
    assert!(july.contains("sửa đổi bởi Luật số 90/2025/QH15"), "{july}");
    assert!(!july.contains("Nghị định 214/2025/NĐ-CP"), "{july}");
    assert_eq!(vi("VN-R1", "2025-08-03"), Some(july));
    assert!(vi("VN-R1", "2025-08-04")
        .unwrap()
        .contains("Nghị định 214/2025/NĐ-CP, điểm a, c khoản 9 Điều 26"));
    for code in ["VN-R2", "VN-R3", "VN-R8", "VN-R11", "VN-R14"] {
        assert_eq!(vi(code, "2025-08-03"), None, "{code} runs before ND 214");
        assert!(
            vi(code, "2025-08-04").is_some(),
            "{code} not in force on 04/8/2025"
        );
    }
    // TT 31/2022 applied from 30/12/2022 (suspended 01/12–29/12/2022).
    assert_eq!(vi("VN-R13", "2022-12-29"), None);
    assert!(vi("VN-R13", "2022-12-30")
        .unwrap()
        .contains("31/2022/TT-BTC"));
}

/// A registry that counts its look-ups and may or may not hold the domestic-only drug list.
struct Counting {
    lists_drugs: bool,
    calls: std::sync::atomic::AtomicUsize,
}

impl crate::registry::Registry for Counting {
    fn lookup(
        &self,
        _line: &crate::model::PurchaseLine,
    ) -> std::sync::Arc<crate::registry::Lookup> {
        self.calls
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        std::sync::Arc::new(crate::registry::Lookup {
            drug_domestic_only: self.lists_drugs,
            ..Default::default()
        })
    }

    fn lists_domestic_only_drugs(&self) -> bool {
        self.lists_drugs
    }
}

#[test]
fn drug_list_guard_asks_only_a_registry_that_has_the_list() {
    let pack = Pack::embedded_vn().unwrap();
    let r5 = pack.rules.iter().find(|r| r.code == "VN-R5").unwrap();
    // "awarded imported drug on the list": an award line of Amoxicillin from India.
    let ex = r5
        .examples
        .iter()
        .find(|e| e.fires && e.kind == crate::model::SheetKind::Award)
        .unwrap();
    let sheet = examples::example_sheet(ex, &|_| {});
    let line = sheet.lines.first().unwrap();
    let version = r5.version_at(examples::example_date(r5, ex)).unwrap();
    let tables = crate::normalize::Tables::embedded().unwrap();
    let classify = |o: &str, m: &str| tables.origins.classify(o, m);
    for lists_drugs in [false, true] {
        let registry = Counting {
            lists_drugs,
            calls: Default::default(),
        };
        let ctx = Ctx::new(
            &sheet,
            Some(line),
            &version.params,
            &registry,
            &classify,
            Lang::Vi,
        );
        let fired = r5.evaluate(&ctx).is_some();
        let calls = registry.calls.load(std::sync::atomic::Ordering::Relaxed);
        // Without the list the rule cannot fire, and needs no look-up to know it.
        assert_eq!((fired, calls), (lists_drugs, usize::from(lists_drugs)));
    }
}
