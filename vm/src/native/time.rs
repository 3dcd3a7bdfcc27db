//! `time`: the wall clock as numbers and as ISO 8601 text, and the
//! monotonic clock (the same one as `timer.now_ms`). The calendar
//! conversion is Howard Hinnant's `civil_from_days`: proleptic Gregorian,
//! exact for every day, no table and no dependency.

use std::time::{SystemTime, UNIX_EPOCH};

use super::{int, timer::ORIGIN, Ctx};
use crate::exports::NativeFn;
use crate::interp::Exception;
use crate::value::Value;

pub const NATIVES: &[(&str, u32, NativeFn)] = &[
    ("unix_ms", 0, |_, _| Ok(Value::Int(unix_ms()))),
    ("unix", 0, |_, _| Ok(Value::Int(unix_ms().div_euclid(1000)))),
    ("monotonic_ms", 0, |_, _| {
        Ok(Value::Int(ORIGIN.elapsed().as_millis() as i64))
    }),
    ("utc_now", 0, |_, _| {
        Ok(iso(unix_ms()).map(Value::str).unwrap_or(Value::Nil))
    }),
    ("to_iso8601", 1, to_iso8601),
];

/// Milliseconds since 1970-01-01T00:00:00Z (negative before it).
fn unix_ms() -> i64 {
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_millis() as i64,
        Err(e) => -(e.duration().as_millis() as i64),
    }
}

/// `time.to_iso8601(unix_ms)`: the UTC text of a moment, to the
/// millisecond; years outside 0..9999 are `:badarg`.
fn to_iso8601(_: &mut Ctx<'_>, a: &[Value]) -> Result<Value, Exception> {
    let ms = int(&a[0])?;
    iso(ms).map(Value::str).ok_or_else(Exception::badarg)
}

/// `YYYY-MM-DDTHH:MM:SS.mmmZ`, or `None` for a year outside 0..9999.
fn iso(ms: i64) -> Option<String> {
    let days = ms.div_euclid(86_400_000);
    let in_day = ms.rem_euclid(86_400_000);
    let (y, m, d) = civil_from_days(days);
    if !(0..=9999).contains(&y) {
        return None;
    }
    let (h, rest) = (in_day / 3_600_000, in_day % 3_600_000);
    let (min, rest) = (rest / 60_000, rest % 60_000);
    let (s, milli) = (rest / 1000, rest % 1000);
    Some(format!(
        "{y:04}-{m:02}-{d:02}T{h:02}:{min:02}:{s:02}.{milli:03}Z"
    ))
}

/// The (year, month, day) of a count of days since 1970-01-01, in the
/// proleptic Gregorian calendar. The year is shifted to start in March
/// so that the leap day falls at its end; an era is 400 years.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468; // days from 0000-03-01
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // day of era, 0..146096
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // 0..399
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // day of year from March 1
    let mp = (5 * doy + 2) / 153; // month from March, 0..11
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_moments() {
        assert_eq!(iso(0).unwrap(), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso(-1).unwrap(), "1969-12-31T23:59:59.999Z");
        assert_eq!(iso(951_782_400_000).unwrap(), "2000-02-29T00:00:00.000Z");
        assert_eq!(iso(1_798_859_045_678).unwrap(), "2027-01-02T03:04:05.678Z");
        assert_eq!(
            iso(253_402_300_799_999).unwrap(),
            "9999-12-31T23:59:59.999Z"
        );
        assert!(iso(253_402_300_800_000).is_none());
        assert_eq!(
            iso(-62_167_219_200_000).unwrap(),
            "0000-01-01T00:00:00.000Z"
        );
    }

    #[test]
    fn every_day_follows_the_one_before() {
        // Walk four centuries day by day: the date always advances by
        // exactly one day, months have their lengths, leap years theirs.
        let mut prev = civil_from_days(-10);
        for day in -9..146_097 {
            let (y, m, d) = civil_from_days(day);
            let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
            let len = [
                31,
                if leap { 29 } else { 28 },
                31,
                30,
                31,
                30,
                31,
                31,
                30,
                31,
                30,
                31,
            ];
            assert!(d >= 1 && d <= len[(m - 1) as usize], "{y}-{m}-{d}");
            let next = if prev.2 < len[(prev.1 - 1) as usize] && prev.0 == y {
                (prev.0, prev.1, prev.2 + 1)
            } else if prev.1 < 12 {
                (prev.0, prev.1 + 1, 1)
            } else {
                (prev.0 + 1, 1, 1)
            };
            assert_eq!((y, m, d), next);
            prev = (y, m, d);
        }
    }
}
