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
//! Everything a host uses is exported here, at the crate root:
//!
//! - [`Vm`] and [`VmBuilder`]: start a VM (schedulers, output sinks,
//!   limits, [`VmBuilder::sandbox`]), load modules ([`Vm::load_source`],
//!   [`Vm::load_file`]), call them ([`Vm::call`], [`Vm::call_timeout`],
//!   [`Vm::start_call`]), spawn ([`Vm::spawn_opts`]), send, and receive
//!   on a [`HostMailbox`] (also as a future).
//! - [`Term`], the host's copy of a Reef value, with [`to_term`] and
//!   [`from_term`] for the host's own serde types, and [`term!`].
//! - Host functions: [`Vm::register_fn`], [`Vm::register_blocking_fn`].
//! - Errors as data: [`Crash`], [`LoadError`], [`Diagnostic`],
//!   [`TermError`], [`NativeLibError`].
//!
//! The guide, `docs/embedding.md` in the repository, walks from an empty
//! crate to a working host. The `reef` command uses only what this crate
//! exports; the modules inside (values, processes, the scheduler, the
//! interpreter, the natives) are private, and ARCHITECTURE.md explains
//! them.

// A crash is the cold path and its fields are what the host wants to see;
// boxing them would only make the API clumsier.
#![allow(clippy::result_large_err)]
#![warn(missing_docs)]

mod ceiling;
mod code;
mod delivery;
mod dirty;
pub mod dist;
mod embed;
mod exports;
mod heap;
mod host;
mod info;
mod interp;
mod known;
mod links;
mod loader;
mod mailbox;
mod native;
mod output;
mod proc_table;
mod process;
mod runtime;
mod scheduler;
mod session;
mod signal;
mod stdin;
mod term;
mod timers;
mod value;
mod waiting;

#[cfg(test)]
mod tests;

/// Unstable: what the workspace's own tests need from the inside. Not part
/// of the API; it changes without notice.
#[doc(hidden)]
pub mod internals {
    pub use crate::native::builtin_names;
    pub use crate::value::atom::atom_count;
}

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use embed::call::CallHandle;
pub use embed::diagnostics::{Diagnostic, Label, Loaded, Severity};
pub use embed::docs::{stdlib_modules, DocSource};
pub use embed::limits::{SpawnOptions, Spawned};
pub use embed::mailbox::{HostMailbox, Recv};
pub use embed::native_lib::{NativeLibError, NativeLibrary};
pub use embed::reload::CodeStats;
pub use embed::sandbox::{Capability, SANDBOX_MODULES};
pub use embed::tooling::{Checker, ModuleSource};
pub use embed::{HostError, HostFunction};
pub use info::{ProcInfo, StackFrame};
pub use loader::LoadError;
pub use reef_bytecode as bytecode;
pub use reef_compiler as compiler;
/// The declaration file that documents module `name`'s natives
/// (`stdlib/natives/NAME.reef`: a `pub fn` stub with its doc comment per
/// native; never compiled), if it has natives.
pub use reef_stdlib::native_docs;
pub use session::{EvalError, EvalOutput, Interrupter, Session};
pub use term::{from_term, to_term, MapKey, Term, TermError};
pub use value::{Atom, Pid, Ref};

// The raw native interface (process-heap values): unstable, for the VM's
// own natives and tests; hosts use `Term` and typed functions.
#[doc(hidden)]
pub use interp::Exception;
#[doc(hidden)]
pub use native::Ctx;
#[doc(hidden)]
pub use value::Value;

