//! A1 cell addresses.

/// Column letters for a 0-based column index: 0 → "A", 26 → "AA".
pub fn col_letters(col: u32) -> String {
    let mut s = String::with_capacity(4);
    push_letters(&mut s, col);
    s
}

fn push_letters(s: &mut String, mut col: u32) {
    // At most 7 letters for a u32; written backwards into a stack buffer.
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
    s.extend(buf[k..].iter().map(|&b| char::from(b)));
}

/// A1 address for 0-based row and column.
pub fn a1(row: u32, col: u32) -> String {
    // Built by hand: every field of every line gets one, so `format!` showed in profiles.
    let mut s = String::with_capacity(12);
    push_letters(&mut s, col);
    let mut digits = [0u8; 10];
    let mut n = row as u64 + 1;
    let mut k = digits.len();
    while n > 0 || k == digits.len() {
        k -= 1;
        digits[k] = b'0' + (n % 10) as u8;
        n /= 10;
    }
    s.extend(digits[k..].iter().map(|&d| char::from(d)));
    s
}

#[cfg(test)]
mod tests {
    use super::*;

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
