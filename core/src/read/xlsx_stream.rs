//! xlsx row by row, for sheets too big to hold: calamine's streaming cell reader feeds one row at
//! a time to a `RowSink`, so neither the whole `Range` nor (from a file) the file's bytes sit in
//! memory.
//!
//! Merged ranges: xlsx stores `<mergeCells>` after the cell data, so a pre-pass inflates each
//! sheet part with `zip` and scans the bytes for `<mergeCell ref="…">` (no XML parsing); the
//! merges are then known before the cells stream and are filled row by row exactly as the
//! in-memory reader (`excel.rs`) fills them.

use super::excel::{guarded, open_error};
use super::packed::{Cell, Packed};
use super::{Limits, Value};
use crate::cell::a1;
use crate::text::nfc;
use crate::{Error, Result};
use calamine::{DataRef, Dimensions, Reader, SheetType, SheetVisible, Xlsx, XlsxCellReader};
use std::collections::HashMap;
use std::io::{Read, Seek, SeekFrom};

/// Receives a workbook's rows in order: `sheet_start`, rows with increasing 0-based index (empty
/// rows left out), `sheet_end`. Returning `false` from `row` stops the read early.
pub trait RowSink {
    /// `last` tells whether this is the last worksheet of the book.
    fn sheet_start(&mut self, name: &str, hidden: bool, last: bool);
    fn row(&mut self, index: usize, row: Vec<Value>) -> bool;
    fn sheet_end(&mut self);
}

/// What the stream did.
#[derive(Debug, PartialEq, Eq)]
pub enum Streamed {
    Done,
    /// The sink asked to stop.
    Stopped,
}

/// Stream every worksheet of an xlsx/xlsm to `sink`.
pub fn stream_xlsx<R: Read + Seek + Send>(
    mut src: R,
    file: &str,
    limits: &Limits,
    sink: &mut dyn RowSink,
) -> Result<Streamed> {
    // Zip bombs and lying string counts are refused before anything is inflated.
    super::zipguard::check(&mut src, file, super::Format::Xlsx, limits)?;
    sequential(src, file, limits, rows_to(sink, false))
}

/// `stream_xlsx`, with the merge pre-pass reading `second` (the same file opened again) on its
/// own thread while the cells stream from `src`: the first sheet's cells wait in a bounded
/// buffer until the merges are known, so the pre-pass costs no time on the reading thread.
#[cfg(not(target_arch = "wasm32"))]
pub fn stream_xlsx_beside<R: Read + Seek + Send, S: Read + Seek + Send>(
    mut src: R,
    second: S,
    file: &str,
    limits: &Limits,
    sink: &mut dyn RowSink,
) -> Result<Streamed> {
    super::zipguard::check(&mut src, file, super::Format::Xlsx, limits)?;
    let beside = std::thread::scope(|scope| {
        let task = scope.spawn(|| {
            super::pipe::yield_to_reader();
            guarded(file, || prepass(second))
        });
        let mut pre = Pre::Running(Some(task));
        match stream_book(&mut src, file, limits, &mut pre, rows_to(sink, true)) {
            // The sequential read meets the pre-pass's error first: report that one, so the
            // answer does not depend on the threads.
            Ok(Err(e)) => Ok(Err(pre.wait(file).err().unwrap_or(e))),
            other => other,
        }
    });
    match beside {
        // The pre-pass could not place the first sheet's part: read it as `stream_xlsx` does
        // (nothing of that sheet has gone to the sink but its start).
        Err(Redo) => sequential(src, file, limits, rows_to(sink, false)),
        Ok(r) => r,
    }
}

/// The merge pre-pass first, then each sheet to `each` (rows to a sink, or messages).
fn sequential<R: Read + Seek + Send>(
    src: R,
    file: &str,
    limits: &Limits,
    each: impl FnMut(
        &mut Xlsx<&mut R>,
        SheetOf<'_>,
        &mut Pre<'_, ()>,
    ) -> std::result::Result<Result<bool>, Redo>,
) -> Result<Streamed> {
    let (merges, mut src) = prepassed(src, file)?;
    let mut pre: Pre<'_, ()> = Pre::Done(merges);
    stream_book(&mut src, file, limits, &mut pre, each)
        .unwrap_or_else(|Redo| Err(Error::unreadable(file, "lỗi nội bộ khi đọc các ô gộp")))
}

/// The cells of every worksheet of an xlsx/xlsm as messages (`read::cells`), for rows built
/// elsewhere: each sheet's cells packed. The merges are not looked for here: the other side
/// finds them (`merges_apart`) while this one reads. `emit` answers false when the other side
/// stopped. An error is the last message.
pub(super) fn pack_xlsx<R: Read + Seek + Send>(
    mut src: R,
    file: &str,
    limits: &Limits,
    emit: &mut dyn FnMut(Vec<u8>) -> bool,
) {
    let each = |book: &mut Xlsx<&mut R>, sheet: SheetOf<'_>, _: &mut Pre<'_, ()>| {
        let at = sheet.at;
        if !emit(super::cells::start(at.name, sheet.hidden, sheet.last)) {
            return Ok(Ok(false));
        }
        let mut cells = match book.worksheet_cells_reader(at.name) {
            Ok(c) => c,
            Err(e) => return Ok(Err(at.open_error(e))),
        };
        let mut batch = Packed::with_capacity(MESSAGE_ROOM);
        let mut send = |p: &mut Packed| {
            let go = emit(super::cells::cells(p));
            p.clear();
            go
        };
        Ok(
            match pack_cells(&mut cells, at, MESSAGE_BYTES, &mut batch, &mut send) {
                Ok(true) => Ok(emit(super::cells::end())),
                other => other,
            },
        )
    };
    let read = super::zipguard::check(&mut src, file, super::Format::Xlsx, limits).and_then(|()| {
        stream_book(&mut src, file, limits, &mut Pre::Away, each)
            .unwrap_or_else(|Redo| Err(Error::unreadable(file, "lỗi nội bộ khi đọc các ô gộp")))
    });
    if let Err(e) = read {
        emit(super::cells::failed(&e));
    }
}

/// The merges `pack_xlsx` leaves out, found by the side that builds the rows: what `sequential`
/// does before its first sheet (the zip guard, then the pre-pass), with its errors, which come
/// before any of the reading side's.
pub(super) fn merges_apart<R: Read + Seek>(
    mut src: R,
    file: &str,
    limits: &Limits,
) -> Result<Merges> {
    super::zipguard::check(&mut src, file, super::Format::Xlsx, limits)?;
    prepassed(src, file).map(|(merges, _)| merges)
}

