//! An xlsx/xlsm workbook's cells as messages, for reading in one place and building rows in
//! another: the browser's page reads the file in one worker and checks it in a second (wasm has
//! no threads, and workers share no memory, so what passes between them is bytes).
//!
//! `read_xlsx` (reading side) opens the book and packs each sheet's cells; `merges` (checking
//! side, meanwhile) finds the merged ranges, which xlsx stores after the cells: a pass over the
//! sheets' bytes that the reading side no longer makes before its first message; `Rows`
//! (checking side) turns the messages back into the calls a `RowSink` gets, the same calls
//! `stream_xlsx` makes for the same file, errors included.
//!
//! A message is a tag byte, then: START: the sheet's name, hidden and last flags; CELLS: a
//! packed batch (`Packed::write_to`); END; FAILED: the error's parts.

use super::packed::{read_varint, varint, Packed};
use super::xlsx_stream::{put_cells, Bounds, RowBuilder, SheetAt};
use super::{Limits, RowSink};
use crate::{Error, Result};
use std::io::{Read, Seek};

/// Each worksheet's merged ranges, by sheet name (`merges`).
pub use super::xlsx_stream::Merges;

const START: u8 = 1;
const CELLS: u8 = 2;
const END: u8 = 3;
const FAILED: u8 = 4;

/// Read an xlsx/xlsm from `src` and give its cells to `emit` as messages, in order; `emit`
/// answers false when the other side stopped. An error is sent as the last message.
pub fn read_xlsx<R: Read + Seek + Send>(
    src: R,
    file: &str,
    limits: &Limits,
    emit: &mut dyn FnMut(Vec<u8>) -> bool,
) {
    super::xlsx_stream::pack_xlsx(src, file, limits, emit)
}

/// The merges of the workbook in `src` for `Rows`, found while the other side reads its cells;
/// an error here is the check's answer (it comes before any the reading side meets).
pub fn merges<R: Read + Seek>(src: R, file: &str, limits: &Limits) -> Result<Merges> {
    super::xlsx_stream::merges_apart(src, file, limits)
}

pub(super) fn start(name: &str, hidden: bool, last: bool) -> Vec<u8> {
    let mut m = vec![START];
    string(&mut m, name);
    m.push(u8::from(hidden));
    m.push(u8::from(last));
    m
}

pub(super) fn cells(p: &Packed) -> Vec<u8> {
    let mut m = Vec::with_capacity(p.bytes() + 16);
    m.push(CELLS);
    p.write_to(&mut m);
    m
}

pub(super) fn end() -> Vec<u8> {
    vec![END]
}

pub(super) fn failed(e: &Error) -> Vec<u8> {
    let mut m = vec![FAILED];
    match e {
        Error::Unreadable { file, reason } => {
            m.push(0);
            string(&mut m, file);
            string(&mut m, reason);
        }
        Error::NoTable { file, reason } => {
            m.push(1);
            string(&mut m, file);
            string(&mut m, reason);
        }
        Error::Data { location, reason } => {
            m.push(2);
            string(&mut m, location);
            string(&mut m, reason);
        }
    }
    m
}

/// The checking side: messages in, rows out to a sink.
pub struct Rows<'a> {
    file: &'a str,
    limits: &'a Limits,
    merges: &'a Merges,
    /// The sheet being read: its name, rows and bounds.
    sheet: Option<(String, RowBuilder, Bounds)>,
}

