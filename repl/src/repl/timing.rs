//! `:time expr`: evaluates `expr` as any input (its value is printed),
//! then prints the wall time it took and the reductions the session's
//! process ran for it (as Erlang's `timer:tc` and the reductions of
//! `process_info(self(), reductions)` before and after).

use std::time::{Duration, Instant};

use super::Repl;

pub(super) fn time(repl: &mut Repl, expr: &str) {
    if expr.trim().is_empty() {
        errln!("usage: :time EXPR");
        return;
    }
    let before = repl.session.reductions();
    let start = Instant::now();
    repl.eval(expr);
    let wall = start.elapsed();
    let after = repl.session.reductions();
    let reductions = match (before, after) {
        (Some(b), Some(a)) => a.saturating_sub(b).to_string(),
        _ => "?".to_string(),
    };
    outln!("time: {} wall, {reductions} reductions", duration(wall));
}

/// A duration with three significant figures in a unit that suits it.
pub(super) fn duration(d: Duration) -> String {
    let us = d.as_secs_f64() * 1e6;
    let (value, unit) = if us < 1000.0 {
        (us, "µs")
    } else if us < 1e6 {
        (us / 1e3, "ms")
    } else {
        (us / 1e6, "s")
    };
    let decimals = if value >= 100.0 {
        0
    } else if value >= 10.0 {
        1
    } else {
        2
    };
    format!("{value:.decimals$} {unit}")
}

#[cfg(test)]
mod tests {
    use super::duration;
    use std::time::Duration;

    #[test]
    fn durations_read_in_a_suitable_unit() {
        assert_eq!(duration(Duration::from_nanos(1_500)), "1.50 µs");
        assert_eq!(duration(Duration::from_micros(250)), "250 µs");
        assert_eq!(duration(Duration::from_micros(12_345)), "12.3 ms");
        assert_eq!(duration(Duration::from_millis(2_500)), "2.50 s");
    }
}