/// The pre-pass from the file's start: merges of every sheet part, by sheet name, and the
/// reader handed back; its failures worded as `sequential` reports them.
fn prepassed<R: Read + Seek>(mut src: R, file: &str) -> Result<(Merges, R)> {
    src.seek(SeekFrom::Start(0))
        .map_err(|e| open_error(file, e))?;
    guarded(file, || prepass(src))?.map_err(|e| open_error(file, e))
}

/// A worksheet as `stream_book` gives it to the work done on each.
struct SheetOf<'a> {
    at: SheetAt<'a>,
    hidden: bool,
    last: bool,
    /// None while the pre-pass beside is still working.
    merges: Option<Vec<Dimensions>>,
}

/// Each sheet's rows to `sink` (the cells read on a thread of their own when `split`).
fn rows_to<'k, R: Read + Seek + Send, S>(
    sink: &'k mut dyn RowSink,
    split: bool,
) -> impl FnMut(
    &mut Xlsx<&mut R>,
    SheetOf<'_>,
    &mut Pre<'_, S>,
) -> std::result::Result<Result<bool>, Redo>
       + 'k {
    move |book, sheet, pre| {
        sink.sheet_start(sheet.at.name, sheet.hidden, sheet.last);
        let go = stream_sheet(book, sheet.at, sheet.merges, pre, sink, split)?;
        if matches!(go, Ok(true)) {
            sink.sheet_end();
        }
        Ok(go)
    }
}

/// What the pre-pass's thread gives back: the merges and its reader, or why it failed.
type Prepassed<S> = Result<std::result::Result<(Merges, S), String>>;

/// The merge pre-pass: its answer, or the thread still working it out.
#[cfg_attr(target_arch = "wasm32", allow(dead_code))]
enum Pre<'s, S> {
    Done(Merges),
    Running(Option<std::thread::ScopedJoinHandle<'s, Prepassed<S>>>),
    /// The merges are found where the rows are built (`read::cells`): not waited for here.
    Away,
}

/// The pre-pass beside could not place a sheet's part while that sheet's cells were held:
/// start again without it.
struct Redo;

impl<S> Pre<'_, S> {
    fn ready(&self) -> bool {
        match self {
            Pre::Done(_) => true,
            Pre::Running(t) => t.as_ref().is_none_or(|t| t.is_finished()),
            Pre::Away => false,
        }
    }

    fn wait(&mut self, file: &str) -> Result<&Merges> {
        if let Pre::Running(task) = self {
            let merges = match task.take().map(|t| t.join()) {
                Some(Ok(done)) => done?.map_err(|e| open_error(file, e))?.0,
                Some(Err(_)) => {
                    return Err(Error::unreadable(file, "lỗi nội bộ khi đọc các ô gộp"))
                }
                None => Merges::new(),
            };
            *self = Pre::Done(merges);
        }
        match self {
            Pre::Done(m) => Ok(m),
            Pre::Running(_) | Pre::Away => {
                Err(Error::unreadable(file, "lỗi nội bộ khi đọc các ô gộp"))
            }
        }
    }
}

/// Open the book and hand each worksheet, with its merges from `pre`, to `each` (false: stop).
fn stream_book<R: Read + Seek + Send, S>(
    src: &mut R,
    file: &str,
    limits: &Limits,
    pre: &mut Pre<'_, S>,
    mut each: impl FnMut(
        &mut Xlsx<&mut R>,
        SheetOf<'_>,
        &mut Pre<'_, S>,
    ) -> std::result::Result<Result<bool>, Redo>,
) -> std::result::Result<Result<Streamed>, Redo> {
    if let Err(e) = src.seek(SeekFrom::Start(0)) {
        return Ok(Err(open_error(file, e)));
    }
    let mut book: Xlsx<&mut R> = match guarded(file, || Xlsx::new(&mut *src)) {
        Ok(Ok(b)) => b,
        Ok(Err(e)) => return Ok(Err(open_error(file, e))),
        Err(e) => return Ok(Err(e)),
    };
    let metas: Vec<calamine::Sheet> = book.sheets_metadata().to_vec();
    if metas.len() > limits.max_sheets {
        return Ok(Err(Error::unreadable(
            file,
            format!(
                "tệp có {} trang tính, vượt giới hạn {}",
                metas.len(),
                limits.max_sheets
            ),
        )));
    }
    let worksheets: Vec<&calamine::Sheet> = metas
        .iter()
        .filter(|m| m.typ == SheetType::WorkSheet)
        .collect();
    for (k, meta) in worksheets.iter().enumerate() {
        let name = meta.name.as_str();
        // Known merges (the pre-pass is done; calamine parses them when it could not place
        // the sheet's part), or None while the pre-pass beside is still working.
        let merges = if pre.ready() {
            let known = match pre.wait(file) {
                Ok(m) => m.get(name).cloned(),
                Err(e) => return Ok(Err(e)),
            };
            Some(match known {
                Some(m) => m,
                None => match guarded(file, || {
                    book.merge_cells_by_sheet_name(name).unwrap_or_default()
                }) {
                    Ok(m) => m,
                    Err(e) => return Ok(Err(e)),
                },
            })
        } else {
            None
        };
        let sheet = SheetOf {
            at: SheetAt { file, name, limits },
            hidden: meta.visible != SheetVisible::Visible,
            last: k + 1 == worksheets.len(),
            merges,
        };
        let go = match guarded(file, || each(&mut book, sheet, pre)) {
            Ok(Ok(Ok(go))) => go,
            Ok(Ok(Err(e))) | Err(e) => return Ok(Err(e)),
            Ok(Err(Redo)) => return Err(Redo),
        };
        if !go {
            return Ok(Ok(Streamed::Stopped));
        }
    }
    Ok(Ok(Streamed::Done))
}

/// The sheet being read, for its errors and bounds.
#[derive(Clone, Copy)]
pub(super) struct SheetAt<'a> {
    pub(super) file: &'a str,
    pub(super) name: &'a str,
    pub(super) limits: &'a Limits,
}

impl SheetAt<'_> {
    fn open_error(&self, e: impl std::fmt::Display) -> Error {
        open_error(&format!("{}, trang \"{}\"", self.file, self.name), e)
    }
}

fn stream_sheet<R: Read + Seek + Send, S>(
    book: &mut Xlsx<R>,
    at: SheetAt<'_>,
    merges: Option<Vec<Dimensions>>,
    pre: &mut Pre<'_, S>,
    sink: &mut dyn RowSink,
    split: bool,
) -> std::result::Result<Result<bool>, Redo> {
    let mut cells = match book.worksheet_cells_reader(at.name) {
        Ok(c) => c,
        Err(e) => return Ok(Err(at.open_error(e))),
    };
    #[cfg(not(target_arch = "wasm32"))]
    if split {
        return split::sheet(cells, at, merges, pre, sink);
    }
    let _ = split;
    let merges = match merges_of(merges, pre, at)? {
        Ok(m) => m,
        Err(e) => return Ok(Err(e)),
    };
    let mut rows = RowBuilder::new(&merges);
    let mut bounds = Bounds::default();
    loop {
        let cell = match cells.next_cell() {
            Ok(Some(c)) => c,
            Ok(None) => break,
            Err(e) => return Ok(Err(at.open_error(e))),
        };
        let (r, c) = cell.get_position();
        let v = convert(cell.get_value());
        if matches!(v, Value::Empty) {
            continue;
        }
        match put_cell(r, c, v, &mut rows, &mut bounds, at, sink) {
            Ok(true) => {}
            other => return Ok(other),
        }
    }
    Ok(Ok(rows.finish(sink)))
}

