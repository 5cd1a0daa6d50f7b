//! User tables that extend the embedded ones: origin aliases (first byte even) and header
//! synonyms (odd); afterwards classification and header lookup must still work.
#![no_main]

use hangviet_core::layout::HeaderTable;
use hangviet_core::normalize::origin::OriginTable;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn base() -> &'static (OriginTable, HeaderTable) {
    static T: OnceLock<(OriginTable, HeaderTable)> = OnceLock::new();
    T.get_or_init(|| {
        (
            OriginTable::embedded().expect("origins"),
            HeaderTable::embedded().expect("headers"),
        )
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let (mut origins, mut headers) = base().clone();
    let r = if pick % 2 == 0 {
        origins.extend_from_toml(text, "origins.toml")
    } else {
        headers.extend_from_toml(text, "headers.toml")
    };
    if let Err(e) = r {
        let msg = e.to_string();
        assert!(
            msg.starts_with("origins.toml") || msg.starts_with("headers.toml"),
            "{msg}"
        );
    }
    for (o, m) in [("Trung Quốc / Việt Nam", "Hãng X"), (text, text), ("G7", "")] {
        let _ = origins.classify(o, m);
    }
    let _ = headers.field_for("Xuất xứ");
    let _ = headers.field_for(text);
});
