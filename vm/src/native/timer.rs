//! `timer`: clocks. `now_ms`/`now_us` read a monotonic clock (for
//! measuring), `system_ms` the wall clock (milliseconds since 1970).

use std::sync::LazyLock;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use crate::exports::NativeFn;
use crate::value::Value;

/// The origin of the monotonic clock: the first time it is read.
pub(super) static ORIGIN: LazyLock<Instant> = LazyLock::new(Instant::now);

pub const NATIVES: &[(&str, u32, NativeFn)] = &[
    ("now_ms", 0, |_, _| {
        Ok(Value::Int(ORIGIN.elapsed().as_millis() as i64))
    }),
    ("now_us", 0, |_, _| {
        Ok(Value::Int(ORIGIN.elapsed().as_micros() as i64))
    }),
    ("system_ms", 0, |_, _| {
        let ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as i64);
        Ok(Value::Int(ms))
    }),
];
