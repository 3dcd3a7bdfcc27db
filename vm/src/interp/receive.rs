//! The cold parts of `receive`: reading an `after` timeout, and deciding
//! whether a waiting receive has run out of time.

use std::time::{Duration, Instant};

use super::Exception;
use crate::process::Process;
use crate::value::{Atom, Value};

/// A receive timeout: `Ok(None)` for `:infinity`, milliseconds otherwise;
/// anything else raises `:timeout_value`, as in Erlang.
pub(super) fn timeout_ms(v: &Value) -> Result<Option<u64>, Exception> {
    match v {
        Value::Int(n) if *n >= 0 => Ok(Some(*n as u64)),
        Value::BigInt(b) if b.sign() == num_bigint::Sign::Plus => Ok(None),
        Value::Atom(Atom::INFINITY) => Ok(None),
        _ => Err(Exception::error(Value::Atom(Atom::TIMEOUT_VALUE))),
    }
}

/// Whether a receive with a timeout of `ms` has run out. The deadline is
/// set the first time the receive reaches its wait; once it has passed (or
/// at once for `after 0`) the cursor is reset for the `after` branch.
pub(super) fn timed_out(p: &mut Process, ms: u64) -> bool {
    let now = Instant::now();
    let deadline = *p
        .recv_deadline
        .get_or_insert_with(|| now + Duration::from_millis(ms));
    if ms == 0 || now >= deadline {
        p.mailbox.reset_cursor();
        p.recv_deadline = None;
        true
    } else {
        false
    }
}
