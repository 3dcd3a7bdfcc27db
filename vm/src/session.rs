//! Sessions: a process the host drives one evaluation at a time (the
//! REPL's), keeping its pid, mailbox and state between evaluations, and
//! the handle that interrupts a running evaluation.

use std::sync::Arc;

use crate::host::HostResult;
use crate::process::{Process, Start, Status};
use crate::runtime::Runtime;
use crate::scheduler::Ended;
use crate::{
    bytecode, code, deadlock, halted, host, local_fun, mailbox, native, signal, value, Atom, Crash,
    Pid, Term, Value,
};

/// What an evaluation in a [`Session`] gave.
#[derive(Debug, Clone)]
pub struct EvalOutput {
    /// The value, as `inspect` writes it.
    pub text: String,
    /// The value itself.
    pub value: Term,
}

/// Why an evaluation in a [`Session`] failed. The session lives on.
#[derive(Debug, Clone)]
pub enum EvalError {
    /// The evaluation crashed; the report names the reason and the trace.
    Crashed(Crash),
    /// The function did not return a `(value, new_state)` pair.
    BadResult(Term),
    /// [`Interrupter::interrupt`] stopped it.
    Interrupted,
}

impl std::fmt::Display for EvalError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EvalError::Crashed(c) => f.write_str(&c.report),
            EvalError::BadResult(t) => {
                write!(f, "** evaluation returned {t}, not a (value, state) pair")
            }
            EvalError::Interrupted => f.write_str("** interrupted"),
        }
    }
}

impl std::error::Error for EvalError {}

/// How long other processes may run after each evaluation in a session
/// before the prompt comes back: long enough for a spawned process to
/// finish a short job and print, short enough not to be noticed.
const SESSION_SLICE_MS: u64 = 50;

/// A REPL's process: evaluations run in it one after another, keeping its
/// pid, its mailbox and a state value between them.
pub struct Session {
    rt: Arc<Runtime>,
    pid: Pid,
    flags: Arc<EvalFlags>,
}

/// Whether a session is evaluating, and whether that was interrupted.
#[derive(Default)]
struct EvalFlags {
    running: std::sync::atomic::AtomicBool,
    interrupted: std::sync::atomic::AtomicBool,
}

/// Stops a [`Session`]'s evaluation from another thread (the REPL's
/// Ctrl-C handler). Cheap to clone.
#[derive(Clone)]
pub struct Interrupter {
    rt: Arc<Runtime>,
    pid: Pid,
    flags: Arc<EvalFlags>,
}

impl Interrupter {
    /// Ends the evaluation in progress as an untrappable exit signal
    /// (`:kill`) would, at its next scheduling point (at most one slice,
    /// or at once if it waits); the session, its bindings and its mailbox
    /// stay, and `eval` returns [`EvalError::Interrupted`]. Processes the
    /// evaluation started go on. Returns `false` (and does nothing) when
    /// no evaluation is running.
    pub fn interrupt(&self) -> bool {
        use std::sync::atomic::Ordering::SeqCst;
        if !self.flags.running.load(SeqCst) {
            return false;
        }
        self.flags.interrupted.store(true, SeqCst);
        let kill = mailbox::Message::copy_of(&Value::Atom(Atom::KILL));
        self.rt.scheduler.deliver(
            self.pid,
            signal::Signal::Exit {
                from: self.pid,
                reason: kill,
                link: false,
            },
        );
        true
    }
}

impl Session {
    /// A new session process, idle, with the state `#{}`.
    pub(crate) fn start(rt: &Arc<Runtime>) -> Session {
        let pid = rt.new_pid();
        let mut p = Process::new(pid);
        p.host_driven = true;
        p.status = Status::Idle;
        p.session_state = Value::map(value::MapData::new());
        rt.scheduler.spawn(Box::new(p));
        Session {
            rt: rt.clone(),
            pid,
            flags: Arc::default(),
        }
    }

    /// The session process's pid.
    pub fn pid(&self) -> Term {
        Term::Pid(self.pid.0)
    }

    /// The reductions the session's process has run so far (the REPL's
    /// `:time` shows the difference an evaluation makes); `None` once the
    /// process is gone.
    pub fn reductions(&self) -> Option<u64> {
        self.rt
            .scheduler
            .info(self.pid, None, crate::info::Detail::NoHeap)
            .filter(|i| !i.partial)
            .map(|i| i.reductions)
    }

    /// A handle that stops this session's evaluations from another thread.
    pub fn interrupter(&self) -> Interrupter {
        Interrupter {
            rt: self.rt.clone(),
            pid: self.pid,
            flags: self.flags.clone(),
        }
    }

