//! Checking one file's lines on worker threads, for one big file on a machine with cores to
//! spare. The streaming driver lays out rows on its own thread and hands lines in batches to the
//! workers, which normalise and check them; their outcomes come back and are applied (totals,
//! sink) strictly in line order, so the report is byte for byte the one a single thread gives.
//! At most a few batches are in flight, so memory stays flat. The browser build has no threads
//! and checks inline.

use super::sink::Encode;
use super::{Engine, InForce};
use crate::model::{PurchaseLine, Sheet};
use crate::normalize;
use crate::normalize::origin::OriginClass;
use crate::report::{Finding, Severity};
use crate::rules::cond::Lang;
use crate::rules::date::Date;
use std::collections::VecDeque;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::Arc;

/// What the lines of one sheet are checked against. The sheet is a copy taken at its first
/// line: its header, kind and package facts (all a line rule reads) are settled by then.
pub(super) struct SheetWork<'e> {
    pub sheet: Sheet,
    pub rules: InForce<'e>,
    /// Which rules are remembered as quiet for lines with the same texts (engine/quiet.rs).
    pub quiet: Option<super::quiet::Plan>,
    pub as_of: Date,
    pub lang: Lang,
    pub file: &'e str,
    /// Award and purchase lines count towards the domestic share (VN-R15).
    pub counted: bool,
    /// How a line's findings are encoded where they are made, when the sink wants them so.
    pub encode: Option<Encode>,
}

/// One line checked: its origin class and value when counted, and its findings in rule order.
pub(super) struct Outcome<'e> {
    pub value: Option<(OriginClass, Option<f64>)>,
    /// The findings, unless the sheet's work encodes them: then `encoded` holds them, and
    /// `counted` each one's rule code and severity (for the totals).
    pub findings: Vec<Finding>,
    pub encoded: Vec<u8>,
    pub counted: Vec<(&'e str, Severity)>,
    /// The line itself, given back from a worker so that it is freed on the thread that made
    /// its texts: freeing them on the worker cost a fifth of its time (the allocator's remote
    /// frees).
    pub spent: Option<PurchaseLine>,
}

impl Engine {
    pub(super) fn work_line<'e>(&self, w: &SheetWork<'e>, mut line: PurchaseLine) -> Outcome<'e> {
        let check = |line: &PurchaseLine, skip| {
            self.check_line(w.file, &w.sheet, line, &w.rules, w.as_of, w.lang, skip)
        };
        let mut findings = match &w.quiet {
            Some(plan) => plan.normalise_and_check(&mut line, &self.tables, check),
            None => {
                normalize::readings(&mut line, &self.tables);
                check(&line, 0).0
            }
        };
        let value = w.counted.then(|| self.line_value(&line));
        let mut encoded = Vec::new();
        let mut counted = Vec::new();
        if let Some(encode) = w.encode {
            // A finding whose rule is not the sheet's (never expected) stays as it is.
            findings.retain(|f| {
                let Some(&(rule, _)) = w.rules.iter().find(|(r, _)| r.code == f.rule) else {
                    return true;
                };
                encode(f, &mut encoded);
                counted.push((rule.code.as_str(), f.severity));
                false
            });
        }
        Outcome {
            value,
            findings,
            encoded,
            counted,
            spent: Some(line),
        }
    }
}

/// Lines per batch (fewer when their text passes BATCH_BYTES: a hostile file's huge cells), and
/// batches in flight per worker. A lone worker (a CSV on two cores: the driver splits the
/// records) takes bigger batches, fewer hand-overs (100k lines: 0.266 → 0.249 s); two or more
/// share smaller ones (100k-row xlsx: 0.506 → 0.492 s with 64 rather than 256, 3 MB less).
const BATCH: usize = 64;
#[cfg(not(target_arch = "wasm32"))]
const BATCH_ONE_WORKER: usize = 256;
const BATCH_BYTES: usize = 256 << 10;
const IN_FLIGHT: usize = 3;

type Job<'e> = (
    Arc<SheetWork<'e>>,
    Vec<PurchaseLine>,
    SyncSender<Vec<Outcome<'e>>>,
);

/// The driver's side: batches lines and gives back outcomes in order.
pub(super) struct Lines<'e> {
    jobs: Option<SyncSender<Job<'e>>>,
    workers: usize,
    batch: Vec<PurchaseLine>,
    bytes: usize,
    pending: VecDeque<Receiver<Vec<Outcome<'e>>>>,
    lines_per_batch: usize,
    /// A worker died (a bug): the file's result would be incomplete, so it is reported as an error.
    pub failed: bool,
}

