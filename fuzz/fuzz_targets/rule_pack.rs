//! Rule-pack parser: the input is `pack.toml` and a rule file separated by a NUL byte; every
//! file the manifest names reads as that rule file.
#![no_main]

use hangviet_core::rules::Pack;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (manifest, rules) = text.split_once('\0').unwrap_or((text, ""));
    let read = |name: &str| -> Option<String> {
        if name == "pack.toml" {
            Some(manifest.to_string())
        } else if name.contains("missing") {
            None
        } else {
            Some(rules.to_string())
        }
    };
    match Pack::load("pack", &read) {
        Ok(pack) => {
            for r in &pack.rules {
                assert!(!r.code.is_empty());
            }
        }
        Err(e) => assert!(e.to_string().starts_with("pack/"), "{e}"),
    }
});
