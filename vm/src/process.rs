//! A process: its registers and call frames (the Reef stack, on the heap),
//! its exception handlers, its mailbox, and where it stands. Everything a
//! process's values reference through `Rc` is reachable only from the
//! process itself, which is what lets the scheduler move it between
//! threads (see the `Send` impl below).

use std::sync::Arc;
use std::time::Instant;

use crate::code::{FunctionCode, LoadedModule};
use crate::host::Watch;
use crate::links::Links;
use crate::mailbox::Mailbox;
use crate::proc_table::Entry;
use crate::value::{Atom, Pid, Value};

/// The saved state of a caller: where to continue when the callee returns.
/// The pointers stay valid because the runtime keeps every loaded module
/// version alive for as long as it runs processes.
#[derive(Clone, Copy)]
pub struct Frame {
    pub fun: *const FunctionCode,
    /// The instruction after the call.
    pub pc: u32,
    /// The caller's first register in `Process::regs`.
    pub base: u32,
}

const _: () = assert!(std::mem::size_of::<Frame>() == 16);

impl Frame {
    /// The module of the frame's function.
    pub fn module(&self) -> *const LoadedModule {
        // SAFETY: frames point into live code (above).
        unsafe { (*self.fun).module() }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum HandlerKind {
    /// `try`: the class, reason and stack trace go to `R[dst..dst+3]`.
    Try { dst: u16 },
    /// A guard: any exception means the guard is false.
    Guard,
}

/// An exception handler, valid while the frame that pushed it is live.
#[derive(Clone, Copy)]
pub struct Handler {
    pub kind: HandlerKind,
    /// `frames.len()` when it was pushed: the depth of its frame.
    pub depth: u32,
    /// The function and register base of its frame, to recognise a stale
    /// handler whose frame has gone.
    pub fun: *const FunctionCode,
    pub base: u32,
    /// Where the handler's code starts.
    pub label: u32,
}

/// What the process does next.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Status {
    /// In the run queue, or running.
    Runnable,
    /// Parked in a receive until a message comes (or its deadline).
    Waiting,
    /// Parked in a send to a full mailbox (`process.flag(:max_queue, n)`)
    /// until the receiver has room; the send runs again when it wakes.
    SendWaiting,
    /// A host-driven process (a REPL session) with nothing to do until the
    /// host asks it to evaluate something.
    Idle,
}

/// A call to make when the process next runs (its first function, or a
/// session's evaluation).
pub struct Start {
    pub fun: Value,
    pub args: Vec<Value>,
}

pub struct Process {
    pub pid: Pid,
    pub(crate) regs: Vec<Value>,
    pub(crate) frames: Vec<Frame>,
    pub(crate) handlers: Vec<Handler>,
    /// Where execution continues (valid when `fun` is not null).
    pub(crate) module: *const LoadedModule,
    pub(crate) fun: *const FunctionCode,
    pub(crate) pc: u32,
    pub(crate) base: u32,
    /// What to run first (taken when the process first runs). Boxed, as
    /// are the other fields that most processes leave empty: the struct
    /// is in every idle process, which should stay small (issue 12's
    /// target: at most 700 bytes in all).
    pub(crate) start: Option<Box<Start>>,
    pub(crate) mailbox: Mailbox,
    pub(crate) status: Status,
    /// While parked in a receive with a timeout: where to go when it
    /// expires (`pc` holds where to go when a message comes).
    pub(crate) wait_expired: Option<u32>,
    /// When the receive in progress times out, once it has waited.
    pub(crate) recv_deadline: Option<Instant>,
    /// Bumped at each park, so a stale timer can be told from a live one.
    pub(crate) wait_seq: u64,
    /// Driven by the host (a session): returning from its outermost call,
    /// or crashing, makes it idle instead of ending it.
    pub(crate) host_driven: bool,
    /// A session's state, passed to and returned by each evaluation.
    pub(crate) session_state: Value,
    pub reductions: u64,
    /// Exit signals become `(:EXIT, pid, reason)` messages.
    pub(crate) trap_exit: bool,
    /// An exit signal killed it: it ends with this reason at the next
    /// scheduling point (after its slice, or at once if it is parked).
    pub(crate) pending_exit: Option<Value>,
    /// Links and monitors, allocated on first use (most processes have
    /// none, and an idle process should stay small).
    pub(crate) links: Option<Box<Links>>,
    /// The timer of the receive it waits in, to cancel when it wakes.
    pub(crate) recv_timer: Option<u64>,
    /// `process.max_heap(words)`: killed when its heap grows past this.
    pub(crate) max_heap: Option<std::num::NonZeroU64>,
    /// `SpawnOptions::max_reductions`: killed with `(:system_limit,
    /// :reductions)` at the end of the slice that passes it.
    pub(crate) max_reductions: Option<u64>,
    /// Words allocated since its size was last measured exactly: an
    /// estimate bumped where terms are built (the interpreter's
    /// constructors, big natives, arriving messages, stack growth).
    pub(crate) alloc: usize,
    /// When `alloc` passes this, the process yields and is measured
    /// (`crate::heap::check`): so the walk is amortised O(1) per word.
    pub(crate) alloc_check: usize,
    /// Its size in words at the last exact measure.
    pub(crate) measured: usize,
    /// `process.flag(:max_queue, n)`: senders wait while its queue holds
    /// `n` messages.
    pub(crate) max_queue: Option<std::num::NonZeroUsize>,
    /// The full mailbox it waits to send to (its send runs again on
    /// waking).
    pub(crate) blocked_on: Option<Arc<Entry>>,
    /// A send to another node found its connection's queue long: the
    /// process yields and runs the send again.
    pub(crate) send_busy: bool,
    /// `process.flag(:crash_report, false)`: an abnormal end prints no
    /// report (the exit reason is the process's answer, as in `erpc`).
    pub(crate) crash_report: bool,
    /// The host waits for this process's call to end.
    pub(crate) watch: Option<Arc<Watch>>,
    /// The table entry of the last process it sent to: a process that
    /// talks to the same partner again skips the table lookup.
    pub(crate) send_cache: Option<Arc<Entry>>,
    /// The transient modules (REPL inputs) this process entered through a
    /// closure: held while it may still have a frame in them, which is
    /// until its stack is reset or it ends (frames point at code by raw
    /// pointer and hold nothing). Boxed, and made on first use: most
    /// processes never pin, and an idle process should stay small.
    // A box of a vector: one word in the struct instead of three.
    #[allow(clippy::box_collection)]
    pub(crate) pins: Option<Box<Vec<Arc<LoadedModule>>>>,
    /// The `random` module's generator (spec 8.14), made on first use
    /// (seeded from the OS unless `random.seed` set it): per process, as
    /// Erlang's `rand` keeps its state in the process dictionary.
    pub(crate) rng: Option<Box<fastrand::Rng>>,
}

// SAFETY: a process owns every `Rc` node reachable from its registers,
// mailbox and handlers, and no `Rc` node is reachable from anywhere else:
// (1) a message is deep-copied (`value::copy::deep_copy`) into fresh nodes
// before it is put in the receiver's mailbox, and the sender keeps no
// reference to the copy; (2) a new process's starting closure and
// arguments are deep-copied the same way; (3) module literals, shared by
// all processes, are only scalars (`code::Literals` checks), whose shared
// parts are `Arc`; (4) natives and the host exchange terms only by copying
// or through the owned `Term` type. So moving a whole process to another
// thread moves all the non-atomic refcounts it can touch with it. The raw
// code pointers point into immutable modules that outlive every process.
unsafe impl Send for Process {}

impl Process {
    pub fn new(pid: Pid) -> Process {
        Process {
            pid,
            regs: Vec::new(),
            frames: Vec::new(),
            handlers: Vec::new(),
            module: std::ptr::null(),
            fun: std::ptr::null(),
            pc: 0,
            base: 0,
            start: None,
            mailbox: Mailbox::default(),
            status: Status::Runnable,
            wait_expired: None,
            recv_deadline: None,
            wait_seq: 0,
            host_driven: false,
            session_state: Value::Nil,
            reductions: 0,
            trap_exit: false,
            pending_exit: None,
            links: None,
            recv_timer: None,
            max_heap: None,
            max_reductions: None,
            alloc: 0,
            alloc_check: crate::heap::FIRST_CHECK,
            measured: 0,
            max_queue: None,
            blocked_on: None,
            send_busy: false,
            crash_report: true,
            watch: None,
            send_cache: None,
            pins: None,
            rng: None,
        }
    }

