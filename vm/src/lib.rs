//! The Reef virtual machine, and its embedding API.
//!
//! ```no_run
//! let vm = reef_vm::Vm::new();
//! let module = vm.load_file("app.reef").map_err(|e| e.to_string())?;
//! match vm.run_main(&module, vec!["arg".into()]) {
//!     Ok(value) => println!("main returned {value}"),
//!     Err(crash) => eprint!("{crash}"),
//! }
//! # Ok::<(), String>(())
//! ```
//!
//! The `reef` command uses only what this file exports. Inside: values
//! ([`value`]), loaded code and the loader, processes and their mailboxes,
//! the scheduler, the interpreter (`interp`), and the natives (`native`).
//! ARCHITECTURE.md, "The VM", explains the design.

// A crash is the cold path and its fields are what the host wants to see;
// boxing them would only make the API clumsier.
#![allow(clippy::result_large_err)]

pub mod ceiling;
pub mod code;
pub mod delivery;
pub mod dirty;
pub mod dist;
pub mod embed;
pub mod exports;
pub mod heap;
pub mod host;
pub mod info;
pub mod interp;
pub mod known;
pub mod links;
pub mod loader;
pub mod mailbox;
pub mod native;
pub mod output;
pub mod proc_table;
pub mod process;
pub mod runtime;
pub mod scheduler;
mod session;
pub mod signal;
pub mod stdin;
pub mod term;
pub mod timers;
pub mod value;
pub mod waiting;

#[cfg(test)]
mod tests;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use embed::{HostError, HostFunction};
pub use interp::Exception;
pub use loader::LoadError;
pub use native::Ctx;
pub use reef_bytecode as bytecode;
pub use reef_compiler as compiler;
pub use session::{EvalError, EvalOutput, Interrupter, Session};
pub use term::{from_term, to_term, MapKey, Term, TermError};
pub use value::{Atom, Pid, Ref, Value};

use exports::{Mfa, Native};
use host::HostResult;
use process::{Process, Start};
use runtime::Runtime;
use scheduler::Ended;

/// A Reef virtual machine: loaded modules, processes, natives.
pub struct Vm {
    rt: Arc<Runtime>,
}

/// The most scheduler threads a VM runs (as BEAM's `+S` caps at 1024):
/// more threads than that only cost memory and context switches.
pub const MAX_SCHEDULERS: usize = 1024;

/// Configures a [`Vm`].
pub struct VmBuilder {
    search_path: Vec<PathBuf>,
    env_path: bool,
    out: Option<Box<dyn Write + Send>>,
    err: Option<Box<dyn Write + Send>>,
    color: bool,
    schedulers: Option<usize>,
    detect_deadlocks: bool,
    limits: runtime::Limits,
    node: Option<dist::NodeConfig>,
}

impl VmBuilder {
    /// The most live processes (default 1,048,576); `spawn` beyond it
    /// raises `:system_limit`.
    pub fn max_processes(mut self, n: usize) -> VmBuilder {
        self.limits.max_processes = n.max(1);
        self
    }

    /// The VM-wide memory ceiling in bytes (default: 80% of the machine's
    /// or the cgroup's memory; 0 for none): near it, the process holding
    /// the most memory is killed with `(:system_limit, :memory)`.
    pub fn max_memory(mut self, bytes: usize) -> VmBuilder {
        self.limits.max_memory = bytes;
        self
    }

    /// Without the memory ceiling's own thread, only the scheduler
    /// threads watch the ceiling, as when that thread gets no CPU on a
    /// loaded machine. For tests of that path; not a stable API.
    #[doc(hidden)]
    pub fn ceiling_thread(mut self, on: bool) -> VmBuilder {
        self.limits.ceiling_thread = on;
        self
    }

    /// The atom table's limit (default 1,048,576). Atoms are shared by
    /// every VM in the program, so this limit is the program's.
    pub fn max_atoms(self, n: usize) -> VmBuilder {
        value::atom::set_max_atoms(n);
        self
    }

