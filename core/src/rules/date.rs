//! Calendar dates as the law and the files write them (ISO `YYYY-MM-DD`), compared as values.
//! No clock here: "today" comes from the caller.

use serde::{Serialize, Serializer};
use std::fmt;

/// A valid Gregorian date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: u16,
    pub month: u8,
    pub day: u8,
}

impl Date {
    /// Parse `YYYY-MM-DD` (also accepts `DD/MM/YYYY`, the way Vietnamese documents write it).
    pub fn parse(s: &str) -> Option<Date> {
        let s = s.trim();
        let (y, m, d) = if let Some((a, rest)) = s.split_once('-') {
            let (b, c) = rest.split_once('-')?;
            (a, b, c)
        } else {
            let mut it = s.split('/');
            let d = it.next()?;
            let m = it.next()?;
            let y = it.next()?;
            if it.next().is_some() {
                return None;
            }
            (y, m, d)
        };
        if y.len() != 4 || m.is_empty() || m.len() > 2 || d.is_empty() || d.len() > 2 {
            return None;
        }
        let year: u16 = y.parse().ok()?;
        let month: u8 = m.parse().ok()?;
        let day: u8 = d.parse().ok()?;
        let date = Date { year, month, day };
        date.is_valid().then_some(date)
    }

    fn is_valid(&self) -> bool {
        if !(1..=12).contains(&self.month) || self.day == 0 {
            return false;
        }
        let y = self.year;
        let leap = (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400);
        let days = match self.month {
            2 if leap => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        };
        self.day <= days
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_iso_and_vietnamese() {
        let d = Date::parse("2025-08-04").unwrap();
        assert_eq!(d.to_string(), "2025-08-04");
        assert_eq!(Date::parse("04/08/2025"), Some(d));
        assert_eq!(Date::parse("4/8/2025"), Some(d));
        assert!(Date::parse("2025-02-29").is_none());
        assert!(Date::parse("2024-02-29").is_some());
        assert!(Date::parse("2025-13-01").is_none());
        assert!(Date::parse("hôm nay").is_none());
        assert!(Date::parse("2025-08-04-01").is_none());
        assert!(Date::parse("2025-07-01") < Date::parse("2025-08-04"));
    }
}
