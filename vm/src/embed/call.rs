//! Host calls that the host can follow and end: `start_call` gives a
//! [`CallHandle`] (the call's pid, a wait with or without a timeout, a
//! kill, and a future for async hosts); `call_timeout` ends a call that
//! runs too long. Every call reports its failure as a [`Crash`]: the
//! process's exit reason, `:timeout`, or `:vm_stopped`.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use crate::host::{HostResult, Watch};
use crate::proc_table::Entry;
use crate::process::{Process, Start};
use crate::runtime::Runtime;
use crate::scheduler::Ended;
use crate::signal::Signal;
use crate::value::{Atom, Pid, Value};
use crate::{mailbox, native, Crash, Term, Vm};

/// A call the host started with [`Vm::start_call`]: its process runs on
/// the scheduler threads while the host holds this. Dropping the handle
/// lets the call run on (use [`CallHandle::kill`] to end it).
///
/// It is a future too: `handle.await` (in any async runtime) is
/// [`CallHandle::wait`] without blocking a thread.
pub struct CallHandle {
    rt: Arc<Runtime>,
    pid: Pid,
    watch: Arc<Watch>,
    /// Its watch is in the runtime's list for `shutdown` (once awaited).
    followed: bool,
}

impl Vm {
    /// Starts `module.function(args...)` in a new process and returns at
    /// once with a handle to it: its pid, and the result to wait for.
    ///
    /// # Examples
    ///
    /// ```
    /// # use reef_vm::{Term, Vm};
    /// let vm = Vm::builder().env_path(false).build();
    /// vm.load_source("m", "m.reef", "pub fn spin(n) { spin(n + 1) }")?;
    /// let call = vm.start_call("m", "spin", vec![Term::Int(0)]);
    /// assert!(matches!(call.pid(), Term::Pid(_)));
    /// call.kill();
    /// assert_eq!(call.wait().unwrap_err().reason, Term::atom("killed"));
    /// # Ok::<(), reef_vm::LoadError>(())
    /// ```
    pub fn start_call(&self, module: &str, function: &str, args: Vec<Term>) -> CallHandle {
        let fun = native::ext_fun(Atom::new(module), Atom::new(function), args.len() as u32);
        let args = args.iter().map(Term::to_value).collect();
        self.start_fun(fun, args, false)
    }

    /// Starts a call; with `here`, its first slice runs on this (the
    /// host's) thread: a short call then ends before this returns, with
    /// no thread to wake on either side (most of a round trip's cost).
    /// A longer one goes on the run queue at the end of that slice, like
    /// any process whose slice ran out.
    pub(crate) fn start_fun(&self, fun: Value, args: Vec<Value>, here: bool) -> CallHandle {
        let pid = self.rt.new_pid();
        let watch = Arc::new(Watch::default());
        if self.rt.scheduler.is_stopped() {
            watch.stop();
        } else {
            let mut p = Process::new(pid);
            p.start = Some(Box::new(Start { fun, args }));
            p.watch = Some(watch.clone());
            if here {
                let e = Entry::new(pid, Some(Box::new(p)), false);
                self.rt.scheduler.table.insert(e.clone());
                self.rt.scheduler.run_slice_guarded(&self.rt, e);
            } else {
                self.rt.scheduler.spawn(Box::new(p));
            }
        }
        CallHandle {
            rt: self.rt.clone(),
            pid,
            watch,
            followed: false,
        }
    }

    /// Calls `module.function(args...)` and waits at most `timeout` for
    /// its result. Past it, the call's process is killed (as by
    /// `exit(pid, :kill)`) and the error is a [`Crash`] with reason
    /// `:timeout`.
    ///
    /// # Examples
    ///
    /// ```
    /// # use std::time::Duration;
    /// # use reef_vm::{Term, Vm};
    /// let vm = Vm::builder().env_path(false).build();
    /// vm.load_source("m", "m.reef", "pub fn spin(n) { spin(n + 1) }")?;
    /// let err = vm
    ///     .call_timeout("m", "spin", vec![Term::Int(0)], Duration::from_millis(20))
    ///     .unwrap_err();
    /// assert_eq!(err.reason, Term::atom("timeout"));
    /// # Ok::<(), reef_vm::LoadError>(())
    /// ```
    pub fn call_timeout(
        &self,
        module: &str,
        function: &str,
        args: Vec<Term>,
        timeout: Duration,
    ) -> Result<Term, Crash> {
        let fun = native::ext_fun(Atom::new(module), Atom::new(function), args.len() as u32);
        let args = args.iter().map(Term::to_value).collect();
        let mut call = self.start_fun(fun, args, true);
        match call.wait_timeout(timeout) {
            Some(r) => r,
            None => {
                call.kill();
                Err(timed_out(call.pid))
            }
        }
    }

