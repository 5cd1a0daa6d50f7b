//! The domestic-equivalents registry file (TOML `[[entry]]` tables) through the checking parser
//! and into a registry, then searched.
#![no_main]

use hangviet_core::equivalents::DomesticRegistry;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut reg = DomesticRegistry::new();
    match reg.add_file(text, "reg.toml") {
        Ok(()) => {
            let _ = reg.search("máy tính xách tay", "8471", 0.5);
        }
        Err(e) => assert!(e.to_string().starts_with("reg.toml"), "{e}"),
    }
});
