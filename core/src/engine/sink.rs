//! Where a check's findings go: to the caller as they are, or encoded where they are made.

use crate::report::{Finding, Severity};

/// Writes one finding onto the end of a buffer (one element of a JSON report, say).
pub type Encode = fn(&Finding, &mut Vec<u8>);

pub(super) enum Sink<'s> {
    /// Each finding as it is.
    Findings(&'s mut dyn FnMut(Finding)),
    /// Each line's findings encoded by `encode` on the thread that checked the line, so that a
    /// line worker hands back bytes, not the findings' many small allocations (freeing those on
    /// the reading thread, and moving them between cores, cost a tenth of a big CSV's check);
    /// `write` gets them in order with the highest severity among them.
    Encoded {
        encode: Encode,
        write: &'s mut dyn FnMut(&[u8], Severity),
    },
}

impl Sink<'_> {
    /// The same sink, lent again (a check may read a file twice).
    pub fn reborrow(&mut self) -> Sink<'_> {
        match self {
            Sink::Findings(put) => Sink::Findings(&mut **put),
            Sink::Encoded { encode, write } => Sink::Encoded {
                encode: *encode,
                write: &mut **write,
            },
        }
    }

    /// How a line's findings are to be encoded where they are made, if at all.
    pub fn encoder(&self) -> Option<Encode> {
        match self {
            Sink::Findings(_) => None,
            Sink::Encoded { encode, .. } => Some(*encode),
        }
    }

    /// A finding made on the caller's thread (a sheet's, or any when nothing is encoded).
    pub fn put(&mut self, finding: Finding) {
        match self {
            Sink::Findings(put) => put(finding),
            Sink::Encoded { encode, write } => {
                let mut bytes = Vec::new();
                encode(&finding, &mut bytes);
                write(&bytes, finding.severity);
            }
        }
    }

    /// Findings `encoder` encoded elsewhere, the highest severity among them.
    pub fn put_encoded(&mut self, bytes: &[u8], max: Severity) {
        if let Sink::Encoded { write, .. } = self {
            write(bytes, max);
        }
    }
}
