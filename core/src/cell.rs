//! A1 cell addresses.

/// Column letters for a 0-based column index: 0 → "A", 26 → "AA".
pub fn col_letters(col: u32) -> String {
    let (buf, k) = letters(col);
    buf[k..].iter().map(|&b| char::from(b)).collect()
}

/// A column's letters at the end of a buffer, and where they start (at most 7 for a u32).
const fn letters(mut col: u32) -> ([u8; 8], usize) {
    let mut buf = [0u8; 8];
    let mut k = buf.len();
    loop {
        k -= 1;
        buf[k] = b'A' + (col % 26) as u8;
        if col < 26 {
            break;
        }
        col = col / 26 - 1;
    }
    (buf, k)
}

/// A1 address for 0-based row and column.
pub fn a1(row: u32, col: u32) -> String {
    Addr::at(row, col).to_string()
}

/// A cell address ("B12") kept inline: every field of every line has one, and as a `String`
/// each was an allocation made on one thread and freed on another.
#[derive(Clone, Copy)]
pub struct Addr {
    len: u8,
    buf: [u8; Addr::MAX],
}

impl Addr {
    /// Longest address kept: 7 letters and 10 digits fit (u32 column and row).
    const MAX: usize = 23;

    /// No address (a value that came from no cell).
    pub const EMPTY: Addr = Addr {
        len: 0,
        buf: [0; Addr::MAX],
    };

    /// The address of a 0-based row and column.
    pub fn at(row: u32, col: u32) -> Addr {
        RowAddrs::new(row).at(col)
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn as_str(&self) -> &str {
        // Always whole characters of a `str` (`at` writes ASCII; `From<&str>` cuts at a
        // character boundary), so this never takes the fallback.
        std::str::from_utf8(&self.buf[..usize::from(self.len)]).unwrap_or("")
    }
}

/// The addresses of one row's cells: the row's digits are worked out once, not per cell
/// (a line's fields are all on one row).
pub struct RowAddrs {
    /// The 1-based row's digits, from the first byte on.
    digits: [u8; 10],
    len: usize,
}

impl RowAddrs {
    pub fn new(row: u32) -> RowAddrs {
        // Written backwards from the end, then moved to the front.
        let mut digits = [0u8; 10];
        let mut n = u64::from(row) + 1;
        let mut d = digits.len();
        while n > 0 || d == digits.len() {
            d -= 1;
            digits[d] = b'0' + (n % 10) as u8;
            n /= 10;
        }
        digits.copy_within(d.., 0);
        RowAddrs {
            digits,
            len: digits.len() - d,
        }
    }

    /// The address of the 0-based column `col` on this row.
    pub fn at(&self, col: u32) -> Addr {
        let (front, letters) = match FRONT.get(col as usize) {
            Some(&(front, n)) => (front, usize::from(n)),
            None => front_letters(col),
        };
        // Whole fixed-size arrays copied (no call to memcpy); bytes past `len` are never read.
        let mut a = Addr::EMPTY;
        if let Some(head) = a.buf.first_chunk_mut::<8>() {
            *head = front;
        }
        if let Some(tail) = a
            .buf
            .get_mut(letters..letters + 10)
            .and_then(|t| t.first_chunk_mut::<10>())
        {
            *tail = self.digits;
        }
        a.len = (letters + self.len) as u8;
        a
    }
}

/// A column's letters at the front of 8 bytes, and how many (at most 7: a u32 column).
const fn front_letters(col: u32) -> ([u8; 8], usize) {
    let (buf, k) = letters(col);
    // The letters moved to the front by a shift (k is at most 7: a column has a letter).
    (
        (u64::from_be_bytes(buf) << (8 * k)).to_be_bytes(),
        buf.len() - k,
    )
}

/// The first columns' letters, worked out once: a line's every cell needs its column's.
static FRONT: [([u8; 8], u8); 64] = {
    let mut t = [([0u8; 8], 0u8); 64];
    let mut c = 0;
    while c < 64 {
        let (f, n) = front_letters(c as u32);
        t[c] = (f, n as u8);
        c += 1;
    }
    t
};

impl Default for Addr {
    fn default() -> Addr {
        Addr::EMPTY
    }
}

impl From<&str> for Addr {
    /// Keeps at most `Addr::MAX` bytes, cut at a character boundary (an address is far shorter).
    fn from(s: &str) -> Addr {
        let mut n = s.len().min(Addr::MAX);
        while !s.is_char_boundary(n) {
            n -= 1;
        }
        let mut a = Addr {
            len: n as u8,
            ..Addr::default()
        };
        a.buf[..n].copy_from_slice(&s.as_bytes()[..n]);
        a
    }
}

impl From<String> for Addr {
    fn from(s: String) -> Addr {
        Addr::from(s.as_str())
    }
}

impl std::ops::Deref for Addr {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl std::fmt::Display for Addr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::fmt::Debug for Addr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

impl PartialEq for Addr {
    fn eq(&self, other: &Addr) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Addr {}

impl std::hash::Hash for Addr {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        self.as_str().hash(h)
    }
}

impl PartialEq<str> for Addr {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Addr {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl serde::Serialize for Addr {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rows_addresses_are_its_cells_names() {
        for row in [0, 8, 9, 99, 1_048_575, 999_999_999, u32::MAX] {
            let addrs = RowAddrs::new(row);
            for col in [0, 1, 25, 26, 63, 64, 701, 702, 16_383, u32::MAX] {
                let want = format!("{}{}", col_letters(col), u64::from(row) + 1);
                assert_eq!(addrs.at(col).as_str(), want);
                assert_eq!(addrs.at(col), Addr::from(want.as_str()));
            }
        }
    }

    #[test]
    fn addresses_inline() {
        assert_eq!(Addr::at(0, 0), "A1");
        assert_eq!(Addr::at(11, 27).as_str(), "AB12");
        let biggest = format!("{}4294967296", col_letters(u32::MAX));
        assert_eq!(Addr::at(u32::MAX, u32::MAX).as_str(), biggest);
        assert_eq!(Addr::from(biggest.as_str()), Addr::at(u32::MAX, u32::MAX));
        assert_eq!(Addr::at(1_048_575, 16_383).to_string(), "XFD1048576");
        assert_eq!(Addr::from("B7"), "B7");
        // Never longer than it can hold, cut between characters.
        let long = "Đ".repeat(20);
        let a = Addr::from(long.as_str());
        assert!(a.len() <= 23 && long.starts_with(a.as_str()), "{a:?}");
        assert_eq!(
            serde_json::to_string(&Addr::at(4, 2)).ok().as_deref(),
            Some("\"C5\"")
        );
    }

    #[test]
    fn letters() {
        assert_eq!(col_letters(0), "A");
        assert_eq!(col_letters(25), "Z");
        assert_eq!(col_letters(26), "AA");
        assert_eq!(col_letters(701), "ZZ");
        assert_eq!(col_letters(702), "AAA");
        assert_eq!(col_letters(16383), "XFD");
        assert_eq!(a1(0, 2), "C1");
        assert_eq!(a1(9, 0), "A10");
        assert_eq!(a1(u32::MAX, 16383), "XFD4294967296");
    }
}
