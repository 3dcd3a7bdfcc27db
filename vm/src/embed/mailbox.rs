//! Host mailboxes: a pid the host program receives on, from a thread
//! (`recv`, which blocks) or from a future (`recv_async`, woken through
//! a `std::task::Waker`, so any async runtime can await it).

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use crate::proc_table::{Entry, Slot};
use crate::runtime::Runtime;
use crate::signal::Signal;
use crate::{Term, Vm};

/// How a host waits on its mailbox: threads on the condition variable,
/// futures by their wakers. Lives in the mailbox's table entry.
#[derive(Default)]
pub struct HostWait {
    cv: Condvar,
    /// The tasks of pending `recv_async` futures. Registered while the
    /// entry's lock is held, so a message pushed under that lock after
    /// the future looked always finds the waker.
    wakers: Mutex<Vec<Waker>>,
}

impl HostWait {
    /// A message came (or the VM stopped): wake every waiter.
    pub(crate) fn notify(&self) {
        self.cv.notify_all();
        let wakers = std::mem::take(&mut *self.wakers.lock().unwrap_or_else(|e| e.into_inner()));
        for w in wakers {
            w.wake();
        }
    }

    pub(crate) fn wait<'a>(
        &self,
        guard: MutexGuard<'a, Slot>,
        timeout: Duration,
    ) -> MutexGuard<'a, Slot> {
        self.cv
            .wait_timeout(guard, timeout)
            .unwrap_or_else(|e| e.into_inner())
            .0
    }

    fn register(&self, w: &Waker) {
        let mut wakers = self.wakers.lock().unwrap_or_else(|e| e.into_inner());
        if !wakers.iter().any(|x| x.will_wake(w)) {
            wakers.push(w.clone());
        }
    }
}

/// A mailbox the host program receives on (see [`Vm::mailbox`]): it has
/// a pid that processes can send to, link to and monitor. Exit signals
/// and `:DOWN` notices arrive as the messages a process trapping exits
/// gets: `(:EXIT, pid, reason)`, `(:DOWN, ref, :process, pid, reason)`.
pub struct HostMailbox {
    pub(crate) rt: Arc<Runtime>,
    pub(crate) entry: Arc<Entry>,
}

impl Vm {
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
}

impl HostMailbox {
    /// Its pid, to hand to processes.
    pub fn pid(&self) -> Term {
        Term::Pid(self.entry.pid.0)
    }

    /// The oldest message, if one is there, without waiting.
    pub fn try_recv(&self) -> Option<Term> {
        take_message(&mut self.entry.lock())
    }

    /// The oldest message, waiting up to `timeout` for one. `None` when
    /// none came in time, or when the VM was shut down (at once).
    pub fn recv(&self, timeout: Duration) -> Option<Term> {
        let deadline = Instant::now() + timeout;
        let mut s = self.entry.lock();
        loop {
            if let Some(t) = take_message(&mut s) {
                return Some(t);
            }
            let now = Instant::now();
            if now >= deadline || self.rt.scheduler.is_stopped() {
                return None;
            }
            s = self.entry.host_wait(s, deadline - now);
        }
    }

    /// A future of the oldest message: for an async host (tokio, smol,
    /// ...), which awaits it without blocking a thread. It is `None` only
    /// when the VM was shut down. No timeout of its own: use the
    /// runtime's (`tokio::time::timeout`); dropping the future loses no
    /// message.
    ///
    /// # Examples
    ///
    /// ```
    /// # use reef_vm::{Term, Vm};
    /// # fn block_on<F: std::future::Future>(f: F) -> F::Output {
    /// #     // A minimal executor: tokio's `block_on` does the same.
    /// #     use std::task::{Context, Poll, Wake, Waker};
    /// #     struct T(std::thread::Thread);
    /// #     impl Wake for T { fn wake(self: std::sync::Arc<Self>) { self.0.unpark() } }
    /// #     let waker = Waker::from(std::sync::Arc::new(T(std::thread::current())));
    /// #     let mut f = std::pin::pin!(f);
    /// #     loop {
    /// #         if let Poll::Ready(v) = f.as_mut().poll(&mut Context::from_waker(&waker)) { return v; }
    /// #         std::thread::park();
    /// #     }
    /// # }
    /// let vm = Vm::builder().env_path(false).build();
    /// vm.load_source("greet", "greet.reef", "pub fn hello(to) { to ! (:hello, self()) }")?;
    /// let inbox = vm.mailbox();
    /// vm.spawn("greet", "hello", vec![inbox.pid()]).expect("spawned");
    /// let msg = block_on(inbox.recv_async()).expect("the VM runs");
    /// assert!(matches!(&msg, Term::Tuple(e) if e[0] == Term::atom("hello")));
    /// # Ok::<(), reef_vm::LoadError>(())
    /// ```
    pub fn recv_async(&self) -> Recv<'_> {
        Recv { mailbox: self }
    }
}

/// The future [`HostMailbox::recv_async`] returns.
pub struct Recv<'a> {
    mailbox: &'a HostMailbox,
}

impl Future for Recv<'_> {
    type Output = Option<Term>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Term>> {
        let mb = self.mailbox;
        let mut s = mb.entry.lock();
        if let Some(t) = take_message(&mut s) {
            return Poll::Ready(Some(t));
        }
        // `shutdown` sets the stop flag before it wakes the mailbox's
        // waiters (under this lock), so one of the two is seen here.
        if mb.rt.scheduler.is_stopped() {
            return Poll::Ready(None);
        }
        if let Some(h) = &mb.entry.host {
            h.register(cx.waker());
        }
        Poll::Pending
    }
}

fn take_message(s: &mut Slot) -> Option<Term> {
    while !s.inbox.is_empty() {
        if let Signal::Message(m) = s.inbox.remove(0) {
            return Some(Term::from_value(&m.into_value()));
        }
    }
    None
}

impl Drop for HostMailbox {
    fn drop(&mut self) {
        self.rt.scheduler.outside_sender_gone();
        self.rt.scheduler.remove(&self.rt, self.entry.pid);
    }
}

/// The embedding guide's chapter on async hosts, its examples run as
/// doctests.
#[cfg(doctest)]
#[doc = include_str!("../../../docs/embedding/async.md")]
pub struct GuideAsync;