    /// Forgets the call in progress (after it ended): frames, handlers and
    /// registers go, the mailbox stays.
    pub(crate) fn reset_stack(&mut self) {
        self.regs.clear();
        self.frames.clear();
        self.handlers.clear();
        self.module = std::ptr::null();
        self.fun = std::ptr::null();
        self.pc = 0;
        self.base = 0;
        self.wait_expired = None;
        self.recv_deadline = None;
        self.mailbox.reset_cursor();
        // No frame is left, so no code needs pinning.
        self.pins = None;
        self.shrink();
    }

    /// Frees registers above the live frame (values a finished call left
    /// behind would otherwise stay alive until overwritten), and gives back
    /// memory after a deep recursion. Called when the process parks.
    pub(crate) fn compact(&mut self) {
        if !self.fun.is_null() {
            // Every live frame's window must stay: a caller's frame may
            // reach above its callee's (its registers past the call's base
            // are dead, but it may write them again after the return).
            // SAFETY: code pointers point into modules the runtime keeps alive.
            let extent = |base: u32, fun: *const FunctionCode| {
                base as usize + unsafe { (*fun).num_regs } as usize
            };
            let top = self
                .frames
                .iter()
                .map(|fr| extent(fr.base, fr.fun))
                .fold(extent(self.base, self.fun), usize::max);
            self.regs.truncate(top);
        }
        self.shrink();
    }

    fn shrink(&mut self) {
        /// Keep this much even when idle: regrowing costs more than it saves.
        const KEEP: usize = 256;
        if self.regs.capacity() > KEEP && self.regs.capacity() > 4 * self.regs.len() {
            self.regs.shrink_to(self.regs.len().max(KEEP));
        }
        if self.frames.capacity() > KEEP && self.frames.capacity() > 4 * self.frames.len() {
            self.frames.shrink_to(self.frames.len().max(KEEP));
        }
    }

    /// The links and monitors, allocated if need be.
    pub(crate) fn links_mut(&mut self) -> &mut Links {
        self.links.get_or_insert_with(Default::default)
    }

    /// The function running now, as `(module, name, arity)`.
    pub(crate) fn current_function(&self) -> Option<(Atom, Atom, u32)> {
        if self.fun.is_null() {
            return None;
        }
        // SAFETY: code pointers point into modules the runtime keeps alive.
        let (m, f) = unsafe { (&*self.module, &*self.fun) };
        Some((m.name, f.name, f.arity))
    }

    /// Counts `words` just allocated; whether it is time to measure (the
    /// caller then makes the process yield soon).
    #[inline]
    pub(crate) fn charge(&mut self, words: usize) -> bool {
        self.alloc += words;
        self.alloc > self.alloc_check
    }

    /// Parked in a receive without a timeout: none of its messages
    /// matched, and only a new one can wake it.
    pub(crate) fn wants_a_message(&self) -> bool {
        self.status == Status::Waiting && self.wait_expired.is_none()
    }
}
