//! Where the host program meets processes: waiting for a process's call
//! to end (`run_main`, `call`, a session's evaluation), and mailboxes the
//! host receives on.

use std::sync::{Condvar, Mutex};
use std::time::Duration;

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

#[derive(Default)]
pub struct Watch {
    result: Mutex<Option<HostResult>>,
    cv: Condvar,
}

impl Watch {
    pub fn set(&self, r: HostResult) {
        *self.result.lock().unwrap_or_else(|e| e.into_inner()) = Some(r);
        self.cv.notify_all();
    }

    /// Waits up to `timeout` for the result.
    pub fn wait(&self, timeout: Duration) -> Option<HostResult> {
        let guard = self.result.lock().unwrap_or_else(|e| e.into_inner());
        let (mut guard, _) = self
            .cv
            .wait_timeout_while(guard, timeout, |r| r.is_none())
            .unwrap_or_else(|e| e.into_inner());
        guard.take()
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
        Outcome::Returned(v) => HostResult::Returned {
            value: Term::from_value(v),
            text: print::inspect(v),
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
