//! hangviet engine: bytes in, purchase lines and findings out.
//!
//! Nothing here touches the file system, the clock or the terminal, so the command line and the
//! browser run the same engine (see DESIGN.md). Threads are used only when the caller asks
//! (`CheckOptions::threads`, one big file on a machine with cores to spare) and never in the
//! browser build: the reader runs ahead (`read::pipe`) and lines are checked on workers
//! (`engine/lines.rs`), with the same report as one thread.

pub mod campaign;
pub mod cell;
pub mod engine;
pub mod equivalents;
pub mod error;
pub mod inspect;
pub mod layout;
pub mod memo;
pub mod model;
pub mod normalize;
pub mod number;
pub mod read;
pub mod registry;
pub mod report;
pub mod rules;
pub mod setup;
pub mod text;
pub mod waivers;

pub use error::{Error, Result};
