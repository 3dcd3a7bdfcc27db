//! Where the host program meets processes: waiting for a process's call
//! to end (`run_main`, `call`, a session's evaluation), and mailboxes the
//! host receives on.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, Weak};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use crate::interp::{self, Exit, Outcome};
use crate::process::Process;
use crate::term::Term;
use crate::value::{print, Value};

/// How a call the host waits for ended. Made on the scheduler thread that
/// ran the process, out of owned terms, so it can cross to the host.
#[derive(Debug, Clone)]
pub enum HostResult {
    /// The function returned (for a session: the value of the expression,
    /// its state kept in the process).
    Returned { value: Term, text: String },
    /// A session's evaluation returned something that is not a
    /// `(value, state)` pair.
    BadResult(Term),
    /// It ended with an exception or an exit signal.
    Exited {
        reason: Term,
        report: String,
        abnormal: bool,
    },
}

/// Where the host learns how a call ended: the scheduler thread that
/// ends the process `set`s it; the host `wait`s on it (a thread) or polls
/// it (a future, `poll`). A waiting thread spins a little before it parks:
/// most calls end within microseconds, and a futex sleep and wake-up costs
/// more than the call itself.
#[derive(Default)]
pub struct Watch {
    state: Mutex<WatchState>,
    /// Set (after the result) when there is a result to take: read
    /// without the lock by a spinning waiter.
    done: AtomicBool,
    cv: Condvar,
}

#[derive(Default)]
struct WatchState {
    result: Option<HostResult>,
    /// The task of a future that waits for the result.
    waker: Option<Waker>,
    /// A thread waits on `cv` (only then is it worth a wake-up).
    parked: bool,
}

/// How long a thread that waits for a call spins before it parks (a
/// trivial call takes a few microseconds).
const SPIN: Duration = Duration::from_micros(40);

impl Watch {
    pub fn set(&self, r: HostResult) {
        let (parked, waker) = {
            let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
            if s.result.is_some() {
                return; // the first end wins (a `:vm_stopped` came first)
            }
            s.result = Some(r);
            self.done.store(true, Ordering::Release);
            (s.parked, s.waker.take())
        };
        if parked {
            self.cv.notify_all();
        }
        if let Some(w) = waker {
            w.wake();
        }
    }

    /// Ends the wait with `:vm_stopped` (the VM shut down), unless the
    /// call already ended.
    pub fn stop(&self) {
        self.set(HostResult::Exited {
            reason: Term::atom("vm_stopped"),
            report: "** the VM was shut down before the call ended (:vm_stopped)\n".to_string(),
            abnormal: true,
        });
    }

    /// Whether the result is there to take.
    pub fn is_done(&self) -> bool {
        self.done.load(Ordering::Acquire)
    }

    /// Takes the result if it is there.
    pub fn take(&self) -> Option<HostResult> {
        if !self.is_done() {
            return None;
        }
        self.state
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .result
            .take()
    }

    /// Waits up to `timeout` for the result.
    pub fn wait(&self, timeout: Duration) -> Option<HostResult> {
        let start = Instant::now();
        let spin = SPIN.min(timeout);
        let mut n = 0u32;
        while !self.is_done() {
            std::hint::spin_loop();
            n += 1;
            if n.is_multiple_of(64) {
                if start.elapsed() >= spin {
                    break;
                }
                // On a machine with few cores the thread that runs the
                // call may need this one's.
                std::thread::yield_now();
            }
        }
        let mut guard = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if guard.result.is_none() {
            let left = timeout.saturating_sub(start.elapsed());
            guard.parked = true;
            guard = self
                .cv
                .wait_timeout_while(guard, left, |s| s.result.is_none())
                .unwrap_or_else(|e| e.into_inner())
                .0;
            guard.parked = false;
        }
        guard.result.take()
    }

    /// For a future: the result if it is there, else `cx`'s waker is kept
    /// to be woken when it comes.
    pub fn poll(&self, cx: &mut Context<'_>) -> Poll<HostResult> {
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        match s.result.take() {
            Some(r) => Poll::Ready(r),
            None => {
                match &mut s.waker {
                    Some(w) => w.clone_from(cx.waker()),
                    w => *w = Some(cx.waker().clone()),
                }
                Poll::Pending
            }
        }
    }
}

/// The calls the host waits for, so that `shutdown` can end each wait
/// with `:vm_stopped` (a process inside a long native, or parked for
/// ever, would otherwise never tell).
#[derive(Default)]
pub struct Watches {
    live: Mutex<Vec<Weak<Watch>>>,
}

impl Watches {
    /// Follows `w` until it ends or the VM stops.
    pub fn add(&self, w: &Arc<Watch>) {
        let mut live = self.live.lock().unwrap_or_else(|e| e.into_inner());
        if live.len() >= 64 && live.len().is_power_of_two() {
            live.retain(|w| w.upgrade().is_some_and(|w| !w.is_done()));
        }
        live.push(Arc::downgrade(w));
    }

    /// Ends every wait still going with `:vm_stopped`.
    pub fn stop_all(&self) {
        let live = std::mem::take(&mut *self.live.lock().unwrap_or_else(|e| e.into_inner()));
        for w in live.iter().filter_map(Weak::upgrade) {
            w.stop();
        }
    }
}

/// The result of a watched process's call, made from its outcome. A
/// session keeps the new state the evaluation returned.
pub fn result_of(p: &mut Process, outcome: &Outcome) -> HostResult {
    match outcome {
        Outcome::Returned(v) if p.host_driven => match v.as_tuple() {
            Some([value, state]) => {
                p.session_state = state.clone();
                HostResult::Returned {
                    value: Term::from_value(value),
                    text: print::inspect(value),
                }
            }
            _ => HostResult::BadResult(Term::from_value(v)),
        },
        // Only a session shows the text (`vm.call` wants the value).
        Outcome::Returned(v) => HostResult::Returned {
            value: Term::from_value(v),
            text: String::new(),
        },
        Outcome::Exited(exit) => exited(p, exit),
        Outcome::Yield | Outcome::Wait => unreachable!("not an end"),
    }
}

pub fn exited(p: &Process, exit: &Exit) -> HostResult {
    HostResult::Exited {
        reason: Term::from_value(&exit.reason()),
        report: interp::crash_report(&Value::Pid(p.pid), exit),
        abnormal: exit.is_abnormal(),
    }
}