    /// Adds a directory to the module search path (searched in the order
    /// added, before `REEF_PATH`).
    pub fn search_path(mut self, dir: impl Into<PathBuf>) -> VmBuilder {
        self.search_path.push(dir.into());
        self
    }

    /// Whether to add the directories of `REEF_PATH` (colon-separated) to
    /// the search path. On by default.
    pub fn env_path(mut self, yes: bool) -> VmBuilder {
        self.env_path = yes;
        self
    }

    /// Where program output (`io.println`, ...) goes instead of stdout.
    pub fn stdout(mut self, out: impl Write + Send + 'static) -> VmBuilder {
        self.out = Some(Box::new(out));
        self
    }

    /// Renders diagnostics with ANSI colours.
    pub fn color(mut self, yes: bool) -> VmBuilder {
        self.color = yes;
        self
    }

    /// Where crash reports, `io.eprintln` and load warnings go (default:
    /// stderr).
    pub fn stderr(mut self, err: impl Write + Send + 'static) -> VmBuilder {
        self.err = Some(Box::new(err));
        self
    }

    /// Whether `run_main` and session evaluations end a wait that nothing
    /// can ever satisfy with `:deadlock` (every process parked, no timer
    /// pending, no stdin read in flight, no host mailbox open). Off by
    /// default: a host thread may send to a process at any time, and a
    /// wait that a send will end is no deadlock. Turn it on only if no
    /// host thread sends while such a call waits (the `reef` command does).
    /// [`Vm::call`] never reports a deadlock.
    pub fn detect_deadlocks(mut self, yes: bool) -> VmBuilder {
        self.detect_deadlocks = yes;
        self
    }

    /// How many scheduler threads run processes (default: one per core).
    /// Scheduler threads: at least 1, at most [`MAX_SCHEDULERS`].
    pub fn schedulers(mut self, n: usize) -> VmBuilder {
        self.schedulers = Some(n.clamp(1, MAX_SCHEDULERS));
        self
    }

    /// Makes the VM a node of a cluster (Erlang's distribution protocol):
    /// `name` is `alive@host` (see `dist::names::full` for `--sname`
    /// style names), `cookie` the shared secret. `node_config` gives the
    /// other settings (port, EPMD, tick time).
    pub fn node(mut self, name: &str, cookie: &str) -> VmBuilder {
        self.node = Some(dist::NodeConfig::new(name, cookie));
        self
    }

    /// Like `node`, with every setting given.
    pub fn node_config(mut self, cfg: dist::NodeConfig) -> VmBuilder {
        self.node = Some(cfg);
        self
    }

    /// Builds the VM and, if it is to be a node, makes it alive: fails if
    /// it cannot listen or register its name.
    pub fn try_build(mut self) -> Result<Vm, dist::DistError> {
        let node = self.node.take();
        let vm = self.build();
        if let Some(cfg) = node {
            vm.go_alive(cfg)?;
        }
        Ok(vm)
    }

    /// Builds the VM (for a node, use `try_build`: `build` ignores the
    /// node settings).
    pub fn build(self) -> Vm {
        let mut path = self.search_path;
        if self.env_path {
            if let Some(env) = std::env::var_os("REEF_PATH") {
                path.extend(std::env::split_paths(&env).filter(|p| !p.as_os_str().is_empty()));
            }
        }
        // Program output on a terminal is flushed at each newline; into a
        // pipe or a file, within `output::FLUSH_DELAY`.
        let (out, line_flush): (Box<dyn Write + Send>, bool) = match self.out {
            Some(out) => (out, false),
            None => (
                Box::new(std::io::BufWriter::new(std::io::stdout())),
                std::io::IsTerminal::is_terminal(&std::io::stdout()),
            ),
        };
        let err = self.err.unwrap_or_else(|| Box::new(std::io::stderr()));
        let mut rt = Runtime::new(path, out, line_flush, err, self.color);
        rt.limits = self.limits;
        let rt = Arc::new(rt);
        rt.output.start_flusher(&rt);
        let n = self.schedulers.unwrap_or_else(|| {
            std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
        });
        let _ = rt.this.set(Arc::downgrade(&rt));
        rt.detect_deadlocks
            .store(self.detect_deadlocks, std::sync::atomic::Ordering::Relaxed);
        rt.scheduler.start(&rt, n);
        ceiling::start(&rt);
        Vm { rt }
    }
}

