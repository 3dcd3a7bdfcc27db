//! Delivering signals: a message, an exit signal or a `:DOWN` notice to
//! a local process (into its parked body, or into its entry's inbox while
//! it runs), to a host mailbox, to another node (`dist`), or to nobody
//! (the dead-letter rules). Part of the [`Scheduler`], which owns the
//! process table; split from `scheduler.rs`, which runs the processes.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use crate::mailbox::Message;
use crate::proc_table::Entry;
use crate::scheduler::{Scheduler, Task};
use crate::signal::{self, Effect, Signal};
use crate::value::{Atom, Pid, Value};

impl Scheduler {
    /// Sends `sig` to `pid`. Never blocks for long and never fails: a
    /// signal to a process that is gone follows the dead-letter rules.
    pub(crate) fn deliver(&self, pid: Pid, sig: Signal) {
        if !pid.is_local() {
            return self.deliver_remote(pid, sig);
        }
        match self.table.get(pid) {
            Some(e) => self.deliver_to(&e, sig),
            None => self.dead_letter(pid, sig),
        }
    }

    pub(crate) fn deliver_to(&self, e: &Task, sig: Signal) {
        let mut s = e.lock();
        if s.dead {
            drop(s);
            return self.dead_letter(e.pid, sig);
        }
        if let Some(h) = &e.host {
            if let Some(msg) = host_message(sig) {
                s.inbox.push(Signal::Message(msg));
                drop(s);
                h.notify();
            }
            return;
        }
        if let Signal::Message(m) = &sig {
            // Written only under the entry's lock: no atomic add needed.
            let grown = e.memory.load(Ordering::Relaxed) + m.words() * 8 + 32;
            e.memory.store(grown, Ordering::Relaxed);
        }
        match s.body.as_mut() {
            Some(b) => {
                if signal::apply(b, sig) == Effect::Wake {
                    drop(s);
                    self.schedule(e.clone());
                }
            }
            None => s.inbox.push(sig),
        }
    }

    /// Wakes senders that waited for room in a mailbox.
    pub(crate) fn resume(&self, senders: impl IntoIterator<Item = Pid>) {
        for pid in senders {
            self.deliver(pid, Signal::Resume);
        }
    }

    /// Whether a plain message to `e` must wait (its `max_queue` is full).
    pub(crate) fn is_full(&self, e: &Entry) -> bool {
        e.max_queue.load(Ordering::Relaxed) > 0 && {
            let s = e.lock();
            !s.dead && s.is_full(e)
        }
    }

    /// A signal for a pid of another node goes to distribution; without
    /// it (this node is not alive), the pid cannot be reached.
    fn deliver_remote(&self, pid: Pid, sig: Signal) {
        match self.dist.get() {
            Some(d) => d.deliver(pid, sig),
            None => self.dead_letter(pid, sig),
        }
    }

    /// This node's distribution, once it is alive.
    pub(crate) fn dist(&self) -> Option<&Arc<crate::dist::Dist>> {
        self.dist.get()
    }

    /// A link or monitor request to a process that is gone is answered
    /// with `:noproc`; anything else is dropped.
    fn dead_letter(&self, pid: Pid, sig: Signal) {
        let noproc = || Message::copy_of(&Value::Atom(Atom::NOPROC));
        match sig {
            Signal::Link(from) => self.deliver(
                from,
                Signal::Exit {
                    from: pid,
                    reason: noproc(),
                    link: true,
                },
            ),
            Signal::Monitor { from, r } => self.deliver(
                from,
                Signal::Down {
                    r,
                    from: pid,
                    reason: noproc(),
                },
            ),
            _ => {}
        }
    }
}

/// What a host mailbox makes of a signal: messages as they are, exit
/// signals and `:DOWN` notices as the messages a trapping process gets.
fn host_message(sig: Signal) -> Option<Message> {
    let v = match sig {
        Signal::Message(m) => return Some(m),
        Signal::Exit { from, reason, .. } => Value::tuple(vec![
            Value::Atom(Atom::EXIT),
            Value::Pid(from),
            reason.into_value(),
        ]),
        Signal::Down { r, from, reason } => signal::down_message(r, from, reason.into_value()),
        _ => return None,
    };
    Some(Message::copy_of(&v))
}
