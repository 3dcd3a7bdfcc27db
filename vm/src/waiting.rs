//! The host's side of the scheduler: running a call on a process the
//! host drives and waiting for it to end (with the rule that makes a wait
//! a deadlock only when that is certain), sessions, and stopping the
//! other processes when `main` returns.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use crate::host::Watch;
use crate::interp::Exit;
use crate::process::{Process, Status};
use crate::runtime::Runtime;
use crate::scheduler::{Ended, Scheduler, SHUTDOWN_WAIT};
use crate::signal::Signal;
use crate::value::{Atom, Pid, Value};

impl Scheduler {
    /// Runs `f` on a process that is not running (for the host: a
    /// session's state and mailbox).
    pub fn with_process<R>(&self, pid: Pid, f: impl FnOnce(&mut Process) -> R) -> Option<R> {
        let e = self.table.get(pid)?;
        let mut s = e.lock();
        s.body.as_mut().map(|p| f(p))
    }

    /// Counts one more source of messages outside the processes (a stdin
    /// read in flight, an open host mailbox); `outside_sender_gone` when
    /// it is over.
    pub(crate) fn outside_sender_open(&self) {
        self.outside.fetch_add(1, Ordering::SeqCst);
    }

    pub(crate) fn outside_sender_gone(&self) {
        self.outside.fetch_sub(1, Ordering::SeqCst);
    }

    /// Waits for the call `watch` follows to end. With `deadlock` set,
    /// gives up when nothing can ever happen again: every process parked,
    /// no timer pending, no message can come from outside (a stdin read,
    /// a host mailbox), and `pid` still waiting. The caller promises that
    /// no host thread sends meanwhile (`VmBuilder::detect_deadlocks`).
    pub fn wait_for(&self, watch: &Watch, pid: Pid, deadlock: bool) -> Ended {
        let mut quiet_since: Option<Instant> = None;
        loop {
            if let Some(r) = watch.wait(Duration::from_millis(20)) {
                return Ended::Done(r);
            }
            if self.is_stopped() {
                return Ended::NoProcess;
            }
            let stuck = deadlock && self.quiescent() && self.is_waiting(pid);
            match (stuck, quiet_since) {
                (false, _) => quiet_since = None,
                (true, None) => quiet_since = Some(Instant::now()),
                (true, Some(t)) if t.elapsed() >= Duration::from_millis(40) => {
                    return Ended::Deadlock
                }
                (true, Some(_)) => {}
            }
        }
    }

    fn is_waiting(&self, pid: Pid) -> bool {
        self.table.get(pid).is_some_and(|e| {
            let s = e.lock();
            s.inbox.is_empty()
                && s.body
                    .as_ref()
                    .is_some_and(|b| b.status == Status::Waiting && !b.mailbox.has_unseen())
        })
    }

    /// Nothing runs, nothing is queued, no timer is pending.
    fn quiescent(&self) -> bool {
        self.sleepers.load(Ordering::SeqCst) == self.count()
            && !self.has_work()
            && self.timers.pending() == 0
            && self.outside.load(Ordering::SeqCst) == 0
    }

    /// Waits up to `limit` for every scheduler thread to run out of work.
    pub fn settle(&self, limit: Duration) {
        let deadline = Instant::now() + limit;
        let idle = || self.sleepers.load(Ordering::SeqCst) == self.count() && !self.has_work();
        while Instant::now() < deadline && !idle() {
            std::thread::sleep(Duration::from_micros(200));
        }
    }

    /// Ends a process the host drives (a session that closes).
    pub fn remove(&self, rt: &Runtime, pid: Pid) {
        let Some(e) = self.table.get(pid) else {
            return;
        };
        let body = {
            let mut s = e.lock();
            if s.body.is_none() {
                // Running (or a host mailbox): let it end by a signal.
                s.dead = s.dead || e.host.is_some();
                None
            } else {
                s.dead = true;
                s.body.take()
            }
        };
        match body {
            Some(b) => self.terminate(rt, b, Exit::signal(Value::Atom(Atom::SHUTDOWN))),
            None => {
                self.table.remove(pid);
            }
        }
    }

    /// Ends every process the host does not drive (when `main` returns),
    /// as if by `:shutdown`, and waits (a little) for them to go.
    pub fn stop_others(&self) {
        let mut keep = 0;
        for e in self.table.entries() {
            let host_driven =
                e.host.is_some() || e.lock().body.as_ref().is_some_and(|b| b.host_driven);
            if host_driven {
                keep += 1;
            } else {
                self.deliver_to(&e, Signal::Shutdown);
            }
        }
        let deadline = Instant::now() + SHUTDOWN_WAIT;
        while self.table.len() > keep && Instant::now() < deadline {
            std::thread::sleep(Duration::from_micros(200));
        }
    }
}
