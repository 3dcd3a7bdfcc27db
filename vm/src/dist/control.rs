//! Control messages: the signals of Erlang's distribution protocol, both
//! ways. Going out, a signal for a remote pid becomes a control tuple
//! (and a payload: the message, or an exit reason) on that node's
//! connection, and what it sets up is written in the connection's
//! crossing tables. Coming in, a control tuple becomes a signal for a
//! local pid.

use std::sync::Arc;

use super::connection::{Connection, Target, Watcher};
use super::node::Dist;
use super::{etf, framing};
use crate::mailbox::Message;
use crate::process::{Process, Start, Status};
use crate::runtime::Runtime;
use crate::signal::Signal;
use crate::value::{Atom, Pid, Ref, Value};

// The control message operations (erl_dist_protocol).
const LINK: i64 = 1;
const SEND: i64 = 2;
const EXIT: i64 = 3;
const UNLINK: i64 = 4;
const NODE_LINK: i64 = 5;
const REG_SEND: i64 = 6;
const GROUP_LEADER: i64 = 7;
const EXIT2: i64 = 8;
const SEND_TT: i64 = 12;
const EXIT_TT: i64 = 13;
const REG_SEND_TT: i64 = 16;
const EXIT2_TT: i64 = 18;
const MONITOR_P: i64 = 19;
const DEMONITOR_P: i64 = 20;
const MONITOR_P_EXIT: i64 = 21;
const SEND_SENDER: i64 = 22;
const SEND_SENDER_TT: i64 = 23;
const PAYLOAD_EXIT: i64 = 24;
const PAYLOAD_EXIT_TT: i64 = 25;
const PAYLOAD_EXIT2: i64 = 26;
const PAYLOAD_EXIT2_TT: i64 = 27;
const PAYLOAD_MONITOR_P_EXIT: i64 = 28;
const SPAWN_REQUEST: i64 = 29;
const SPAWN_REQUEST_TT: i64 = 30;
const SPAWN_REPLY: i64 = 31;
const SPAWN_REPLY_TT: i64 = 32;
const ALIAS_SEND: i64 = 33;
const ALIAS_SEND_TT: i64 = 34;
const UNLINK_ID: i64 = 35;
const UNLINK_ID_ACK: i64 = 36;

/// The tag of the message a spawn reply becomes for the requesting
/// process (`node.reef` receives it).
pub const SPAWN_REPLY_TAG: &str = "$spawn_reply";

/// `("$spawn_reply", ref, (:ok, pid) | (:error, reason))`
pub fn spawn_reply_message(r: Ref, result: Value) -> Value {
    Value::tuple(vec![
        Value::Atom(Atom::new(SPAWN_REPLY_TAG)),
        Value::Ref(r),
        result,
    ])
}

fn int(i: i64) -> Value {
    Value::Int(i)
}

fn pid(p: Pid) -> Value {
    Value::Pid(p)
}

fn noconnection() -> Value {
    Value::Atom(Atom::new("noconnection"))
}

/// What a send to a remote process did.
#[derive(PartialEq, Eq, Debug)]
pub enum Sent {
    Done,
    /// The connection's queue is long: the sender should yield and try
    /// again (nothing was sent).
    Busy,
}

impl Dist {
    fn encode(rt: &Runtime, v: &Value) -> Vec<u8> {
        let mut out = Vec::new();
        etf::encode(v, &rt.nodes, &mut out);
        out
    }

    /// A payload (a message, an exit reason, spawn arguments): its big
    /// binaries are sent from where they lie.
    fn encode_payload(rt: &Runtime, v: &Value) -> etf::Encoded {
        etf::encode_shared(v, &rt.nodes)
    }

    /// The connection for a remote pid, or `None` if its node is this
    /// one or the pid is of a node incarnation that is gone.
    pub(crate) fn conn_of(self: &Arc<Self>, rt: &Runtime, to: Pid) -> Option<Arc<Connection>> {
        let (node, creation) = rt.nodes.get(to.node_index());
        let c = self.connection(node)?;
        let i = c.index();
        // Creation 0 is a placeholder (`native::node::placeholder_pid`):
        // whichever incarnation is connected.
        if creation != 0 && i != 0 && i != to.node_index() {
            return None; // an older incarnation of that node
        }
        Some(c)
    }

