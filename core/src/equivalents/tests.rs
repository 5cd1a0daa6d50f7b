use super::*;
use crate::registry::Registry;

fn registry(entries: &str) -> DomesticRegistry {
    let mut r = DomesticRegistry::new();
    r.add_file(
        include_str!("../../../rules/vn/registry/lexicon.toml"),
        "lexicon.toml",
    )
    .unwrap();
    r.add_file(entries, "test.toml").unwrap();
    r
}

fn award(product: &str, maker: &str, price: f64) -> String {
    format!(
        "[[entry]]\nproduct = {product:?}\nmaker = {maker:?}\n[[entry.evidence]]\nkind = \"award\"\nreference = \"TBMT IB0000000001\"\ndate = \"2026-03-15\"\nprice = {price}\n\n"
    )
}

fn best(r: &DomesticRegistry, name: &str) -> f64 {
    r.search(name, "", 0.0)
        .first()
        .map(|m| m.equivalent.score)
        .unwrap_or(0.0)
}

#[test]
fn brand_name_suture_is_the_generic_suture() {
    let r = registry(&award(
        "Chỉ phẫu thuật tự tiêu tổng hợp Polyglactin 910 số 2/0",
        "CPT",
        61331.0,
    ));
    assert!(best(&r, "Chỉ Vicryl 2/0 liền kim") >= STRONG_MATCH);
    // 5/0 is the same kind; the size difference is reported.
    let m = r.search("Chỉ Vicryl 5/0", "", 0.0);
    let top = m.first().unwrap();
    assert!(top.equivalent.score >= STRONG_MATCH, "{top:?}");
    assert!(
        top.equivalent.reason.contains("khác cỡ"),
        "{}",
        top.equivalent.reason
    );
    // Nylon is another material.
    assert!(best(&r, "Chỉ Nilon 2/0") < STRONG_MATCH);
}

#[test]
fn tablet_is_not_laptop() {
    let r = registry(&award("Máy tính xách tay", "Công ty A", 1.0));
    assert!(best(&r, "Máy tính bảng") < STRONG_MATCH);
    assert!(best(&r, "Laptop") >= STRONG_MATCH);
}

#[test]
fn syringe_sizes_match_and_are_reported_but_a_pump_is_not_a_syringe() {
    let r = registry(&award("Bơm tiêm nhựa 5ml", "MPV", 980.0));
    let m = r.search("Bơm tiêm nhựa 50ml", "", 0.0);
    assert!(m[0].equivalent.score >= STRONG_MATCH);
    assert!(
        m[0].equivalent.reason.contains("50ml ≠ 5ml"),
        "{}",
        m[0].equivalent.reason
    );
    assert!(best(&r, "Bơm tiêm điện") < STRONG_MATCH);
    assert!(best(&r, "Bơm tiêm cho ăn 50ml") < STRONG_MATCH);
}

#[test]
fn closed_system_reagent_is_not_generic() {
    let r = registry(&award("Hóa chất pha loãng mẫu", "Công ty B", 1.0));
    let line = "Hóa chất pha loãng mẫu dùng cho máy đông máu tự động Stago";
    assert!(best(&r, line) < STRONG_MATCH);
    let tied = award("Hóa chất pha loãng mẫu", "Công ty C", 1.0).replacen(
        "\n[[entry.evidence]]",
        "\nsystem = \"máy đông máu tự động Stago\"\n[[entry.evidence]]",
        1,
    );
    let r = registry(&tied);
    assert!(best(&r, line) >= STRONG_MATCH);
    assert!(best(&r, "Hóa chất pha loãng mẫu") < STRONG_MATCH);
    assert!(best(&r, "Hóa chất pha loãng mẫu dùng cho máy Sysmex") < STRONG_MATCH);
}

#[test]
fn cotton_is_not_a_bulb_and_absorbent_is_not_non_absorbent() {
    let r = registry(&award("Bông y tế", "Bảo Thạch", 1.0));
    assert!(best(&r, "Bông y tế thấm nước") >= STRONG_MATCH);
    assert!(best(&r, "Bông y tế không thấm nước") < STRONG_MATCH);
    assert!(best(&r, "Bóng") < STRONG_MATCH);
    // Typed without diacritics it still matches.
    assert!(best(&r, "Bong y te") >= STRONG_MATCH);
}

#[test]
fn hs_heading_disagreement_caps_the_score() {
    let text = "[[entry]]\nproduct = \"Máy tính xách tay\"\nhs = \"8471.30.20\"\n[[entry.evidence]]\nkind = \"catalogue\"\nreference = \"TT 04/2012/TT-BKHĐT, Phụ lục I, dòng 195\"\ndate = \"2012-08-13\"\n";
    let r = registry(text);
    let same = r.search("Máy tính xách tay", "84713020", 0.0);
    assert!(same[0].equivalent.score >= STRONG_MATCH);
    assert!(same[0].equivalent.reason.contains("HS trùng 8"));
    let other = r.search("Máy tính xách tay", "90183100", 0.0);
    assert!(other[0].equivalent.score < STRONG_MATCH);
    // A catalogue equivalent has no maker and so counts no domestic maker.
    assert_eq!(same[0].equivalent.maker, "");
}

#[test]
fn entry_without_evidence_is_refused_with_line_and_column() {
    let mut r = DomesticRegistry::new();
    let err = r
        .add_file(
            "\n[[entry]]\nproduct = \"Bơm tiêm\"\nmaker = \"MPV\"\n",
            "mine.toml",
        )
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("mine.toml:2:1"), "{err}");
    assert!(err.contains("chứng cứ"), "{err}");
    let err = r
        .add_file("[[entry]]\nproduct = \"X\"\nmaker = \"M\"\n[[entry.evidence]]\nkind = \"rumour\"\nreference = \"r\"\n", "b.toml")
        .unwrap_err()
        .to_string();
    assert!(err.contains("rumour"), "{err}");
    let err = r
        .add_file("[[entry]]\nproduct = \"X\"\n[[entry.evidence]]\nkind = \"award\"\nreference = \"TBMT 1\"\n", "c.toml")
        .unwrap_err()
        .to_string();
    assert!(err.contains("maker"), "{err}");
}

#[test]
fn lookup_fills_the_equivalent_and_counts_makers() {
    let mut text = award("Bơm tiêm nhựa 5ml", "MPV", 980.0);
    text.push_str(&award("Bơm tiêm nhựa 5ml", "Vinahankook", 900.0));
    text.push_str(
        &award("Bơm tiêm nhựa 5ml", "Vinahankook", 1000.0).replace("IB0000000001", "IB0000000002"),
    );
    let r = registry(&text);
    let mut line = crate::model::PurchaseLine {
        row: 7,
        fields: Default::default(),
        extra: Default::default(),
        section: None,
        name_folded: Default::default(),
    };
    line.fields.insert(
        crate::model::Field::Name,
        crate::model::FieldValue::text("Bơm tiêm 5ml nhựa", "B7"),
    );
    let l = r.lookup(&line);
    assert_eq!(l.domestic_makers(), 2, "{l:?}");
    let e = l.equivalents.iter().find(|e| e.maker == "MPV").unwrap();
    assert_eq!(e.price_min, Some(980.0));
    assert!(
        e.evidence
            .reference
            .contains("TBMT IB0000000001, 2026-03-15, 980 đ"),
        "{}",
        e.evidence.reference
    );
    assert!(!r.hash().is_empty());
}

#[test]
fn registry_is_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<DomesticRegistry>();
}
