//! The runtime: the state every process shares. Loaded code, the export
//! table, the natives, the scheduler, the output stream, and the pid and
//! reference counters. It is `Sync`: with several scheduler threads each
//! will hold an `Arc` of it.

use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use rustc_hash::FxHashMap;

use crate::exports::{ExportEntry, Mfa, Native, Target};
use crate::loader::CodeServer;
use crate::scheduler::Scheduler;
use crate::value::{Pid, Ref};

/// The VM's limits (`VmBuilder::max_processes`, `max_memory`; the atom
/// table's limit is the program's, `value::atom::set_max_atoms`).
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Live processes at most: `spawn` beyond it raises `:system_limit`.
    pub max_processes: usize,
    /// The VM-wide memory ceiling in bytes (resident set size): near it,
    /// the process holding the most is killed (`ceiling.rs`). 0: none.
    pub max_memory: usize,
    /// Whether a thread of its own samples the memory ceiling (the
    /// scheduler threads always do too: `ceiling::Watch`).
    pub ceiling_thread: bool,
}

/// BEAM's default process limit, a power of two.
pub const DEFAULT_MAX_PROCESSES: usize = 1 << 20;

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_processes: DEFAULT_MAX_PROCESSES,
            max_memory: crate::ceiling::default_max_memory(),
            ceiling_thread: true,
        }
    }
}

pub struct Runtime {
    pub(crate) limits: Limits,
    pub(crate) code: CodeServer,
    pub(crate) exports: RwLock<FxHashMap<Mfa, Arc<ExportEntry>>>,
    pub(crate) natives: RwLock<FxHashMap<Mfa, Native>>,
    pub(crate) scheduler: Scheduler,
    /// The dirty schedulers: threads for natives that run long.
    pub(crate) dirty: crate::dirty::DirtyPool,
    /// The dirty I/O schedulers: threads for file and OS work that blocks.
    pub(crate) io: crate::dirty::DirtyPool,
    /// Open file handles (`file.open`), by the pid of their guard process.
    pub(crate) files: crate::native::file::Handles,
    /// The thread that reads stdin for `io.read_line`.
    pub(crate) stdin: crate::stdin::StdinReader,
    /// A weak handle to this runtime, for threads started on demand.
    pub(crate) this: std::sync::OnceLock<std::sync::Weak<Runtime>>,
    /// Where `io.print` and friends write (buffered; flushed at each
    /// newline on a terminal, within a few milliseconds otherwise, and
    /// whenever the VM waits for input or stops: `output.rs`).
    pub(crate) output: crate::output::Output,
    /// Set when the VM halts (`halt(status)`, or its output was closed);
    /// the status the host should exit with.
    pub(crate) halted: std::sync::OnceLock<i32>,
    /// Where crash reports and warnings go (stderr unless the host chose
    /// another sink).
    pub(crate) err: Mutex<Box<dyn Write + Send>>,
    /// Render diagnostics with colours.
    pub(crate) color: bool,
    /// Where warnings go, and the sandbox (`embed/`).
    pub(crate) code_config: crate::embed::CodeConfig,
    /// `VmBuilder::detect_deadlocks`.
    pub(crate) detect_deadlocks: AtomicBool,
    /// The memory ceiling's watch (`ceiling.rs`).
    pub(crate) ceiling: crate::ceiling::Watch,
    /// Host calls awaited by a future: `shutdown` ends them (`host.rs`).
    pub(crate) watches: crate::host::Watches,
    /// The node incarnations this runtime knows (index 0 = this node).
    pub nodes: crate::dist::node_table::NodeTable,
    next_pid: AtomicU64,
    next_ref: AtomicU64,
}

impl Drop for Runtime {
    fn drop(&mut self) {
        // Break the module -> import slot -> export entry -> module cycles
        // (`ExportEntry::clear`): nothing runs once the runtime goes (every
        // thread that runs code holds an `Arc` of it).
        let exports = self.exports.get_mut().unwrap_or_else(|e| e.into_inner());
        for entry in exports.values() {
            // SAFETY: the runtime is going, so no process runs: every
            // thread that runs code holds an `Arc` of the runtime, and
            // the host's handles (`Vm`, sessions, mailboxes) hold one too.
            unsafe { entry.forget() };
        }
    }
}

// Every scheduler thread will share the runtime.
const _: () = {
    const fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Runtime>();
};

