//! The node built-ins: `node()`, `node(x)`, `nodes()`, `spawn/4` and
//! friends to another node, and the natives of the `node` module (its
//! Reef half, `stdlib/lib/node.reef`, waits for replies). Spec chapter 13.

use super::Ctx;
use crate::exports::NativeFn;
use crate::interp::Exception;
use crate::links::Watched;
use crate::signal::{self, Signal};
use crate::value::{Atom, Foreign, Pid, Value};

/// Kernel built-ins (no module prefix).
pub const KERNEL: &[(&str, u32, NativeFn)] = &[
    ("node", 0, |ctx, _| {
        Ok(Value::Atom(super::this_node(ctx.rt)))
    }),
    ("node", 1, |ctx, a| {
        let index = match &a[0] {
            Value::Pid(p) => p.node_index(),
            Value::Ref(_) => 0,
            Value::Foreign(f) => match &**f {
                Foreign::Ref { node, .. } | Foreign::Port { node, .. } => *node,
                Foreign::Fun { .. } => return Err(Exception::badarg()),
            },
            _ => return Err(Exception::badarg()),
        };
        Ok(Value::Atom(ctx.rt.nodes.get(index).0))
    }),
    ("nodes", 0, |ctx, _| Ok(connected(ctx))),
    ("spawn", 4, |ctx, a| spawn4(ctx, a, "spawn")),
    ("spawn_link", 4, |ctx, a| spawn4(ctx, a, "spawn_link")),
    ("spawn_monitor", 4, |ctx, a| spawn4(ctx, a, "spawn_monitor")),
];

/// The `node` module's natives.
pub const NODE: &[(&str, u32, NativeFn)] = &[
    ("alive", 0, |ctx, _| {
        Ok(Value::bool(ctx.rt.scheduler.dist().is_some()))
    }),
    ("list", 0, |ctx, _| Ok(connected(ctx))),
    ("disconnect", 1, |ctx, a| {
        let n = node_name(&a[0])?;
        Ok(Value::bool(
            ctx.rt.scheduler.dist().is_some_and(|d| d.disconnect(n)),
        ))
    }),
    ("monitor", 2, |ctx, a| {
        let n = node_name(&a[0])?;
        let on = flag(&a[1])?;
        let me = ctx.proc.pid;
        match ctx.rt.scheduler.dist().cloned() {
            Some(d) => d.monitor_node(me, n, on),
            None if on => {
                // Not alive: no node can be reached.
                let msg = Value::tuple(vec![Value::Atom(Atom::new("nodedown")), Value::Atom(n)]);
                ctx.proc.mailbox.push(msg);
            }
            None => {}
        }
        Ok(Value::TRUE)
    }),
    ("monitor_nodes", 1, |ctx, a| {
        let on = flag(&a[0])?;
        if let Some(d) = ctx.rt.scheduler.dist() {
            d.monitor_nodes(ctx.proc.pid, on);
        }
        Ok(Value::OK)
    }),
    // `connect_start(node)`: `true` if connected, `false` if it cannot
    // be, else a reference; `("$connect", ref, true|false)` follows.
    ("connect_start", 1, |ctx, a| {
        let n = node_name(&a[0])?;
        if n == super::this_node(ctx.rt) {
            return Ok(Value::TRUE);
        }
        let Some(d) = ctx.rt.scheduler.dist().cloned() else {
            return Ok(Value::FALSE);
        };
        let r = ctx.rt.new_ref();
        ctx.proc.mailbox.set_marker(r);
        Ok(match d.connect_wait(n, ctx.proc.pid, r) {
            Some(up) => Value::bool(up),
            None => Value::Ref(r),
        })
    }),
    // `spawn_request(node, m, f, args, opts)`: a reference; the reply
    // comes as `("$spawn_reply", ref, (:ok, pid) | (:error, reason))`.
    ("spawn_request", 5, |ctx, a| {
        let n = node_name(&a[0])?;
        let (Value::Atom(m), Value::Atom(f)) = (&a[1], &a[2]) else {
            return Err(Exception::badarg());
        };
        let args = super::list(&a[3])?;
        let opts: Vec<&str> = super::list(&a[4])?
            .iter()
            .map(|o| match o {
                Value::Atom(a) if matches!(a.name(), "link" | "monitor") => Ok(a.name()),
                _ => Err(Exception::badarg()),
            })
            .collect::<Result<_, _>>()?;
        let r = ctx.rt.new_ref();
        ctx.proc.mailbox.set_marker(r);
        let me = ctx.proc.pid;
        if opts.contains(&"monitor") {
            // The real pid is known from the reply; the `:DOWN` carries it.
            let watched = Watched {
                pid: placeholder_pid(ctx.rt, n),
                name: None,
            };
            ctx.proc.links_mut().monitoring.insert(r, watched);
        }
        match ctx.rt.scheduler.dist().cloned() {
            Some(d) => d.spawn_request(me, n, (*m, *f), &Value::list(args), &opts, r),
            None => {
                let reply = crate::dist::control::spawn_reply_message(
                    r,
                    Value::tuple(vec![
                        Value::Atom(Atom::ERROR),
                        Value::Atom(Atom::new("noconnection")),
                    ]),
                );
                ctx.proc.mailbox.push(reply);
            }
        }
        Ok(Value::Ref(r))
    }),
    // `spawn_failed(node, how, ref)`: what `spawn/4` and friends give when
    // the node cannot be reached, as BEAM: a pid of that node that is
    // already gone, with `:noconnection` for a link or a monitor.
    ("spawn_failed", 3, |ctx, a| {
        let n = node_name(&a[0])?;
        let dead = placeholder_pid(ctx.rt, n);
        let reason = Value::Atom(Atom::new("noconnection"));
        match &a[1] {
            Value::Atom(h) if h.name() == "spawn_link" => {
                ctx.proc.links_mut().linked.insert(dead);
                let sig = Signal::Exit {
                    from: dead,
                    reason: crate::mailbox::Message::copy_of(&reason),
                    link: true,
                };
                signal::apply(ctx.proc, sig);
            }
            Value::Atom(h) if h.name() == "spawn_monitor" => {
                let Value::Ref(r) = a[2] else {
                    return Err(Exception::badarg());
                };
                if let Some(l) = ctx.proc.links.as_mut() {
                    l.monitoring.remove(&r);
                }
                ctx.proc.mailbox.push(signal::down_message(r, dead, reason));
            }
            _ => {}
        }
        Ok(Value::Pid(dead))
    }),
];