/// A process that crashed: its pid, its exit reason, and the rendered
/// crash report (pid, reason, stack trace).
#[derive(Debug, Clone)]
pub struct Crash {
    pub pid: Term,
    pub reason: Term,
    pub report: String,
}

impl std::fmt::Display for Crash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.report)
    }
}

impl std::error::Error for Crash {}

impl Default for Vm {
    fn default() -> Vm {
        Vm::new()
    }
}

impl Vm {
    /// A VM with the default configuration (stdout, `REEF_PATH`).
    pub fn new() -> Vm {
        Vm::builder().build()
    }

    pub fn builder() -> VmBuilder {
        VmBuilder {
            search_path: Vec::new(),
            env_path: true,
            out: None,
            err: None,
            color: false,
            schedulers: None,
            detect_deadlocks: false,
            limits: runtime::Limits::default(),
            node: None,
        }
    }

    /// Loads a `.reef` file (its module name is the file stem) and the
    /// modules beside it or on the search path that it uses. Returns the
    /// module name.
    pub fn load_file(&self, path: impl AsRef<Path>) -> Result<String, LoadError> {
        loader::load_file(&self.rt, path.as_ref()).map(|m| m.name.name().to_string())
    }

    /// Compiles and loads source text as module `module`.
    pub fn load_source(
        &self,
        module: &str,
        file_name: &str,
        source: &str,
    ) -> Result<String, LoadError> {
        loader::load_source(&self.rt, module, file_name, source, None)
            .map(|m| m.name.name().to_string())
    }

    /// Loads a module from its binary bytecode.
    pub fn load_bytecode(&self, bytes: &[u8]) -> Result<String, LoadError> {
        let m = bytecode::encode::decode_module(bytes).map_err(|e| LoadError::Bytecode {
            message: e.to_string(),
        })?;
        self.load_module(m)
    }

    /// Loads a bytecode module (validated first).
    pub fn load_module(&self, module: bytecode::Module) -> Result<String, LoadError> {
        loader::install(&self.rt, module, None).map(|m| m.name.name().to_string())
    }