/// One cell into its row, checked the same way on every path: the text as it will be used,
/// then the sheet's size. Ok(false): the sink asked to stop.
fn put_cell(
    r: u32,
    c: u32,
    v: Value,
    rows: &mut RowBuilder,
    bounds: &mut Bounds,
    at: SheetAt<'_>,
    sink: &mut dyn RowSink,
) -> Result<bool> {
    if let Value::Text(t) = &v {
        if let Some(e) = too_long(t, r, c, at) {
            return Err(e);
        }
    }
    if let Some(e) = bounds.grow(r, c, at) {
        return Err(e);
    }
    Ok(rows.put(r, c, v, sink))
}

/// A cell's text longer than the limit (bytes first: counting characters costs more).
fn too_long(t: &str, r: u32, c: u32, at: SheetAt<'_>) -> Option<Error> {
    let max = at.limits.max_cell_chars;
    (t.len() > max && t.chars().count() > max).then(|| {
        Error::unreadable(
            at.file,
            format!(
                "trang \"{}\", ô {}: nội dung dài quá {max} ký tự",
                at.name,
                a1(r, c)
            ),
        )
    })
}

/// The rectangle the cells seen so far span: a sheet's declared size can lie, its cells cannot.
#[derive(Default)]
pub(super) struct Bounds(Option<(u32, u32, u32)>); // first row, min col, max col

impl Bounds {
    fn grow(&mut self, r: u32, c: u32, at: SheetAt<'_>) -> Option<Error> {
        let (r0, c0, c1) = self.0.get_or_insert((r, c, c));
        *c0 = (*c0).min(c);
        *c1 = (*c1).max(c);
        let h = u64::from(r.saturating_sub(*r0)) + 1;
        let w = u64::from(*c1 - *c0) + 1;
        let max = at.limits.max_streamed_cells;
        (h * w > max).then(|| {
            Error::unreadable(
                at.file,
                format!(
                    "trang \"{}\" có hơn {h} dòng × {w} cột = {} ô, vượt giới hạn {max} ô; hãy xoá các dòng/cột thừa hoặc tách tệp",
                    at.name,
                    h * w
                ),
            )
        })
    }
}

/// The merges of a sheet: `known` already, or from the pre-pass beside (waiting for it).
fn merges_of<S>(
    known: Option<Vec<Dimensions>>,
    pre: &mut Pre<'_, S>,
    at: SheetAt<'_>,
) -> std::result::Result<Result<Vec<Dimensions>>, Redo> {
    if let Some(m) = known {
        return Ok(Ok(m));
    }
    match pre.wait(at.file) {
        Ok(m) => match m.get(at.name) {
            Some(m) => Ok(Ok(m.clone())),
            None => Err(Redo),
        },
        Err(e) => Ok(Err(e)),
    }
}

/// Bytes of packed cells per batch handed from the reading thread to the rows side, and the
/// room a batch is made with: it ends at the first cell past BATCH_BYTES (a rare long one
/// grows it).
#[cfg(not(target_arch = "wasm32"))]
const BATCH_BYTES: usize = 64 << 10;
#[cfg(not(target_arch = "wasm32"))]
const BATCH_ROOM: usize = BATCH_BYTES + 1024;
/// The same for a message to another worker (the browser's reader): each one costs both
/// workers a hand-over, and four times fewer took a 100k-row page from 0.80–0.86 s to 0.76 s.
const MESSAGE_BYTES: usize = 256 << 10;
const MESSAGE_ROOM: usize = MESSAGE_BYTES + 1024;

/// Read a sheet's cells with calamine and pack them into `batch`; `send` gets it each time it
/// holds `full` bytes, and at the end, and answers false when the other side stopped (then so
/// does this).
/// Ok(false): stop reading the file. The bounds are checked on the rows side (`put_cells`), in
/// the cells' order, so an error names the same cell as read inline; an error here (or a panic
/// in the reader) comes after the cells read before it were sent, as inline those were checked
/// first. A text over the length limit is the last cell read: the rows side stops there, and
/// reading on would only copy more of it (one shared string can fill a batch per cell).
fn pack_cells<RS: Read + Seek>(
    cells: &mut XlsxCellReader<'_, RS>,
    at: SheetAt<'_>,
    full: usize,
    batch: &mut Packed,
    send: &mut dyn FnMut(&mut Packed) -> bool,
) -> Result<bool> {
    let read = guarded(at.file, || -> Result<bool> {
        loop {
            let cell = match cells.next_cell() {
                Ok(Some(c)) => c,
                Ok(None) => return Ok(true),
                Err(e) => return Err(at.open_error(e)),
            };
            let (r, c) = cell.get_position();
            if pack(batch, r, c, cell.get_value(), at) {
                return Ok(false);
            }
            if batch.bytes() >= full && !send(batch) {
                return Ok(false);
            }
        }
    })
    .and_then(|r| r);
    if batch.cells() > 0 && !send(batch) {
        return Ok(false);
    }
    read
}

/// One cell into the batch, as `convert` would make it (text is made NFC on the rows side).
/// True when it is a text over the length limit (counted as the rows side will count it).
fn pack(batch: &mut Packed, r: u32, c: u32, d: &DataRef, at: SheetAt<'_>) -> bool {
    let cell = match d {
        DataRef::Empty => return false,
        DataRef::Int(i) => Cell::Number(*i as f64),
        DataRef::Float(f) => Cell::Number(*f),
        DataRef::String(s) => Cell::Text(s),
        DataRef::SharedString(s) => Cell::Text(s),
        DataRef::Bool(b) => Cell::Bool(*b),
        DataRef::DurationIso(s) => Cell::Verbatim(s),
        DataRef::DateTimeIso(s) => Cell::Date(s),
        // Rare in award sheets: made here, then packed.
        DataRef::DateTime(_) | DataRef::Error(_) => {
            let v = convert(d);
            if let Some(cell) = Cell::of(&v) {
                batch.push(r, c, cell);
            }
            return false;
        }
    };
    batch.push(r, c, cell);
    let max = at.limits.max_cell_chars;
    match cell {
        Cell::Text(t) if t.len() > max => nfc(t).chars().count() > max,
        Cell::Verbatim(t) if t.len() > max => t.chars().count() > max,
        _ => false,
    }
}