impl<'e> Lines<'e> {
    /// Check lines on this thread.
    pub fn inline() -> Lines<'e> {
        Lines {
            jobs: None,
            workers: 0,
            batch: Vec::new(),
            bytes: 0,
            pending: VecDeque::new(),
            lines_per_batch: BATCH,
            failed: false,
        }
    }

    /// Check `line` (of the sheet `work` describes); `apply` gets every outcome that is ready,
    /// in line order.
    pub fn push(
        &mut self,
        engine: &'e Engine,
        work: &Arc<SheetWork<'e>>,
        line: PurchaseLine,
        apply: &mut dyn FnMut(Outcome<'e>),
    ) {
        let Some(jobs) = &self.jobs else {
            apply(engine.work_line(work, line));
            return;
        };
        self.bytes += line
            .fields
            .values()
            .chain(line.extra.values())
            .map(|f| f.raw.len() + 64)
            .sum::<usize>();
        self.batch.push(line);
        if self.batch.len() < self.lines_per_batch && self.bytes < BATCH_BYTES {
            return;
        }
        self.bytes = 0;
        let lines = std::mem::replace(&mut self.batch, Vec::with_capacity(self.lines_per_batch));
        let (tx, rx) = sync_channel(1);
        if jobs.send((Arc::clone(work), lines, tx)).is_err() {
            self.failed = true;
            return;
        }
        self.pending.push_back(rx);
        while self.pending.len() > self.workers * IN_FLIGHT {
            self.take_one(apply);
        }
    }

    /// Send the last partial batch of the sheet `work` describes and wait for every outcome.
    pub fn drain(&mut self, work: Option<&Arc<SheetWork<'e>>>, apply: &mut dyn FnMut(Outcome<'e>)) {
        if let (Some(jobs), Some(work)) = (&self.jobs, work) {
            if !self.batch.is_empty() {
                self.bytes = 0;
                let lines = std::mem::take(&mut self.batch);
                let (tx, rx) = sync_channel(1);
                if jobs.send((Arc::clone(work), lines, tx)).is_ok() {
                    self.pending.push_back(rx);
                } else {
                    self.failed = true;
                }
            }
        }
        while !self.pending.is_empty() {
            self.take_one(apply);
        }
    }

    fn take_one(&mut self, apply: &mut dyn FnMut(Outcome<'e>)) {
        let Some(rx) = self.pending.pop_front() else {
            return;
        };
        match rx.recv() {
            Ok(outcomes) => outcomes.into_iter().for_each(apply),
            Err(_) => self.failed = true,
        }
    }
}

/// Run `body` with `workers` line workers (none: lines are checked inline). The workers stop
/// when `body` returns and its `Lines` is dropped.
pub(super) fn with_workers<'e, T>(
    engine: &'e Engine,
    workers: usize,
    body: impl FnOnce(Lines<'e>) -> T,
) -> T {
    #[cfg(not(target_arch = "wasm32"))]
    if workers > 0 {
        let (tx, rx) = sync_channel::<Job<'e>>(workers * IN_FLIGHT + 1);
        let rx = std::sync::Mutex::new(rx);
        return std::thread::scope(|s| {
            for _ in 0..workers {
                s.spawn(|| {
                    crate::read::pipe::yield_to_reader();
                    work(engine, &rx)
                });
            }
            let lines_per_batch = if workers == 1 {
                BATCH_ONE_WORKER
            } else {
                BATCH
            };
            body(Lines {
                jobs: Some(tx),
                workers,
                batch: Vec::with_capacity(lines_per_batch),
                bytes: 0,
                pending: VecDeque::new(),
                lines_per_batch,
                failed: false,
            })
        });
    }
    let _ = (engine, workers);
    body(Lines::inline())
}

#[cfg(not(target_arch = "wasm32"))]
fn work<'e>(engine: &'e Engine, jobs: &std::sync::Mutex<Receiver<Job<'e>>>) {
    loop {
        let job = match jobs.lock() {
            Ok(rx) => rx.recv(),
            Err(_) => return,
        };
        let Ok((work, lines, reply)) = job else {
            return;
        };
        // A panic (a bug) must not take the process down with the scope: the reply is then
        // never sent and the driver reports the file as failed.
        let outcomes = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            lines
                .into_iter()
                .map(|l| engine.work_line(&work, l))
                .collect::<Vec<_>>()
        }));
        if let Ok(outcomes) = outcomes {
            // The driver may have stopped listening (an error elsewhere): nothing to do then.
            let _ = reply.send(outcomes);
        }
    }
}
