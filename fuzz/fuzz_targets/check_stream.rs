//! Any bytes through the streaming check (`Engine::check_reader`), one thread or three (read
//! ahead, merge pre-pass beside the reader, lines on workers): never a panic, every refusal
//! names the file, and three threads give exactly the one-thread answer.
#![no_main]

use hangviet_core::engine::{CheckOptions, Engine};
use hangviet_core::rules::cond::Lang;
use hangviet_core::rules::date::Date;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

const NAMES: [&str; 4] = ["f.xlsx", "f.xlsm", "f.csv", "f.tsv"];

fn engine() -> &'static Engine {
    static E: OnceLock<Engine> = OnceLock::new();
    E.get_or_init(|| Engine::embedded().expect("embedded engine"))
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, file)) = data.split_first() else {
        return;
    };
    let name = NAMES[pick as usize % NAMES.len()];
    let run = |threads: usize| {
        let opts = CheckOptions {
            as_of: None,
            today: Date::parse("2026-06-01").expect("date"),
            lang: Lang::Vi,
            threads,
        };
        let mut findings = Vec::new();
        let r = engine().check_reader(
            std::io::Cursor::new(file),
            name,
            String::new(),
            &opts,
            &mut |f| findings.push(f),
        );
        (r.map_err(|e| e.to_string()), findings)
    };
    let one = run(1);
    if let Err(msg) = &one.0 {
        assert!(msg.starts_with(name), "{msg}");
    }
    let three = run(3);
    assert_eq!(one.0, three.0);
    assert_eq!(one.1, three.1);
});