/// A batch of packed cells into rows, checked as read inline: the text as it will be used,
/// then the sheet's size. Ok(false): the sink asked to stop.
pub(super) fn put_cells(
    cells: &Packed,
    rows: &mut RowBuilder,
    bounds: &mut Bounds,
    at: SheetAt<'_>,
    sink: &mut dyn RowSink,
) -> Result<bool> {
    let mut given = 0;
    for (r, c, cell) in cells.iter() {
        given += 1;
        if !put_cell(r, c, cell.into_value(), rows, bounds, at, sink)? {
            return Ok(false);
        }
    }
    if given != cells.cells() {
        // Never expected (the buffer is our own); a short read must not pass for the sheet.
        return Err(Error::unreadable(at.file, "lỗi nội bộ khi đọc các ô"));
    }
    Ok(true)
}

/// Two threads for a sheet: one reads the cells with calamine and packs them, this one builds
/// the rows. Reading is the one step a check waits for (on two cores the checking keeps up);
/// the strings a row needs were made on the reading thread and freed on others, and their
/// cost, with the memory they left cold for calamine, was a fifth of its time.
#[cfg(not(target_arch = "wasm32"))]
mod split {
    use super::*;
    use std::sync::mpsc::{channel, sync_channel, Receiver, Sender, SyncSender};

    /// Batches in flight: at most 16 MB of cells wait (~1.1 million cells of an award sheet).
    /// They are what the reading gets through while the pre-pass inflates a million-row sheet
    /// for its merges; then the reading waits. With the row queue after this one a million-row
    /// check stays near 55 MB (bound: 64 MB).
    const QUEUE: usize = 256;

    enum Batch {
        Cells(Packed),
        Failed(Error),
    }

    pub(super) fn sheet<RS: Read + Seek + Send, S>(
        cells: XlsxCellReader<'_, RS>,
        at: SheetAt<'_>,
        merges: Option<Vec<Dimensions>>,
        pre: &mut Pre<'_, S>,
        sink: &mut dyn RowSink,
    ) -> std::result::Result<Result<bool>, Redo> {
        let (tx, rx) = sync_channel(QUEUE);
        let (back_tx, back_rx) = channel();
        std::thread::scope(|s| {
            let reading = s.spawn(move || read(cells, at, tx, back_rx));
            // Returning drops the receiver: a reading thread still at work stops at its next
            // send.
            let built = build(rx, back_tx, at, merges, pre, sink);
            match (reading.join(), built) {
                (Ok(()), built) => built,
                (Err(_), Err(Redo)) => Err(Redo),
                (Err(_), Ok(Err(e))) => Ok(Err(e)),
                (Err(_), Ok(Ok(_))) => Ok(Err(Error::unreadable(
                    at.file,
                    "lỗi nội bộ khi đọc tệp (luồng đọc dừng đột ngột); hãy báo lỗi kèm tệp này",
                ))),
            }
        })
    }

    /// The reading thread: batches go over the queue and come back empty to be filled again.
    fn read<RS: Read + Seek>(
        mut cells: XlsxCellReader<'_, RS>,
        at: SheetAt<'_>,
        tx: SyncSender<Batch>,
        back: Receiver<Packed>,
    ) {
        let mut batch = Packed::with_capacity(BATCH_ROOM);
        let mut send = |p: &mut Packed| {
            let next = back
                .try_recv()
                .unwrap_or_else(|_| Packed::with_capacity(BATCH_ROOM));
            tx.send(Batch::Cells(std::mem::replace(p, next))).is_ok()
        };
        if let Err(e) = pack_cells(&mut cells, at, BATCH_BYTES, &mut batch, &mut send) {
            let _ = tx.send(Batch::Failed(e));
        }
    }

    /// This thread: the merges (waiting for the pre-pass while the queue fills), then rows.
    fn build<S>(
        rx: Receiver<Batch>,
        back: Sender<Packed>,
        at: SheetAt<'_>,
        merges: Option<Vec<Dimensions>>,
        pre: &mut Pre<'_, S>,
        sink: &mut dyn RowSink,
    ) -> std::result::Result<Result<bool>, Redo> {
        let merges = match merges_of(merges, pre, at)? {
            Ok(m) => m,
            Err(e) => return Ok(Err(e)),
        };
        let mut rows = RowBuilder::new(&merges);
        let mut bounds = Bounds::default();
        for batch in rx {
            let mut cells = match batch {
                Batch::Cells(p) => p,
                Batch::Failed(e) => return Ok(Err(e)),
            };
            match put_cells(&cells, &mut rows, &mut bounds, at, sink) {
                Ok(true) => {}
                other => return Ok(other),
            }
            cells.clear();
            let _ = back.send(cells);
        }
        Ok(Ok(rows.finish(sink)))
    }
}

/// A merged range and, once its first row has been seen, the value it spreads.
struct Active {
    order: usize,
    m: Dimensions,
    value: Option<Value>,
}

/// Assembles cells into rows and fills merged ranges the way `excel::fill_merges` does.
pub(super) struct RowBuilder {
    /// Merges not yet reached, sorted by first row (then file order), consumed from the front.
    pending: Vec<(usize, Dimensions)>,
    next_pending: usize,
    active: Vec<Active>,
    row: Option<u32>,
    cells: Vec<Value>,
    /// The next row index not yet emitted (rows before it were emitted or were empty).
    emitted_to: u32,
}

/// Cells a merge may fill across (as in excel.rs: a hostile file may declare a huge merge).
const MAX_MERGE_WIDTH: usize = 16_384;
/// Columns a row may reach: Excel's own limit.
const MAX_COLS: u32 = 16_384;

impl RowBuilder {
    pub(super) fn new(merges: &[Dimensions]) -> Self {
        let mut pending: Vec<(usize, Dimensions)> = merges
            .iter()
            .copied()
            .enumerate()
            .filter(|(_, m)| m.end.0 >= m.start.0 && m.end.1 >= m.start.1)
            .collect();
        pending.sort_by_key(|(i, m)| (m.start.0, *i));
        RowBuilder {
            pending,
            next_pending: 0,
            active: Vec::new(),
            row: None,
            cells: Vec::new(),
            emitted_to: 0,
        }
    }

    fn put(&mut self, r: u32, c: u32, v: Value, sink: &mut dyn RowSink) -> bool {
        if c >= MAX_COLS {
            return true;
        }
        match self.row {
            Some(cur) if r < cur => return true, // out of order: not a valid sheet; ignore
            Some(cur) if r > cur => {
                if !self.flush(sink) {
                    return false;
                }
                self.row = Some(r);
            }
            None => self.row = Some(r),
            _ => {}
        }
        let c = c as usize;
        match self.cells.get_mut(c) {
            Some(slot) => *slot = v,
            // Cells come in column order: the next one usually goes on the end, no gap to fill.
            None => {
                self.cells.resize(c, Value::Empty);
                self.cells.push(v);
            }
        }
        true
    }

