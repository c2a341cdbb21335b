//! Calendar dates (`YYYY-MM-DD`, UTC days): the lifecycle table's and `--as-of`.

use std::fmt;

use crate::units::days_from_civil;

/// A day, as days since 1970-01-01.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(i64);

impl Date {
    pub fn from_ymd(y: i64, m: u32, d: u32) -> Option<Date> {
        if !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
            return None;
        }
        Some(Date(days_from_civil(y, m, d)))
    }

    /// `YYYY-MM-DD`, nothing else (a report's day must not be guessed from a loose spelling).
    pub fn parse(text: &str) -> Result<Date, String> {
        let bad = || format!("`{text}` is not a date (YYYY-MM-DD)");
        let t = text.trim();
        let b = t.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return Err(bad());
        }
        let num = |r: std::ops::Range<usize>| -> Option<i64> {
            let s = t.get(r)?;
            s.bytes()
                .all(|c| c.is_ascii_digit())
                .then(|| s.parse().ok())?
        };
        let (Some(y), Some(m), Some(d)) = (num(0..4), num(5..7), num(8..10)) else {
            return Err(bad());
        };
        Date::from_ymd(
            y,
            u32::try_from(m).map_err(|_| bad())?,
            u32::try_from(d).map_err(|_| bad())?,
        )
        .ok_or_else(bad)
    }

    /// Today in UTC; `SOURCE_DATE_EPOCH` (the reproducible-builds convention, which also
    /// pins a report's scan date) pins it, so that a report written again is the same.
    pub fn today() -> Date {
        Date(crate::units::now_seconds().div_euclid(86_400))
    }

    pub fn days(self) -> i64 {
        self.0
    }

    /// The same day `months` later (the month's last day when it has fewer days).
    pub fn add_months(self, months: u32) -> Date {
        let (y, m, d) = crate::units::civil_from_days(self.0);
        let total = y * 12 + i64::from(m) - 1 + i64::from(months);
        let (ny, nm) = (total.div_euclid(12), (total.rem_euclid(12) + 1) as u32);
        let nd = d.min(days_in_month(ny, nm));
        Date(days_from_civil(ny, nm, nd))
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = crate::units::civil_from_days(self.0);
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}