impl Runtime {
    pub fn new(
        search_path: Vec<PathBuf>,
        out: Box<dyn Write + Send>,
        line_flush: bool,
        err: Box<dyn Write + Send>,
        color: bool,
    ) -> Runtime {
        let rt = Runtime {
            limits: Limits::default(),
            code: CodeServer::new(search_path),
            exports: RwLock::new(FxHashMap::default()),
            natives: RwLock::new(FxHashMap::default()),
            scheduler: Scheduler::default(),
            dirty: Default::default(),
            io: crate::dirty::DirtyPool::io(),
            files: Default::default(),
            stdin: Default::default(),
            this: std::sync::OnceLock::new(),
            output: crate::output::Output::new(out, line_flush),
            halted: std::sync::OnceLock::new(),
            err: Mutex::new(err),
            color,
            code_config: Default::default(),
            detect_deadlocks: AtomicBool::new(false),
            ceiling: Default::default(),
            watches: Default::default(),
            nodes: Default::default(),
            next_pid: AtomicU64::new(1),
            next_ref: AtomicU64::new(1),
        };
        crate::native::register_builtins(&rt);
        crate::loader::install(&rt, crate::native::kernel::bytecode_part(), None, false)
            .expect("the built-in kernel bytecode is valid");
        rt
    }

    /// The most bytes one term may take (the memory ceiling, if any).
    pub(crate) fn term_ceiling(&self) -> usize {
        match self.limits.max_memory {
            0 => usize::MAX,
            n => n,
        }
    }

    pub fn new_pid(&self) -> Pid {
        Pid(self.next_pid.fetch_add(1, Ordering::Relaxed))
    }

    pub fn new_ref(&self) -> Ref {
        Ref(self.next_ref.fetch_add(1, Ordering::Relaxed))
    }

    /// The export entry of `mfa`, created (and pointed at the native or the
    /// loaded module's function, if any) on first use.
    pub fn export_entry(&self, mfa: Mfa) -> Arc<ExportEntry> {
        if let Some(e) = self.exports.read().expect("exports lock").get(&mfa) {
            return e.clone();
        }
        let mut exports = self.exports.write().expect("exports lock");
        if let Some(e) = exports.get(&mfa) {
            return e.clone();
        }
        let entry = Arc::new(ExportEntry::new(mfa));
        entry.set(self.current_target(mfa));
        exports.insert(mfa, entry.clone());
        entry
    }

    /// What `mfa` should run now: a native first, else the exported
    /// function of the loaded module.
    pub(crate) fn current_target(&self, mfa: Mfa) -> Option<Target> {
        if let Some(n) = self.natives.read().expect("natives lock").get(&mfa) {
            return Some(Target::Native(n.clone()));
        }
        let module = self.code.get(mfa.module)?;
        let func = module.exported(mfa.name, mfa.arity)?;
        Some(Target::Reef { module, func })
    }

    /// Registers a native for `module.name/arity`; it takes precedence over
    /// a Reef function of the same name.
    pub fn register_native(&self, mfa: Mfa, native: Native) {
        let exports = self.exports.write().expect("exports lock");
        self.natives
            .write()
            .expect("natives lock")
            .insert(mfa, native.clone());
        if let Some(e) = exports.get(&mfa) {
            e.set(Some(Target::Native(native)));
        }
    }

    /// Writes program output.
    pub fn write_out(&self, s: &str) {
        if let Err(f) = self.output.write(s) {
            self.output_failed(f);
        }
    }

    /// Writes to the error stream (after the program output written so
    /// far, so the two stay in order on a terminal). A failed write is
    /// ignored: there is nowhere left to report it.
    pub fn write_err(&self, s: &str) {
        self.flush_out();
        let mut err = self.err.lock().unwrap_or_else(|e| e.into_inner());
        let _ = err.write_all(s.as_bytes());
        let _ = err.flush();
    }

    pub fn flush_out(&self) {
        if let Err(f) = self.output.flush() {
            self.output_failed(f);
        }
    }

    /// The output is closed: halt the VM (quietly for a broken pipe).
    #[cold]
    fn output_failed(&self, f: crate::output::Failure) {
        let status = match f {
            crate::output::Failure::BrokenPipe => crate::output::BROKEN_PIPE_STATUS,
            crate::output::Failure::Other(e) => {
                let mut err = self.err.lock().unwrap_or_else(|e| e.into_inner());
                let _ = writeln!(err, "reef: cannot write the program's output: {e}");
                1
            }
        };
        self.halt(status);
    }

    /// Stops every process where it stands: the scheduler threads and the
    /// timer thread end their loops, and whoever waits for a call (the
    /// host in `run_main`) returns at once. The first status wins.
    pub fn halt(&self, status: i32) {
        let _ = self.halted.set(status);
        self.scheduler.halt();
    }
}