    /// `to ! msg` for a pid of another node. `from` is the sender (its
    /// lane on the connection keeps its messages in order).
    /// With `may_wait`, a long queue on the connection sends nothing and
    /// answers `Busy`.
    pub fn send(self: &Arc<Self>, from: Pid, to: Pid, msg: &Value, may_wait: bool) -> Sent {
        let Some(rt) = self.runtime() else {
            return Sent::Done;
        };
        let Some(c) = self.conn_of(&rt, to) else {
            return Sent::Done;
        };
        if may_wait && c.is_busy() {
            return Sent::Busy;
        }
        let ctl = Self::encode(
            &rt,
            &Value::tuple(vec![int(SEND), Value::Atom(Atom::new("")), pid(to)]),
        );
        let payload = Self::encode_payload(&rt, msg);
        c.enqueue(from, ctl, Some(payload));
        Sent::Done
    }

    /// `(name, node) ! msg`.
    pub fn reg_send(
        self: &Arc<Self>,
        from: Pid,
        name: Atom,
        node: Atom,
        msg: &Value,
        may_wait: bool,
    ) -> Sent {
        let Some(rt) = self.runtime() else {
            return Sent::Done;
        };
        let Some(c) = self.connection(node) else {
            return Sent::Done;
        };
        if may_wait && c.is_busy() {
            return Sent::Busy;
        }
        let ctl = Self::encode(
            &rt,
            &Value::tuple(vec![
                int(REG_SEND),
                pid(from),
                Value::Atom(Atom::new("")),
                Value::Atom(name),
            ]),
        );
        let payload = Self::encode_payload(&rt, msg);
        c.enqueue(from, ctl, Some(payload));
        Sent::Done
    }

    /// `monitor((name, node))`: the `:DOWN` names `(name, node)`.
    pub fn monitor_name(self: &Arc<Self>, from: Pid, name: Atom, node: Atom, r: Ref) {
        let Some(rt) = self.runtime() else { return };
        let Some(c) = self.connection(node) else {
            return;
        };
        let ctl = Value::tuple(vec![
            int(MONITOR_P),
            pid(from),
            Value::Atom(name),
            Value::Ref(r),
        ]);
        let bytes = Self::encode(&rt, &ctl);
        let ok = c
            .crossing(|x| x.monitors.insert(r, (from, Target::Name(name))))
            .is_some();
        if !ok || !c.enqueue(from, bytes, None) {
            self.lost_monitor(&rt, from, r, None);
        }
    }

    /// A monitor that could not be set up: `:DOWN` with `:noconnection`.
    fn lost_monitor(&self, rt: &Runtime, watcher: Pid, r: Ref, target: Option<Pid>) {
        let from = target.unwrap_or(Pid::remote(0, 0, 0));
        rt.scheduler.deliver(
            watcher,
            Signal::Down {
                r,
                from,
                reason: Message::copy_of(&noconnection()),
            },
        );
    }