    /// Registers a native function `module.name/arity` that works on the
    /// calling process's values directly. It takes precedence over a Reef
    /// function of the same name. Prefer [`Vm::register_fn`] (typed,
    /// safe): this low-level form is for natives that must see the
    /// values themselves.
    ///
    /// # Safety
    /// The values `f` is given (and any it builds) belong to the calling
    /// process's heap: their nodes are `Rc`s shared with that process,
    /// which may move to another thread after the call. `f` must not keep
    /// any of them, or anything that holds one, past the call (in a
    /// `static`, a `thread_local!`, its captured state, a channel): two
    /// threads could then touch the same `Rc` at once. The values it
    /// returns must be fresh or built from its arguments.
    pub unsafe fn register_native(
        &self,
        module: &str,
        name: &str,
        arity: u32,
        f: impl Fn(&mut Ctx<'_>, &[Value]) -> Result<Value, Exception> + Send + Sync + 'static,
    ) {
        let mfa = Mfa {
            module: Atom::new(module),
            name: Atom::new(name),
            arity,
        };
        self.rt.register_native(mfa, Native::Host(Arc::new(f)));
    }

    /// Runs `module.main(args)` (or `module.main()` if there is no
    /// `main/1`) in a new process until it returns; processes still running
    /// then are stopped. A crash of main's process is returned, not printed
    /// (other processes' crash reports go to stderr).
    pub fn run_main(&self, module: &str, args: Vec<String>) -> Result<Term, Crash> {
        let m = Atom::new(module);
        let main = Atom::new("main");
        let loaded = self.rt.code.get(m);
        let (fun, args) = match &loaded {
            Some(l) if l.exported(main, 1).is_some() => {
                let f = l.exported(main, 1).expect("checked");
                (
                    local_fun(l, f),
                    vec![Value::list(
                        args.into_iter().map(Value::str).collect::<Vec<_>>(),
                    )],
                )
            }
            Some(l) if l.exported(main, 0).is_some() => (
                local_fun(l, l.exported(main, 0).expect("checked")),
                Vec::new(),
            ),
            _ => {
                let what = if loaded.is_some() {
                    "has no `pub fn main`"
                } else {
                    "is not loaded"
                };
                return Err(Crash {
                    pid: Term::Pid(0),
                    reason: Term::Tuple(vec![
                        Term::atom("undef"),
                        Term::Tuple(vec![Term::atom(module), Term::atom("main"), Term::Int(0)]),
                    ]),
                    report: format!("error: module `{module}` {what}\n"),
                });
            }
        };
        self.run_process(fun, args, true)
    }

    fn detects_deadlocks(&self) -> bool {
        self.rt
            .detect_deadlocks
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Calls `module.function(args...)` in a new process and waits for its
    /// result. Other processes keep running until it returns.
    pub fn call(&self, module: &str, function: &str, args: Vec<Term>) -> Result<Term, Crash> {
        let fun = native::ext_fun(Atom::new(module), Atom::new(function), args.len() as u32);
        self.run_process(fun, args.iter().map(Term::to_value).collect(), false)
    }

    fn run_process(&self, fun: Value, args: Vec<Value>, stop_others: bool) -> Result<Term, Crash> {
        let pid = self.rt.new_pid();
        let mut p = Process::new(pid);
        p.start = Some(Start { fun, args });
        let watch = Arc::new(host::Watch::default());
        p.watch = Some(watch.clone());
        self.rt.scheduler.spawn(Box::new(p));
        let ended =
            self.rt
                .scheduler
                .wait_for(&watch, pid, stop_others && self.detects_deadlocks());
        if matches!(ended, Ended::Deadlock) {
            // Nothing can wake it: end it without a report.
            self.rt.scheduler.deliver(pid, signal::Signal::Shutdown);
            let _ = watch.wait(std::time::Duration::from_secs(1));
        }
        if let Some(&status) = self.rt.halted.get() {
            return Err(halted(pid, status));
        }
        if stop_others {
            self.rt.scheduler.stop_others();
        }
        self.rt.flush_out();
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
            Ended::Deadlock | Ended::NoProcess => Err(deadlock(pid)),
        }
    }

    /// Makes this VM a node: listens, registers with EPMD (starting one
    /// if none answers), and starts `net_kernel` and `rex`, the processes
    /// other nodes expect to find.
    pub fn go_alive(&self, cfg: dist::NodeConfig) -> Result<(), dist::DistError> {
        if self.rt.scheduler.dist().is_some() {
            return Ok(());
        }
        let d = dist::Dist::start(&self.rt, cfg)?;
        if self.rt.scheduler.dist.set(d).is_err() {
            return Ok(());
        }
        // Another node may send a message at any time: a process that
        // waits is never certain to be deadlocked.
        self.rt
            .scheduler
            .outside
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        // Registered under Erlang's names, which other nodes call by
        // name; the I/O server under a name no program would take (other
        // nodes are given its pid, never its name).
        for (module, name) in [
            ("net_kernel", "net_kernel"),
            ("rex", "rex"),
            ("user", "$user"),
        ] {
            if let Term::Pid(p) = self.spawn(module, "start", Vec::new()) {
                self.rt.scheduler.table.register(Atom::new(name), Pid(p));
            }
        }
        Ok(())
    }

    /// Ends this node's distribution: what was sent goes out (waiting up
    /// to 2 s), then every connection closes and the name leaves EPMD.
    /// `shutdown` does it too.
    pub fn stop_node(&self) {
        if let Some(d) = self.rt.scheduler.dist() {
            d.stop();
        }
    }

    /// This node's name (`nonode@nohost` if it is not alive).
    pub fn node_name(&self) -> String {
        self.rt.nodes.local().0.name().to_string()
    }

    /// A REPL session: a process the host drives, one evaluation at a
    /// time, that keeps its bindings and its mailbox between them.
    pub fn session(&self) -> Session {
        Session::start(&self.rt)
    }

    /// The modules this VM can see, for compiling REPL input
    /// (`compile_input_with`): calls to functions they lack are reported.
    pub fn known_modules(&self) -> known::Known<'_> {
        known::Known {
            rt: &self.rt,
            dir: None,
        }
    }

