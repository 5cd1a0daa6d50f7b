//! Cells kept back while the merge pre-pass beside is still working, packed into one buffer:
//! a cell costs ~14 bytes here against ~70 as `(u32, u32, Value)` with its own string, so the
//! reading can go on ten times longer before it has to wait for the merges.

use super::Value;

/// Packed cells: for each, the row (zigzag delta from the one before), the column, a tag and
/// the value (an f64, a byte, or a length and UTF-8 bytes).
#[derive(Default)]
pub struct Held {
    buf: Vec<u8>,
    cells: usize,
    last_row: u32,
}

const NUMBER: u8 = 0;
const TRUE: u8 = 1;
const FALSE: u8 = 2;
const TEXT: u8 = 3;
const DATE: u8 = 4;
const ERROR: u8 = 5;

impl Held {
    /// Room for `bytes` reserved at once: growing by doubling would briefly hold twice as much.
    pub fn with_capacity(bytes: usize) -> Held {
        Held {
            buf: Vec::with_capacity(bytes),
            ..Held::default()
        }
    }

    /// Cells kept so far.
    pub fn cells(&self) -> usize {
        self.cells
    }

    /// Bytes used so far.
    pub fn bytes(&self) -> usize {
        self.buf.len()
    }

    /// Keep a cell (empty cells are not kept: the reader skips them).
    pub fn push(&mut self, r: u32, c: u32, v: Value) {
        // Only `Empty` itself: a blank text is kept, as the reader passes it on.
        if matches!(v, Value::Empty) {
            return;
        }
        let delta = i64::from(r) - i64::from(self.last_row);
        self.last_row = r;
        varint(&mut self.buf, ((delta << 1) ^ (delta >> 63)) as u64);
        varint(&mut self.buf, u64::from(c));
        let text = |buf: &mut Vec<u8>, tag: u8, s: &str| {
            buf.push(tag);
            varint(buf, s.len() as u64);
            buf.extend_from_slice(s.as_bytes());
        };
        match v {
            // Not reached (returned above); kept so a new kind of value must be placed here.
            Value::Empty => {}
            Value::Number(n) => {
                self.buf.push(NUMBER);
                self.buf.extend_from_slice(&n.to_le_bytes());
            }
            Value::Bool(b) => self.buf.push(if b { TRUE } else { FALSE }),
            Value::Text(s) => text(&mut self.buf, TEXT, &s),
            Value::Date(s) => text(&mut self.buf, DATE, &s),
            Value::Error(s) => text(&mut self.buf, ERROR, &s),
        }
        self.cells += 1;
    }

    /// The cells in the order they were kept; the buffer is empty afterwards (its room kept).
    pub fn drain(&mut self) -> Drain<'_> {
        self.cells = 0;
        self.last_row = 0;
        Drain {
            held: self,
            at: 0,
            row: 0,
        }
    }
}

pub struct Drain<'a> {
    held: &'a mut Held,
    at: usize,
    row: u32,
}

impl Iterator for Drain<'_> {
    type Item = (u32, u32, Value);

    fn next(&mut self) -> Option<(u32, u32, Value)> {
        let buf = &self.held.buf;
        let z = read_varint(buf, &mut self.at)?;
        let delta = ((z >> 1) as i64) ^ -((z & 1) as i64);
        let row = u32::try_from(i64::from(self.row) + delta).ok()?;
        self.row = row;
        let col = u32::try_from(read_varint(buf, &mut self.at)?).ok()?;
        let tag = *buf.get(self.at)?;
        self.at += 1;
        let mut text = || -> Option<String> {
            let n = usize::try_from(read_varint(buf, &mut self.at)?).ok()?;
            let bytes = buf.get(self.at..self.at.checked_add(n)?)?;
            self.at += n;
            String::from_utf8(bytes.to_vec()).ok()
        };
        let v = match tag {
            NUMBER => {
                let b: [u8; 8] = buf.get(self.at..self.at + 8)?.try_into().ok()?;
                self.at += 8;
                Value::Number(f64::from_le_bytes(b))
            }
            TRUE => Value::Bool(true),
            FALSE => Value::Bool(false),
            TEXT => Value::Text(text()?),
            DATE => Value::Date(text()?),
            ERROR => Value::Error(text()?),
            _ => return None,
        };
        Some((row, col, v))
    }
}

impl Drop for Drain<'_> {
    fn drop(&mut self) {
        self.held.buf.clear();
    }
}

fn varint(buf: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        buf.push((n as u8) | 0x80);
        n >>= 7;
    }
    buf.push(n as u8);
}

fn read_varint(buf: &[u8], at: &mut usize) -> Option<u64> {
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
        fn gives_back_what_it_kept(cells in proptest::collection::vec((any::<u32>(), any::<u32>(), value()), 0..200)) {
            let mut h = Held::with_capacity(64);
            for (r, c, v) in &cells {
                h.push(*r, *c, v.clone());
            }
            prop_assert_eq!(h.cells(), cells.len());
            let back: Vec<(u32, u32, Value)> = h.drain().collect();
            prop_assert_eq!(back.len(), cells.len());
            for ((r, c, v), (r2, c2, v2)) in cells.iter().zip(&back) {
                prop_assert!(r == r2 && c == c2 && same(v, v2), "{:?} != {:?}", (r, c, v), (r2, c2, v2));
            }
            prop_assert!(h.cells() == 0 && h.bytes() == 0);
        }
    }

    #[test]
    fn empty_cells_are_not_kept_and_do_not_shift_the_others() {
        let mut h = Held::default();
        h.push(3, 1, Value::Text("a".into()));
        h.push(4, 2, Value::Empty);
        h.push(5, 0, Value::Number(1.5));
        assert_eq!(h.cells(), 2);
        let back: Vec<_> = h.drain().collect();
        assert_eq!(
            back,
            [(3, 1, Value::Text("a".into())), (5, 0, Value::Number(1.5))]
        );
    }

    #[test]
    fn a_cell_of_a_big_sheet_is_small() {
        let mut h = Held::default();
        for r in 0..1000u32 {
            h.push(r, 1, Value::Text("Việt Nam".into()));
            h.push(r, 2, Value::Number(4_173_680.0));
        }
        // 3 bytes of place and tag, then 1 + 10 bytes of text, or 8 of number.
        assert!(h.bytes() <= 2000 * 13, "{}", h.bytes());
        assert!(h
            .drain()
            .all(|(_, c, v)| c == 1 || v == Value::Number(4_173_680.0)));
    }
}
