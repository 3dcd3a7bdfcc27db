//! The scheduler: which process runs next. For now one thread drives every
//! process (the caller's, inside `run_until`); issue 3 replaces this file
//! with per-core workers and work stealing behind the same small interface:
//! `spawn`, `send`, `start_call`, `run_until`, `stop_others`.
//!
//! A process runs for a budget of reductions, then goes to the back of the
//! run queue. A process parked in a receive sits in the table until a
//! message comes or its deadline passes; when no process can run and some
//! wait with deadlines, the scheduler sleeps until the earliest.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};
use std::sync::Mutex;
use std::time::Instant;

use rustc_hash::FxHashMap;

use crate::interp::{self, Exit, Outcome};
use crate::mailbox::Message;
use crate::process::{Process, Start, Status};
use crate::runtime::Runtime;
use crate::value::{Atom, Pid, Value};

/// Reductions a process may use before it yields: Erlang's slice, long
/// enough that switching costs little, short enough (well under a
/// millisecond) that a spinning process never holds the others up.
pub const BUDGET: u32 = 4000;

#[derive(PartialEq, Eq, PartialOrd, Ord)]
struct Timer {
    at: Instant,
    pid: Pid,
    seq: u64,
}

enum Slot {
    Parked(Box<Process>),
    /// Taken out to run; messages sent meanwhile wait here.
    Running {
        inbox: Vec<Message>,
    },
}

#[derive(Default)]
struct State {
    procs: FxHashMap<Pid, Slot>,
    run_queue: VecDeque<Pid>,
    timers: BinaryHeap<Reverse<Timer>>,
    names: FxHashMap<Atom, Pid>,
}

/// How a process the host waits on finished.
pub enum Ended {
    /// Its outermost function returned this value.
    Returned(Value),
    /// An uncaught exception ended it (a host-driven process stays alive).
    Exited(Exit),
    /// It waits for a message no process can ever send: every process is
    /// parked and no timer is pending.
    Deadlock,
    /// It is not in the process table.
    NoProcess,
}

#[derive(Default)]
pub struct Scheduler {
    state: Mutex<State>,
}

impl State {
    fn wake(&mut self, pid: Pid) {
        if let Some(Slot::Parked(p)) = self.procs.get_mut(&pid) {
            if p.status == Status::Waiting {
                p.status = Status::Runnable;
                p.wait_expired = None;
                self.run_queue.push_back(pid);
            }
        }
    }

    fn fire_timers(&mut self, now: Instant) {
        while let Some(Reverse(t)) = self.timers.peek() {
            if t.at > now {
                break;
            }
            let Reverse(t) = self.timers.pop().expect("peeked");
            if let Some(Slot::Parked(p)) = self.procs.get_mut(&t.pid) {
                if p.status == Status::Waiting && p.wait_seq == t.seq {
                    if let Some(expired) = p.wait_expired.take() {
                        p.pc = expired;
                        p.mailbox.reset_cursor();
                        p.recv_deadline = None;
                    }
                    p.status = Status::Runnable;
                    self.run_queue.push_back(t.pid);
                }
            }
        }
    }
}