    /// Calls `module.function(state)` in the session's process; it must
    /// return `(value, new_state)`. The session keeps `new_state` (its
    /// first state is `#{}`); a crash leaves the state as it was.
    pub fn eval(&mut self, module: &str, function: &str) -> Result<EvalOutput, EvalError> {
        let fun = native::ext_fun(Atom::new(module), Atom::new(function), 1);
        self.eval_fun(fun)
    }

    /// Like [`Session::eval`], for a module compiled for this one
    /// evaluation (a REPL input): it is validated but not installed (no
    /// other code can call it by name), and its code is freed once no
    /// closure made by it and no process running it is left.
    pub fn eval_module(
        &mut self,
        module: bytecode::Module,
        function: &str,
    ) -> Result<EvalOutput, EvalError> {
        let invalid = |message: String| {
            EvalError::Crashed(Crash {
                pid: Term::Pid(self.pid.0),
                reason: Term::atom("badarg"),
                report: format!("error: bad bytecode: {message}\n"),
            })
        };
        bytecode::encode::validate(&module).map_err(|e| invalid(e.to_string()))?;
        let loaded = code::LoadedModule::new_transient(module);
        let func = loaded
            .exported(Atom::new(function), 1)
            .ok_or_else(|| invalid(format!("no exported {function}/1")))?;
        self.eval_fun(local_fun(&loaded, func))
    }

    fn eval_fun(&mut self, fun: Value) -> Result<EvalOutput, EvalError> {
        use std::sync::atomic::Ordering::SeqCst;
        // An exit signal that came while the session was idle (a linked
        // process crashed) is reported, and the session goes on, as
        // Erlang's shell does. (An interrupt that came just as the last
        // evaluation ended is not news.)
        let stale_interrupt = self.flags.interrupted.swap(false, SeqCst);
        let (state, killed) = self
            .rt
            .scheduler
            .with_process(self.pid, |p| {
                let killed = p.pending_exit.take().and_then(|r| {
                    let interrupt = matches!(r, Value::Atom(Atom::KILLED)) && stale_interrupt;
                    (!interrupt)
                        .then(|| value::print::inspect_limited(&r, &value::print::Limits::REPORT))
                });
                (p.session_state.clone(), killed)
            })
            .unwrap_or_default();
        if let Some(reason) = killed {
            self.rt.write_err(&format!(
                "** the session process got an exit signal: {reason} (a linked process ended); it goes on\n"
            ));
        }
        let watch = Arc::new(host::Watch::default());
        let started = self.rt.scheduler.start_call(
            self.pid,
            Start {
                fun,
                args: vec![state],
            },
            watch.clone(),
        );
        if !started {
            return Err(EvalError::Crashed(deadlock(self.pid)));
        }
        let detect = self
            .rt
            .detect_deadlocks
            .load(std::sync::atomic::Ordering::Relaxed);
        self.flags.running.store(true, SeqCst);
        let ended = self.rt.scheduler.wait_for(&watch, self.pid, detect);
        self.flags.running.store(false, SeqCst);
        let interrupted = self.flags.interrupted.swap(false, SeqCst);
        if let Some(&status) = self.rt.halted.get() {
            return Err(EvalError::Crashed(halted(self.pid, status)));
        }
        // Let what the evaluation spawned or woke finish a short job (and
        // print) before the prompt comes back.
        self.rt
            .scheduler
            .settle(std::time::Duration::from_millis(SESSION_SLICE_MS));
        self.rt.flush_out();
        match ended {
            Ended::Done(HostResult::Returned { value, text }) => Ok(EvalOutput { text, value }),
            Ended::Done(HostResult::BadResult(t)) => Err(EvalError::BadResult(t)),
            Ended::Done(HostResult::Exited { .. }) if interrupted => Err(EvalError::Interrupted),
            Ended::Done(HostResult::Exited { reason, report, .. }) => {
                Err(EvalError::Crashed(Crash {
                    pid: Term::Pid(self.pid.0),
                    reason,
                    report,
                }))
            }
            Ended::Deadlock | Ended::NoProcess => {
                self.rt.scheduler.with_process(self.pid, |p| {
                    p.reset_stack();
                    p.status = Status::Idle;
                    p.watch = None;
                });
                Err(EvalError::Crashed(deadlock(self.pid)))
            }
        }
    }

    /// Drains the session's mailbox: each message as `inspect` writes it.
    pub fn flush(&mut self) -> Vec<String> {
        self.rt
            .scheduler
            .with_process(self.pid, |p| {
                p.mailbox
                    .drain()
                    .iter()
                    .map(value::print::inspect)
                    .collect()
            })
            .unwrap_or_default()
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        self.rt.scheduler.remove(&self.rt, self.pid);
    }
}
