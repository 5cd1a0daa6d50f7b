//! Read ahead: the reader (inflate, XML, cell conversion) runs on its own thread and hands rows
//! in batches to the sink on the caller's thread, so on two cores reading and checking overlap.
//! Rows arrive in the same order with the same calls as without it. The queue is bounded, so
//! memory stays flat whatever the file's size; when the sink says stop, the reader stops at its
//! next batch. The browser build (no threads) reads inline.

use super::xlsx_stream::{RowSink, Streamed};
use crate::Result;

/// How far the reader may run ahead of the sink.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ahead {
    /// No reader thread: read on the caller's thread.
    Inline,
    /// Many batches: the rows held for the xlsx merge pre-pass are released at once, and
    /// the reader must not wait for the checkers to take them.
    Far,
}

/// Run `read` (which streams a workbook into the sink it is given) with `sink` on this thread.
/// `Ahead::Inline`, or a target without threads, reads inline.
/// `file` names the file in the error should the reader thread die.
pub fn read_ahead<F>(ahead: Ahead, file: &str, read: F, sink: &mut dyn RowSink) -> Result<Streamed>
where
    F: FnOnce(&mut dyn RowSink) -> Result<Streamed> + Send,
{
    #[cfg(not(target_arch = "wasm32"))]
    match ahead {
        Ahead::Inline => {}
        Ahead::Far => return threaded::run(file, threaded::QUEUE, read, sink),
    }
    let _ = file;
    let _ = ahead;
    read(sink)
}

/// Lower the calling thread's priority a little (Linux; elsewhere nothing): for the threads that
/// work beside the reader (line workers, the merge pre-pass). The reader is the one thread the
/// whole check waits for; on two cores the others, busy in bursts, took turns with it.
pub fn yield_to_reader() {
    lower_priority(5);
}

/// Lower the calling thread's priority further (Linux; elsewhere nothing): for work that only
/// has to be done by the end (the report's hash of the input file), so that it takes the time
/// the reader and the line workers leave.
pub fn in_background() {
    lower_priority(19);
}

fn lower_priority(nice: i32) {
    #[cfg(target_os = "linux")]
    // SAFETY: setpriority only reads its arguments; `who` 0 is the calling thread on Linux.
    unsafe {
        libc::setpriority(libc::PRIO_PROCESS, 0, nice);
    }
    #[cfg(not(target_os = "linux"))]
    let _ = nice;
}

#[cfg(not(target_arch = "wasm32"))]
enum Msg {
    Start(String, bool, bool),
    Rows(Vec<(usize, Vec<super::Value>)>),
    End,
}

#[cfg(not(target_arch = "wasm32"))]
mod threaded {
    use super::*;
    use crate::read::Value;
    use std::sync::mpsc::{sync_channel, Receiver, SyncSender};

    /// Rows per message (or fewer when their text passes BATCH_BYTES), and messages in flight:
    /// at most 16,384 rows (~12 MB of award rows), or 16 MB of cells from a hostile file, wait
    /// in the queue. Deep enough that the rows held for the merge pre-pass, released at once,
    /// do not stop the reader while the checkers catch up (100k rows: 0.59 -> 0.55 s).
    pub(super) const BATCH: usize = 256;
    const BATCH_BYTES: usize = 256 << 10;
    pub(super) const QUEUE: usize = 64;

    /// The reader's side: collects rows into batches and sends them.
    struct Sender {
        tx: SyncSender<Msg>,
        batch: Vec<(usize, Vec<Value>)>,
        bytes: usize,
        /// The sink side hung up (it asked to stop, or it is gone).
        closed: bool,
    }

    impl Sender {
        fn send(&mut self, m: Msg) {
            if !self.closed && self.tx.send(m).is_err() {
                self.closed = true;
            }
        }
        fn flush(&mut self) {
            if !self.batch.is_empty() {
                self.bytes = 0;
                let b = std::mem::replace(&mut self.batch, Vec::with_capacity(BATCH));
                self.send(Msg::Rows(b));
            }
        }
    }

    impl RowSink for Sender {
        fn sheet_start(&mut self, name: &str, hidden: bool, last: bool) {
            self.send(Msg::Start(name.to_string(), hidden, last));
        }
        fn row(&mut self, index: usize, row: Vec<Value>) -> bool {
            self.bytes += row_bytes(&row);
            self.batch.push((index, row));
            if self.batch.len() >= BATCH || self.bytes >= BATCH_BYTES {
                self.flush();
            }
            !self.closed
        }
        fn sheet_end(&mut self) {
            self.flush();
            self.send(Msg::End);
        }
    }

    /// About what a row holds: its cells and their text.
    fn row_bytes(row: &[Value]) -> usize {
        row.iter()
            .map(|v| {
                std::mem::size_of::<Value>()
                    + match v {
                        Value::Text(t) | Value::Date(t) | Value::Error(t) => t.len(),
                        _ => 0,
                    }
            })
            .sum()
    }

