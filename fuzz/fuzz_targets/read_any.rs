//! Any bytes, under any of the supported file names, through read → layout → normalise.
//! The first byte picks the extension (the sniffer decides the format from the bytes; the
//! name only breaks ties), the rest is the file.
#![no_main]

use hangviet_core::inspect::inspect_with_limits;
use hangviet_core::normalize::Tables;
use hangviet_core::read::Limits;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

const NAMES: [&str; 8] = [
    "f.xlsx", "f.xlsm", "f.xlsb", "f.xls", "f.ods", "f.csv", "f.tsv", "f.txt",
];

fn tables() -> &'static Tables {
    static T: OnceLock<Tables> = OnceLock::new();
    T.get_or_init(|| Tables::embedded().expect("embedded tables"))
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, file)) = data.split_first() else {
        return;
    };
    let name = NAMES[pick as usize % NAMES.len()];
    // Bounds a little tighter than the defaults so a run stays within -rss_limit_mb.
    let limits = Limits {
        max_cells: 2_000_000,
        ..Limits::default()
    };
    match inspect_with_limits(file, name, tables(), &limits) {
        Ok(book) => assert_eq!(book.file, name),
        Err(e) => {
            let msg = e.to_string();
            // Every refusal names the file and gives a reason.
            assert!(msg.starts_with(name), "{msg}");
            assert!(msg.len() > name.len() + 4, "{msg}");
        }
    }
});