    /// `spawn(node, m, f, args)` and friends: sends a SPAWN_REQUEST; the
    /// reply comes to `from` as a `spawn_reply_message` with `r`.
    pub fn spawn_request(
        self: &Arc<Self>,
        from: Pid,
        node: Atom,
        mfa: (Atom, Atom),
        args: &Value,
        opts: &[&str],
        r: Ref,
    ) {
        let Some(rt) = self.runtime() else { return };
        let arity = args.list_to_vec().map_or(0, |v| v.len()) as i64;
        let fail = |rt: &Runtime| {
            let reply = spawn_reply_message(
                r,
                Value::tuple(vec![Value::Atom(Atom::ERROR), noconnection()]),
            );
            rt.scheduler
                .deliver(from, Signal::Message(Message::copy_of(&reply)));
        };
        let Some(c) = self.connection(node) else {
            return fail(&rt);
        };
        let opts = Value::list(
            opts.iter()
                .map(|o| Value::Atom(Atom::new(o)))
                .collect::<Vec<_>>(),
        );
        // The new process's group leader: this node's I/O server (`user`),
        // so what it prints comes here, as Erlang does.
        let leader = rt
            .scheduler
            .table
            .whereis(Atom::new("$user"))
            .unwrap_or(from);
        let ctl = Value::tuple(vec![
            int(SPAWN_REQUEST),
            Value::Ref(r),
            pid(from),
            pid(leader),
            Value::tuple(vec![Value::Atom(mfa.0), Value::Atom(mfa.1), int(arity)]),
            opts,
        ]);
        let ctl = Self::encode(&rt, &ctl);
        let payload = Self::encode_payload(&rt, args);
        let ok = c.crossing(|x| x.spawns.insert(r, from)).is_some();
        if !ok || !c.enqueue(from, ctl, Some(payload)) {
            fail(&rt);
        }
    }

    /// The seam: a signal for a pid of another node.
    pub fn deliver(self: &Arc<Self>, to: Pid, sig: Signal) {
        let Some(rt) = self.runtime() else { return };
        let Some(c) = self.conn_of(&rt, to) else {
            return dead_letter(&rt, to, sig);
        };
        let lane = Pid(0);
        let (ctl, payload, from) = match sig {
            Signal::Message(m) => {
                let ctl = Value::tuple(vec![int(SEND), Value::Atom(Atom::new("")), pid(to)]);
                (ctl, Some(m.into_value()), lane)
            }
            Signal::Exit { from, reason, link } => {
                if link {
                    c.crossing(|x| x.links.remove(&(from, to)));
                }
                let op = if link { PAYLOAD_EXIT } else { PAYLOAD_EXIT2 };
                let ctl = Value::tuple(vec![int(op), pid(from), pid(to)]);
                (ctl, Some(reason.into_value()), from)
            }
            Signal::Link(from) => {
                c.crossing(|x| x.links.insert((from, to)));
                (
                    Value::tuple(vec![int(LINK), pid(from), pid(to)]),
                    None,
                    from,
                )
            }
            Signal::Unlink(from) => {
                c.crossing(|x| x.links.remove(&(from, to)));
                (
                    Value::tuple(vec![int(UNLINK), pid(from), pid(to)]),
                    None,
                    from,
                )
            }
            Signal::Monitor { from, r } => {
                c.crossing(|x| x.monitors.insert(r, (from, Target::Pid(to))));
                let ctl = Value::tuple(vec![int(MONITOR_P), pid(from), pid(to), Value::Ref(r)]);
                (ctl, None, from)
            }
            Signal::Demonitor(r) => {
                let Some(Some((from, target))) = c.crossing(|x| x.monitors.remove(&r)) else {
                    return;
                };
                let target = match target {
                    Target::Pid(p) => pid(p),
                    Target::Name(n) => Value::Atom(n),
                };
                let ctl = Value::tuple(vec![int(DEMONITOR_P), pid(from), target, Value::Ref(r)]);
                (ctl, None, from)
            }
            Signal::Down { r, from, reason } => {
                // `r` is the proxy of a monitor the remote process holds.
                let Some(Some(w)) = c.crossing(|x| {
                    let w = x.watchers.remove(&r)?;
                    x.proxies.remove(&w.their_ref);
                    Some(w)
                }) else {
                    return;
                };
                let Some(their) = decode_ref(&rt, &w.their_ref) else {
                    return;
                };
                let fromproc = match w.name {
                    Some(n) => Value::Atom(n),
                    None => pid(from),
                };
                let ctl = Value::tuple(vec![int(PAYLOAD_MONITOR_P_EXIT), fromproc, pid(to), their]);
                (ctl, Some(reason.into_value()), from)
            }
            // Timers, resumes, shutdowns and kills are never for another node.
            _ => return,
        };
        let ctl = Self::encode(&rt, &ctl);
        let payload = payload.map(|p| Self::encode_payload(&rt, &p));
        // If it is down meanwhile, its crossing tables said noconnection.
        c.enqueue(from, ctl, payload);
    }
}

