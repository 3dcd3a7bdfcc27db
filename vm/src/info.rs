//! What a process looks like from outside: `process.info`, `process.list`,
//! the REPL's `:procs`, and the size of its heap.

use std::time::{Duration, Instant};

use crate::mailbox::Mailbox;
use crate::proc_table::Entry;
use crate::process::{Frame, Process, Status};
use crate::scheduler::Scheduler;
use crate::value::size::Sizer;
use crate::value::{Atom, Pid, Ref};

/// A snapshot of one process, made of owned data (safe to hand anywhere).
#[derive(Debug, Clone)]
pub struct ProcInfo {
    /// The process.
    pub pid: Pid,
    /// The name it is registered under, if any.
    pub registered_name: Option<Atom>,
    /// `:running`, `:runnable` or `:waiting` (an idle session is waiting).
    pub status: Atom,
    /// `(module, function, arity)` of the function it is in.
    pub current_function: Option<(Atom, Atom, u32)>,
    /// Reductions (function calls and their like) it has run so far.
    pub reductions: u64,
    /// Messages waiting in its mailbox.
    pub message_queue_len: usize,
    /// Bytes: the process, its stack, its mailbox and its heap.
    pub memory: usize,
    /// Words of its heap (the terms it holds).
    pub heap_words: usize,
    /// The processes it is linked to.
    pub links: Vec<Pid>,
    /// The processes it monitors.
    pub monitors: Vec<(Ref, Pid)>,
    /// The processes that monitor it.
    pub monitored_by: Vec<Pid>,
    /// Whether it traps exits (`process.flag(:trap_exit, true)`).
    pub trap_exit: bool,
    /// Where it is: the function it is in, then its callers, innermost
    /// first (at most 20 frames, as a crash's stack trace).
    pub current_stacktrace: Vec<StackFrame>,
    /// The process was running (in a long slice or native) and could not
    /// be looked at: only `status`, `message_queue_len`, `memory` (its
    /// published estimate), and `reductions` and `current_function` as of
    /// its last slice's end are known; the other fields are empty and
    /// `process.info` shows them as `:undefined`.
    pub partial: bool,
}

/// One frame of a process's stack: `(module, function, arity, file, line)`
/// in a Reef stack trace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackFrame {
    /// The module.
    pub module: Atom,
    /// The function.
    pub function: Atom,
    /// Its arity.
    pub arity: u32,
    /// The module's source file.
    pub file: String,
    /// The line it is at (0 if not known).
    pub line: u32,
}

/// The stack of a process that is not running, innermost first.
fn stacktrace(p: &Process) -> Vec<StackFrame> {
    let frame =
        |m: *const crate::code::LoadedModule, f: *const crate::code::FunctionCode, pc: usize| {
            // SAFETY: the code pointers of a live process point into modules
            // the runtime keeps alive while any process runs them (reload.rs).
            let (m, f) = unsafe { (&*m, &*f) };
            StackFrame {
                module: m.name,
                function: f.name,
                arity: f.arity,
                file: m.file.to_string(),
                line: f.line_of(pc),
            }
        };
    let mut out = Vec::new();
    if p.fun.is_null() {
        return out;
    }
    out.push(frame(p.module, p.fun, p.pc as usize));
    for fr in p.frames.iter().rev() {
        if out.len() >= crate::interp::exception::TRACE_DEPTH {
            break;
        }
        out.push(frame(
            fr.module(),
            fr.fun,
            (fr.pc as usize).saturating_sub(1),
        ));
    }
    out
}

/// What to find out: the heap's size costs a walk of every term the
/// process holds, so `process.info(p, key)` asks for it only when `key`
/// needs it.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Detail {
    All,
    NoHeap,
}