    /// The sink's side: replays the messages; false once the sink asked to stop.
    fn deliver(rx: Receiver<Msg>, sink: &mut dyn RowSink) -> bool {
        for m in rx {
            match m {
                Msg::Start(name, hidden, last) => sink.sheet_start(&name, hidden, last),
                Msg::Rows(rows) => {
                    for (i, row) in rows {
                        if !sink.row(i, row) {
                            return false;
                        }
                    }
                }
                Msg::End => sink.sheet_end(),
            }
        }
        true
    }

    pub fn run<F>(file: &str, queue: usize, read: F, sink: &mut dyn RowSink) -> Result<Streamed>
    where
        F: FnOnce(&mut dyn RowSink) -> Result<Streamed> + Send,
    {
        let (tx, rx) = sync_channel(queue);
        std::thread::scope(|s| {
            let reader = s.spawn(move || {
                let mut out = Sender {
                    tx,
                    batch: Vec::with_capacity(BATCH),
                    bytes: 0,
                    closed: false,
                };
                let r = read(&mut out);
                out.flush();
                r
            });
            // Dropping the receiver (on stop) makes the reader's next send fail, and it stops.
            let went_on = deliver(rx, sink);
            let result = reader.join().unwrap_or_else(|_| {
                Err(crate::Error::unreadable(
                    file,
                    "lỗi nội bộ khi đọc tệp (luồng đọc dừng đột ngột); hãy báo lỗi kèm tệp này",
                ))
            });
            match result {
                Ok(_) if !went_on => Ok(Streamed::Stopped),
                other => other,
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::Value;

    #[derive(Default)]
    struct Log {
        calls: Vec<String>,
        stop_after: Option<usize>,
        rows: usize,
    }

    impl RowSink for Log {
        fn sheet_start(&mut self, name: &str, hidden: bool, last: bool) {
            self.calls.push(format!("start {name} {hidden} {last}"));
        }
        fn row(&mut self, index: usize, row: Vec<Value>) -> bool {
            self.rows += 1;
            self.calls.push(format!("row {index} {}", row.len()));
            self.stop_after.is_none_or(|n| self.rows < n)
        }
        fn sheet_end(&mut self) {
            self.calls.push("end".into());
        }
    }

    /// Two sheets, the second with `n` rows; counts the rows it managed to send.
    fn book(
        n: usize,
        sent: &std::sync::atomic::AtomicUsize,
    ) -> impl FnOnce(&mut dyn RowSink) -> Result<Streamed> + Send + '_ {
        move |sink: &mut dyn RowSink| {
            sink.sheet_start("A", true, false);
            sink.row(0, vec![Value::Text("x".into())]);
            sink.sheet_end();
            sink.sheet_start("B", false, true);
            for i in 0..n {
                sent.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if !sink.row(i * 2, vec![Value::Number(i as f64); i % 3]) {
                    return Ok(Streamed::Stopped);
                }
            }
            sink.sheet_end();
            Ok(Streamed::Done)
        }
    }

    #[test]
    fn same_calls_in_the_same_order_with_or_without_read_ahead() {
        let sent = Default::default();
        let mut inline = Log::default();
        let a = read_ahead(Ahead::Inline, "t.xlsx", book(1000, &sent), &mut inline).unwrap();
        assert_eq!(a, Streamed::Done);
        assert_eq!(inline.calls.len(), 1000 + 5);
        let mut ahead = Log::default();
        let b = read_ahead(Ahead::Far, "t.xlsx", book(1000, &sent), &mut ahead).unwrap();
        assert_eq!(b, Streamed::Done);
        assert_eq!(inline.calls, ahead.calls);
    }

    #[test]
    fn a_stop_stops_the_reader() {
        let sent = std::sync::atomic::AtomicUsize::new(0);
        let mut log = Log {
            stop_after: Some(10),
            ..Default::default()
        };
        let r = read_ahead(Ahead::Far, "t.xlsx", book(1_000_000, &sent), &mut log).unwrap();
        assert_eq!(r, Streamed::Stopped);
        assert_eq!(log.rows, 10); // the row of sheet A and nine of B, the last said stop
        let sent = sent.load(std::sync::atomic::Ordering::Relaxed);
        // At most a full queue, the batch being delivered, the one being sent and one
        // more: far from the million rows the book has.
        let bound = (super::threaded::QUEUE + 3) * super::threaded::BATCH;
        assert!(
            sent <= bound,
            "the reader went on for {sent} rows (bound {bound})"
        );
    }

    #[test]
    fn a_read_error_reaches_the_caller() {
        let mut log = Log::default();
        let r = read_ahead(
            Ahead::Far,
            "f.xlsx",
            |sink: &mut dyn RowSink| {
                sink.sheet_start("A", false, true);
                sink.row(0, vec![]);
                Err(crate::Error::unreadable("f.xlsx", "hỏng"))
            },
            &mut log,
        );
        assert!(matches!(r, Err(crate::Error::Unreadable { .. })));
        assert_eq!(log.calls, ["start A false true", "row 0 0"]);
    }
}