    /// Starts a process running `module.function(args...)`; returns its pid.
    pub fn spawn(&self, module: &str, function: &str, args: Vec<Term>) -> Term {
        let fun = native::ext_fun(Atom::new(module), Atom::new(function), args.len() as u32);
        let pid = self.rt.new_pid();
        let mut p = Process::new(pid);
        p.start = Some(Start {
            fun,
            args: args.iter().map(Term::to_value).collect(),
        });
        self.rt.scheduler.spawn(Box::new(p));
        Term::Pid(pid.0)
    }

    /// Sends `msg` to a pid, or to a registered name (an atom). Like `!`,
    /// never fails: a message to a process that is gone is dropped.
    pub fn send(&self, dest: &Term, msg: &Term) {
        let pid = match dest {
            Term::Pid(p) => Some(Pid(*p)),
            Term::Atom(name) => self.rt.scheduler.table.whereis(Atom::new(name)),
            _ => None,
        };
        if let Some(pid) = pid {
            let m = mailbox::Message::copy_of(&msg.to_value());
            self.rt.scheduler.deliver(pid, signal::Signal::Message(m));
        }
    }

    /// A mailbox for this host program: it has a pid that processes can
    /// send to (and link to or monitor), and the host receives from it.
    pub fn mailbox(&self) -> HostMailbox {
        let pid = self.rt.new_pid();
        let entry = self.rt.scheduler.new_host_mailbox(pid);
        // The host may send from it at any time: no wait is a deadlock
        // while it is open.
        self.rt.scheduler.outside_sender_open();
        HostMailbox {
            rt: self.rt.clone(),
            entry,
        }
    }

    /// A snapshot of every process (the REPL's `:procs`).
    pub fn processes(&self) -> Vec<info::ProcInfo> {
        self.rt
            .scheduler
            .pids()
            .into_iter()
            .filter_map(|p| self.rt.scheduler.info(p, None, info::Detail::All))
            .collect()
    }

    /// How many scheduler threads run processes.
    pub fn schedulers(&self) -> usize {
        self.rt.scheduler.count()
    }

    /// Writes out buffered program output.
    pub fn flush(&self) {
        self.rt.flush_out();
    }

    /// Writes out buffered program output unless another thread has been
    /// writing for longer than `patience` (blocked on a full pipe): for a
    /// host's signal handler thread, which must not hang. Whether it could.
    pub fn try_flush(&self, patience: std::time::Duration) -> bool {
        self.rt.output.try_flush(patience)
    }

    /// The status the VM halted with, if it did: a program's `halt(status)`,
    /// or program output that could not be written (141, as for SIGPIPE,
    /// when the reader of a pipe went away; 1 for another error). A halted
    /// VM runs nothing more, and `run_main` returns at once.
    pub fn exit_status(&self) -> Option<i32> {
        self.rt.halted.get().copied()
    }

    /// Stops the scheduler threads and frees every process. (Dropping the
    /// VM does this too.)
    pub fn shutdown(&self) {
        self.rt.flush_out();
        self.rt.scheduler.shutdown();
        self.rt.output.stop_flusher();
    }
}

impl Drop for Vm {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// A mailbox the host program receives on (see [`Vm::mailbox`]).
pub struct HostMailbox {
    rt: Arc<Runtime>,
    entry: Arc<proc_table::Entry>,
}

impl HostMailbox {
    /// Its pid, to hand to processes.
    pub fn pid(&self) -> Term {
        Term::Pid(self.entry.pid.0)
    }