/// A signal to a remote process that cannot be reached: links and
/// monitors get `:noconnection` at once; anything else is dropped.
fn dead_letter(rt: &Runtime, to: Pid, sig: Signal) {
    match sig {
        Signal::Link(from) => rt.scheduler.deliver(
            from,
            Signal::Exit {
                from: to,
                reason: Message::copy_of(&noconnection()),
                link: true,
            },
        ),
        Signal::Monitor { from, r } => rt.scheduler.deliver(
            from,
            Signal::Down {
                r,
                from: to,
                reason: Message::copy_of(&noconnection()),
            },
        ),
        _ => {}
    }
}

fn decode_ref(rt: &Runtime, bytes: &[u8]) -> Option<Value> {
    let mut budget = etf::AtomBudget::new(16);
    let code = |m: Atom| rt.code.get(m);
    let mut cx = etf::DecodeCx {
        nodes: &rt.nodes,
        atoms: &mut budget,
        code: &code,
    };
    etf::decode(bytes, &mut cx).ok().map(|(v, _)| v)
}

/// Decodes the one term `bytes` hold.
fn term(cx: &mut etf::DecodeCx<'_>, bytes: &[u8]) -> Result<Value, String> {
    match etf::decode(bytes, cx) {
        Ok((v, n)) if n == bytes.len() => Ok(v),
        Ok(_) => Err("bytes after a term".into()),
        Err(e) => Err(format!("bad term: {e}")),
    }
}

/// The message a SEND or REG_SEND carries. A term Reef has no value for
/// (a bitstring that is not whole bytes) drops that message with a
/// report, and the connection goes on; anything else wrong closes it.
fn message(
    dist: &Dist,
    cx: &mut etf::DecodeCx<'_>,
    bytes: Option<&[u8]>,
) -> Result<Option<Value>, String> {
    let Some(bytes) = bytes else {
        return Err("a message without its payload".into());
    };
    match etf::decode(bytes, cx) {
        Ok((v, n)) if n == bytes.len() => Ok(Some(v)),
        Ok(_) => Err("bytes after a term".into()),
        Err(etf::EtfError::Bitstring) => {
            dist.report("a message holding a bitstring (not whole bytes) was dropped");
            Ok(None)
        }
        Err(e) => Err(format!("bad term: {e}")),
    }
}

/// A message from the peer (its control term and payload), applied.
/// With `route`, a message for a process that has one waiting in the
/// connection's slow lane, or whose payload is big, goes to the slow
/// lane instead (`connection.rs`): it is applied there, after those.
pub fn incoming(
    conn: &Arc<Connection>,
    atoms: &mut etf::AtomBudget,
    whole: framing::DistMessage,
    route: bool,
) -> Result<(), String> {
    let Some(dist) = conn.dist() else {
        return Ok(());
    };
    let Some(rt) = dist.runtime() else {
        return Ok(());
    };
    // A closure's module is loaded on first sight, as BEAM does.
    let code = |m: Atom| crate::loader::ensure_loaded(&rt, m, None).ok().flatten();
    let mut cx = etf::DecodeCx {
        nodes: &rt.nodes,
        atoms,
        code: &code,
    };
    let cx = &mut cx;
    let ctl = term(cx, &whole.control)?;
    if route {
        let big = whole
            .payload
            .as_ref()
            .is_some_and(|p| p.len() > SLOW_PAYLOAD);
        if let Some(target) = target_of(&rt, &ctl) {
            let Some(whole) = conn.slow_lane(target, big, whole) else {
                return Ok(());
            };
            return apply(conn, &rt, &dist, cx, &ctl, &whole);
        }
    }
    apply(conn, &rt, &dist, cx, &ctl, &whole)
}

/// Payloads bigger than this are decoded off the reader thread.
pub const SLOW_PAYLOAD: usize = 2 << 20;

