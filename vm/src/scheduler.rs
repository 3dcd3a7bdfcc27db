//! The scheduler: N threads (one per core by default), each with a local
//! run queue, stealing from each other and from a global injector when
//! theirs is empty (crossbeam-deque's Chase-Lev deques), and sleeping on a
//! condition variable when there is nothing at all to do.
//!
//! A process runs for a budget of reductions and then goes to the back of
//! its thread's queue. A process that waits in a receive is parked in its
//! table entry and costs nothing until a signal wakes it; the sender (or
//! the timer thread) queues it again. Signals to a running process wait in
//! its entry's inbox and are applied when its slice ends (`signal.rs`).

use std::cell::Cell;
use std::sync::atomic::{fence, AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, OnceLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crossbeam_deque::{Injector, Steal, Stealer, Worker};

use crate::host::{self, HostResult, Watch};
use crate::interp::{self, Exit, Outcome};
use crate::links;
use crate::proc_table::{Entry, ProcTable};
use crate::process::{Process, Start, Status};
use crate::runtime::Runtime;
use crate::signal::{self, Signal};
use crate::timers::{Action, Timers};
use crate::value::{Atom, Pid, Value};

/// Reductions a process may use before it yields: Erlang's slice, long
/// enough that switching costs little, short enough (well under a
/// millisecond) that a spinning process never holds the others up.
pub const BUDGET: u32 = 4000;

pub(crate) type Task = Arc<Entry>;

thread_local! {
    /// The run queues of the scheduler thread this is (with its
    /// scheduler's id), so that a process woken here is queued here.
    static LOCAL: Cell<(usize, *const Local)> = const { Cell::new((0, std::ptr::null())) };
}

/// A scheduler thread's own queues: the stealable FIFO, and a one-process
/// slot for the process most recently woken by a message from this
/// thread, which runs next (so a request and its reply do not wait behind
/// every runnable process), but at most `LIFO_STREAK` times in a row, so
/// that two processes talking to each other cannot starve the rest.
struct Local {
    fifo: Worker<Task>,
    lifo: Cell<Option<Task>>,
    streak: Cell<u32>,
}

const LIFO_STREAK: u32 = 3;

/// How long the end of the program waits for processes to end after
/// `:shutdown`, and then for scheduler threads to stop: the program ends
/// within twice this after `main` returns, whatever other processes do
/// (a process inside a long native cannot stop before it returns).
pub(crate) const SHUTDOWN_WAIT: Duration = Duration::from_millis(40);

/// How long an idle scheduler thread looks for work before it sleeps.
const SPIN: Duration = Duration::from_micros(50);

static NEXT_ID: AtomicUsize = AtomicUsize::new(1);

pub struct Scheduler {
    pub(crate) table: ProcTable,
    pub(crate) timers: Timers,
    id: usize,
    injector: Injector<Task>,
    stealers: OnceLock<Vec<Stealer<Task>>>,
    sleep_lock: Mutex<()>,
    sleep_cv: Condvar,
    pub(crate) sleepers: AtomicUsize,
    /// Threads spinning for work (`spin_for_work`).
    spinning: AtomicUsize,
    stop: AtomicBool,
    threads: Mutex<Vec<JoinHandle<()>>>,
    /// Sources outside the processes that may still send a message: stdin
    /// reads in flight, open host mailboxes. While any is there, a wait is
    /// never a deadlock.
    pub(crate) outside: AtomicUsize,
    /// This node's distribution, once it is alive: where signals for
    /// pids of other nodes go.
    pub(crate) dist: OnceLock<Arc<crate::dist::Dist>>,
    /// When the scheduler threads started, and how long each has been
    /// busy: `system.scheduler_wall_time()` (Erlang's
    /// `statistics(scheduler_wall_time)`, always on: a clock read when a
    /// thread finds work after being idle and one when it runs out, none
    /// per slice).
    busy: OnceLock<(Instant, Vec<BusyClock>)>,
}

/// How a call the host waited for ended.
pub enum Ended {
    Done(HostResult),
    /// It waits for a message no process can ever send: every process is
    /// parked and no timer is pending.
    Deadlock,
    /// The process is gone (or the VM stopped).
    NoProcess,
}

/// One scheduler thread's busy time, in nanoseconds since the threads
/// started.
struct BusyClock {
    /// Busy periods that have ended.
    total: AtomicU64,
    /// When the current busy period began, or `IDLE`.
    since: AtomicU64,
}

const IDLE: u64 = u64::MAX;

impl BusyClock {
    fn start(&self, now: u64) {
        self.since.store(now, Ordering::Relaxed);
    }

    fn stop(&self, now: u64) {
        let since = self.since.swap(IDLE, Ordering::Relaxed);
        if since != IDLE {
            self.total
                .fetch_add(now.saturating_sub(since), Ordering::Relaxed);
        }
    }

    /// Busy nanoseconds up to `now`, the current period included.
    fn read(&self, now: u64) -> u64 {
        let since = self.since.load(Ordering::Relaxed);
        let open = if since == IDLE {
            0
        } else {
            now.saturating_sub(since)
        };
        self.total.load(Ordering::Relaxed) + open
    }
}

impl Default for Scheduler {
    fn default() -> Scheduler {
        Scheduler {
            table: ProcTable::default(),
            timers: Timers::default(),
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            injector: Injector::new(),
            stealers: OnceLock::new(),
            sleep_lock: Mutex::new(()),
            sleep_cv: Condvar::new(),
            sleepers: AtomicUsize::new(0),
            spinning: AtomicUsize::new(0),
            stop: AtomicBool::new(false),
            threads: Mutex::new(Vec::new()),
            outside: AtomicUsize::new(0),
            dist: OnceLock::new(),
            busy: OnceLock::new(),
        }
    }
}

impl Scheduler {
    /// Starts `n` scheduler threads and the timer thread.
    pub fn start(&self, rt: &Arc<Runtime>, n: usize) {
        let n = n.max(1);
        let workers: Vec<Worker<Task>> = (0..n).map(|_| Worker::new_fifo()).collect();
        if self
            .stealers
            .set(workers.iter().map(Worker::stealer).collect())
            .is_err()
        {
            return; // already started
        }
        let clocks = (0..n)
            .map(|_| BusyClock {
                total: AtomicU64::new(0),
                since: AtomicU64::new(IDLE),
            })
            .collect();
        let _ = self.busy.set((Instant::now(), clocks));
        let mut threads = self.threads.lock().unwrap_or_else(|e| e.into_inner());
        for (i, w) in workers.into_iter().enumerate() {
            let rt = rt.clone();
            threads.push(
                std::thread::Builder::new()
                    .name(format!("reef-sched-{}", i + 1))
                    .spawn(move || rt.scheduler.worker_main(&rt, w, i))
                    .expect("spawn a scheduler thread"),
            );
        }
        let rt = rt.clone();
        threads.push(
            std::thread::Builder::new()
                .name("reef-timers".into())
                .spawn(move || rt.scheduler.timers.run(&rt))
                .expect("spawn the timer thread"),
        );
    }

    /// How many scheduler threads run.
    pub fn count(&self) -> usize {
        self.stealers.get().map_or(0, Vec::len)
    }

    /// Tells every thread to stop, without waiting (callable from a
    /// scheduler thread: the VM halts).
    pub fn halt(&self) {
        self.stop.store(true, Ordering::SeqCst);
        self.timers.stop();
        let _g = self.sleep_lock.lock().unwrap_or_else(|e| e.into_inner());
        self.sleep_cv.notify_all();
    }

    /// Stops every thread and frees every process.
    pub fn shutdown(&self) {
        self.halt();
        // Other nodes learn at once that this one is gone.
        if let Some(d) = self.dist.get() {
            d.stop();
        }
        let threads = std::mem::take(&mut *self.threads.lock().unwrap_or_else(|e| e.into_inner()));
        for t in &threads {
            t.thread().unpark(); // the memory monitor parks between samples
        }
        // A thread inside a long native cannot stop before it returns: it
        // is left to finish on its own (it holds the runtime alive) rather
        // than holding up the end of the program.
        let deadline = Instant::now() + SHUTDOWN_WAIT;
        for t in threads {
            while !t.is_finished() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_micros(200));
            }
            if t.is_finished() {
                let _ = t.join();
            }
        }
        for e in self.table.entries() {
            self.table.remove(e.pid);
            let mut body = {
                let mut s = e.lock();
                s.dead = true;
                s.inbox.clear();
                s.body.take()
            };
            // A host waiting for its call, or on a host mailbox, learns
            // that the VM stopped.
            if let Some(w) = body.as_mut().and_then(|b| b.watch.take()) {
                w.stop();
            }
            if let Some(h) = &e.host {
                h.notify();
            }
            drop(body);
        }
        while self.injector.steal().is_success() {}
    }

    /// Another thread to join at shutdown (the memory monitor).
    pub(crate) fn add_thread(&self, t: JoinHandle<()>) {
        self.threads
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(t);
    }

    pub fn is_stopped(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }

    // ---- queues ----

    /// Queues a process that was woken (or spawned): in this thread's
    /// next-to-run slot when called from a scheduler thread, else on the
    /// injector.
    pub(crate) fn schedule(&self, e: Task) {
        let (id, local) = LOCAL.with(Cell::get);
        if id == self.id && !local.is_null() {
            // SAFETY: the pointer is to this thread's own queues, set by
            // `worker_main` for as long as it runs.
            let local = unsafe { &*local };
            if let Some(older) = local.lifo.replace(Some(e)) {
                // Stealable now; a sleeping thread is woken when this one
                // next picks a process and sees more waiting (not here: a
                // futex wake per spawn costs more than the spawn).
                local.fifo.push(older);
            }
        } else {
            self.injector.push(e);
            self.wake_one();
        }
    }

    /// Queues a process that had its turn (its budget ran out) at the back
    /// of this thread's queue.
    fn schedule_back(&self, e: Task) {
        let (id, local) = LOCAL.with(Cell::get);
        if id == self.id && !local.is_null() {
            // SAFETY: as in `schedule`.
            let local = unsafe { &*local };
            local.fifo.push(e);
            if local.fifo.len() > 1 {
                self.wake_one();
            }
        } else {
            self.injector.push(e);
            self.wake_one();
        }
    }

    fn wake_one(&self) {
        fence(Ordering::SeqCst);
        // A thread that spins for work will find this: waking a sleeper
        // too would only take a core from the threads that have work
        // (on 2 cores, the connection readers of distribution).
        if self.spinning.load(Ordering::SeqCst) > 0 {
            return;
        }
        if self.sleepers.load(Ordering::SeqCst) > 0 {
            let _g = self.sleep_lock.lock().unwrap_or_else(|e| e.into_inner());
            self.sleep_cv.notify_one();
        }
    }

    pub(crate) fn has_work(&self) -> bool {
        !self.injector.is_empty()
            || self
                .stealers
                .get()
                .is_some_and(|s| s.iter().any(|s| !s.is_empty()))
    }

    /// Spins (about `SPIN` long) until there is work to steal: whether
    /// there is.
    ///
    /// While it spins, `wake_one` wakes nobody: work queued meanwhile is
    /// seen here, or by the check the thread makes before it sleeps
    /// (both after `spinning` went down, in the SeqCst order).
    fn spin_for_work(&self) -> bool {
        let until = Instant::now() + SPIN;
        self.spinning.fetch_add(1, Ordering::SeqCst);
        let found = loop {
            for _ in 0..64 {
                std::hint::spin_loop();
            }
            if self.has_work() || self.stop.load(Ordering::Relaxed) {
                break true;
            }
            if Instant::now() >= until {
                break false;
            }
        };
        self.spinning.fetch_sub(1, Ordering::SeqCst);
        found || self.has_work()
    }

    fn find_task(&self, local: &Local, tick: u64) -> Option<Task> {
        if local.streak.get() < LIFO_STREAK {
            if let Some(t) = local.lifo.take() {
                local.streak.set(local.streak.get() + 1);
                return Some(t);
            }
        }
        local.streak.set(0);
        let w = &local.fifo;
        // Now and then look at the injector first, so that processes woken
        // by timers and the host are not starved by a busy local queue.
        if tick.is_multiple_of(61) {
            if let Steal::Success(t) = self.injector.steal_batch_and_pop(w) {
                return Some(t);
            }
        }
        if let Some(t) = w.pop().or_else(|| local.lifo.take()) {
            return Some(t);
        }
        loop {
            let mut retry = false;
            match self.injector.steal_batch_and_pop(w) {
                Steal::Success(t) => return Some(t),
                Steal::Retry => retry = true,
                Steal::Empty => {}
            }
            for s in self.stealers.get().into_iter().flatten() {
                match s.steal_batch_and_pop(w) {
                    Steal::Success(t) => return Some(t),
                    Steal::Retry => retry = true,
                    Steal::Empty => {}
                }
            }
            if !retry {
                return None;
            }
        }
    }

    /// `(busy, total)` microseconds of each scheduler thread since it
    /// started: the time it ran slices, and the time it has existed.
    pub fn wall_time(&self) -> Vec<(u64, u64)> {
        let Some((start, busy)) = self.busy.get() else {
            return Vec::new();
        };
        let now = start.elapsed().as_nanos() as u64;
        let total = now / 1000;
        busy.iter()
            .map(|b| ((b.read(now) / 1000).min(total), total))
            .collect()
    }

    fn worker_main(&self, rt: &Runtime, w: Worker<Task>, index: usize) {
        let local = Local {
            fifo: w,
            lifo: Cell::new(None),
            streak: Cell::new(0),
        };
        LOCAL.with(|l| l.set((self.id, &local as *const _)));
        let mut tick: u64 = 0;
        let clock = self.busy.get().and_then(|(t, v)| Some((*t, v.get(index)?)));
        let mut idle = true;
        while !self.stop.load(Ordering::Relaxed) {
            tick += 1;
            match self.find_task(&local, tick) {
                Some(e) => {
                    if !local.fifo.is_empty() {
                        self.wake_one(); // more here than this thread can run
                    }
                    if idle {
                        idle = false;
                        if let Some((t, c)) = clock {
                            c.start(t.elapsed().as_nanos() as u64);
                        }
                    }
                    self.run_slice_guarded(rt, e);
                }
                None => {
                    if !idle {
                        idle = true;
                        if let Some((t, c)) = clock {
                            c.stop(t.elapsed().as_nanos() as u64);
                        }
                    }
                    rt.flush_out();
                    // Look again for a short while before sleeping: work
                    // often comes right back (a spawn loop, a reply), and a
                    // thread that is awake needs no futex wake-up.
                    if self.spin_for_work() {
                        continue;
                    }
                    let g = self.sleep_lock.lock().unwrap_or_else(|e| e.into_inner());
                    self.sleepers.fetch_add(1, Ordering::SeqCst);
                    if !self.has_work() && !self.stop.load(Ordering::SeqCst) {
                        drop(self.sleep_cv.wait(g).unwrap_or_else(|e| e.into_inner()));
                    } else {
                        drop(g);
                    }
                    self.sleepers.fetch_sub(1, Ordering::SeqCst);
                }
            }
        }
        LOCAL.with(|l| l.set((0, std::ptr::null())));
        // Whatever is left in these queues is freed by `shutdown`.
        drop(local.lifo.take());
        while local.fifo.pop().is_some() {}
    }

    // ---- running a process ----

    fn run_slice(&self, rt: &Runtime, e: Task) {
        let mut body = {
            let mut s = e.lock();
            match s.body.take() {
                Some(b) if b.status == Status::Runnable => {
                    e.queued.store(b.mailbox.len(), Ordering::Relaxed);
                    b
                }
                other => {
                    s.body = other;
                    return;
                }
            }
        };
        if let Some(id) = body.recv_timer.take() {
            self.timers.cancel(id);
        }
        let before = body.reductions;
        let outcome = match body.pending_exit.take() {
            Some(reason) => Outcome::Exited(Exit::signal(reason)),
            None => run_guarded(rt, &mut body),
        };
        crate::ceiling::after_slice(rt, body.reductions.wrapping_sub(before));
        self.after_slice(rt, e, body, outcome);
    }

    /// The last line of defence around a slice and what follows it: a
    /// panic that escaped `run_guarded` (in applying signals or ending a
    /// process) loses that one process, never the thread.
    pub(crate) fn run_slice_guarded(&self, rt: &Runtime, e: Task) {
        let pid = e.pid;
        let held = e.clone();
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.run_slice(rt, e)));
        if let Err(payload) = r {
            {
                let mut s = held.lock();
                s.dead = true;
                s.inbox.clear();
                drop(s.body.take());
            }
            self.table.remove(pid);
            rt.write_err(&format!(
                "** internal error (a VM bug) while ending a slice of {}: {}; that process is lost, the VM goes on\n",
                crate::value::print::inspect(&Value::Pid(pid)),
                panic_message(payload.as_ref())
            ));
        }
    }

    fn after_slice(&self, rt: &Runtime, e: Task, mut body: Box<Process>, outcome: Outcome) {
        let mut s = e.lock();
        for sig in s.inbox.drain(..) {
            signal::apply(&mut body, sig);
        }
        let outcome = match outcome {
            // `exit(self(), reason)` as the last thing a process did: the
            // exit wins over the return (a session keeps it for its next
            // evaluation instead).
            Outcome::Returned(_) if !body.host_driven && body.pending_exit.is_some() => {
                let reason = body.pending_exit.take().expect("checked");
                Outcome::Exited(Exit::signal(reason))
            }
            Outcome::Yield | Outcome::Wait => {
                if let Some(reason) = body.pending_exit.take() {
                    Outcome::Exited(Exit::signal(reason))
                } else if let Some(reason) = crate::heap::check(&mut body) {
                    Outcome::Exited(Exit::signal(reason))
                } else if let Some(reason) = crate::embed::limits::over_reductions(&body) {
                    Outcome::Exited(Exit::signal(reason))
                } else {
                    outcome
                }
            }
            o => o,
        };
        // Published for readers that cannot wait for it (`Entry::memory`).
        e.memory
            .store(crate::heap::estimate_bytes(&body), Ordering::Relaxed);
        e.queued.store(body.mailbox.len(), Ordering::Relaxed);
        s.last_seen = (body.reductions, body.current_function());
        e.max_queue
            .store(body.max_queue.map_or(0, |m| m.get()), Ordering::Relaxed);
        match outcome {
            Outcome::Yield => {
                body.status = Status::Runnable;
                s.body = Some(body);
                let senders = release_senders(&e, &mut s);
                drop(s);
                self.schedule_back(e);
                self.resume(senders);
            }
            Outcome::Wait if body.blocked_on.is_some() => {
                let target = body.blocked_on.take().expect("checked");
                body.status = Status::SendWaiting;
                body.compact();
                let pid = body.pid;
                s.body = Some(body);
                let senders = release_senders(&e, &mut s);
                drop(s);
                self.resume(senders);
                // Registered under the receiver's lock, where its queue
                // only shrinks by its own slice (whose end wakes us).
                let mut t = target.lock();
                if t.dead || !t.is_full(&target) {
                    drop(t);
                    self.deliver_to(&e, Signal::Resume);
                } else {
                    t.senders.push_back(pid);
                }
            }
            Outcome::Wait => {
                if body.mailbox.has_unseen() {
                    body.status = Status::Runnable;
                    body.wait_expired = None;
                    s.body = Some(body);
                    let senders = release_senders(&e, &mut s);
                    drop(s);
                    self.schedule_back(e);
                    self.resume(senders);
                    return;
                }
                body.status = Status::Waiting;
                body.wait_seq += 1;
                body.compact();
                let timer = match (body.recv_deadline, body.wait_expired) {
                    (Some(at), Some(_)) => {
                        let id = rt.new_ref().0;
                        body.recv_timer = Some(id);
                        Some((id, at, body.wait_seq))
                    }
                    _ => None,
                };
                let pid = body.pid;
                s.body = Some(body);
                let senders = release_senders(&e, &mut s);
                drop(s);
                if let Some((id, at, seq)) = timer {
                    self.timers.add(id, at, Action::Timeout { pid, seq });
                }
                self.resume(senders);
            }
            Outcome::Returned(_) | Outcome::Exited(_) if body.host_driven => {
                let result = host::result_of(&mut body, &outcome);
                let outcome_was_exit = matches!(outcome, Outcome::Exited(_));
                drop(outcome);
                body.reset_stack();
                body.status = Status::Idle;
                if outcome_was_exit {
                    // It died of it already; an exit signal that came
                    // with a normal return is kept for the next call.
                    body.pending_exit = None;
                }
                let watch = body.watch.take();
                s.body = Some(body);
                drop(s);
                if let Some(w) = watch {
                    w.set(result);
                }
            }
            Outcome::Returned(_) | Outcome::Exited(_) => {
                s.dead = true;
                drop(s);
                // The host waiting for it learns the value it returned.
                if matches!(outcome, Outcome::Returned(_)) {
                    if let Some(w) = body.watch.take() {
                        w.set(host::result_of(&mut body, &outcome));
                    }
                }
                let exit = match outcome {
                    Outcome::Exited(x) => x,
                    _ => Exit::signal(Value::Atom(Atom::NORMAL)),
                };
                self.terminate(rt, body, exit);
            }
        }
    }

    /// The end of a process (already marked dead): out of the table, its
    /// links and monitors told, its host or stderr told.
    pub(crate) fn terminate(&self, rt: &Runtime, mut body: Box<Process>, exit: Exit) {
        let pid = body.pid;
        if let Some(e) = self.table.remove(pid) {
            // Senders waiting for room: a send to a dead process is done.
            let senders = std::mem::take(&mut e.lock().senders);
            self.resume(senders);
        }
        if let Some(id) = body.recv_timer.take() {
            self.timers.cancel(id);
        }
        let reason = exit.reason();
        if let Some(l) = body.links.take() {
            links::propagate_exit(rt, pid, *l, &reason);
        }
        match body.watch.take() {
            Some(w) => w.set(host::exited(&body, &exit)),
            None if exit.is_abnormal() && body.crash_report => {
                let report = interp::crash_report(&Value::Pid(pid), &exit);
                rt.write_err(&report);
            }
            None => {}
        }
        drop(reason);
        drop(exit);
        drop(body);
    }

    // ---- processes ----

    /// Adds a new process and queues it at the back of the run queue:
    /// new processes run in spawn order, after the ones already runnable
    /// (as in Erlang; the next-to-run slot is for processes a message
    /// woke, never for new ones, or `spawn` of a, b, c would run c first).
    pub fn spawn(&self, p: Box<Process>) {
        let runnable = p.status == Status::Runnable;
        let e = Entry::new(p.pid, Some(p), false);
        self.table.insert(e.clone());
        if runnable {
            self.schedule_back(e);
        }
    }

    /// A mailbox for the host: a pid that processes can send to.
    pub fn new_host_mailbox(&self, pid: Pid) -> Task {
        let e = Entry::new(pid, None, true);
        self.table.insert(e.clone());
        e
    }

    /// Whether `pid` may be alive: a local process that has not ended,
    /// or a process of another node while this one is alive (its node
    /// answers links and monitors with `:noproc` if it is gone).
    pub fn is_alive(&self, pid: Pid) -> bool {
        if !pid.is_local() {
            return self.dist.get().is_some();
        }
        self.table.get(pid).is_some_and(|e| !e.lock().dead)
    }

    /// Gives an idle host-driven process a call to make, and queues it;
    /// `watch` learns how it ended.
    pub fn start_call(&self, pid: Pid, start: Start, watch: Arc<Watch>) -> bool {
        let Some(e) = self.table.get(pid) else {
            return false;
        };
        {
            let mut s = e.lock();
            let Some(p) = s.body.as_mut() else {
                return false;
            };
            if p.status != Status::Idle {
                return false;
            }
            p.start = Some(Box::new(start));
            p.watch = Some(watch);
            p.status = Status::Runnable;
        }
        self.schedule(e);
        true
    }
}