    /// The oldest message, waiting up to `timeout` for one.
    pub fn recv(&self, timeout: std::time::Duration) -> Option<Term> {
        let deadline = std::time::Instant::now() + timeout;
        let mut s = self.entry.lock();
        loop {
            if !s.inbox.is_empty() {
                if let signal::Signal::Message(m) = s.inbox.remove(0) {
                    return Some(Term::from_value(&m.into_value()));
                }
                continue;
            }
            let now = std::time::Instant::now();
            if now >= deadline || self.rt.scheduler.is_stopped() {
                return None;
            }
            s = self.entry.host_wait(s, deadline - now);
        }
    }
}

impl Drop for HostMailbox {
    fn drop(&mut self) {
        self.rt.scheduler.outside_sender_gone();
        self.rt.scheduler.remove(&self.rt, self.entry.pid);
    }
}

pub(crate) fn local_fun(m: &Arc<code::LoadedModule>, func: u32) -> Value {
    Value::Fun(std::rc::Rc::new(value::Closure::Local {
        module: m.clone(),
        func,
        captured: Box::new([]),
    }))
}

/// What `run_main` returns when the VM halted under it.
pub(crate) fn halted(pid: Pid, status: i32) -> Crash {
    Crash {
        pid: Term::Pid(pid.0),
        reason: Term::Tuple(vec![Term::atom("halt"), Term::Int(status.into())]),
        report: String::new(),
    }
}

pub(crate) fn deadlock(pid: Pid) -> Crash {
    Crash {
        pid: Term::Pid(pid.0),
        reason: Term::atom("deadlock"),
        report: format!(
            "** process {} crashed: exit :deadlock\n** it waits in a receive that no process can ever satisfy: every other process waits too, and no timer is pending\n",
            Value::Pid(pid)
        ),
    }
}

/// What `reef check` reports for a file.
#[derive(Debug, Clone)]
pub struct CheckResult {
    /// Every diagnostic, rendered.
    pub rendered: String,
    pub errors: usize,
    pub warnings: usize,
}

/// Compiles a file without running it and renders its diagnostics.
pub fn check_file(path: impl AsRef<Path>, color: bool) -> Result<CheckResult, LoadError> {
    let path = path.as_ref();
    let name = loader::module_name(path)?;
    let source = loader::read_source(path)?;
    let file_name = path.display().to_string();
    // A runtime that runs nothing: its natives, search path and stdlib
    // tell the compiler which functions exist (`known.rs`).
    let mut search = Vec::new();
    if let Some(env) = std::env::var_os("REEF_PATH") {
        search.extend(std::env::split_paths(&env).filter(|p| !p.as_os_str().is_empty()));
    }
    let rt = Runtime::new(
        search,
        Box::new(std::io::sink()),
        false,
        Box::new(std::io::sink()),
        color,
    );
    let dir = match path.parent() {
        Some(d) if d.as_os_str().is_empty() => Some(Path::new(".")),
        d => d,
    };
    let known = known::Known { rt: &rt, dir };
    let compiled = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        compiler::compile_module_with(&name, &file_name, &source, &known)
    }))
    .map_err(|e| LoadError::Internal {
        module: name.clone(),
        message: loader::panic_message(&e),
    })?;
    let errors = compiled.diagnostics.iter().filter(|d| d.is_error()).count();
    Ok(CheckResult {
        rendered: compiler::render_diagnostics(&compiled.diagnostics, &file_name, &source, color),
        errors,
        warnings: compiled.diagnostics.len() - errors,
    })
}

/// The disassembly of a file's bytecode.
pub fn disassemble_file(path: impl AsRef<Path>, color: bool) -> Result<String, LoadError> {
    let path = path.as_ref();
    let name = loader::module_name(path)?;
    let source = loader::read_source(path)?;
    let module = loader::compile(
        &name,
        &path.display().to_string(),
        &source,
        color,
        &compiler::NoModules,
    )?;
    Ok(bytecode::disasm::disassemble(&module))
}

/// The instruction set reference (`reef disasm --opcodes`).
pub fn opcode_reference() -> String {
    bytecode::disasm::opcode_reference()
}
