//! The VM-wide memory ceiling (`--max-memory`, `VmBuilder::max_memory`).
//!
//! A small thread samples the VM's resident set size every few
//! milliseconds. Over the ceiling, it kills the process that holds the
//! most memory by its published estimate (`Entry::memory`, set at each
//! slice's end and raised as messages arrive, so a running process is
//! judged without its lock) with `(:system_limit, :memory)`: untrappable
//! like `:kill`, with a crash report; the others go on. An allocator may
//! keep freed memory for a while, so after a kill the monitor waits, and
//! kills again only if memory is still over the ceiling and has grown
//! past what was left after the last kill.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::mailbox::Message;
use crate::runtime::Runtime;
use crate::signal::Signal;
use crate::value::{Atom, Value};

/// How often the resident set size is sampled.
const SAMPLE: Duration = Duration::from_millis(10);

/// How long after a kill memory is given to come back.
const GRACE: Duration = Duration::from_millis(300);

/// The default ceiling: 80% of the machine's memory or of the cgroup's
/// limit, whichever is less (0, no ceiling, where neither can be read).
pub fn default_max_memory() -> usize {
    let total = meminfo_total();
    let cgroup = cgroup_limit();
    let least = match (total, cgroup) {
        (Some(a), Some(b)) => a.min(b),
        (Some(a), None) | (None, Some(a)) => a,
        (None, None) => return 0,
    };
    least / 5 * 4
}

fn meminfo_total() -> Option<usize> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    kb_field(&text, "MemTotal:")
}

fn cgroup_limit() -> Option<usize> {
    for path in [
        "/sys/fs/cgroup/memory.max",
        "/sys/fs/cgroup/memory/memory.limit_in_bytes",
    ] {
        if let Ok(text) = std::fs::read_to_string(path) {
            // "max" (v2) or a huge number (v1) means no limit.
            if let Ok(n) = text.trim().parse::<u64>() {
                if n < (1 << 60) {
                    return Some(n as usize);
                }
            }
        }
    }
    None
}

/// `NAME:   N kB` from a /proc file, in bytes.
fn kb_field(text: &str, name: &str) -> Option<usize> {
    let line = text.lines().find(|l| l.starts_with(name))?;
    let kb: usize = line[name.len()..].split_whitespace().next()?.parse().ok()?;
    Some(kb * 1024)
}

/// The resident set size of this program, in bytes.
pub fn rss_bytes() -> Option<usize> {
    let text = std::fs::read_to_string("/proc/self/status").ok()?;
    kb_field(&text, "VmRSS:")
}

/// `(:system_limit, :memory)`
pub fn memory_reason() -> Value {
    Value::tuple(vec![
        Value::Atom(Atom::SYSTEM_LIMIT),
        Value::Atom(Atom::new("memory")),
    ])
}

/// The least ceiling of the VMs in this program (0: none): the resident
/// set is the program's, so the least is the one that binds. Read where a
/// process grows its stack by a big step (`interp::call::grow`), which
/// does not wait for the monitor's next sample.
static LEAST: AtomicUsize = AtomicUsize::new(0);

/// Whether growing by `bytes` now would pass the ceiling.
pub fn would_pass(bytes: usize) -> bool {
    let least = LEAST.load(Ordering::Relaxed);
    least > 0 && rss_bytes().is_some_and(|rss| rss.saturating_add(bytes) > least)
}

/// Starts the monitor if the VM has a ceiling (and the RSS can be read).
pub fn start(rt: &Arc<Runtime>) {
    let ceiling = rt.limits.max_memory;
    if ceiling == 0 || rss_bytes().is_none() {
        return;
    }
    let _ = LEAST.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |old| {
        Some(if old == 0 { ceiling } else { old.min(ceiling) })
    });
    let weak = Arc::downgrade(rt);
    let handle = std::thread::Builder::new()
        .name("reef-memory".into())
        .spawn(move || monitor(weak, ceiling))
        .expect("spawn the memory monitor");
    rt.scheduler.add_thread(handle);
}

fn monitor(rt: std::sync::Weak<Runtime>, ceiling: usize) {
    // What memory settled at after the last kill, while still over.
    let mut floor = 0usize;
    let mut last_kill: Option<Instant> = None;
    loop {
        // Parked rather than slept: shutdown unparks it, so stopping the
        // VM does not wait for the next sample.
        std::thread::park_timeout(SAMPLE);
        let Some(rt) = rt.upgrade() else { return };
        if rt.scheduler.is_stopped() {
            return;
        }
        let Some(rss) = rss_bytes() else { return };
        if rss <= ceiling {
            floor = 0;
            continue;
        }
        if let Some(t) = last_kill {
            if t.elapsed() < GRACE {
                continue;
            }
            if floor == 0 {
                floor = rss; // what the last kill left
            }
        }
        if floor > 0 && rss < floor.saturating_add(ceiling / 8) {
            continue;
        }
        if kill_biggest(&rt, (ceiling / 64).max(1 << 20)) {
            last_kill = Some(Instant::now());
            floor = 0;
        }
    }
}

/// Kills the process with the largest memory estimate, if it holds at
/// least `least` bytes (killing a small one frees nothing that matters:
/// the excess is then memory the allocator has not given back yet, or a
/// process still freeing what it held); whether one was.
pub(crate) fn kill_biggest(rt: &Runtime, least: usize) -> bool {
    let victim = rt
        .scheduler
        .table
        .entries()
        .into_iter()
        .filter(|e| e.host.is_none())
        .max_by_key(|e| e.memory.load(std::sync::atomic::Ordering::Relaxed));
    match victim {
        Some(e) if e.memory.load(std::sync::atomic::Ordering::Relaxed) >= least => {
            let reason = Message::copy_of(&memory_reason());
            rt.scheduler.deliver_to(&e, Signal::Kill(reason));
            true
        }
        _ => false,
    }
}
