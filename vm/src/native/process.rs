//! The process primitives: the kernel built-ins (`spawn`, `link`,
//! `monitor`, `exit/2`, `register`, ...) and the `process` module
//! (`flag`, `info`, `list`, `send_after`, `cancel_timer`, `max_heap`).
//! Spec chapter 7 is their contract.

use std::time::{Duration, Instant};

use super::{atom, index, Ctx};
use crate::exports::NativeFn;
use crate::info::{Detail, ProcInfo};
use crate::interp::Exception;
use crate::links::Watched;
use crate::mailbox::Message;
use crate::signal::{self, Signal};
use crate::timers::{Action, Dest};
use crate::value::{Atom, MapData, Pid, Value};

/// Kernel built-ins (no module prefix).
pub const KERNEL: &[(&str, u32, NativeFn)] = &[
    ("spawn", 1, |ctx, a| {
        Ok(Value::Pid(ctx.spawn_opts(&a[0], false, None)?))
    }),
    ("spawn_link", 1, |ctx, a| {
        Ok(Value::Pid(ctx.spawn_opts(&a[0], true, None)?))
    }),
    ("spawn_monitor", 1, |ctx, a| {
        let r = ctx.rt.new_ref();
        let pid = ctx.spawn_opts(&a[0], false, Some(r))?;
        ctx.proc.mailbox.set_marker(r);
        Ok(Value::tuple(vec![Value::Pid(pid), Value::Ref(r)]))
    }),
    ("make_ref", 0, |ctx, _| {
        let r = ctx.rt.new_ref();
        ctx.proc.mailbox.set_marker(r);
        Ok(Value::Ref(r))
    }),
    ("link", 1, link),
    ("unlink", 1, |ctx, a| {
        let other = pid(&a[0])?;
        if other != ctx.proc.pid {
            if let Some(l) = ctx.proc.links.as_mut() {
                l.linked.remove(&other);
            }
            ctx.rt
                .scheduler
                .deliver(other, Signal::Unlink(ctx.proc.pid));
        }
        Ok(Value::TRUE)
    }),
    ("monitor", 1, monitor),
    ("demonitor", 1, |ctx, a| demonitor(ctx, &a[0], false)),
    ("demonitor", 2, |ctx, a| {
        let flush = super::list(&a[1])?
            .iter()
            .any(|o| matches!(o, Value::Atom(x) if x.name() == "flush"));
        demonitor(ctx, &a[0], flush)
    }),
    ("exit", 2, exit2),
    ("register", 2, |ctx, a| match (&a[0], &a[1]) {
        (Value::Atom(name), Value::Pid(pid))
            if *name != Atom::UNDEFINED
                && *name != Atom::NIL
                && ctx.rt.scheduler.table.register(*name, *pid) =>
        {
            Ok(Value::TRUE)
        }
        _ => Err(Exception::badarg()),
    }),
    ("unregister", 1, |ctx, a| {
        if ctx.rt.scheduler.table.unregister(atom(&a[0])?) {
            Ok(Value::TRUE)
        } else {
            Err(Exception::badarg())
        }
    }),
    ("whereis", 1, |ctx, a| {
        Ok(ctx
            .rt
            .scheduler
            .table
            .whereis(atom(&a[0])?)
            .map_or(Value::NIL_ATOM, Value::Pid))
    }),
];