    /// Emit the row being built, and before it any empty rows a merge fills.
    fn flush(&mut self, sink: &mut dyn RowSink) -> bool {
        let Some(r) = self.row.take() else {
            return true;
        };
        if !self.gap_rows(r, sink) {
            return false;
        }
        // The next row is likely as wide as this one: start it at that size.
        let width = self.cells.len();
        let mut cells = std::mem::replace(&mut self.cells, Vec::with_capacity(width));
        while matches!(cells.last(), Some(Value::Empty)) {
            cells.pop();
        }
        self.fill(r, &mut cells);
        self.emitted_to = r + 1;
        if cells.is_empty() {
            return true;
        }
        sink.row(r as usize, cells)
    }

    /// Rows without cells between the last emitted row and `upto` that a merge reaches.
    fn gap_rows(&mut self, upto: u32, sink: &mut dyn RowSink) -> bool {
        while self.emitted_to < upto {
            let r = self.emitted_to;
            self.activate(r);
            self.active.retain(|a| a.m.end.0 >= r);
            // A merge starting on a row without cells spreads nothing; jump to the next start.
            if self.active.iter().all(|a| a.value.is_none()) {
                let next = self
                    .pending
                    .get(self.next_pending)
                    .map_or(upto, |(_, m)| m.start.0);
                self.emitted_to = next.clamp(r + 1, upto);
                continue;
            }
            let mut cells = Vec::new();
            self.fill(r, &mut cells);
            self.emitted_to = r + 1;
            if !cells.is_empty() && !sink.row(r as usize, cells) {
                return false;
            }
        }
        true
    }

    /// Merges whose first row is at or before `r` become active.
    fn activate(&mut self, r: u32) {
        let mut added = false;
        while let Some((order, m)) = self.pending.get(self.next_pending) {
            if m.start.0 > r {
                break;
            }
            self.active.push(Active {
                order: *order,
                m: *m,
                value: None,
            });
            self.next_pending += 1;
            added = true;
        }
        if added {
            self.active.sort_by_key(|a| a.order);
        }
    }

    fn fill(&mut self, r: u32, cells: &mut Vec<Value>) {
        self.activate(r);
        if self.active.is_empty() {
            return;
        }
        self.active.retain(|a| a.m.end.0 >= r);
        for a in &mut self.active {
            let c0 = a.m.start.1 as usize;
            if a.m.start.0 == r {
                a.value = cells.get(c0).filter(|v| !v.is_empty()).cloned();
            }
            let Some(v) = &a.value else { continue };
            let width = (a.m.end.1 as usize - c0 + 1).min(MAX_MERGE_WIDTH);
            let end = c0 + width;
            if cells.len() < end {
                cells.resize(end, Value::Empty);
            }
            for cell in cells.iter_mut().take(end).skip(c0) {
                if cell.is_empty() {
                    *cell = v.clone();
                }
            }
        }
    }

    pub(super) fn finish(mut self, sink: &mut dyn RowSink) -> bool {
        self.flush(sink)
    }
}

/// The same conversion as `excel::convert`, from calamine's borrowed cell values.
fn convert(d: &DataRef) -> Value {
    match d {
        DataRef::Empty => Value::Empty,
        DataRef::Int(i) => Value::Number(*i as f64),
        DataRef::Float(f) => Value::Number(*f),
        DataRef::String(s) => Value::Text(nfc(s)),
        DataRef::SharedString(s) => Value::Text(nfc(s)),
        DataRef::Bool(b) => Value::Bool(*b),
        DataRef::DateTime(dt) => super::excel::datetime(dt),
        DataRef::DateTimeIso(s) => Value::Date(s.clone()),
        DataRef::DurationIso(s) => Value::Text(s.clone()),
        DataRef::Error(e) => Value::Error(format!("#{e:?}")),
    }
}

// ---------- the merge pre-pass ----------

pub type Merges = HashMap<String, Vec<Dimensions>>;

/// Merges per sheet name, from the sheet parts' bytes; the reader is handed back.
fn prepass<R: Read + Seek>(src: R) -> std::result::Result<(Merges, R), String> {
    let mut zip = zip::ZipArchive::new(src).map_err(|e| e.to_string())?;
    let mut out = Merges::new();
    // A book whose parts we cannot locate is left to calamine (the caller asks it per sheet).
    if let Some(paths) = sheet_paths(&mut zip) {
        for (name, path) in paths {
            if let Some(m) = scan_merges(&mut zip, &path) {
                out.insert(name, m);
            }
        }
    }
    Ok((out, zip.into_inner()))
}

fn read_part<R: Read + Seek>(zip: &mut zip::ZipArchive<R>, path: &str) -> Option<String> {
    let f = zip.by_name(path).ok()?;
    let mut s = String::new();
    // Workbook and relationship parts are small; bound them anyway.
    f.take(16 * 1024 * 1024).read_to_string(&mut s).ok()?;
    Some(s)
}

/// The value of attribute `name` (or any `prefix:name` when `name` starts with ':') in a tag.
fn attr<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let mut rest = tag;
    while let Some(eq) = rest.find('=') {
        let key = rest[..eq].trim_end();
        let key = key.rsplit([' ', '\t', '\n', '\r']).next().unwrap_or(key);
        let after = rest[eq + 1..].trim_start();
        let q = after.chars().next()?;
        if q != '"' && q != '\'' {
            return None;
        }
        let body = &after[1..];
        let end = body.find(q)?;
        let matches = if let Some(local) = name.strip_prefix(':') {
            key.rsplit_once(':').is_some_and(|(_, l)| l == local)
        } else {
            key == name
        };
        if matches {
            return Some(&body[..end]);
        }
        rest = &body[end + 1..];
    }
    None
}

fn unescape(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        let Some(semi) = tail.find(';') else {
            out.push_str(tail);
            return out;
        };
        let ent = &tail[1..semi];
        let ch = match ent {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => ent
                .strip_prefix("#x")
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| ent.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match ch {
            Some(c) => out.push(c),
            None => out.push_str(&tail[..=semi]),
        }
        rest = &tail[semi + 1..];
    }
    out.push_str(rest);
    out
}

/// Elements `<name …>` (with or without a namespace prefix) in a small XML part.
fn tags<'a>(xml: &'a str, local: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    xml.split('<').skip(1).filter_map(move |t| {
        let t = t.split('>').next()?;
        let tag_name = t.split([' ', '\t', '\n', '\r', '/']).next()?;
        let l = tag_name.rsplit(':').next()?;
        (l == local).then_some(t)
    })
}

