//! Errors a user sees: each names the file (and sheet and cell when known) and says what to do.

use thiserror::Error;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, Error)]
pub enum Error {
    /// The file cannot be read at all (damaged, encrypted, not a spreadsheet, too big).
    #[error("{file}: {reason}")]
    Unreadable { file: String, reason: String },
    /// The file was read but holds no table the checker recognises.
    #[error("{file}: {reason}")]
    NoTable { file: String, reason: String },
    /// A data file (rule pack, registry, alias table) is malformed.
    #[error("{location}: {reason}")]
    Data { location: String, reason: String },
}

impl Error {
    pub fn unreadable(file: &str, reason: impl Into<String>) -> Self {
        Error::Unreadable {
            file: file.to_string(),
            reason: reason.into(),
        }
    }
}

/// Line and column (1-based; the column counts characters) of a byte offset in `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut line = 1;
    let mut col = 1;
    for (i, c) in text.char_indices() {
        if i >= offset {
            break;
        }
        if c == '\n' {
            line += 1;
            col = 1;
        } else {
            col += 1;
        }
    }
    (line, col)
}

/// "SOURCE:LINE:COLUMN" of a byte offset in `text`, for errors in data files.
pub fn position(source: &str, text: &str, offset: usize) -> String {
    let (line, col) = line_col(text, offset);
    format!("{source}:{line}:{col}")
}
