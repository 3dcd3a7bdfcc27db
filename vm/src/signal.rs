//! Signals: everything one process (or a timer, or the host) can do to
//! another. A message is one kind of signal; exit signals, link, unlink,
//! monitor and demonitor requests, `:DOWN` notices and receive timeouts
//! are the others. Signals from one sender arrive in the order sent, in
//! one queue with the messages, as in Erlang.
//!
//! A signal is applied to the receiving process by whoever holds it: the
//! sender, under the process's lock, when it is parked; the scheduler
//! thread that ran it, right after its slice, when it was running. The
//! same `apply` serves both.

use crate::mailbox::Message;
use crate::process::{Process, Status};
use crate::value::{Atom, Pid, Ref, Value};

pub enum Signal {
    Message(Message),
    /// An exit signal: from a link (`link: true`, the sender ended with
    /// `reason`) or from `exit(pid, reason)`.
    Exit {
        from: Pid,
        reason: Message,
        link: bool,
    },
    Link(Pid),
    Unlink(Pid),
    Monitor {
        from: Pid,
        r: Ref,
    },
    Demonitor(Ref),
    /// A process this one monitors with `r` ended.
    Down {
        r: Ref,
        from: Pid,
        reason: Message,
    },
    /// The receive the process waits in (its `wait_seq`) has timed out.
    ReceiveTimeout(u64),
    /// The VM stops: end without a report and without telling anyone.
    Shutdown,
    /// The mailbox this process waits to send to has room (or is gone).
    Resume,
    /// The VM kills it for a limit (`(:system_limit, :memory)`): like
    /// `exit(pid, :kill)`, untrappable, but with its own reason.
    Kill(Message),
    /// Does the process run code of this module version (a purge asks,
    /// `embed/reload.rs`)? It answers on `reply`, and with `kill` it
    /// dies with `:killed` if it does, as under Erlang's `code:purge`.
    CheckCode {
        code: crate::embed::reload::CodeRange,
        kill: bool,
        reply: std::sync::mpsc::Sender<(Pid, bool)>,
    },
}

/// What applying a signal asks of the scheduler.
#[derive(PartialEq, Eq, Debug)]
pub enum Effect {
    None,
    /// The process was waiting and now has something to do: queue it.
    Wake,
}

/// Applies `sig` to `p`.
pub fn apply(p: &mut Process, sig: Signal) -> Effect {
    match sig {
        Signal::Message(m) => {
            // Its words count toward the receiver's memory (a flooded
            // mailbox makes its owner the biggest process).
            p.alloc += m.words() + 2;
            p.mailbox.push(m.into_value());
            wake(p)
        }
        Signal::Kill(reason) => die(p, reason.into_value()),
        Signal::Resume => {
            // A sender parked on a full mailbox: try the send again.
            if p.status == Status::SendWaiting {
                p.status = Status::Runnable;
                Effect::Wake
            } else {
                Effect::None
            }
        }
        Signal::Exit { from, reason, link } => {
            let reason = reason.into_value();
            // The link is gone with the process that sent the signal; if
            // it was unlinked meanwhile, the signal no longer applies.
            if link && !p.links.as_mut().is_some_and(|l| l.linked.remove(&from)) {
                return Effect::None;
            }
            let kill = !link && matches!(reason, Value::Atom(Atom::KILL));
            if kill {
                return die(p, Value::Atom(Atom::KILLED));
            }
            if p.trap_exit {
                p.mailbox.push(Value::tuple(vec![
                    Value::Atom(Atom::EXIT),
                    Value::Pid(from),
                    reason,
                ]));
                return wake(p);
            }
            if matches!(reason, Value::Atom(Atom::NORMAL)) && from != p.pid {
                return Effect::None;
            }
            die(p, reason)
        }
        Signal::Link(from) => {
            p.links_mut().linked.insert(from);
            Effect::None
        }
        Signal::Unlink(from) => {
            if let Some(l) = p.links.as_mut() {
                l.linked.remove(&from);
            }
            Effect::None
        }
        Signal::Monitor { from, r } => {
            p.links_mut().monitored_by.insert(r, from);
            Effect::None
        }
        Signal::Demonitor(r) => {
            if let Some(l) = p.links.as_mut() {
                l.monitored_by.remove(&r);
            }
            Effect::None
        }
        Signal::Down { r, from, reason } => {
            let Some(watched) = p.links.as_mut().and_then(|l| l.monitoring.remove(&r)) else {
                return Effect::None; // demonitored meanwhile
            };
            let msg = match watched.name {
                Some((name, node)) => down_by_name(r, name, node, reason.into_value()),
                None => down_message(r, from, reason.into_value()),
            };
            p.mailbox.push(msg);
            wake(p)
        }
        Signal::ReceiveTimeout(seq) => {
            if p.status != Status::Waiting || p.wait_seq != seq {
                return Effect::None; // a message came first
            }
            if let Some(expired) = p.wait_expired.take() {
                p.pc = expired;
                p.mailbox.reset_cursor();
                p.recv_deadline = None;
            }
            p.status = Status::Runnable;
            Effect::Wake
        }
        Signal::CheckCode { code, kill, reply } => {
            let uses = code.used_by(p);
            let _ = reply.send((p.pid, uses));
            if uses && kill {
                return die(p, Value::Atom(Atom::KILLED));
            }
            Effect::None
        }
        Signal::Shutdown => {
            p.pending_exit = Some(Value::Atom(Atom::SHUTDOWN));
            make_runnable(p)
        }
    }
}

/// `(:DOWN, ref, :process, pid, reason)`
pub fn down_message(r: Ref, from: Pid, reason: Value) -> Value {
    Value::tuple(vec![
        Value::Atom(Atom::DOWN),
        Value::Ref(r),
        Value::Atom(Atom::PROCESS),
        Value::Pid(from),
        reason,
    ])
}

/// `(:DOWN, ref, :process, (name, node), reason)`: the `:DOWN` of a
/// monitor started by name.
pub fn down_by_name(r: Ref, name: Atom, node: Atom, reason: Value) -> Value {
    Value::tuple(vec![
        Value::Atom(Atom::DOWN),
        Value::Ref(r),
        Value::Atom(Atom::PROCESS),
        Value::tuple(vec![Value::Atom(name), Value::Atom(node)]),
        reason,
    ])
}

fn die(p: &mut Process, reason: Value) -> Effect {
    if p.pending_exit.is_none() {
        p.pending_exit = Some(reason);
    }
    make_runnable(p)
}

fn make_runnable(p: &mut Process) -> Effect {
    match p.status {
        Status::Waiting | Status::SendWaiting => {
            p.status = Status::Runnable;
            Effect::Wake
        }
        // An idle session learns of its death when it next evaluates.
        Status::Runnable | Status::Idle => Effect::None,
    }
}

fn wake(p: &mut Process) -> Effect {
    if p.status == Status::Waiting {
        p.status = Status::Runnable;
        p.wait_expired = None;
        Effect::Wake
    } else {
        Effect::None
    }
}
