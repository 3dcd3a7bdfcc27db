//! Hot code loading, completed as BEAM: a module has at most a current
//! and an old version. Loading a new version makes the current one old;
//! a host's load of a third version first purges the old one, killing the
//! processes still running it (Erlang's `code:purge`, as `c:l` does), so
//! memory stays flat however often a module is reloaded.
//!
//! Frames point at code by raw pointer (no refcount per call), so a
//! version may only be freed once no process has a frame, a handler or
//! its current function in it. A purge asks every process with a signal
//! (`Signal::CheckCode`), which a parked process answers at once (under
//! its lock) and a running one at the end of its slice: so when every
//! answer is in, no thread is inside a call that could still enter the
//! old code. Closures of the old version hold an `Arc` of it; a purge
//! marks the version so that entering it through a closure pins it
//! (`LoadedModule::pinned_on_entry`), as a REPL input is pinned.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::code::LoadedModule;
use crate::process::Process;
use crate::runtime::Runtime;
use crate::signal::Signal;
use crate::value::{Atom, Pid};
use crate::Vm;

/// How long a purge waits for every process to answer and for the ones
/// it killed to end. Past it, the version is kept (never freed while a
/// process might be in it).
const PURGE_PATIENCE: Duration = Duration::from_secs(5);

/// The addresses of one module version's code, to recognise a process
/// running it without dereferencing anything.
#[derive(Clone, Copy, Debug)]
pub struct CodeRange {
    module: usize,
    funs: (usize, usize),
}

impl CodeRange {
    fn of(m: &LoadedModule) -> CodeRange {
        let start = m.functions.as_ptr() as usize;
        let end = start + std::mem::size_of_val(&*m.functions);
        CodeRange {
            module: m as *const LoadedModule as usize,
            funs: (start, end),
        }
    }

    fn has_fun<T>(&self, f: *const T) -> bool {
        let a = f as usize;
        self.funs.0 <= a && a < self.funs.1
    }

    /// Whether `p` runs this code: its current function, a frame, or a
    /// handler (a stale handler counts too: cheaper than proving it dead).
    pub(crate) fn used_by(&self, p: &Process) -> bool {
        p.module as usize == self.module
            || self.has_fun(p.fun)
            || p.frames.iter().any(|f| f.module() as usize == self.module)
            || p.handlers.iter().any(|h| self.has_fun(h.fun))
    }
}

/// Purges the old version of `module`. With `kill`, the processes running
/// it are killed (`:killed`) and the version freed once they are gone;
/// without, nothing is done if any process runs it. Returns the pids that
/// ran it, and whether the version was dropped.
pub(crate) fn purge(rt: &Runtime, module: Atom, kill: bool) -> (Vec<Pid>, bool) {
    let Some(old) = rt.code.old_version(module) else {
        return (Vec::new(), true);
    };
    // First, so that a process entering it through a closure from now on
    // pins it: then its frame is safe whatever the answer says. A process
    // the snapshot below misses was added to the table after it, under
    // the table's lock, so it sees this store.
    old.purged.store(true, std::sync::atomic::Ordering::SeqCst);
    let code = CodeRange::of(&old);
    let (tx, rx) = std::sync::mpsc::channel();
    for pid in rt.scheduler.pids() {
        let reply = tx.clone();
        rt.scheduler
            .deliver(pid, Signal::CheckCode { code, kill, reply });
    }
    drop(tx);
    let deadline = Instant::now() + PURGE_PATIENCE;
    let mut users = Vec::new();
    let mut complete = true;
    // Every signal answers or is dropped (a process that ended), which
    // drops its sender: the channel ends when all are accounted for.
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok((pid, true)) => users.push(pid),
            Ok(_) => {}
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break,
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                complete = false;
                break;
            }
        }
    }
    if !kill && !users.is_empty() {
        return (users, false);
    }
    // The killed end at their next slice boundary.
    while complete && users.iter().any(|&p| rt.scheduler.table.get(p).is_some()) {
        if Instant::now() >= deadline {
            complete = false;
            break;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    let removed = rt.code.old.lock().expect("old lock").remove(&module);
    let Some(removed) = removed else {
        return (users, true);
    };
    if !complete {
        rt.code.kept.lock().expect("kept lock").push(removed);
        return (users, false);
    }
    let ptr = Arc::as_ptr(&removed);
    for entry in rt.exports.read().expect("exports lock").values() {
        entry.prune(ptr);
    }
    (users, true)
}

/// How much code a VM holds: what a host watches to see that reloading
/// does not leak (see [`Vm::code_stats`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeStats {
    /// Module versions alive: current and old ones, and any a closure or
    /// a process still holds.
    pub live_versions: usize,
    /// Modules with an old version.
    pub old_versions: usize,
}

impl Vm {
    /// Runs a host's load of `module`: one at a time, and after purging
    /// its old version if it has one (killing the processes still in it),
    /// as Erlang's `c:l/1` purges before it loads. The purge takes no
    /// loader lock: it waits for processes, which may need one (a load on
    /// demand, the exports table) to end their slice.
    pub(crate) fn host_load<T>(
        &self,
        module: &str,
        load: impl FnOnce() -> Result<T, crate::LoadError>,
    ) -> Result<T, crate::LoadError> {
        let _reload = self
            .rt
            .code
            .reloading
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let name = Atom::new(module);
        if self.rt.code.old_version(name).is_some() {
            purge(&self.rt, name, true);
        }
        load()
    }

    /// Purges the old version of `module`, as Erlang's `code:purge/1`:
    /// the processes still running it are killed with reason `:killed`,
    /// then it is freed. Returns whether any process was killed. Loading
    /// a third version of a module does this first.
    pub fn purge(&self, module: &str) -> bool {
        let _reload = self.rt.code.reloading.lock();
        !purge(&self.rt, Atom::new(module), true).0.is_empty()
    }

    /// Purges the old version of `module` only if no process runs it, as
    /// Erlang's `code:soft_purge/1`: whether it was purged (or there was
    /// none).
    pub fn soft_purge(&self, module: &str) -> bool {
        let _reload = self.rt.code.reloading.lock();
        let (users, dropped) = purge(&self.rt, Atom::new(module), false);
        users.is_empty() && dropped
    }

    /// How many module versions are alive: flat under repeated reloads.
    pub fn code_stats(&self) -> CodeStats {
        let live_versions = self
            .rt
            .code
            .ever
            .lock()
            .map_or(0, |e| e.iter().filter(|w| w.strong_count() > 0).count());
        CodeStats {
            live_versions,
            old_versions: self.rt.code.old.lock().map_or(0, |o| o.len()),
        }
    }
}

#[cfg(doctest)]
#[doc = include_str!("../../../docs/embedding/reload.md")]
pub struct GuideReload;