/// The `process` module.
pub const PROCESS: &[(&str, u32, NativeFn)] = &[
    ("flag", 2, |ctx, a| match (&a[0], &a[1]) {
        (Value::Atom(f), Value::Atom(b @ (Atom::TRUE | Atom::FALSE)))
            if f.name() == "trap_exit" =>
        {
            let old = ctx.proc.trap_exit;
            ctx.proc.trap_exit = *b == Atom::TRUE;
            Ok(Value::bool(old))
        }
        // `process.flag(:crash_report, false)`: no crash report when it
        // ends abnormally (its exit reason is its answer, as in `erpc`).
        (Value::Atom(f), Value::Atom(b @ (Atom::TRUE | Atom::FALSE)))
            if f.name() == "crash_report" =>
        {
            let old = ctx.proc.crash_report;
            ctx.proc.crash_report = *b == Atom::TRUE;
            Ok(Value::bool(old))
        }
        // `process.flag(:max_queue, n)`: a sender to this process waits
        // while `n` messages are queued (0 or `:infinity`: no limit).
        (Value::Atom(f), n) if f.name() == "max_queue" => {
            let n = match n {
                Value::Atom(Atom::INFINITY) => 0,
                n => index(n)?,
            };
            let old = ctx
                .proc
                .max_queue
                .map_or(Value::Atom(Atom::INFINITY), |m| Value::Int(m.get() as i64));
            ctx.proc.max_queue = std::num::NonZeroUsize::new(n);
            Ok(old)
        }
        _ => Err(Exception::badarg()),
    }),
    ("info", 1, |ctx, a| {
        let pid = local_pid(&a[0])?;
        Ok(ctx
            .rt
            .scheduler
            .info(pid, Some(ctx.proc), Detail::All)
            .map_or(Value::NIL_ATOM, |i| info_map(&i)))
    }),
    ("info", 2, |ctx, a| {
        let pid = local_pid(&a[0])?;
        let key = atom(&a[1])?;
        // Only `memory` and `heap_words` need the walk of its heap; the
        // queue's length is a counter (O(1)).
        let detail = match key.name() {
            "memory" | "heap_words" => Detail::All,
            _ => Detail::NoHeap,
        };
        match ctx.rt.scheduler.info(pid, Some(ctx.proc), detail) {
            None => Ok(Value::NIL_ATOM),
            Some(i) => match &info_map(&i) {
                Value::Map(m) => m
                    .get(&Value::Atom(key))
                    .cloned()
                    .ok_or_else(Exception::badarg),
                _ => Err(Exception::badarg()),
            },
        }
    }),
    ("list", 0, |ctx, _| {
        Ok(Value::list(
            ctx.rt
                .scheduler
                .pids()
                .into_iter()
                .map(Value::Pid)
                .collect::<Vec<_>>(),
        ))
    }),
    ("alive", 1, |ctx, a| {
        // As BEAM's is_process_alive: only for local pids.
        let p = local_pid(&a[0])?;
        Ok(Value::bool(
            p == ctx.proc.pid || ctx.rt.scheduler.is_alive(p),
        ))
    }),
    ("send_after", 3, |ctx, a| {
        let dest = match &a[0] {
            Value::Pid(p) => Dest::Pid(*p),
            Value::Atom(n) => Dest::Name(*n),
            _ => return Err(Exception::badarg()),
        };
        let ms = index(&a[1])?;
        let r = ctx.rt.new_ref();
        let at = Instant::now() + Duration::from_millis(ms as u64);
        let msg = Message::copy_of(&a[2]);
        ctx.rt
            .scheduler
            .timers
            .add(r.0, at, Action::Send { dest, msg });
        Ok(Value::Ref(r))
    }),
    ("cancel_timer", 1, |ctx, a| match &a[0] {
        Value::Ref(r) => Ok(ctx
            .rt
            .scheduler
            .timers
            .cancel(r.0)
            .map_or(Value::FALSE, |ms| Value::Int(ms as i64))),
        _ => Err(Exception::badarg()),
    }),
    ("max_heap", 1, |ctx, a| {
        let old = ctx
            .proc
            .max_heap
            .map_or(Value::Int(0), |w| Value::Int(w.get() as i64));
        let words = index(&a[0])? as u64;
        ctx.proc.max_heap = std::num::NonZeroU64::new(words);
        // Measured at the end of this slice, and checked from then on.
        ctx.proc.alloc_check = 0;
        Ok(old)
    }),
];

