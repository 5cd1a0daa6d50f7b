//! Cells packed into one buffer, for handing a sheet's cells from the thread that reads them
//! (calamine: inflate, XML) to the thread that builds rows. A cell costs ~14 bytes here and no
//! allocation of its own, so the reading thread only reads and copies bytes: the strings a row
//! needs are made, and later freed, away from it. A full queue of these is also what holds the
//! cells read while the merge pre-pass is still working.

use super::Value;
use crate::text::nfc;

/// A cell as packed: borrowed from the buffer when read back.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell<'a> {
    Number(f64),
    Bool(bool),
    /// Text as the file has it: made NFC when it becomes a `Value`.
    Text(&'a str),
    /// Text already made (a value calamine formatted, or one already normalised): kept as is.
    Verbatim(&'a str),
    Date(&'a str),
    Error(&'a str),
}

impl<'a> Cell<'a> {
    /// The cell of a value already made; `None` for an empty one.
    pub fn of(v: &'a Value) -> Option<Cell<'a>> {
        Some(match v {
            Value::Empty => return None,
            Value::Number(n) => Cell::Number(*n),
            Value::Bool(b) => Cell::Bool(*b),
            Value::Text(s) => Cell::Verbatim(s),
            Value::Date(s) => Cell::Date(s),
            Value::Error(s) => Cell::Error(s),
        })
    }

    pub fn into_value(self) -> Value {
        match self {
            Cell::Number(n) => Value::Number(n),
            Cell::Bool(b) => Value::Bool(b),
            Cell::Text(s) => Value::Text(nfc(s)),
            Cell::Verbatim(s) => Value::Text(s.to_string()),
            Cell::Date(s) => Value::Date(s.to_string()),
            Cell::Error(s) => Value::Error(s.to_string()),
        }
    }
}

/// Packed cells: for each, the row (zigzag delta from the one before), the column, a tag and
/// the value (an f64, or the length of its text). The texts go one after another in a `String`
/// of their own, so reading them back is slicing, not checking UTF-8 again.
#[derive(Default)]
pub struct Packed {
    buf: Vec<u8>,
    text: String,
    cells: usize,
    last_row: u32,
}

const NUMBER: u8 = 0;
const TRUE: u8 = 1;
const FALSE: u8 = 2;
const TEXT: u8 = 3;
const VERBATIM: u8 = 4;
const DATE: u8 = 5;
const ERROR: u8 = 6;

impl Packed {
    /// Room for `bytes` reserved at once (half for places and numbers, half for text): growing
    /// by doubling would briefly hold twice as much.
    pub fn with_capacity(bytes: usize) -> Packed {
        Packed {
            buf: Vec::with_capacity(bytes / 2),
            text: String::with_capacity(bytes / 2),
            ..Packed::default()
        }
    }

    /// Cells packed so far.
    pub fn cells(&self) -> usize {
        self.cells
    }

    /// Bytes used so far.
    pub fn bytes(&self) -> usize {
        self.buf.len() + self.text.len()
    }

    pub fn push(&mut self, r: u32, c: u32, cell: Cell<'_>) {
        let delta = i64::from(r) - i64::from(self.last_row);
        self.last_row = r;
        varint(&mut self.buf, ((delta << 1) ^ (delta >> 63)) as u64);
        varint(&mut self.buf, u64::from(c));
        let mut text = |tag: u8, s: &str| {
            self.buf.push(tag);
            varint(&mut self.buf, s.len() as u64);
            self.text.push_str(s);
        };
        match cell {
            Cell::Number(n) => {
                self.buf.push(NUMBER);
                self.buf.extend_from_slice(&n.to_le_bytes());
            }
            Cell::Bool(b) => self.buf.push(if b { TRUE } else { FALSE }),
            Cell::Text(s) => text(TEXT, s),
            Cell::Verbatim(s) => text(VERBATIM, s),
            Cell::Date(s) => text(DATE, s),
            Cell::Error(s) => text(ERROR, s),
        }
        self.cells += 1;
    }

    /// The cells in the order they were packed.
    pub fn iter(&self) -> Cells<'_> {
        Cells {
            buf: &self.buf,
            text: &self.text,
            at: 0,
            text_at: 0,
            row: 0,
        }
    }

    /// The batch as bytes, for a message to another worker: the number of cells, the length
    /// of the places, the places, then the text.
    pub fn write_to(&self, out: &mut Vec<u8>) {
        varint(out, self.cells as u64);
        varint(out, self.buf.len() as u64);
        out.extend_from_slice(&self.buf);
        out.extend_from_slice(self.text.as_bytes());
    }

    /// A batch from `write_to`'s bytes; None if they are not such bytes (the text is checked
    /// once, here, as UTF-8; the places when read).
    pub fn read_from(bytes: &[u8]) -> Option<Packed> {
        let mut at = 0;
        let cells = usize::try_from(read_varint(bytes, &mut at)?).ok()?;
        let n = usize::try_from(read_varint(bytes, &mut at)?).ok()?;
        let buf = bytes.get(at..at.checked_add(n)?)?.to_vec();
        let text = std::str::from_utf8(&bytes[at + n..]).ok()?.to_string();
        Some(Packed {
            buf,
            text,
            cells,
            last_row: 0,
        })
    }

    /// Empty again, its room kept (the buffer goes back to the reading thread).
    pub fn clear(&mut self) {
        self.buf.clear();
        self.text.clear();
        self.cells = 0;
        self.last_row = 0;
    }
}

pub struct Cells<'a> {
    buf: &'a [u8],
    text: &'a str,
    at: usize,
    text_at: usize,
    row: u32,
}

impl<'a> Iterator for Cells<'a> {
    type Item = (u32, u32, Cell<'a>);

    fn next(&mut self) -> Option<(u32, u32, Cell<'a>)> {
        let buf = self.buf;
        let z = read_varint(buf, &mut self.at)?;
        let delta = ((z >> 1) as i64) ^ -((z & 1) as i64);
        let row = u32::try_from(i64::from(self.row) + delta).ok()?;
        self.row = row;
        let col = u32::try_from(read_varint(buf, &mut self.at)?).ok()?;
        let tag = *buf.get(self.at)?;
        self.at += 1;
        let mut text = || -> Option<&'a str> {
            let n = usize::try_from(read_varint(buf, &mut self.at)?).ok()?;
            let end = self.text_at.checked_add(n)?;
            let s = self.text.get(self.text_at..end)?;
            self.text_at = end;
            Some(s)
        };
        let cell = match tag {
            NUMBER => {
                let b: [u8; 8] = buf.get(self.at..self.at + 8)?.try_into().ok()?;
                self.at += 8;
                Cell::Number(f64::from_le_bytes(b))
            }
            TRUE => Cell::Bool(true),
            FALSE => Cell::Bool(false),
            TEXT => Cell::Text(text()?),
            VERBATIM => Cell::Verbatim(text()?),
            DATE => Cell::Date(text()?),
            ERROR => Cell::Error(text()?),
            _ => return None,
        };
        Some((row, col, cell))
    }
}

pub(super) fn varint(buf: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        buf.push((n as u8) | 0x80);
        n >>= 7;
    }
    buf.push(n as u8);
}

pub(super) fn read_varint(buf: &[u8], at: &mut usize) -> Option<u64> {
    let mut n = 0u64;
    for shift in (0..64).step_by(7) {
        let b = *buf.get(*at)?;
        *at += 1;
        n |= u64::from(b & 0x7f) << shift;
        if b < 0x80 {
            return Some(n);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn value() -> impl Strategy<Value = Value> {
        prop_oneof![
            any::<f64>().prop_map(Value::Number),
            any::<bool>().prop_map(Value::Bool),
            ".{0,40}".prop_map(Value::Text),
            "[0-9T:-]{0,20}".prop_map(Value::Date),
            "#[A-Z/!0]{0,8}".prop_map(Value::Error),
        ]
    }

    /// Bit-for-bit: NaN payloads and -0.0 come back as they went in.
    fn same(a: &Value, b: &Value) -> bool {
        match (a, b) {
            (Value::Number(x), Value::Number(y)) => x.to_bits() == y.to_bits(),
            _ => a == b,
        }
    }

    proptest! {
        #[test]
        fn gives_back_what_it_packed(cells in proptest::collection::vec((any::<u32>(), any::<u32>(), value()), 0..200)) {
            let mut p = Packed::with_capacity(64);
            for (r, c, v) in &cells {
                p.push(*r, *c, Cell::of(v).unwrap());
            }
            prop_assert_eq!(p.cells(), cells.len());
            let back: Vec<(u32, u32, Value)> =
                p.iter().map(|(r, c, cell)| (r, c, cell.into_value())).collect();
            prop_assert_eq!(back.len(), cells.len());
            for ((r, c, v), (r2, c2, v2)) in cells.iter().zip(&back) {
                prop_assert!(r == r2 && c == c2 && same(v, v2), "{:?} != {:?}", (r, c, v), (r2, c2, v2));
            }
            p.clear();
            prop_assert!(p.cells() == 0 && p.bytes() == 0 && p.iter().next().is_none());
        }
    }

    #[test]
    fn a_batch_comes_back_from_its_bytes() {
        let mut p = Packed::default();
        p.push(3, 1, Cell::Text("Găng tay"));
        p.push(3, 2, Cell::Number(-0.5));
        p.push(9, 0, Cell::Error("#N/A"));
        let mut bytes = vec![];
        p.write_to(&mut bytes);
        let q = Packed::read_from(&bytes).unwrap();
        assert_eq!(q.cells(), 3);
        assert_eq!(q.iter().collect::<Vec<_>>(), p.iter().collect::<Vec<_>>());
        // Cut short, or text that is not UTF-8: refused, not misread.
        assert!(Packed::read_from(&bytes[..3]).is_none());
        let last = bytes.len() - 1;
        bytes[last] = 0xFF;
        assert!(Packed::read_from(&bytes).is_none());
    }

    #[test]
    fn text_from_the_file_is_made_nfc_and_made_text_is_kept() {
        // "Việt" with the tone mark as a combining character (NFD), as some files have it.
        let decomposed = "Vie\u{323}\u{302}t";
        let mut p = Packed::default();
        p.push(0, 0, Cell::Text(decomposed));
        p.push(0, 1, Cell::Verbatim(decomposed));
        let back: Vec<Value> = p.iter().map(|(_, _, c)| c.into_value()).collect();
        assert_eq!(back[0], Value::Text("Việt".into()));
        assert_eq!(back[1], Value::Text(decomposed.into()));
        assert_eq!(Cell::of(&Value::Empty), None);
    }

    #[test]
    fn a_cell_of_a_big_sheet_is_small() {
        let mut p = Packed::default();
        for r in 0..1000u32 {
            p.push(r, 1, Cell::Text("Việt Nam"));
            p.push(r, 2, Cell::Number(4_173_680.0));
        }
        // 3 bytes of place and tag, then 1 + 10 bytes of text (length and UTF-8), or 8 of number.
        assert!(p.bytes() <= 2000 * 13, "{}", p.bytes());
        assert!(p
            .iter()
            .all(|(_, c, v)| c == 1 || v == Cell::Number(4_173_680.0)));
    }
}