/// The senders parked on this process's full mailbox that may try again
/// now: all of them when it waits for a message (or has no limit any
/// more), else as many as it has room for, oldest first.
pub(crate) fn release_senders(e: &Entry, s: &mut crate::proc_table::Slot) -> Vec<Pid> {
    if s.senders.is_empty() {
        return Vec::new();
    }
    let max = e.max_queue.load(Ordering::Relaxed);
    let waiting = s.body.as_ref().is_some_and(|b| b.wants_a_message());
    let n = if max == 0 || waiting {
        s.senders.len()
    } else {
        max.saturating_sub(s.queue_len(e)).min(s.senders.len())
    };
    s.senders.drain(..n).collect()
}

/// Runs one slice of `p`. A Rust panic inside it is always a VM bug; it
/// ends that process with `(:vm_panic, message)` (and a crash report), and
/// the thread, the scheduler and every other process go on.
fn run_guarded(rt: &Runtime, p: &mut Process) -> Outcome {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| interp::run(rt, p, BUDGET))) {
        Ok(outcome) => outcome,
        Err(payload) => {
            // The frames may be half-built: never run this process again.
            p.reset_stack();
            Outcome::Exited(Exit::signal(Value::tuple(vec![
                Value::atom("vm_panic"),
                Value::str(panic_message(payload.as_ref())),
            ])))
        }
    }
}

/// The text a panic was raised with.
fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic with no message".to_string()
    }
}
