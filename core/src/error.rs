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
/// Counts bytes, not chars, for the line: rule packs ask for hundreds of positions at load.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut end = offset.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let before = &text[..end];
    let line = 1 + before.bytes().filter(|&b| b == b'\n').count();
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, 1 + before[start..].chars().count())
}

/// Where each line of a text starts, for turning many offsets of one file into positions
/// (data files record one for every entry they load; `line_col` counts from the start).
pub struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> LineIndex<'a> {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        LineIndex { text, starts }
    }

    /// "SOURCE:LINE:COLUMN" of a byte offset, as `position` gives it.
    pub fn position(&self, source: &str, offset: usize) -> String {
        let mut end = offset.min(self.text.len());
        while !self.text.is_char_boundary(end) {
            end -= 1;
        }
        // The last line starting at or before `end`.
        let line = self.starts.partition_point(|&s| s <= end);
        let start = self.starts.get(line.wrapping_sub(1)).copied().unwrap_or(0);
        let col = 1 + self.text.get(start..end).map_or(0, |t| t.chars().count());
        format!("{source}:{line}:{col}")
    }
}

/// "SOURCE:LINE:COLUMN" of a byte offset in `text`, for errors in data files.
pub fn position(source: &str, text: &str, offset: usize) -> String {
    let (line, col) = line_col(text, offset);
    format!("{source}:{line}:{col}")
}

#[cfg(test)]
mod tests {
    use super::line_col;

    #[test]
    fn line_index_agrees_with_line_col() {
        let t = "a = 1\nđơn = \"x\"\n\nz\n";
        let index = super::LineIndex::new(t);
        for offset in 0..t.len() + 3 {
            assert_eq!(
                index.position("f", offset),
                super::position("f", t, offset),
                "{offset}"
            );
        }
    }

    #[test]
    fn line_and_character_column() {
        let t = "a = 1\nđơn = \"x\"\n\nz";
        assert_eq!(line_col(t, 0), (1, 1));
        assert_eq!(line_col(t, 6), (2, 1));
        // "đơn = " is 6 characters but 8 bytes.
        assert_eq!(line_col(t, 6 + "đơn = ".len()), (2, 7));
        assert_eq!(line_col(t, t.len() - 1), (4, 1));
        assert_eq!(line_col(t, 10_000), (4, 2));
    }
}