fn pid(v: &Value) -> Result<Pid, Exception> {
    match v {
        Value::Pid(p) => Ok(*p),
        _ => Err(Exception::badarg()),
    }
}

/// A pid of this node; `:badarg` for another node's, as BEAM's
/// `process_info` (use `rpc`/`erpc` to ask that node).
fn local_pid(v: &Value) -> Result<Pid, Exception> {
    match v {
        Value::Pid(p) if p.is_local() => Ok(*p),
        _ => Err(Exception::badarg()),
    }
}

/// `link(pid)`: two-sided. Linking to a process that is gone raises
/// `:noproc`, or, when trapping exits, sends `(:EXIT, pid, :noproc)`.
fn link(ctx: &mut Ctx<'_>, a: &[Value]) -> Result<Value, Exception> {
    let other = pid(&a[0])?;
    let me = ctx.proc.pid;
    if other == me {
        return Ok(Value::TRUE);
    }
    if !ctx.rt.scheduler.is_alive(other) {
        if !ctx.proc.trap_exit {
            return Err(Exception::error(Value::Atom(Atom::NOPROC)));
        }
        ctx.proc.mailbox.push(Value::tuple(vec![
            Value::Atom(Atom::EXIT),
            Value::Pid(other),
            Value::Atom(Atom::NOPROC),
        ]));
        return Ok(Value::TRUE);
    }
    if ctx.proc.links_mut().linked.insert(other) {
        ctx.rt.scheduler.deliver(other, Signal::Link(me));
    }
    Ok(Value::TRUE)
}

/// `monitor(pid_or_name)`: a fresh reference; `:DOWN` with `:noproc` at
/// once if the process is gone (or the name is not registered). A name
/// may be `(name, node)`; a process of another node is watched through
/// its node's connection (`:noconnection` if it goes).
fn monitor(ctx: &mut Ctx<'_>, a: &[Value]) -> Result<Value, Exception> {
    let here = super::this_node(ctx.rt);
    let (target, name) = match &a[0] {
        Value::Pid(p) => (Some(*p), None),
        Value::Atom(n) => (ctx.rt.scheduler.table.whereis(*n), Some((*n, here))),
        Value::Tuple(t) => match &t[..] {
            [Value::Atom(n), Value::Atom(node)] if *node == here => {
                (ctx.rt.scheduler.table.whereis(*n), Some((*n, here)))
            }
            [Value::Atom(n), Value::Atom(node)] => {
                let r = ctx.rt.new_ref();
                ctx.proc.mailbox.set_marker(r);
                let Some(d) = ctx.rt.scheduler.dist().cloned() else {
                    let down = Value::Atom(Atom::new("noconnection"));
                    ctx.proc
                        .mailbox
                        .push(signal::down_by_name(r, *n, *node, down));
                    return Ok(Value::Ref(r));
                };
                let placeholder = super::node::placeholder_pid(ctx.rt, *node);
                let watched = Watched {
                    pid: placeholder,
                    name: Some((*n, *node)),
                };
                ctx.proc.links_mut().monitoring.insert(r, watched);
                d.monitor_name(ctx.proc.pid, *n, *node, r);
                return Ok(Value::Ref(r));
            }
            _ => return Err(Exception::badarg()),
        },
        _ => return Err(Exception::badarg()),
    };
    let r = ctx.rt.new_ref();
    ctx.proc.mailbox.set_marker(r);
    let me = ctx.proc.pid;
    match target {
        Some(t) if t == me => {}
        Some(t) if ctx.rt.scheduler.is_alive(t) => {
            ctx.proc
                .links_mut()
                .monitoring
                .insert(r, Watched { pid: t, name });
            ctx.rt.scheduler.deliver(t, Signal::Monitor { from: me, r });
        }
        _ => {
            let noproc = Value::Atom(Atom::NOPROC);
            let msg = match (name, target) {
                (Some((n, node)), _) => signal::down_by_name(r, n, node, noproc),
                (None, Some(t)) => signal::down_message(r, t, noproc),
                (None, None) => unreachable!("a pid target is always Some"),
            };
            ctx.proc.mailbox.push(msg);
        }
    }
    Ok(Value::Ref(r))
}