/// The local process a control message is for, if any: the `To` of
/// every operation that has one (a registered name, looked up).
fn target_of(rt: &Runtime, ctl: &Value) -> Option<Pid> {
    let t = ctl.as_tuple()?;
    let at = match t.first()? {
        Value::Int(UNLINK_ID | UNLINK_ID_ACK | REG_SEND | REG_SEND_TT) => 3,
        Value::Int(SPAWN_REQUEST | SPAWN_REQUEST_TT) => return None,
        _ => 2,
    };
    match t.get(at)? {
        Value::Pid(p) if p.is_local() => Some(*p),
        Value::Atom(name) => rt.scheduler.table.whereis(*name),
        _ => None,
    }
}

/// Applies one control message whose control term is decoded.
fn apply(
    conn: &Arc<Connection>,
    rt: &Arc<Runtime>,
    dist: &Arc<Dist>,
    cx: &mut etf::DecodeCx<'_>,
    ctl: &Value,
    whole: &framing::DistMessage,
) -> Result<(), String> {
    let (rt, dist) = (rt.clone(), dist.clone());
    let rest = whole.payload.as_deref();
    let payload = |cx: &mut etf::DecodeCx<'_>| -> Result<Value, String> {
        match rest {
            Some(p) => term(cx, p),
            None => Err("a control message without its payload".into()),
        }
    };
    let Some(t) = ctl.as_tuple() else {
        return Err("a control message that is not a tuple".into());
    };
    let Some(Value::Int(op)) = t.first() else {
        return Err("a control message without an operation".into());
    };
    let bad = || {
        format!(
            "malformed control message {}",
            crate::value::print::inspect_limited(ctl, &crate::value::print::Limits::REPORT)
        )
    };
    let local = |v: &Value| -> Result<Pid, String> {
        match v {
            Value::Pid(p) if p.is_local() => Ok(*p),
            _ => Err(bad()),
        }
    };
    let remote = |v: &Value| -> Result<Pid, String> {
        match v {
            Value::Pid(p) if !p.is_local() => Ok(*p),
            _ => Err(bad()),
        }
    };
    let deliver = |to: Pid, sig: Signal| rt.scheduler.deliver(to, sig);
    let msg = |v: Value| {
        // SAFETY: `v` was just decoded from bytes: nothing else holds
        // any of its nodes.
        unsafe { Message::from_fresh(v) }
    };
    match (*op, t.len()) {
        (SEND, 3) | (SEND_TT, 4) | (SEND_SENDER, 3) | (SEND_SENDER_TT, 4) => {
            let to = local(&t[2])?;
            let Some(m) = message(&dist, cx, rest)? else {
                return Ok(());
            };
            deliver(to, Signal::Message(msg(m)))
        }
        (REG_SEND, 4) | (REG_SEND_TT, 5) => {
            let Value::Atom(name) = t[3] else {
                return Err(bad());
            };
            let Some(m) = message(&dist, cx, rest)? else {
                return Ok(());
            };
            if let Some(to) = rt.scheduler.table.whereis(name) {
                deliver(to, Signal::Message(msg(m)));
            }
        }
        (LINK, 3) => {
            let (from, to) = (remote(&t[1])?, local(&t[2])?);
            conn.crossing(|x| x.links.insert((to, from)));
            deliver(to, Signal::Link(from));
        }
        (UNLINK, 3) => {
            let (from, to) = (remote(&t[1])?, local(&t[2])?);
            conn.crossing(|x| x.links.remove(&(to, from)));
            deliver(to, Signal::Unlink(from));
        }
        (UNLINK_ID, 4) => {
            let (from, to) = (remote(&t[2])?, local(&t[3])?);
            conn.crossing(|x| x.links.remove(&(to, from)));
            deliver(to, Signal::Unlink(from));
            let ack = Value::tuple(vec![int(UNLINK_ID_ACK), t[1].clone(), pid(to), pid(from)]);
            conn.enqueue(to, Dist::encode(&rt, &ack), None);
        }
        (UNLINK_ID_ACK, 4) | (NODE_LINK, _) | (GROUP_LEADER, _) => {}
        // A link's exit signal (EXIT), or exit/2's (EXIT2); the reason
        // in the control message or, with EXIT_PAYLOAD, after it.
        (EXIT, 4)
        | (EXIT_TT, 5)
        | (PAYLOAD_EXIT, 3)
        | (PAYLOAD_EXIT_TT, 4)
        | (EXIT2, 4)
        | (EXIT2_TT, 5)
        | (PAYLOAD_EXIT2, 3)
        | (PAYLOAD_EXIT2_TT, 4) => {
            let (from, to) = (remote(&t[1])?, local(&t[2])?);
            let reason = match *op {
                EXIT | EXIT2 => t[3].clone(),
                EXIT_TT | EXIT2_TT => t[4].clone(),
                _ => payload(cx)?,
            };
            let link = matches!(*op, EXIT | EXIT_TT | PAYLOAD_EXIT | PAYLOAD_EXIT_TT);
            if link {
                conn.crossing(|x| x.links.remove(&(to, from)));
            }
            let reason = Message::copy_of(&reason);
            deliver(to, Signal::Exit { from, reason, link });
        }
        (MONITOR_P, 4) => {
            let from = remote(&t[1])?;
            let (target, name) = match &t[2] {
                Value::Pid(p) if p.is_local() => (Some(*p), None),
                Value::Atom(n) => (rt.scheduler.table.whereis(*n), Some(*n)),
                _ => return Err(bad()),
            };
            let Some(target) = target else {
                // Nobody by that name: `:DOWN` with `:noproc` at once.
                let ctl = Value::tuple(vec![
                    int(MONITOR_P_EXIT),
                    t[2].clone(),
                    pid(from),
                    t[3].clone(),
                    Value::Atom(Atom::NOPROC),
                ]);
                conn.enqueue(Pid(0), Dist::encode(&rt, &ctl), None);
                return Ok(());
            };
            let proxy = watched_by(&rt, conn, &t[3], from, target, name);
            deliver(target, Signal::Monitor { from, r: proxy });
        }
        (DEMONITOR_P, 4) => {
            let b = Dist::encode(&rt, &t[3]);
            let found = conn.crossing(|x| {
                let proxy = x.proxies.remove(&b)?;
                x.watchers.remove(&proxy).map(|w| (proxy, w.target))
            });
            if let Some(Some((proxy, target))) = found {
                deliver(target, Signal::Demonitor(proxy));
            }
        }
        (MONITOR_P_EXIT, 5) | (PAYLOAD_MONITOR_P_EXIT, 4) => {
            let to = local(&t[2])?;
            let Value::Ref(r) = t[3] else {
                return Err(bad());
            };
            let reason = if *op == MONITOR_P_EXIT {
                t[4].clone()
            } else {
                payload(cx)?
            };
            let Some(Some((_, target))) = conn.crossing(|x| x.monitors.remove(&r)) else {
                return Ok(()); // demonitored meanwhile
            };
            let from = match (target, &t[1]) {
                (_, Value::Pid(p)) => *p,
                (Target::Pid(p), _) => p,
                (Target::Name(_), _) => Pid::remote(conn.index(), 0, 0),
            };
            let reason = Message::copy_of(&reason);
            deliver(to, Signal::Down { r, from, reason });
        }
        (SPAWN_REQUEST, 6) | (SPAWN_REQUEST_TT, 7) => {
            let args = payload(cx)?;
            spawn_for(&rt, conn, t, args)?;
        }
        (SPAWN_REPLY, 5) | (SPAWN_REPLY_TT, 6) => {
            let Value::Ref(r) = t[1] else {
                return Err(bad());
            };
            let to = local(&t[2])?;
            let Value::Int(flags) = t[3] else {
                return Err(bad());
            };
            let Some(Some(_)) = conn.crossing(|x| x.spawns.remove(&r)) else {
                return Ok(());
            };
            let result = match &t[4] {
                Value::Pid(p) => {
                    let p = remote(&Value::Pid(*p))?;
                    if flags & 1 != 0 {
                        conn.crossing(|x| x.links.insert((to, p)));
                        deliver(to, Signal::Link(p));
                    }
                    if flags & 2 != 0 {
                        conn.crossing(|x| x.monitors.insert(r, (to, Target::Pid(p))));
                    }
                    Value::tuple(vec![Value::Atom(Atom::OK), Value::Pid(p)])
                }
                reason => Value::tuple(vec![Value::Atom(Atom::ERROR), reason.clone()]),
            };
            let m = Message::copy_of(&spawn_reply_message(r, result));
            deliver(to, Signal::Message(m));
        }
        (ALIAS_SEND, 3) | (ALIAS_SEND_TT, 4) => {
            // Reef has no process aliases: a message to one is dropped,
            // as BEAM drops one to an inactive alias.
            let _ = payload(cx)?;
        }
        _ => {
            return Err(format!(
                "unknown control message {}",
                crate::value::print::inspect_limited(ctl, &crate::value::print::Limits::REPORT)
            ))
        }
    }
    Ok(())
}