impl Scheduler {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().expect("scheduler lock")
    }

    /// Adds a new process; it runs when its turn comes.
    pub fn spawn(&self, p: Box<Process>) {
        let mut st = self.lock();
        let pid = p.pid;
        let runnable = p.status == Status::Runnable;
        st.procs.insert(pid, Slot::Parked(p));
        if runnable {
            st.run_queue.push_back(pid);
        }
    }

    /// Delivers a message (already copied for the receiver). A message to
    /// a process that does not exist is dropped, as Erlang does.
    pub fn send(&self, pid: Pid, msg: Message) {
        let mut st = self.lock();
        match st.procs.get_mut(&pid) {
            Some(Slot::Parked(p)) => {
                p.mailbox.push(msg.into_value());
                st.wake(pid);
            }
            Some(Slot::Running { inbox }) => inbox.push(msg),
            None => {}
        }
    }

    pub fn register(&self, name: Atom, pid: Pid) -> bool {
        let mut st = self.lock();
        if st.names.contains_key(&name)
            || st.names.values().any(|p| *p == pid)
            || !st.procs.contains_key(&pid)
        {
            return false;
        }
        st.names.insert(name, pid);
        true
    }

    pub fn unregister(&self, name: Atom) -> bool {
        self.lock().names.remove(&name).is_some()
    }

    pub fn whereis(&self, name: Atom) -> Option<Pid> {
        let st = self.lock();
        st.names
            .get(&name)
            .copied()
            .filter(|pid| st.procs.contains_key(pid))
    }

    pub fn is_alive(&self, pid: Pid) -> bool {
        self.lock().procs.contains_key(&pid)
    }

    /// Gives an idle host-driven process a call to make, and queues it.
    pub fn start_call(&self, pid: Pid, start: Start) -> bool {
        let mut st = self.lock();
        let Some(Slot::Parked(p)) = st.procs.get_mut(&pid) else {
            return false;
        };
        p.start = Some(start);
        p.status = Status::Runnable;
        st.run_queue.push_back(pid);
        true
    }

    /// Runs `f` on a parked process (for the host: a session's mailbox).
    pub fn with_process<R>(&self, pid: Pid, f: impl FnOnce(&mut Process) -> R) -> Option<R> {
        match self.lock().procs.get_mut(&pid) {
            Some(Slot::Parked(p)) => Some(f(p)),
            _ => None,
        }
    }

    /// Takes a parked process out of the table (a session that ends).
    pub fn remove(&self, pid: Pid) -> Option<Box<Process>> {
        let mut st = self.lock();
        st.names.retain(|_, n| *n != pid);
        match st.procs.remove(&pid) {
            Some(Slot::Parked(p)) => Some(p),
            Some(slot) => {
                st.procs.insert(pid, slot);
                None
            }
            None => None,
        }
    }

    /// Ends every process that is not host-driven (when `main` returns).
    pub fn stop_others(&self) {
        let dropped: Vec<Box<Process>> = {
            let mut guard = self.lock();
            let st = &mut *guard;
            let pids: Vec<Pid> = st
                .procs
                .iter()
                .filter(|(_, s)| !matches!(s, Slot::Parked(p) if p.host_driven))
                .map(|(pid, _)| *pid)
                .collect();
            let mut out = Vec::new();
            for pid in pids {
                if let Some(Slot::Parked(p)) = st.procs.remove(&pid) {
                    out.push(p);
                }
            }
            let procs = &st.procs;
            let keep: VecDeque<Pid> = st
                .run_queue
                .iter()
                .copied()
                .filter(|pid| procs.contains_key(pid))
                .collect();
            st.run_queue = keep;
            st.names.retain(|_, pid| procs.contains_key(pid));
            out
        };
        drop(dropped); // freed outside the lock
    }

    /// Runs processes until `target` returns from its outermost call or
    /// ends; other processes run too, in turn.
    pub fn run_until(&self, rt: &Runtime, target: Pid) -> Ended {
        self.drive(rt, Some(target), None)
    }

    /// Runs the processes that can run now (and those their messages
    /// wake) until none can, or until `deadline`; does not wait for timers.
    /// (A session gives the processes it spawned a chance to run between
    /// evaluations.)
    pub fn run_ready(&self, rt: &Runtime, deadline: Instant) {
        self.drive(rt, None, Some(deadline));
    }

    fn drive(&self, rt: &Runtime, target: Option<Pid>, deadline: Option<Instant>) -> Ended {
        let target = target.unwrap_or(Pid(u64::MAX));
        loop {
            let next = {
                let mut st = self.lock();
                if !st.timers.is_empty() {
                    st.fire_timers(Instant::now());
                }
                if deadline.is_some_and(|d| Instant::now() >= d) {
                    return Ended::NoProcess;
                }
                match st.run_queue.pop_front() {
                    Some(pid) => match st.procs.remove(&pid) {
                        Some(Slot::Parked(p)) => {
                            st.procs.insert(pid, Slot::Running { inbox: Vec::new() });
                            Some((pid, p))
                        }
                        Some(slot) => {
                            st.procs.insert(pid, slot); // not parked: skip
                            None
                        }
                        None => None, // gone meanwhile
                    },
                    None => {
                        if deadline.is_some() {
                            return Ended::NoProcess;
                        }
                        match st.procs.get(&target) {
                            None => return Ended::NoProcess,
                            Some(Slot::Parked(p)) if p.status == Status::Idle => {
                                return Ended::NoProcess
                            }
                            _ => {}
                        }
                        let Some(Reverse(next)) = st.timers.peek() else {
                            return Ended::Deadlock;
                        };
                        let at = next.at;
                        drop(st);
                        rt.flush_out();
                        let now = Instant::now();
                        if at > now {
                            std::thread::sleep(at - now);
                        }
                        None
                    }
                }
            };
            let Some((pid, mut p)) = next else { continue };
            let outcome = interp::run(rt, &mut p, BUDGET);
            let mut finished = None;
            let mut report = None;
            let mut dead = None;
            {
                let mut guard = self.lock();
                let st = &mut *guard;
                if let Some(Slot::Running { inbox }) = st.procs.remove(&pid) {
                    for m in inbox {
                        p.mailbox.push(m.into_value());
                    }
                }
                match outcome {
                    Outcome::Yield => {
                        p.status = Status::Runnable;
                        st.procs.insert(pid, Slot::Parked(p));
                        st.run_queue.push_back(pid);
                    }
                    Outcome::Wait => {
                        if p.mailbox.has_unseen() {
                            p.status = Status::Runnable;
                            p.wait_expired = None;
                            st.procs.insert(pid, Slot::Parked(p));
                            st.run_queue.push_back(pid);
                        } else {
                            p.status = Status::Waiting;
                            p.wait_seq += 1;
                            p.compact();
                            if let (Some(at), Some(_)) = (p.recv_deadline, p.wait_expired) {
                                st.timers.push(Reverse(Timer {
                                    at,
                                    pid,
                                    seq: p.wait_seq,
                                }));
                            }
                            st.procs.insert(pid, Slot::Parked(p));
                        }
                    }
                    Outcome::Returned(v) => {
                        if p.host_driven {
                            p.reset_stack();
                            p.status = Status::Idle;
                            st.procs.insert(pid, Slot::Parked(p));
                        } else {
                            st.names.retain(|_, n| *n != pid);
                            dead = Some(p);
                        }
                        if pid == target {
                            finished = Some(Ended::Returned(v));
                        }
                    }
                    Outcome::Exited(exit) => {
                        if p.host_driven {
                            p.reset_stack();
                            p.status = Status::Idle;
                            st.procs.insert(pid, Slot::Parked(p));
                        } else {
                            st.names.retain(|_, n| *n != pid);
                            dead = Some(p);
                        }
                        if pid == target {
                            finished = Some(Ended::Exited(exit));
                        } else if exit.is_abnormal() {
                            report = Some(interp::crash_report(&Value::Pid(pid), &exit));
                        }
                    }
                }
            }
            drop(dead); // the process's memory, freed outside the lock
            if let Some(report) = report {
                rt.flush_out();
                eprint!("{report}");
            }
            if let Some(f) = finished {
                return f;
            }
        }
    }
}

/// A crash report for a process the host ran (see `interp::crash_report`).
pub fn report(pid: Pid, exit: &Exit) -> String {
    interp::crash_report(&Value::Pid(pid), exit)
}
