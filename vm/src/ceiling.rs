//! The VM-wide memory ceiling (`--max-memory`, `VmBuilder::max_memory`).
//!
//! A small thread samples the VM's resident set size every few
//! milliseconds, and so do the scheduler threads when it falls behind
//! ([`Watch`]). Over the ceiling, it kills the process that holds the
//! most memory by its published estimate (`Entry::memory`, set at each
//! slice's end and raised as messages arrive, so a running process is
//! judged without its lock) with `(:system_limit, :memory)`: untrappable
//! like `:kill`, with a crash report; the others go on. An allocator may
//! keep freed memory for a while, so after a kill the monitor waits, and
//! kills again only if memory is still over the ceiling and has grown
//! past what was left after the last kill.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
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

/// The ceiling's state, shared by the monitor thread and the scheduler
/// threads: whoever samples first in a period does the check. The monitor
/// alone can be starved of CPU on a loaded machine (a flood once grew to
/// nine times a 300 MB ceiling while it waited), but the threads that
/// allocate are the scheduler threads, which are running by definition:
/// each looks at the clock after every [`POKE_EVERY`] reductions and samples when
/// the period is due.
#[derive(Default)]
pub struct Watch {
    /// The ceiling in bytes; 0 until `start` finds one to keep.
    ceiling: AtomicUsize,
    /// When the next sample is due, in milliseconds since `epoch`.
    next_ms: AtomicU64,
    epoch: std::sync::OnceLock<Instant>,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    /// What memory settled at after the last kill, while still over.
    floor: usize,
    last_kill: Option<Instant>,
}

/// Reductions (plus one per slice) a scheduler thread runs between two
/// looks at the clock: about four full slices.
pub const POKE_EVERY: u64 = 16_384;

impl Watch {
    /// From a scheduler thread at a slice's end: samples if a sample is
    /// due and no other thread is taking it.
    pub(crate) fn poke(&self, rt: &Runtime) {
        if self.ceiling.load(Ordering::Relaxed) == 0 {
            return;
        }
        let Some(epoch) = self.epoch.get() else {
            return;
        };
        let now = epoch.elapsed().as_millis() as u64;
        let due = self.next_ms.load(Ordering::Relaxed);
        if now < due {
            return;
        }
        let next = now + SAMPLE.as_millis() as u64;
        if self
            .next_ms
            .compare_exchange(due, next, Ordering::Relaxed, Ordering::Relaxed)
            .is_ok()
        {
            self.sample(rt);
        }
    }

    /// One look at the resident set: over the ceiling, kill the biggest
    /// process, unless a kill is still being paid back.
    fn sample(&self, rt: &Runtime) {
        let ceiling = self.ceiling.load(Ordering::Relaxed);
        // Another thread is sampling: one check is enough.
        let Ok(mut st) = self.state.try_lock() else {
            return;
        };
        let Some(rss) = rss_bytes() else { return };
        if rss <= ceiling {
            st.floor = 0;
            return;
        }
        if let Some(t) = st.last_kill {
            if t.elapsed() < GRACE {
                return;
            }
            if st.floor == 0 {
                st.floor = rss; // what the last kill left
            }
        }
        if st.floor > 0 && rss < st.floor.saturating_add(ceiling / 8) {
            return;
        }
        if kill_biggest(rt, (ceiling / 64).max(1 << 20)) {
            st.last_kill = Some(Instant::now());
            st.floor = 0;
        }
    }
}

/// After every [`POKE_EVERY`] reductions of work (a few
/// full slices, or thousands of short ones), this thread offers to take
/// the memory ceiling's sample, so a monitor thread starved of CPU cannot
/// let memory run away (`ceiling::Watch`). Counting reductions rather
/// than slices keeps the clock off the path of a short message hop and
/// still looks often enough when every slice allocates megabytes.
pub(crate) fn after_slice(rt: &Runtime, used: u64) {
    thread_local!(static WORK: std::cell::Cell<u64> = const { std::cell::Cell::new(0) });
    let due = WORK.with(|w| {
        let n = w.get() + used + 1;
        let due = n >= POKE_EVERY;
        w.set(if due { 0 } else { n });
        due
    });
    if due {
        rt.ceiling.poke(rt);
    }
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
    let _ = rt.ceiling.epoch.set(Instant::now());
    rt.ceiling.ceiling.store(ceiling, Ordering::Relaxed);
    if !rt.limits.ceiling_thread {
        return;
    }
    let weak = Arc::downgrade(rt);
    let handle = std::thread::Builder::new()
        .name("reef-memory".into())
        .spawn(move || monitor(weak))
        .expect("spawn the memory monitor");
    rt.scheduler.add_thread(handle);
}

fn monitor(rt: std::sync::Weak<Runtime>) {
    loop {
        // Parked rather than slept: shutdown unparks it, so stopping the
        // VM does not wait for the next sample.
        std::thread::park_timeout(SAMPLE);
        let Some(rt) = rt.upgrade() else { return };
        if rt.scheduler.is_stopped() {
            return;
        }
        rt.ceiling.sample(&rt);
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
