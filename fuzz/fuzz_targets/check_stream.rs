//! Any bytes through the streaming check (`Engine::check_reader`), one thread or three (read
//! ahead, merge pre-pass beside the reader, each sheet's cells read on a thread of their own,
//! lines on workers): never a panic, every refusal names the file, and three threads give
//! exactly the one-thread answer. So does the browser's way for an xlsx: cells read into
//! messages (`read::cells`), checked from them (`Engine::check_cells`).
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
    let opts = CheckOptions {
        as_of: None,
        today: Date::parse("2026-06-01").expect("date"),
        lang: Lang::Vi,
        threads: 1,
    };
    if let Some(format) = engine().reads_as_cells(file, name) {
        let mut msgs = Vec::new();
        let limits = hangviet_core::read::Limits::default();
        let cursor = std::io::Cursor::new(file);
        hangviet_core::read::cells::read_xlsx(cursor, name, &limits, &mut |m| {
            msgs.push(m);
            true
        });
        let mut msgs = msgs.into_iter();
        let next = || {
            let m = msgs.next();
            async move { Ok(m) }
        };
        let mut findings = Vec::new();
        let got = {
            let mut sink = |f| findings.push(f);
            let check = engine().check_cells(file, next, name, String::new(), format, &opts, &mut sink);
            let mut check = std::pin::pin!(check);
            let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
            let std::task::Poll::Ready(got) = std::future::Future::poll(check.as_mut(), &mut cx)
            else {
                panic!("the check waited with every message given");
            };
            got
        };
        match got {
            // No table (or too many messages to keep): the whole-file reader's to do.
            Ok(None) => {}
            Ok(Some(input)) => {
                assert_eq!(one.0, Ok(input));
                assert_eq!(one.1, findings);
            }
            Err(e) => assert_eq!(one.0, Err(e.to_string())),
        }
    }
});