    /// Sends an exit signal to a local process, as Erlang's `exit(pid,
    /// reason)` from the host: `:kill` ends it whatever it does
    /// (untrappable, its reason becomes `:killed`); another reason ends
    /// it unless it traps exits (then it gets `(:EXIT, from, reason)`,
    /// `from` being the host's pid 0); `:normal` does nothing to a process
    /// that does not trap exits. A running process is stopped at the end
    /// of its slice (at most 4,000 reductions, well under a millisecond);
    /// a parked one at once. Whether `pid` was a live local process.
    pub fn exit(&self, pid: &Term, reason: &Term) -> bool {
        let Term::Pid(p) = pid else {
            return false;
        };
        let pid = Pid(*p);
        if !pid.is_local() || !self.rt.scheduler.is_alive(pid) {
            return false;
        }
        self.rt.scheduler.deliver(
            pid,
            Signal::Exit {
                from: Pid(0),
                reason: mailbox::Message::copy_of(&reason.to_value()),
                link: false,
            },
        );
        true
    }
}

impl CallHandle {
    /// The pid of the call's process.
    pub fn pid(&self) -> Term {
        Term::Pid(self.pid.0)
    }

    /// Whether the call has ended (its result waits to be taken).
    pub fn is_done(&self) -> bool {
        self.watch.is_done()
    }

    /// Ends the call's process at once (`exit(pid, :kill)`): the call's
    /// result becomes a crash with reason `:killed`.
    pub fn kill(&self) {
        self.rt.scheduler.deliver(
            self.pid,
            Signal::Exit {
                from: Pid(0),
                reason: mailbox::Message::copy_of(&Value::Atom(Atom::KILL)),
                link: false,
            },
        );
    }

    /// Waits for the call's result: its value, or a [`Crash`] (its exit
    /// reason; `:vm_stopped` if the VM was shut down meanwhile).
    pub fn wait(self) -> Result<Term, Crash> {
        let ended = self.rt.scheduler.wait_for(&self.watch, self.pid, false);
        outcome(&self.rt, self.pid, ended)
    }

    /// Waits up to `timeout`: `None` if the call still runs (the handle
    /// can wait again, or `kill` it).
    pub fn wait_timeout(&mut self, timeout: Duration) -> Option<Result<Term, Crash>> {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if let Some(r) = self.watch.wait(left.min(Duration::from_millis(20))) {
                return Some(outcome(&self.rt, self.pid, Ended::Done(r)));
            }
            if self.rt.scheduler.is_stopped() {
                return Some(outcome(&self.rt, self.pid, Ended::NoProcess));
            }
            if left.is_zero() {
                return None;
            }
        }
    }
}

impl Future for CallHandle {
    type Output = Result<Term, Crash>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        if !self.followed {
            // Followed so that `shutdown` wakes this future (a process
            // inside a long native never ends its call by itself).
            self.rt.watches.add(&self.watch);
            self.followed = true;
        }
        if self.rt.scheduler.is_stopped() {
            if let Some(r) = self.watch.take() {
                return Poll::Ready(outcome(&self.rt, self.pid, Ended::Done(r)));
            }
            return Poll::Ready(outcome(&self.rt, self.pid, Ended::NoProcess));
        }
        match self.watch.poll(cx) {
            Poll::Ready(r) => Poll::Ready(outcome(&self.rt, self.pid, Ended::Done(r))),
            Poll::Pending => Poll::Pending,
        }
    }
}

/// The host's view of how a call ended.
pub(crate) fn outcome(rt: &Runtime, pid: Pid, ended: Ended) -> Result<Term, Crash> {
    if let Some(&status) = rt.halted.get() {
        return Err(crate::halted(pid, status));
    }
    rt.flush_out();
    match ended {
        Ended::Done(HostResult::Returned { value, .. }) => Ok(value),
        Ended::Done(HostResult::BadResult(t)) => Ok(t),
        Ended::Done(HostResult::Exited {
            reason,
            report,
            abnormal,
        }) => {
            if abnormal {
                Err(Crash {
                    pid: Term::Pid(pid.0),
                    reason,
                    report,
                })
            } else {
                Ok(reason)
            }
        }
        Ended::Deadlock => Err(crate::deadlock(pid)),
        Ended::NoProcess => Err(vm_stopped(pid)),
    }
}

/// The error of a call the host waited for when the VM was shut down.
pub(crate) fn vm_stopped(pid: Pid) -> Crash {
    Crash {
        pid: Term::Pid(pid.0),
        reason: Term::atom("vm_stopped"),
        report: "** the VM was shut down before the call ended (:vm_stopped)\n".to_string(),
    }
}

fn timed_out(pid: Pid) -> Crash {
    Crash {
        pid: Term::Pid(pid.0),
        reason: Term::atom("timeout"),
        report: format!(
            "** process {} was killed: the host's call timed out (:timeout)\n",
            Value::Pid(pid)
        ),
    }
}
