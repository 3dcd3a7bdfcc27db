//! Timers: receive timeouts and `process.send_after`, on one timer thread
//! so that no scheduler thread ever blocks on time.
//!
//! A timer is an id (a fresh reference number) in `live`, plus a place in
//! a heap ordered by deadline. Cancelling takes it out of `live` (O(1));
//! the heap entry is skipped when its time comes, and the heap is rebuilt
//! when such stale entries outnumber the live ones.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::Instant;

use rustc_hash::FxHashMap;

use crate::mailbox::Message;
use crate::runtime::Runtime;
use crate::signal::Signal;
use crate::value::{Atom, Pid};

pub enum Action {
    /// The receive `pid` waits in (its `wait_seq`) times out.
    Timeout { pid: Pid, seq: u64 },
    /// `process.send_after`: deliver `msg` to a pid or a registered name.
    Send { dest: Dest, msg: Message },
}

pub enum Dest {
    Pid(Pid),
    Name(Atom),
}

struct Live {
    at: Instant,
    action: Action,
}

#[derive(Default)]
struct State {
    heap: BinaryHeap<Reverse<(Instant, u64)>>,
    live: FxHashMap<u64, Live>,
    stop: bool,
}

#[derive(Default)]
pub struct Timers {
    state: Mutex<State>,
    cv: Condvar,
}

impl Timers {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Starts timer `id`, firing `action` at `at`.
    pub fn add(&self, id: u64, at: Instant, action: Action) {
        let mut st = self.lock();
        let earliest = st.heap.peek().is_none_or(|Reverse((t, _))| at < *t);
        st.heap.push(Reverse((at, id)));
        st.live.insert(id, Live { at, action });
        if st.heap.len() > 1024 && st.heap.len() > 2 * st.live.len() {
            let live = &st.live;
            let heap: BinaryHeap<_> = live.iter().map(|(id, l)| Reverse((l.at, *id))).collect();
            st.heap = heap;
        }
        drop(st);
        if earliest {
            self.cv.notify_one();
        }
    }

    /// Cancels timer `id`: the milliseconds it had left, or `None` if it
    /// had fired or never existed.
    pub fn cancel(&self, id: u64) -> Option<u64> {
        let live = self.lock().live.remove(&id)?;
        let left = live.at.saturating_duration_since(Instant::now());
        Some(left.as_millis() as u64)
    }

    /// How many timers are pending.
    pub fn pending(&self) -> usize {
        self.lock().live.len()
    }

    pub fn stop(&self) {
        self.lock().stop = true;
        self.cv.notify_all();
    }

    /// The timer thread: fires timers as they come due until `stop`.
    pub fn run(&self, rt: &Runtime) {
        let mut st = self.lock();
        loop {
            if st.stop {
                return;
            }
            let now = Instant::now();
            let mut due = Vec::new();
            while let Some(&Reverse((at, id))) = st.heap.peek() {
                if at > now {
                    break;
                }
                st.heap.pop();
                if let Some(live) = st.live.remove(&id) {
                    due.push(live.action);
                }
            }
            if !due.is_empty() {
                // Delivered with the lock held, so that a timer is never
                // neither pending nor delivered (the deadlock check reads
                // `pending` and the run queues).
                for action in due {
                    fire(rt, action);
                }
                continue;
            }
            st = match st.heap.peek() {
                Some(&Reverse((at, _))) => {
                    let wait = at.saturating_duration_since(now);
                    self.cv
                        .wait_timeout(st, wait)
                        .unwrap_or_else(|e| e.into_inner())
                        .0
                }
                None => self.cv.wait(st).unwrap_or_else(|e| e.into_inner()),
            };
        }
    }
}

fn fire(rt: &Runtime, action: Action) {
    match action {
        Action::Timeout { pid, seq } => {
            rt.scheduler.deliver(pid, Signal::ReceiveTimeout(seq));
        }
        Action::Send { dest, msg } => {
            let pid = match dest {
                Dest::Pid(pid) => Some(pid),
                Dest::Name(name) => rt.scheduler.table.whereis(name),
            };
            if let Some(pid) = pid {
                rt.scheduler.deliver(pid, Signal::Message(msg));
            }
        }
    }
}
