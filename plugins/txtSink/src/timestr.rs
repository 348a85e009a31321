//! `B2T_TIMESTR`=1: timestamps as ISO 8601 dates, `%FT%T.<frac>%z` of `gmtime`/`localtime`.

use jiff::tz::TimeZone;
use plugin_api::fmt::text::zero_padded;

/// Date formatting in UTC (`TSTAMP_UTC`=1) or in the system's local time zone.
#[derive(Clone, Debug)]
pub struct TimeStr {
    /// `None` for UTC.
    local: Option<TimeZone>,
}

impl TimeStr {
    /// Loads the local time zone (as `localtime` does: `TZ`, else `/etc/localtime`) unless `utc`.
    pub fn new(utc: bool) -> TimeStr {
        TimeStr { local: (!utc).then(TimeZone::system) }
    }

    /// UTC offset in seconds at `t` (0 for UTC or times the zone database cannot place).
    fn offset(&self, t: i64) -> i64 {
        let Some(tz) = &self.local else { return 0 };
        jiff::Timestamp::from_second(t).map_or(0, |ts| i64::from(tz.to_offset(ts).seconds()))
    }

    /// Appends `YYYY-MM-DDTHH:MM:SS.<frac><±hhmm>`; the fraction is zero-padded to `width`.
    pub fn write(&self, out: &mut Vec<u8>, sec: u64, frac: u32, width: usize) {
        // T2 hands the u64 to gmtime/localtime as a time_t.
        let t = sec as i64;
        let off = self.offset(t);
        let local = t.saturating_add(off);
        let (days, secs) = (local.div_euclid(86_400), local.rem_euclid(86_400));
        let (y, m, d) = civil_from_days(days);
        if y < 0 {
            out.push(b'-');
        }
        zero_padded(out, y.unsigned_abs(), 4);
        out.push(b'-');
        zero_padded(out, m, 2);
        out.push(b'-');
        zero_padded(out, d, 2);
        out.push(b'T');
        zero_padded(out, (secs / 3600) as u64, 2);
        out.push(b':');
        zero_padded(out, (secs / 60 % 60) as u64, 2);
        out.push(b':');
        zero_padded(out, (secs % 60) as u64, 2);
        out.push(b'.');
        zero_padded(out, u64::from(frac), width);
        // %z: sign, then hours and minutes of the offset (seconds dropped).
        out.push(if off < 0 { b'-' } else { b'+' });
        let mins = off.unsigned_abs() / 60;
        zero_padded(out, mins / 60 * 100 + mins % 60, 4);
    }
}

/// Proleptic Gregorian date of a day count since 1970-01-01 (H. Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u64, u64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u64;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u64;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(sec: u64, frac: u32, width: usize) -> String {
        let mut out = Vec::new();
        TimeStr::new(true).write(&mut out, sec, frac, width);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn utc_dates() {
        assert_eq!(utc(1_291_753_225, 446_732_000, 9), "2010-12-07T20:20:25.446732000+0000");
        assert_eq!(utc(0, 0, 9), "1970-01-01T00:00:00.000000000+0000");
        assert_eq!(utc(951_782_400, 5, 6), "2000-02-29T00:00:00.000005+0000");
        assert_eq!(utc(4_102_444_799, 1_000_000_000, 9), "2099-12-31T23:59:59.1000000000+0000");
        assert_eq!(utc(253_402_300_800, 0, 9), "10000-01-01T00:00:00.000000000+0000");
    }

    /// Expected strings from glibc `localtime` + `strftime("%FT%T")`/`"%z"` with `TZ` set.
    #[test]
    fn local_time_like_glibc() {
        let cases: [(&str, [&str; 7]); 2] = [
            (
                "Europe/Zurich",
                [
                    "2010-12-07T21:20:25.446732000+0100",
                    "2011-03-27T03:00:00.446732000+0200",
                    "2011-03-27T04:00:00.446732000+0200",
                    "2011-10-30T02:00:00.446732000+0100",
                    "1970-01-01T01:00:00.446732000+0100",
                    "2100-01-01T00:59:59.446732000+0100",
                    "2016-07-01T02:00:00.446732000+0200",
                ],
            ),
            (
                "America/St_Johns",
                [
                    "2010-12-07T16:50:25.446732000-0330",
                    "2011-03-26T22:30:00.446732000-0230",
                    "2011-03-26T23:30:00.446732000-0230",
                    "2011-10-29T22:30:00.446732000-0230",
                    "1969-12-31T20:30:00.446732000-0330",
                    "2099-12-31T20:29:59.446732000-0330",
                    "2016-06-30T21:30:00.446732000-0230",
                ],
            ),
        ];
        let times = [1_291_753_225, 1_301_187_600, 1_301_191_200, 1_319_936_400, 0, 4_102_444_799, 1_467_331_200];
        for (zone, want) in cases {
            let Ok(tz) = TimeZone::get(zone) else {
                eprintln!("no time zone database entry for {zone}: skipped");
                continue;
            };
            let ts = TimeStr { local: Some(tz) };
            for (t, w) in times.iter().zip(want) {
                let mut out = Vec::new();
                ts.write(&mut out, *t, 446_732_000, 9);
                assert_eq!(String::from_utf8(out).unwrap(), w, "{zone} {t}");
            }
        }
    }

    #[test]
    fn civil_round_trip() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
    }
}
