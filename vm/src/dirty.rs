//! Dirty schedulers: a pool of threads for natives that can run long (an
//! exact power with millions of digits, sorting a very long list), as
//! BEAM's dirty CPU schedulers. The native hands the work over and
//! returns `(:dirty, ref)`; the Reef half of the function (`math.pow`,
//! `lists.sort`) then waits in a receive, so its scheduler thread goes on
//! running other processes. The pool answers with
//! `(:dirty_reply, ref, (:ok, value))` or `(:dirty_reply, ref, (:error,
//! reason))`, and the Reef half returns the value or raises the reason.
//!
//! The same pool, with more threads than cores, is BEAM's dirty I/O
//! schedulers (`DirtyPool::io`): file and OS work (`file`, `os.cmd`)
//! blocks a thread for as long as the disk or the child takes, never a
//! scheduler thread. Both answer with the same protocol.
//!
//! A job owns its inputs (a `Message`, or `Arc` leaves such as big
//! integers) and builds its result on the pool thread from fresh nodes, so
//! no `Rc` node is ever shared with a process (ARCHITECTURE.md, "Processes
//! may move between threads").

use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex, Weak};

use crate::mailbox::Message;
use crate::runtime::Runtime;
use crate::signal::Signal;
use crate::value::{Atom, Pid, Ref, Value};

/// A piece of long work: its result, or the reason to raise.
pub type Job = Box<dyn FnOnce() -> Result<Value, Value> + Send>;

struct Queue {
    jobs: VecDeque<(Pid, Ref, Job)>,
    stopped: bool,
    /// Threads started so far, and how many of them wait for a job.
    spawned: usize,
    idle: usize,
}

struct Shared {
    queue: Mutex<Queue>,
    ready: Condvar,
}

/// The pool; its threads start as jobs need them, up to one per core for
/// CPU work and `IO_THREADS` for blocking I/O.
pub struct DirtyPool {
    shared: Arc<Shared>,
    /// Thread names: `reef-dirty-N` or `reef-io-N`.
    name: &'static str,
    /// How many threads; 0 = one per core.
    threads: usize,
}

/// The dirty I/O pool's size: BEAM's default number of dirty I/O
/// schedulers. A blocked thread costs only its stack, and more threads
/// than cores let slow reads (a FIFO, a network disk, a child process
/// that runs for minutes) wait side by side.
pub const IO_THREADS: usize = 10;

impl Default for DirtyPool {
    fn default() -> DirtyPool {
        DirtyPool::new("reef-dirty", 0)
    }
}

impl DirtyPool {
    /// The dirty I/O pool (`Runtime::io`).
    pub fn io() -> DirtyPool {
        DirtyPool::new("reef-io", IO_THREADS)
    }

    fn new(name: &'static str, threads: usize) -> DirtyPool {
        DirtyPool {
            shared: Arc::new(Shared {
                queue: Mutex::new(Queue {
                    jobs: VecDeque::new(),
                    stopped: false,
                    spawned: 0,
                    idle: 0,
                }),
                ready: Condvar::new(),
            }),
            name,
            threads,
        }
    }

    /// Runs `job` on a dirty thread; its result goes to `pid` tagged
    /// with `r`. A process that is gone by then is simply not answered.
    pub fn submit(&self, rt: &Weak<Runtime>, pid: Pid, r: Ref, job: Job) {
        // The reply is a message from outside the processes: while the
        // job runs, its process is not deadlocked.
        if let Some(rt) = rt.upgrade() {
            rt.scheduler.outside_sender_open();
        }
        let mut q = self.shared.queue.lock().unwrap_or_else(|e| e.into_inner());
        q.jobs.push_back((pid, r, job));
        // One more thread only when the queued jobs outnumber the idle
        // threads: a program that does one thing at a time keeps one
        // thread (its allocator's pages stay warm), and a thread costs
        // its start (a stack, the allocator's heap) only when needed.
        let max = match self.threads {
            0 => std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get),
            n => n,
        };
        if q.jobs.len() > q.idle && q.spawned < max {
            q.spawned += 1;
            let shared = self.shared.clone();
            let rt = rt.clone();
            // Not joined: a job may run long after the VM stopped; the
            // thread ends when it next looks at the queue.
            let spawned = std::thread::Builder::new()
                .name(format!("{}-{}", self.name, q.spawned))
                .spawn(move || work(&shared, &rt));
            if spawned.is_err() {
                q.spawned -= 1;
            }
        }
        drop(q);
        self.shared.ready.notify_one();
    }
}

impl Drop for DirtyPool {
    fn drop(&mut self) {
        let mut q = self.shared.queue.lock().unwrap_or_else(|e| e.into_inner());
        q.stopped = true;
        q.jobs.clear();
        drop(q);
        self.shared.ready.notify_all();
    }
}

fn work(shared: &Shared, rt: &Weak<Runtime>) {
    loop {
        let (pid, r, job) = {
            let mut q = shared.queue.lock().unwrap_or_else(|e| e.into_inner());
            loop {
                if q.stopped {
                    return;
                }
                if let Some(j) = q.jobs.pop_front() {
                    break j;
                }
                q.idle += 1;
                q = shared.ready.wait(q).unwrap_or_else(|e| e.into_inner());
                q.idle -= 1;
            }
        };
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job))
            .unwrap_or_else(|_| Err(Value::atom("vm_panic")));
        let (tag, v) = match result {
            Ok(v) => (Atom::OK, v),
            Err(reason) => (Atom::ERROR, reason),
        };
        let reply = Value::tuple(vec![
            Value::atom("dirty_reply"),
            Value::Ref(r),
            Value::tuple(vec![Value::Atom(tag), v]),
        ]);
        let Some(rt) = rt.upgrade() else { return };
        // SAFETY: every node of `reply` was made on this thread by the
        // job from what it owns (its inputs are a `Message` or `Arc`
        // leaves), and nothing else holds any of them.
        let msg = unsafe { Message::from_fresh(reply) };
        rt.scheduler.deliver(pid, Signal::Message(msg));
        rt.scheduler.outside_sender_gone();
    }
}

/// What a native that handed its work to the pool returns: `(:dirty, r)`.
pub fn pending(r: Ref) -> Value {
    Value::tuple(vec![Value::atom("dirty"), Value::Ref(r)])
}