/// Records that remote `watcher` monitors local `target` with its
/// reference `their_ref` (by `name` if so): the proxy reference the local
/// side knows the monitor by.
fn watched_by(
    rt: &Runtime,
    conn: &Connection,
    their_ref: &Value,
    watcher: Pid,
    target: Pid,
    name: Option<Atom>,
) -> Ref {
    let their_ref = Dist::encode(rt, their_ref);
    let proxy = Ref(rt.new_ref().0 | Ref::PROXY_BIT);
    conn.crossing(|x| {
        x.proxies.insert(their_ref.clone(), proxy);
        x.watchers.insert(
            proxy,
            Watcher {
                their_ref,
                watcher,
                target,
                name,
            },
        );
    });
    proxy
}

/// A SPAWN_REQUEST: start `m.f(args...)` here, linked to and monitored
/// by the requester as it asked, and answer with a SPAWN_REPLY.
fn spawn_for(
    rt: &Arc<Runtime>,
    conn: &Arc<Connection>,
    t: &[Value],
    args: Value,
) -> Result<(), String> {
    let bad = || "malformed SPAWN_REQUEST".to_string();
    let req = t[1].clone();
    let Value::Pid(from) = t[2] else {
        return Err(bad());
    };
    let Some([Value::Atom(m), Value::Atom(f), Value::Int(_)]) = t[4].as_tuple() else {
        return Err(bad());
    };
    let opts = t[5].list_to_vec().ok_or_else(bad)?;
    let has = |o: &str| {
        opts.iter()
            .any(|v| matches!(v, Value::Atom(a) if a.name() == o))
    };
    let (link, monitor) = (has("link"), has("monitor"));
    let Some(argv) = args.list_to_vec() else {
        return Err(bad());
    };
    let reply = |flags: i64, result: Value| {
        let ctl = Value::tuple(vec![
            int(SPAWN_REPLY),
            req.clone(),
            pid(from),
            int(flags),
            result,
        ]);
        conn.enqueue(Pid(0), Dist::encode(rt, &ctl), None);
    };
    if rt.scheduler.table.len() >= rt.limits.max_processes {
        reply(0, Value::Atom(Atom::new("system_limit")));
        return Ok(());
    }
    let new = rt.new_pid();
    let mut p = Box::new(Process::new(new));
    p.start = Some(Box::new(Start {
        fun: crate::native::ext_fun(*m, *f, argv.len() as u32),
        args: argv,
    }));
    p.status = Status::Runnable;
    let mut flags = 0;
    if link {
        p.links_mut().linked.insert(from);
        conn.crossing(|x| x.links.insert((new, from)));
        flags |= 1;
    }
    if monitor {
        // The request's id is the monitor's reference.
        let proxy = watched_by(rt, conn, &req, from, new, None);
        p.links_mut().monitored_by.insert(proxy, from);
        flags |= 2;
    }
    // The reply goes out before anything the new process sends.
    reply(flags, Value::Pid(new));
    rt.scheduler.spawn(p);
    Ok(())
}