thread_local! {
    /// Heap walks made on this thread (tests check that a question that
    /// needs no walk makes none).
    static WALKS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// How many heaps this thread has walked.
#[cfg(test)]
pub fn walks_on_this_thread() -> u64 {
    WALKS.with(|w| w.get())
}

/// Words of the terms a process keeps alive: its live registers and its
/// mailbox.
pub fn heap_words(p: &Process) -> usize {
    WALKS.with(|w| w.set(w.get() + 1));
    let mut s = Sizer::default();
    for v in p.regs.iter() {
        s.add(v);
    }
    for v in p.mailbox.iter() {
        s.add(v);
    }
    s.words
}

/// Bytes a process takes: its own structures and its heap.
pub fn memory(p: &Process, heap_words: usize) -> usize {
    std::mem::size_of::<Process>()
        + std::mem::size_of::<Entry>()
        + p.regs.capacity() * std::mem::size_of::<crate::value::Value>()
        + p.frames.capacity() * std::mem::size_of::<Frame>()
        + p.handlers.capacity() * std::mem::size_of::<crate::process::Handler>()
        + Mailbox::bytes(&p.mailbox)
        + heap_words * 8
}

fn snapshot(
    sched: &Scheduler,
    p: &Process,
    running: bool,
    inbox: usize,
    detail: Detail,
) -> ProcInfo {
    let heap = match detail {
        Detail::All => heap_words(p),
        // The estimate, without a walk (`heap.rs`).
        Detail::NoHeap => crate::heap::estimate(p),
    };
    let links = p.links.as_deref();
    let mut linked: Vec<Pid> = links.map_or(Vec::new(), |l| l.linked.iter().copied().collect());
    linked.sort();
    let mut monitors: Vec<(Ref, Pid)> = links.map_or(Vec::new(), |l| {
        l.monitoring.iter().map(|(r, w)| (*r, w.pid)).collect()
    });
    monitors.sort();
    let mut monitored_by: Vec<Pid> =
        links.map_or(Vec::new(), |l| l.monitored_by.values().copied().collect());
    monitored_by.sort();
    ProcInfo {
        pid: p.pid,
        registered_name: sched.table.name_of(p.pid),
        status: if running {
            Atom::RUNNING
        } else {
            match p.status {
                Status::Runnable => Atom::RUNNABLE,
                Status::Waiting | Status::SendWaiting | Status::Idle => Atom::WAITING,
            }
        },
        current_function: p.current_function(),
        reductions: p.reductions,
        message_queue_len: p.mailbox.len() + inbox,
        memory: memory(p, heap),
        heap_words: heap,
        links: linked,
        monitors,
        monitored_by,
        trap_exit: p.trap_exit,
        current_stacktrace: stacktrace(p),
        partial: false,
    }
}

impl Scheduler {
    /// The info of `pid`; `me` is the caller, which is running (and so is
    /// not in the table's slot). A process running on another thread is
    /// waited for up to a few milliseconds (its slice ends by then unless
    /// it is in a long native); after that only its status is known.
    pub fn info(&self, pid: Pid, me: Option<&Process>, detail: Detail) -> Option<ProcInfo> {
        if let Some(p) = me.filter(|p| p.pid == pid) {
            return Some(snapshot(self, p, true, 0, detail));
        }
        let e = self.table.get(pid)?;
        let give_up = Instant::now() + Duration::from_millis(5);
        loop {
            {
                let s = e.lock();
                if s.dead || e.host.is_some() {
                    // A host mailbox: only its queue is known.
                    return (e.host.is_some() && !s.dead).then(|| ProcInfo {
                        memory: std::mem::size_of::<Entry>(),
                        trap_exit: true,
                        partial: false,
                        ..self.bare(pid, Atom::WAITING, s.inbox.len())
                    });
                }
                if let Some(p) = s.body.as_deref() {
                    return Some(snapshot(self, p, false, s.inbox.len(), detail));
                }
                if Instant::now() >= give_up {
                    // Still running: what it published (`Entry`, and
                    // its last slice's end).
                    let bytes = e.memory.load(std::sync::atomic::Ordering::Relaxed);
                    let (reductions, current_function) = s.last_seen;
                    return Some(ProcInfo {
                        memory: bytes,
                        heap_words: bytes / 8,
                        reductions,
                        current_function,
                        ..self.bare(pid, Atom::RUNNING, s.queue_len(&e))
                    });
                }
            }
            std::thread::yield_now();
        }
    }

    /// What is known of a process without looking inside it.
    fn bare(&self, pid: Pid, status: Atom, queue: usize) -> ProcInfo {
        ProcInfo {
            pid,
            registered_name: self.table.name_of(pid),
            status,
            current_function: None,
            reductions: 0,
            message_queue_len: queue,
            memory: 0,
            heap_words: 0,
            links: Vec::new(),
            monitors: Vec::new(),
            monitored_by: Vec::new(),
            trap_exit: false,
            current_stacktrace: Vec::new(),
            partial: true,
        }
    }

    /// Every live pid, in order.
    pub fn pids(&self) -> Vec<Pid> {
        self.table
            .entries()
            .into_iter()
            .filter(|e| !e.lock().dead)
            .map(|e| e.pid)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Value;

    #[test]
    fn the_queue_length_is_known_without_a_walk() {
        let sched = Scheduler::default();
        let mut p = Box::new(Process::new(Pid(7)));
        p.status = Status::Waiting;
        for i in 0..100_000 {
            p.mailbox.push(Value::list(vec![Value::Int(i)]));
        }
        sched.spawn(p);
        let before = walks_on_this_thread();
        let i = sched.info(Pid(7), None, Detail::NoHeap).expect("alive");
        assert_eq!(i.message_queue_len, 100_000);
        assert_eq!(walks_on_this_thread(), before, "no walk for the queue");
        let all = sched.info(Pid(7), None, Detail::All).expect("alive");
        assert_eq!(walks_on_this_thread(), before + 1);
        assert!(all.heap_words >= 100_000 * 5);
    }
}