fn resolve(base_dir: &str, target: &str) -> String {
    if let Some(abs) = target.strip_prefix('/') {
        return abs.to_string();
    }
    let mut parts: Vec<&str> = base_dir.split('/').filter(|p| !p.is_empty()).collect();
    for p in target.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

/// Sheet name → part path, from the package relationships and workbook.xml.
fn sheet_paths<R: Read + Seek>(zip: &mut zip::ZipArchive<R>) -> Option<Vec<(String, String)>> {
    let root = read_part(zip, "_rels/.rels")?;
    let wb_path = tags(&root, "Relationship")
        .find(|t| attr(t, "Type").is_some_and(|ty| ty.ends_with("/officeDocument")))
        .and_then(|t| attr(t, "Target"))
        .map(|t| resolve("", t))?;
    let (dir, file) = wb_path.rsplit_once('/').unwrap_or(("", wb_path.as_str()));
    let wb = read_part(zip, &wb_path)?;
    let rels = read_part(
        zip,
        format!("{dir}/_rels/{file}.rels").trim_start_matches('/'),
    )?;
    let targets: HashMap<&str, &str> = tags(&rels, "Relationship")
        .filter_map(|t| Some((attr(t, "Id")?, attr(t, "Target")?)))
        .collect();
    let mut out = Vec::new();
    for t in tags(&wb, "sheet") {
        let (Some(name), Some(id)) = (attr(t, "name"), attr(t, ":id")) else {
            continue;
        };
        let Some(target) = targets.get(id) else {
            continue;
        };
        out.push((unescape(name), resolve(dir, &unescape(target))));
    }
    Some(out)
}

/// `A1` → (row, col), 0-based.
fn parse_a1(s: &str) -> Option<(u32, u32)> {
    let s = s.trim().replace('$', "");
    let split = s.find(|c: char| c.is_ascii_digit())?;
    let (letters, digits) = s.split_at(split);
    if letters.is_empty() || letters.len() > 3 {
        return None;
    }
    let mut col: u32 = 0;
    for b in letters.bytes() {
        if !b.is_ascii_alphabetic() {
            return None;
        }
        col = col * 26 + u32::from(b.to_ascii_uppercase() - b'A' + 1);
    }
    let row: u32 = digits.parse().ok()?;
    Some((row.checked_sub(1)?, col - 1))
}

fn parse_ref(r: &str) -> Option<Dimensions> {
    let (a, b) = r.split_once(':').unwrap_or((r, r));
    let (r0, c0) = parse_a1(a)?;
    let (r1, c1) = parse_a1(b)?;
    Some(Dimensions {
        start: (r0, c0),
        end: (r1, c1),
    })
}

/// Inflate a sheet part and pick out its `<mergeCell ref="…"/>` elements. None when the part is
/// missing (the caller then asks calamine).
fn scan_merges<R: Read + Seek>(
    zip: &mut zip::ZipArchive<R>,
    path: &str,
) -> Option<Vec<Dimensions>> {
    let raw = zip.by_name_raw(path.as_bytes()).ok()?;
    if raw.encrypted() {
        return None; // as the zip crate's own read refuses it
    }
    // Inflated here, without the CRC the zip crate would compare at the part's end (a sixth of
    // this pass in the browser). Neither read ever told a file by it: calamine stops at
    // `</sheetData>`, before the end, and a failed pass here only left the merges to calamine.
    // A damaged deflate stream still fails to inflate, here and in the cells' read.
    match raw.compression() {
        zip::CompressionMethod::Stored => find_merges(raw),
        zip::CompressionMethod::Deflated => find_merges(flate2::bufread::DeflateDecoder::new(
            std::io::BufReader::with_capacity(64 * 1024, raw),
        )),
        _ => None,
    }
}

/// Every `<mergeCell ref="…">` in a sheet part's XML, found without parsing it.
fn find_merges(mut f: impl Read) -> Option<Vec<Dimensions>> {
    const CHUNK: usize = 256 * 1024;
    let finder = memchr::memmem::Finder::new(b"mergeCell ");
    // The start holds what was carried over from the last chunk (an element cut at its end).
    let mut buf = vec![0u8; CHUNK];
    let mut carried = 0;
    let mut out = Vec::new();
    loop {
        if buf.len() < carried + CHUNK {
            buf.resize(carried + CHUNK, 0);
        }
        let n = match f.read(&mut buf[carried..]) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => return None,
        };
        let chunk = &buf[..carried + n];
        let mut keep_from = chunk.len().saturating_sub(9); // a needle cut at the end
        let mut pos = 0;
        while let Some(i) = finder.find(&chunk[pos..]) {
            let at = pos + i;
            match chunk[at..].iter().position(|&b| b == b'>') {
                Some(end) => {
                    if let Ok(tag) = std::str::from_utf8(&chunk[at..at + end]) {
                        if let Some(d) = attr(tag, "ref").and_then(parse_ref) {
                            out.push(d);
                        }
                    }
                    pos = at + end;
                }
                None => {
                    keep_from = at;
                    break;
                }
            }
        }
        let keep_from = keep_from.max(pos).min(chunk.len());
        let len = chunk.len();
        if len - keep_from > 64 * 1024 {
            return None; // no element is this long: not a sheet we understand
        }
        buf.copy_within(keep_from..len, 0);
        carried = len - keep_from;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Gives at most 1 to 13 bytes a read, so every element is cut at every place somewhere.
    struct Trickle<'a>(&'a [u8], usize);

    impl Read for Trickle<'_> {
        fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
            self.1 = self.1 % 13 + 1;
            let n = self.1.min(out.len()).min(self.0.len());
            out[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    #[test]
    fn merges_are_found_wherever_the_reads_cut_them() {
        let mut xml = String::from("<worksheet><sheetData>");
        let mut want = Vec::new();
        for i in 0..3_000u32 {
            // Filler of varying length moves the elements across the 256 KB chunks too.
            xml.push_str(&"<row/>".repeat((i % 37) as usize * 7));
            xml.push_str(&format!(r#"<mergeCell ref="A{}:C{}"/>"#, i + 1, i + 2));
            want.push(((i, 0), (i + 1, 2)));
        }
        xml.push_str("</sheetData></worksheet>");
        assert!(xml.len() > 600 * 1024, "{}", xml.len());
        let found = |got: Option<Vec<Dimensions>>| {
            got.expect("scanned")
                .iter()
                .map(|d| (d.start, d.end))
                .collect::<Vec<_>>()
        };
        assert_eq!(found(find_merges(Trickle(xml.as_bytes(), 0))), want);
        assert_eq!(
            found(find_merges(std::io::Cursor::new(xml.as_bytes()))),
            want
        );
        // An element longer than any real one: not a sheet this understands.
        let long = format!(
            "<mergeCell ref=\"A1:B2\" x=\"{}\"/>",
            "y".repeat(300 * 1024)
        );
        assert!(find_merges(std::io::Cursor::new(long.as_bytes())).is_none());
    }

    #[test]
    fn refs_and_attrs() {
        assert_eq!(parse_a1("B3"), Some((2, 1)));
        assert_eq!(parse_a1("$AA$10"), Some((9, 26)));
        assert_eq!(parse_a1("A0"), None);
        let d = parse_ref("A1:C2").unwrap();
        assert_eq!((d.start, d.end), ((0, 0), (1, 2)));
        let tag = r#"sheet name="Bảng &amp; giá" sheetId="1" r:id="rId3""#;
        assert_eq!(
            attr(tag, "name").map(unescape).as_deref(),
            Some("Bảng & giá")
        );
        assert_eq!(attr(tag, ":id"), Some("rId3"));
        assert_eq!(
            resolve("xl", "worksheets/sheet1.xml"),
            "xl/worksheets/sheet1.xml"
        );
        assert_eq!(resolve("xl", "/xl/worksheets/s.xml"), "xl/worksheets/s.xml");
    }

    #[derive(Debug, Clone, PartialEq)]
    struct Collect(Vec<(usize, Vec<Value>)>);

    /// Rows per sheet as a sink gets them; it asks to stop after `stop_after` rows.
    struct PerSheet {
        sheets: Vec<Collect>,
        stop_after: Option<usize>,
        rows: usize,
    }
    impl RowSink for PerSheet {
        fn sheet_start(&mut self, _: &str, _: bool, _: bool) {
            self.sheets.push(Collect(Vec::new()));
        }
        fn row(&mut self, i: usize, row: Vec<Value>) -> bool {
            if let Some(s) = self.sheets.last_mut() {
                s.0.push((i, row));
            }
            self.rows += 1;
            self.stop_after != Some(self.rows)
        }
        fn sheet_end(&mut self) {}
    }

    /// Stream a workbook, inline (`beside` false: merges first, then the cells on this thread)
    /// or as a check on two cores does (the merge pre-pass beside, each sheet's cells read on a
    /// thread of their own).
    fn streamed(
        bytes: &[u8],
        name: &str,
        limits: &Limits,
        beside: bool,
        stop_after: Option<usize>,
    ) -> (Result<Streamed>, Vec<Collect>) {
        let mut sink = PerSheet {
            sheets: Vec::new(),
            stop_after,
            rows: 0,
        };
        let src = std::io::Cursor::new(bytes);
        let done = if beside {
            stream_xlsx_beside(src, std::io::Cursor::new(bytes), name, limits, &mut sink)
        } else {
            stream_xlsx(src, name, limits, &mut sink)
        };
        (done, sink.sheets)
    }

    /// The same, through messages (`read::cells`): read into messages on one side, rows built
    /// from them on the other, as the browser's two workers do.
    fn via_messages(
        bytes: &[u8],
        name: &str,
        limits: &Limits,
        stop_after: Option<usize>,
    ) -> (Result<Streamed>, Vec<Collect>) {
        let mut msgs = Vec::new();
        super::super::cells::read_xlsx(std::io::Cursor::new(bytes), name, limits, &mut |m| {
            msgs.push(m);
            true
        });
        let mut sink = PerSheet {
            sheets: Vec::new(),
            stop_after,
            rows: 0,
        };
        let merges = match super::super::cells::merges(std::io::Cursor::new(bytes), name, limits) {
            Ok(m) => m,
            Err(e) => return (Err(e), Vec::new()),
        };
        let mut rows = super::super::cells::Rows::new(name, limits, &merges);
        for m in &msgs {
            match rows.take(m, &mut sink) {
                Ok(true) => {}
                Ok(false) => return (Ok(Streamed::Stopped), sink.sheets),
                Err(e) => return (Err(e), sink.sheets),
            }
        }
        (Ok(Streamed::Done), sink.sheets)
    }

    /// A sheet of `rows` award-like lines with merges among the data (an origin over three
    /// rows, a note across three columns), text with marks decomposed (NFD), and a second
    /// sheet: enough cells for many batches between the reading thread and the rows.
    fn big_book(rows: u32, long_at: Option<u32>) -> Vec<u8> {
        use rust_xlsxwriter::{Format, Workbook};
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        let f = Format::new();
        ws.write_string(0, 0, "STT").unwrap();
        ws.write_string(0, 1, "Tên hàng hóa").unwrap();
        ws.write_string(0, 2, "Xuất xứ").unwrap();
        ws.write_string(0, 3, "Đơn giá").unwrap();
        for r in 1..=rows {
            ws.write_number(r, 0, f64::from(r)).unwrap();
            let name = if r % 7 == 0 {
                format!("Gang tay y te\u{302}\u{301} so\u{302}\u{301} {r}")
            } else {
                format!("Găng tay y tế số {r}")
            };
            ws.write_string(r, 1, &name).unwrap();
            if r % 50 == 1 {
                ws.merge_range(r, 2, r + 2, 2, "Việt Nam", &f).unwrap();
            } else if r % 50 > 3 {
                ws.write_string(r, 2, "Malaixia").unwrap();
            }
            if r % 97 == 0 {
                ws.merge_range(r, 3, r, 5, "xem ghi chú", &f).unwrap();
            } else {
                ws.write_number(r, 3, 4_173_680.0 + f64::from(r)).unwrap();
            }
            if long_at == Some(r) {
                ws.write_string(r, 6, "x".repeat(200)).unwrap();
            }
        }
        let ws2 = wb.add_worksheet();
        ws2.write_string(0, 0, "Ghi chú").unwrap();
        ws2.write_string(3, 0, "Hết").unwrap();
        wb.save_to_buffer().unwrap()
    }

    #[test]
    fn cells_read_beside_give_the_same_rows_as_read_inline() {
        let bytes = big_book(6000, None);
        let limits = Limits::default();
        let (done, inline) = streamed(&bytes, "big.xlsx", &limits, false, None);
        assert_eq!(done.unwrap(), Streamed::Done);
        let (done, split) = streamed(&bytes, "big.xlsx", &limits, true, None);
        assert_eq!(done.unwrap(), Streamed::Done);
        assert_eq!(inline.len(), 2);
        assert_eq!(inline[0].0.len(), 6001);
        assert_eq!(split, inline);
        let (done, passed) = via_messages(&bytes, "big.xlsx", &limits, None);
        assert_eq!(done.unwrap(), Streamed::Done);
        assert_eq!(passed, inline);
        // A merge filled among the data, and decomposed marks composed.
        let row = |i: usize| &inline[0].0[i].1;
        assert_eq!(row(3)[2], Value::Text("Việt Nam".into()));
        assert_eq!(row(97)[4], Value::Text("xem ghi chú".into()));
        assert_eq!(row(7)[1], Value::Text("Gang tay y tế số 7".into()));
    }

    /// One long shared string in many cells: the reading stops at the first (the rows side
    /// stops there with its error), instead of copying it into a batch per cell.
    #[test]
    fn a_text_over_the_limit_ends_the_reading() {
        use rust_xlsxwriter::Workbook;
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        ws.write_string(0, 0, "Tên hàng hóa").unwrap();
        let long = "Găng tay ".repeat(600);
        for r in 1..=2000 {
            ws.write_number(r, 0, f64::from(r)).unwrap();
            if r >= 10 {
                ws.write_string(r, 1, &long).unwrap();
            }
        }
        let bytes = wb.save_to_buffer().unwrap();
        let limits = Limits {
            max_cell_chars: 1000,
            ..Limits::default()
        };
        let (inline, rows) = streamed(&bytes, "long.xlsx", &limits, false, None);
        let e = inline.unwrap_err().to_string();
        assert!(e.contains("ô B11") && e.contains("1000 ký tự"), "{e}");
        let (split, split_rows) = streamed(&bytes, "long.xlsx", &limits, true, None);
        assert_eq!(split.unwrap_err().to_string(), e);
        assert_eq!(split_rows, rows);
        let (passed, passed_rows) = via_messages(&bytes, "long.xlsx", &limits, None);
        assert_eq!(passed.unwrap_err().to_string(), e);
        assert_eq!(passed_rows, rows);
        let mut sent = 0;
        super::super::cells::read_xlsx(
            std::io::Cursor::new(&bytes[..]),
            "long.xlsx",
            &limits,
            &mut |m| {
                sent += m.len();
                true
            },
        );
        assert!(sent < long.len() + 1000, "{sent} bytes of messages");
    }

    #[test]
    fn a_sink_that_stops_stops_the_reading_beside() {
        let bytes = big_book(20_000, None);
        let limits = Limits::default();
        // Several full messages of cells, so the stops below fall in the first and a later one.
        let mut full = 0;
        super::super::cells::read_xlsx(
            std::io::Cursor::new(&bytes[..]),
            "big.xlsx",
            &limits,
            &mut |m| {
                full += usize::from(m.len() >= MESSAGE_BYTES);
                true
            },
        );
        assert!(full >= 3, "{full} full messages");
        let (_, all) = streamed(&bytes, "big.xlsx", &limits, false, None);
        for stop in [1, 2500, 15_000] {
            let (done, some) = streamed(&bytes, "big.xlsx", &limits, true, Some(stop));
            assert_eq!(done.unwrap(), Streamed::Stopped);
            assert_eq!(some.len(), 1);
            assert_eq!(some[0].0[..], all[0].0[..stop]);
            let (done, some) = via_messages(&bytes, "big.xlsx", &limits, Some(stop));
            assert_eq!(done.unwrap(), Streamed::Stopped);
            assert_eq!(some[0].0[..], all[0].0[..stop]);
        }
    }

    #[test]
    fn an_error_part_way_is_the_same_beside_after_the_same_rows() {
        let bytes = big_book(6000, Some(4321));
        let limits = Limits {
            max_cell_chars: 100,
            ..Limits::default()
        };
        let (inline, inline_rows) = streamed(&bytes, "big.xlsx", &limits, false, None);
        let (split, split_rows) = streamed(&bytes, "big.xlsx", &limits, true, None);
        let e = inline.unwrap_err().to_string();
        assert!(e.contains("ô G4322") && e.contains("100 ký tự"), "{e}");
        assert_eq!(split.unwrap_err().to_string(), e);
        assert_eq!(split_rows, inline_rows);
        let (passed, passed_rows) = via_messages(&bytes, "big.xlsx", &limits, None);
        assert_eq!(passed.unwrap_err().to_string(), e);
        assert_eq!(passed_rows, inline_rows);
        assert_eq!(inline_rows[0].0.len(), 4321);
        let cells = Limits {
            max_streamed_cells: 3000,
            ..Limits::default()
        };
        let (inline, _) = streamed(&bytes, "big.xlsx", &cells, false, None);
        let (split, _) = streamed(&bytes, "big.xlsx", &cells, true, None);
        let e = inline.unwrap_err().to_string();
        assert!(e.contains("vượt giới hạn 3000 ô"), "{e}");
        assert_eq!(split.unwrap_err().to_string(), e);
        let (passed, _) = via_messages(&bytes, "big.xlsx", &cells, None);
        assert_eq!(passed.unwrap_err().to_string(), e);
        // A file that is not a workbook fails the same way through messages.
        let junk = b"PK\x03\x04 not really a zip";
        let (inline, _) = streamed(junk, "junk.xlsx", &Limits::default(), false, None);
        let (passed, _) = via_messages(junk, "junk.xlsx", &Limits::default(), None);
        assert_eq!(
            passed.unwrap_err().to_string(),
            inline.unwrap_err().to_string()
        );
    }

    /// The streamed rows are the in-memory reader's rows, merges filled, empty rows left out.
    #[test]
    fn same_rows_as_the_in_memory_reader() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/fixtures");
        let mut n = 0;
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.extension().and_then(|x| x.to_str()) != Some("xlsx") {
                continue;
            }
            let bytes = std::fs::read(&p).unwrap();
            let name = p.display().to_string();
            let Ok(book) = super::super::read(&bytes, &name, &Limits::default()) else {
                continue;
            };
            let (done, sheets) = streamed(&bytes, &name, &Limits::default(), false, None);
            done.unwrap();
            // The same rows when each sheet's cells are read on a thread of their own.
            let (done, split) = streamed(&bytes, &name, &Limits::default(), true, None);
            done.unwrap();
            assert_eq!(split, sheets, "{name}: read beside");
            let (done, passed) = via_messages(&bytes, &name, &Limits::default(), None);
            done.unwrap();
            assert_eq!(passed, sheets, "{name}: through messages");
            assert_eq!(sheets.len(), book.sheets.len(), "{name}");
            for (s, raw) in sheets.iter().zip(&book.sheets) {
                let want: Vec<(usize, Vec<Value>)> = raw
                    .rows
                    .iter()
                    .enumerate()
                    .filter(|(_, r)| !r.is_empty())
                    .map(|(i, r)| {
                        let mut r = r.clone();
                        while matches!(r.last(), Some(Value::Empty)) {
                            r.pop();
                        }
                        (i, r)
                    })
                    .collect();
                let mut got = s.0.clone();
                for (_, r) in &mut got {
                    while matches!(r.last(), Some(Value::Empty)) {
                        r.pop();
                    }
                }
                assert_eq!(got, want, "{name} / {}", raw.name);
            }
            n += 1;
        }
        assert!(n >= 3, "fixtures read: {n}");
    }
}