use exports::{Mfa, Native};
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
    code: embed::CodeConfig,
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
        // A sandbox never reads the environment (`embed/sandbox.rs`).
        if self.env_path && self.code.sandbox.is_none() {
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
        rt.code_config = self.code;
        embed::sandbox::apply(&mut rt);
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
    /// The process that crashed (`Term::Pid`).
    pub pid: Term,
    /// Its exit reason, as Erlang: `(reason, stacktrace)` for an error.
    pub reason: Term,
    /// The crash report, rendered as the `reef` command prints it.
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

    /// A [`VmBuilder`] to configure a VM before it starts.
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
            code: Default::default(),
        }
    }

    /// Loads a `.reef` file (its module name is the file stem) and the
    /// modules beside it or on the search path that it uses. Returns the
    /// module name and the warnings of every module it compiled (which
    /// also went to the warning sink: [`VmBuilder::on_warning`], else
    /// [`VmBuilder::stderr`]).
    pub fn load_file(&self, path: impl AsRef<Path>) -> Result<Loaded, LoadError> {
        let path = path.as_ref();
        let mut warnings = Vec::new();
        let m = self.host_load(&loader::module_name(path)?, || {
            loader::load_file(&self.rt, path, &mut warnings)
        })?;
        Ok(self.loaded(&m, warnings))
    }

    /// Compiles and loads source text as module `module`.
    pub fn load_source(
        &self,
        module: &str,
        file_name: &str,
        source: &str,
    ) -> Result<Loaded, LoadError> {
        let mut warnings = Vec::new();
        let m = self.host_load(module, || {
            loader::load_source(
                &self.rt,
                module,
                file_name,
                source,
                None,
                &mut warnings,
                true,
            )
        })?;
        Ok(self.loaded(&m, warnings))
    }

    /// Loads a module from its binary bytecode.
    pub fn load_bytecode(&self, bytes: &[u8]) -> Result<Loaded, LoadError> {
        let m = bytecode::encode::decode_module(bytes).map_err(|e| LoadError::Bytecode {
            message: e.to_string(),
        })?;
        self.load_module(m)
    }

    /// Loads a bytecode module (validated first).
    pub fn load_module(&self, module: bytecode::Module) -> Result<Loaded, LoadError> {
        let name = module.name.clone();
        let m = self.host_load(&name, || loader::install(&self.rt, module, None, true))?;
        Ok(self.loaded(&m, Vec::new()))
    }

    fn loaded(&self, m: &code::LoadedModule, warnings: Vec<Diagnostic>) -> Loaded {
        Loaded {
            name: m.name.name().to_string(),
            warnings,
        }
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
    /// After `shutdown`, the error is `:vm_stopped`.
    pub fn call(&self, module: &str, function: &str, args: Vec<Term>) -> Result<Term, Crash> {
        let fun = native::ext_fun(Atom::new(module), Atom::new(function), args.len() as u32);
        let args = args.iter().map(Term::to_value).collect();
        self.start_fun(fun, args, true).wait()
    }

    fn run_process(&self, fun: Value, args: Vec<Value>, stop_others: bool) -> Result<Term, Crash> {
        let pid = self.rt.new_pid();
        if self.rt.scheduler.is_stopped() {
            return embed::call::outcome(&self.rt, pid, Ended::NoProcess);
        }
        let mut p = Process::new(pid);
        p.start = Some(Box::new(Start { fun, args }));
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
        if stop_others && self.rt.halted.get().is_none() {
            self.rt.scheduler.stop_others();
        }
        embed::call::outcome(&self.rt, pid, ended)
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
            if let Ok(Term::Pid(p)) = self.spawn(module, "start", Vec::new()) {
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
    ///
    /// # Errors
    ///
    /// As `spawn` in Reef: `:system_limit` when the VM already runs its
    /// most processes (`VmBuilder::max_processes`), `:vm_stopped` after
    /// [`Vm::shutdown`]. [`Vm::spawn_opts`] takes limits and links.
    pub fn spawn(&self, module: &str, function: &str, args: Vec<Term>) -> Result<Term, Crash> {
        self.spawn_opts(module, function, args, SpawnOptions::default())
            .map(|s| s.pid)
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
        // Every call still awaited ends with `:vm_stopped`.
        self.rt.watches.stop_all();
        self.rt.output.stop_flusher();
    }
}

impl Drop for Vm {
    fn drop(&mut self) {
        self.shutdown();
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
    /// How many errors (the file does not compile if any).
    pub errors: usize,
    /// How many warnings.
    pub warnings: usize,
}

/// Compiles a file without running it and renders its diagnostics.
pub fn check_file(path: impl AsRef<Path>, color: bool) -> Result<CheckResult, LoadError> {
    let path = path.as_ref();
    let source = loader::read_source(path)?;
    let file_name = path.display().to_string();
    // A runtime that runs nothing: its natives, search path and stdlib
    // tell the compiler which functions exist (`known.rs`).
    let diagnostics = Checker::new(&[]).check(path, &source)?;
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    Ok(CheckResult {
        rendered: compiler::render_diagnostics(&diagnostics, &file_name, &source, color),
        errors,
        warnings: diagnostics.len() - errors,
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