/// `demonitor(ref)`: no `:DOWN` for it arrives after this; with
/// `[:flush]`, one already in the mailbox is removed too.
fn demonitor(ctx: &mut Ctx<'_>, r: &Value, flush: bool) -> Result<Value, Exception> {
    let Value::Ref(r) = r else {
        return Err(Exception::badarg());
    };
    let watched = ctx.proc.links.as_mut().and_then(|l| l.monitoring.remove(r));
    if let Some(t) = watched {
        ctx.rt.scheduler.deliver(t.pid, Signal::Demonitor(*r));
    }
    if flush {
        ctx.proc.mailbox.remove_first(|m| {
            matches!(m.as_tuple(), Some([Value::Atom(Atom::DOWN), Value::Ref(x), ..]) if x == r)
        });
    }
    Ok(Value::TRUE)
}

/// `exit(pid, reason)`: an exit signal. To itself it applies at once.
fn exit2(ctx: &mut Ctx<'_>, a: &[Value]) -> Result<Value, Exception> {
    let target = pid(&a[0])?;
    let me = ctx.proc.pid;
    let sig = Signal::Exit {
        from: me,
        reason: Message::copy_of(&a[1]),
        link: false,
    };
    if target == me {
        signal::apply(ctx.proc, sig);
    } else {
        ctx.rt.scheduler.deliver(target, sig);
    }
    Ok(Value::TRUE)
}

/// `process.info` as a map.
pub fn info_map(i: &ProcInfo) -> Value {
    let pids = |v: &[Pid]| Value::list(v.iter().map(|p| Value::Pid(*p)).collect::<Vec<_>>());
    let mut m = MapData::new();
    let mut put = |k: &str, v: Value| {
        m.insert(Value::atom(k), v);
    };
    put("pid", Value::Pid(i.pid));
    put(
        "registered_name",
        i.registered_name.map_or(Value::NIL_ATOM, Value::Atom),
    );
    put("status", Value::Atom(i.status));
    put(
        "current_function",
        i.current_function.map_or(Value::NIL_ATOM, |(m, f, a)| {
            Value::tuple(vec![Value::Atom(m), Value::Atom(f), Value::Int(a as i64)])
        }),
    );
    // A process caught running: its function as of its last slice's
    // end, `:undefined` if it has not ended one yet.
    if i.partial && i.current_function.is_none() {
        put("current_function", Value::Atom(Atom::UNDEFINED));
    }
    put("message_queue_len", Value::Int(i.message_queue_len as i64));
    put("memory", Value::Int(i.memory as i64));
    put("heap_words", Value::Int(i.heap_words as i64));
    // A process caught running (spec 7): what cannot be known is said so.
    let known = |v: Value| {
        if i.partial {
            Value::Atom(Atom::UNDEFINED)
        } else {
            v
        }
    };
    put("reductions", Value::Int(i.reductions as i64));
    put("links", known(pids(&i.links)));
    put(
        "monitors",
        known(Value::list(
            i.monitors
                .iter()
                .map(|(_, p)| Value::Pid(*p))
                .collect::<Vec<_>>(),
        )),
    );
    put("monitored_by", known(pids(&i.monitored_by)));
    put("trap_exit", known(Value::bool(i.trap_exit)));
    put(
        "current_stacktrace",
        known(Value::list(
            i.current_stacktrace
                .iter()
                .map(|f| {
                    Value::tuple(vec![
                        Value::Atom(f.module),
                        Value::Atom(f.function),
                        Value::Int(f.arity as i64),
                        Value::str(f.file.clone()),
                        Value::Int(f.line as i64),
                    ])
                })
                .collect::<Vec<_>>(),
        )),
    );
    Value::map(m)
}
