//! Times and dates as T2 keeps and prints them (core.md §7.1): arithmetic on [`Timestamp`]s,
//! the wall clock, and the `Secs`/`Span`/`Date` formats.

use core::fmt;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use plugin_api::abi::Timestamp;

/// `<sec>.<frac>`: seconds as u32, the fraction signed and zero-padded to 9 digits (T2 prints
/// the raw fraction, which may be negative or have 10 digits for broken captures).
pub struct Secs(pub Timestamp);

impl fmt::Display for Secs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:09}", self.0.sec as u32, self.0.frac)
    }
}

/// T2's `timersub`: borrows one second (10⁹ ns) when the fraction goes negative.
pub fn sub(a: Timestamp, b: Timestamp) -> Timestamp {
    a.timersub(b)
}

/// T2's `timeradd` of two normalised times.
pub fn add(a: Timestamp, b: Timestamp) -> Timestamp {
    a.timeradd(b)
}

/// `s` seconds as a time with a nanosecond fraction.
pub fn from_secs(s: f64) -> Timestamp {
    let whole = s.trunc();
    Timestamp { sec: whole as i64, frac: ((s - whole) * 1e9) as i64 }
}

/// The wall-clock time now (never on the packet path: flows run on packet time).
pub fn now() -> Timestamp {
    let d = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    Timestamp { sec: d.as_secs() as i64, frac: i64::from(d.subsec_nanos()) }
}

/// The wall time since `start`.
pub fn since(start: Instant) -> Timestamp {
    let d = start.elapsed();
    Timestamp { sec: d.as_secs() as i64, frac: i64::from(d.subsec_nanos()) }
}

/// A duration: `<sec>.<frac> sec` plus ` (Ny Nd Nh Nm Ns)` when at least a minute (t2_log_time).
pub struct Span(pub Timestamp);

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.0.sec as u32;
        write!(f, "{} sec", Secs(self.0))?;
        let sf = f64::from(s);
        // same double arithmetic and truncations as T2 (a year is 365 days)
        let years = (sf / 3600.0 / 24.0 / 365.0) as u64;
        let days = (sf / 3600.0 / 24.0 - (years * 365) as f64) as u64;
        let hours = (sf / 3600.0 - (years * 365 * 24) as f64 - (days * 24) as f64) as u8;
        let mins =
            (sf / 60.0 - f64::from(hours) * 60.0 - (days * 24 * 60) as f64 - (years * 365 * 24 * 60) as f64) as u8;
        let secs = s % 60;
        if years + days + u64::from(hours) + u64::from(mins) == 0 {
            return Ok(());
        }
        f.write_str(" (")?;
        if years > 0 {
            write!(f, "{years}y")?;
        }
        if days > 0 {
            write!(f, "{}{days}d", if years > 0 { " " } else { "" })?;
        }
        if hours > 0 {
            write!(f, "{}{hours}h", if years + days > 0 { " " } else { "" })?;
        }
        if mins > 0 {
            write!(f, "{}{mins}m", if years + days + u64::from(hours) > 0 { " " } else { "" })?;
        }
        if secs > 0 {
            write!(f, " {secs}s")?;
        }
        f.write_str(")")
    }
}

/// A date: `<sec>.<frac> sec (<Www DD Mon YYYY HH:MM:SS> <TZ>)`, in UTC (shown as `GMT`, as
/// glibc's `gmtime` + `%Z` does) or in local time.
pub struct Date {
    /// The time.
    pub ts: Timestamp,
    /// UTC (pcap times) or local (wall-clock times).
    pub utc: bool,
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sec = i64::from(self.ts.sec as u32);
        write!(f, "{} sec (", Secs(self.ts))?;
        let Ok(t) = jiff::Timestamp::from_second(sec) else {
            return f.write_str("<invalid>)");
        };
        if self.utc {
            let z = t.to_zoned_datetime(jiff::tz::TimeZone::UTC);
            write!(f, "{} GMT)", z.strftime("%a %d %b %Y %H:%M:%S"))
        } else {
            let z = t.to_zoned_datetime(jiff::tz::TimeZone::system());
            write!(f, "{})", z.strftime("%a %d %b %Y %H:%M:%S %Z"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(sec: i64, frac: i64) -> Timestamp {
        Timestamp { sec, frac }
    }

    #[test]
    fn spans_match_golden_logs() {
        assert_eq!(Span(ts(0, 211_628_000)).to_string(), "0.211628000 sec");
        assert_eq!(Span(ts(226, 927_152_000)).to_string(), "226.927152000 sec (3m 46s)");
        assert_eq!(
            Span(ts(4_126_330_341, 868_138_000)).to_string(),
            "4126330341.868138000 sec (130y 308d 10h 52m 21s)"
        );
        assert_eq!(Span(ts(2_499_162_392, 790_099_661)).to_string(), "2499162392.790099661 sec (79y 90d 11h 46m 32s)");
    }

    #[test]
    fn timersub_borrows_once() {
        // golden timestamp-invalid-usec: "Total dump duration: 0.-2147483647000 sec"
        let d = sub(ts(1_418_145_370, -2_147_483_648_000), ts(1_418_145_369, 999_999_000));
        assert_eq!(Secs(d).to_string(), "0.-2147483647000");
    }

    #[test]
    fn utc_dates_say_gmt() {
        let d = Date { ts: ts(1_362_692_526, 869_344_000), utc: true };
        assert_eq!(d.to_string(), "1362692526.869344000 sec (Thu 07 Mar 2013 21:42:06 GMT)");
        let z = Date { ts: ts(0, 0), utc: true };
        assert_eq!(z.to_string(), "0.000000000 sec (Thu 01 Jan 1970 00:00:00 GMT)");
    }
}