fn connected(ctx: &Ctx<'_>) -> Value {
    let nodes = ctx
        .rt
        .scheduler
        .dist()
        .map(|d| d.connected())
        .unwrap_or_default();
    Value::list(nodes.into_iter().map(Value::Atom).collect::<Vec<_>>())
}

fn node_name(v: &Value) -> Result<Atom, Exception> {
    match v {
        Value::Atom(a) => Ok(*a),
        _ => Err(Exception::badarg()),
    }
}

fn flag(v: &Value) -> Result<bool, Exception> {
    match v {
        Value::Atom(a) if *a == Atom::TRUE => Ok(true),
        Value::Atom(a) if *a == Atom::FALSE => Ok(false),
        _ => Err(Exception::badarg()),
    }
}

/// A pid standing for "some process of `node`": the watched pid of a
/// monitor whose real pid is not known yet, or the pid `spawn/4` gives
/// when the node cannot be reached. Its node entry has creation 0, which
/// no real incarnation has.
pub fn placeholder_pid(rt: &crate::runtime::Runtime, node: Atom) -> Pid {
    match rt.nodes.intern(node, 0) {
        Ok(i) => Pid::remote(i, 0, 0),
        Err(_) => Pid::remote(0, 0, 0),
    }
}

/// `spawn(node, m, f, args)` and friends: here if `node` is this node,
/// else by a spawn request (`node.reef` waits for the reply).
fn spawn4(ctx: &mut Ctx<'_>, a: &[Value], how: &str) -> Result<Value, Exception> {
    let n = node_name(&a[0])?;
    let (Value::Atom(m), Value::Atom(f)) = (&a[1], &a[2]) else {
        return Err(Exception::badarg());
    };
    let args = super::list(&a[3])?;
    let fun = Atom::new("node");
    let target = if n == super::this_node(ctx.rt) {
        "spawn_local"
    } else {
        "spawn_remote"
    };
    let _ = args;
    ctx.apply(
        super::ext_fun(fun, Atom::new(target), 5),
        vec![
            Value::Atom(n),
            Value::Atom(*m),
            Value::Atom(*f),
            a[3].clone(),
            Value::Atom(Atom::new(how)),
        ],
    )
}
