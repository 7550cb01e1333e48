//! Unix timestamps as text, the same on the server and in the browser (UTC, no locale), so a
//! page renders identically on both sides and e-mails say the same as the screen.

/// A date in the proleptic Gregorian calendar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CivilTime {
    pub year: i64,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

impl CivilTime {
    /// The UTC calendar date and time of a unix timestamp (Howard Hinnant's civil-from-days).
    pub fn from_unix(unix_seconds: i64) -> Self {
        let days = unix_seconds.div_euclid(86_400);
        let secs = unix_seconds.rem_euclid(86_400);
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        Self {
            year,
            // Both are small by construction (1–12, 1–31, 0–23, 0–59).
            month: u32::try_from(month).unwrap_or(1),
            day: u32::try_from(day).unwrap_or(1),
            hour: u32::try_from(secs / 3600).unwrap_or(0),
            minute: u32::try_from(secs % 3600 / 60).unwrap_or(0),
        }
    }
}

/// `1_700_000_000` → `2023-11-14 22:13 UTC`.
pub fn format_utc(unix_seconds: i64) -> String {
    let t = CivilTime::from_unix(unix_seconds);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02} UTC",
        t.year, t.month, t.day, t.hour, t.minute
    )
}

/// `1_700_000_000` → `14 November 2023` (for e-mails).
pub fn format_date(unix_seconds: i64) -> String {
    let t = CivilTime::from_unix(unix_seconds);
    let month = MONTHS[usize::try_from(t.month.saturating_sub(1)).unwrap_or(0) % 12];
    format!("{} {month} {}", t.day, t.year)
}

/// `1_700_000_000` → `22:13 UTC`.
pub fn format_time_of_day(unix_seconds: i64) -> String {
    let t = CivilTime::from_unix(unix_seconds);
    format!("{:02}:{:02} UTC", t.hour, t.minute)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_known_instants() {
        assert_eq!(format_utc(0), "1970-01-01 00:00 UTC");
        assert_eq!(format_utc(1_700_000_000), "2023-11-14 22:13 UTC");
        assert_eq!(format_utc(951_782_400), "2000-02-29 00:00 UTC");
        assert_eq!(format_date(1_700_000_000), "14 November 2023");
        assert_eq!(format_date(951_782_400), "29 February 2000");
        assert_eq!(format_time_of_day(1_700_000_000), "22:13 UTC");
    }
}
