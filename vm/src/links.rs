//! Links and monitors: what a process remembers of them, and what happens
//! to the other side when it ends (spec 7.4-7.5).
//!
//! A link is two-sided: each process holds the other's pid. A monitor is
//! one-sided: the watcher holds `ref -> watched` (to demonitor, and to drop
//! a `:DOWN` that arrives after a demonitor), the watched process holds
//! `ref -> watcher` (to send the `:DOWN`). Both sides change only by
//! signals (see `signal.rs`), so a process's own links are only ever
//! touched by whoever holds the process.

use rustc_hash::{FxHashMap, FxHashSet};

use crate::mailbox::Message;
use crate::runtime::Runtime;
use crate::signal::Signal;
use crate::value::{Pid, Ref, Value};

/// A process watched by a monitor, and the `(name, node)` it was
/// monitored by (its `:DOWN` then names it so, as in Erlang).
#[derive(Clone, Copy)]
pub struct Watched {
    pub pid: Pid,
    pub name: Option<(crate::value::Atom, crate::value::Atom)>,
}

#[derive(Default)]
pub struct Links {
    /// The processes linked to this one.
    pub linked: FxHashSet<Pid>,
    /// Monitors this process holds: reference -> the process it watches.
    pub monitoring: FxHashMap<Ref, Watched>,
    /// Monitors on this process: reference -> the watcher.
    pub monitored_by: FxHashMap<Ref, Pid>,
}

impl Links {}

/// Tells the other side of every link and monitor of `pid`, which ended
/// with `reason`: linked processes get an exit signal, watchers a
/// `:DOWN`, and the processes it watched forget its monitors.
pub fn propagate_exit(rt: &Runtime, pid: Pid, links: Links, reason: &Value) {
    for other in links.linked {
        rt.scheduler.deliver(
            other,
            Signal::Exit {
                from: pid,
                reason: Message::copy_of(reason),
                link: true,
            },
        );
    }
    for (r, watcher) in links.monitored_by {
        rt.scheduler.deliver(
            watcher,
            Signal::Down {
                r,
                from: pid,
                reason: Message::copy_of(reason),
            },
        );
    }
    for (r, watched) in links.monitoring {
        rt.scheduler.deliver(watched.pid, Signal::Demonitor(r));
    }
}