impl<'a> Rows<'a> {
    pub fn new(file: &'a str, limits: &'a Limits, merges: &'a Merges) -> Rows<'a> {
        Rows {
            file,
            limits,
            merges,
            sheet: None,
        }
    }

    /// Whether `msg` starts a sheet whose merges `merges` could not find (its part is not where
    /// the workbook says; calamine reads such a sheet's merges with the whole sheet): such a
    /// book is for the whole-file reader.
    pub fn unplaced(&self, msg: &[u8]) -> bool {
        match msg.split_first() {
            Some((&START, body)) => {
                read_string(body, &mut 0).is_some_and(|name| !self.merges.contains_key(&name))
            }
            _ => false,
        }
    }

    /// Whether every sheet started has ended: after the last message, false means the reading
    /// side stopped part-way without saying why (never expected: its errors are messages).
    pub fn finished(&self) -> bool {
        self.sheet.is_none()
    }

    /// One message. Ok(false): the sink asked to stop (tell the reading side). An error is
    /// the reader's, or a message that is not one of ours (never expected: say so, not guess).
    pub fn take(&mut self, msg: &[u8], sink: &mut dyn RowSink) -> Result<bool> {
        let garbled =
            || Error::unreadable(self.file, "lỗi nội bộ khi chuyển các ô giữa hai luồng đọc");
        let (&tag, body) = msg.split_first().ok_or_else(garbled)?;
        let mut at = 0;
        match tag {
            START => {
                let name = read_string(body, &mut at).ok_or_else(garbled)?;
                let flags = body.get(at..at + 2).ok_or_else(garbled)?;
                let (hidden, last) = (flags[0] != 0, flags[1] != 0);
                // A sheet without its merges (`unplaced`) is not for this side to guess.
                let merges = self.merges.get(&name).ok_or_else(garbled)?;
                sink.sheet_start(&name, hidden, last);
                self.sheet = Some((name, RowBuilder::new(merges), Bounds::default()));
                Ok(true)
            }
            CELLS => {
                let cells = Packed::read_from(body).ok_or_else(garbled)?;
                let (name, rows, bounds) = self.sheet.as_mut().ok_or_else(garbled)?;
                let at = SheetAt {
                    file: self.file,
                    name,
                    limits: self.limits,
                };
                put_cells(&cells, rows, bounds, at, sink)
            }
            END => {
                let (_, rows, _) = self.sheet.take().ok_or_else(garbled)?;
                if !rows.finish(sink) {
                    return Ok(false);
                }
                sink.sheet_end();
                Ok(true)
            }
            FAILED => {
                let kind = *body.first().ok_or_else(garbled)?;
                at = 1;
                let a = read_string(body, &mut at).ok_or_else(garbled)?;
                let reason = read_string(body, &mut at).ok_or_else(garbled)?;
                Err(match kind {
                    0 => Error::Unreadable { file: a, reason },
                    1 => Error::NoTable { file: a, reason },
                    _ => Error::Data {
                        location: a,
                        reason,
                    },
                })
            }
            _ => Err(garbled()),
        }
    }
}

fn string(m: &mut Vec<u8>, s: &str) {
    varint(m, s.len() as u64);
    m.extend_from_slice(s.as_bytes());
}

fn read_string(b: &[u8], at: &mut usize) -> Option<String> {
    let n = usize::try_from(read_varint(b, at)?).ok()?;
    let s = std::str::from_utf8(b.get(*at..at.checked_add(n)?)?).ok()?;
    *at += n;
    Some(s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::Value;
    use proptest::prelude::*;

    struct Nothing;
    impl RowSink for Nothing {
        fn sheet_start(&mut self, _: &str, _: bool, _: bool) {}
        fn row(&mut self, _: usize, _: Vec<Value>) -> bool {
            true
        }
        fn sheet_end(&mut self) {}
    }

    proptest! {
        /// Messages come from our own reader, but a wrong one must be an error, never a panic.
        #[test]
        fn any_bytes_are_an_answer_not_a_panic(msgs in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..64), 0..8)) {
            let limits = Limits::default();
            let merges = Merges::new();
            let mut rows = Rows::new("f.xlsx", &limits, &merges);
            for m in &msgs {
                if rows.take(m, &mut Nothing).is_err() {
                    break;
                }
            }
        }
    }

    #[test]
    fn a_sheet_without_its_merges_is_unplaced_not_guessed() {
        let limits = Limits::default();
        let mut merges = Merges::new();
        merges.insert("Có".into(), Vec::new());
        let rows = Rows::new("f.xlsx", &limits, &merges);
        assert!(!rows.unplaced(&start("Có", false, true)));
        assert!(rows.unplaced(&start("Không", false, true)));
        assert!(!rows.unplaced(&end()));
        // Taken anyway, it is an internal error, not a sheet read without its merges.
        let got =
            Rows::new("f.xlsx", &limits, &merges).take(&start("Không", false, true), &mut Nothing);
        assert!(got.unwrap_err().to_string().contains("lỗi nội bộ"));
    }

    #[test]
    fn an_error_keeps_its_kind_and_words() {
        let limits = Limits::default();
        let merges = Merges::new();
        let e = Error::unreadable("f.xlsx, trang \"A\"", "tệp bị hỏng");
        let got = Rows::new("f.xlsx", &limits, &merges).take(&failed(&e), &mut Nothing);
        let got = got.unwrap_err();
        assert!(matches!(got, Error::Unreadable { .. }));
        assert_eq!(got.to_string(), e.to_string());
        // Cells before any sheet started: an internal error that says so.
        let stray = cells(&Packed::default());
        let msg = Rows::new("f.xlsx", &limits, &merges)
            .take(&stray, &mut Nothing)
            .unwrap_err()
            .to_string();
        assert!(msg.starts_with("f.xlsx: lỗi nội bộ"), "{msg}");
    }
}
