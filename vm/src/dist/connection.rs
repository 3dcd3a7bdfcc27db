//! One connection to another node.
//!
//! A connection exists from the first use of the node (it then queues
//! what is sent until the handshake is done) until it goes down. Up, it
//! has two threads: the writer drains the outgoing lanes and sends a
//! tick when it has had nothing to send for a quarter of the tick time;
//! the reader turns packets into signals for local processes, and
//! declares the peer down when nothing (not even a tick) arrived for the
//! tick time.
//!
//! **Lanes** keep a big message from holding up small ones: each sending
//! process has its own queue of encoded messages, a big message is cut
//! into fragments, and the writer takes one packet from each lane in
//! turn. Messages from one sender stay in order (one lane), so between
//! two processes they arrive in the order sent.
//!
//! **Crossing** is what this node must undo when the connection goes:
//! links between local and remote processes, monitors either way, and
//! spawn requests waiting for their reply. Going down turns each into
//! `:noconnection`, exactly once (the tables are taken, not copied).

use std::collections::VecDeque;
use std::io::{BufReader, BufWriter, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, Weak};
use std::time::Duration;

use rustc_hash::{FxHashMap, FxHashSet};

use super::framing::{self, FrameError, Packet};
use super::{etf, handshake};
use super::node::Dist;
use crate::mailbox::Message;
use crate::signal::Signal;
use crate::value::{Atom, Pid, Ref, Value};

/// The biggest packet accepted from a peer (a fragment, or a whole
/// message from a peer that does not fragment).
pub const MAX_PACKET: u32 = 1 << 30;

/// The most bytes of fragmented messages in progress on one connection.
pub const MAX_BUFFERED: usize = 1 << 30;

/// Messages bigger than this are sent in fragments of this size.
pub const FRAGMENT: usize = 64 * 1024;

/// Bytes queued on one connection beyond which a sender yields before
/// sending more (back-pressure; spec 13).
pub const BUSY_BYTES: usize = 64 << 20;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum State {
    Connecting,
    Up,
    Down,
}

/// Who a monitor on a remote process watches.
#[derive(Clone, Copy)]
pub enum Target {
    Pid(Pid),
    Name(Atom),
}

/// A monitor a remote process holds on a local one: its reference (as
/// ETF bytes, sent back in the `MONITOR_P_EXIT`), the watcher, the local
/// process, and the name it was monitored by.
pub struct Watcher {
    pub their_ref: Vec<u8>,
    pub watcher: Pid,
    pub target: Pid,
    pub name: Option<Atom>,
}

#[derive(Default)]
pub struct Crossing {
    /// (local, remote) linked pairs.
    pub links: FxHashSet<(Pid, Pid)>,
    /// Monitors local processes hold on remote ones: ref -> (watcher, watched).
    pub monitors: FxHashMap<Ref, (Pid, Target)>,
    /// Monitors remote processes hold on local ones, by the proxy
    /// reference the local process knows them by.
    pub watchers: FxHashMap<Ref, Watcher>,
    /// Their reference's bytes -> our proxy.
    pub proxies: FxHashMap<Vec<u8>, Ref>,
    /// Spawn requests waiting for their reply: ref -> requester.
    pub spawns: FxHashMap<Ref, Pid>,
}

/// A message waiting in a lane: its terms, then (once its turn came)
/// the packets left to write.
struct Outgoing {
    control: Vec<u8>,
    payload: Option<Vec<u8>>,
    size: usize,
    packets: Option<VecDeque<Vec<u8>>>,
}

struct Inner {
    state: State,
    /// The peer's node-table index, flags (set when up).
    index: u16,
    flags: u64,
    lanes: FxHashMap<Pid, VecDeque<Outgoing>>,
    turn: VecDeque<Pid>,
    queued: usize,
    crossing: Crossing,
    stream: Option<TcpStream>,
    /// `node.connect` calls waiting for the outcome: told
    /// `("$connect", ref, true|false)`.
    waiters: Vec<(Pid, Ref)>,
}

pub struct Connection {
    pub peer: Atom,
    dist: Weak<Dist>,
    inner: Mutex<Inner>,
    ready: Condvar,
    /// The peer's own attempt was admitted for this connection while ours
    /// was under way (we answered `ok_simultaneous`): ours gives way, as
    /// OTP's loser of a simultaneous connect abandons its attempt.
    given_way: AtomicBool,
}

impl Connection {
    pub(crate) fn new(peer: Atom, dist: Weak<Dist>) -> Arc<Connection> {
        Arc::new(Connection {
            peer,
            dist,
            inner: Mutex::new(Inner {
                state: State::Connecting,
                index: 0,
                flags: 0,
                lanes: FxHashMap::default(),
                turn: VecDeque::new(),
                queued: 0,
                crossing: Crossing::default(),
                stream: None,
                waiters: Vec::new(),
            }),
            ready: Condvar::new(),
            given_way: AtomicBool::new(false),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// See `given_way`.
    pub(crate) fn give_way(&self) {
        self.given_way.store(true, Ordering::Relaxed);
    }

    pub(crate) fn has_given_way(&self) -> bool {
        self.given_way.load(Ordering::Relaxed)
    }

    pub fn is_up(&self) -> bool {
        self.lock().state == State::Up
    }

    pub fn state(&self) -> State {
        self.lock().state
    }

    /// The peer incarnation's node-table index (0 until up).
    pub fn index(&self) -> u16 {
        self.lock().index
    }

    /// `Some(up)` if the outcome is known, else `pid` is told it later
    /// (`connect_reply`).
    pub(crate) fn wait_up(&self, pid: Pid, r: Ref) -> Option<bool> {
        let mut g = self.lock();
        match g.state {
            State::Up => Some(true),
            State::Down => Some(false),
            State::Connecting => {
                g.waiters.push((pid, r));
                None
            }
        }
    }

    fn tell_waiters(&self, waiters: Vec<(Pid, Ref)>, up: bool) {
        let Some(rt) = self.dist.upgrade().and_then(|d| d.runtime()) else {
            return;
        };
        for (pid, r) in waiters {
            let msg = Value::tuple(vec![
                Value::Atom(Atom::new("$connect")),
                Value::Ref(r),
                Value::bool(up),
            ]);
            rt.scheduler
                .deliver(pid, Signal::Message(Message::copy_of(&msg)));
        }
    }

    /// Whether the queue is long enough that a sender should yield.
    pub fn is_busy(&self) -> bool {
        self.lock().queued > BUSY_BYTES
    }

    /// Changes what crosses this connection, under its lock.
    pub(crate) fn crossing<R>(&self, f: impl FnOnce(&mut Crossing) -> R) -> Option<R> {
        let mut g = self.lock();
        if g.state == State::Down {
            return None;
        }
        Some(f(&mut g.crossing))
    }

    /// Queues one control message (and its payload), each with its
    /// leading 131, from `lane`. Returns false if the connection is down
    /// (nothing was queued).
    pub(crate) fn enqueue(&self, lane: Pid, control: Vec<u8>, payload: Option<Vec<u8>>) -> bool {
        let mut g = self.lock();
        if g.state == State::Down {
            return false;
        }
        let size = control.len() + payload.as_ref().map_or(0, Vec::len);
        g.queued += size;
        let lane_q = g.lanes.entry(lane).or_default();
        let was_empty = lane_q.is_empty();
        lane_q.push_back(Outgoing {
            control,
            payload,
            size,
            packets: None,
        });
        if was_empty {
            g.turn.push_back(lane);
        }
        let up = g.state == State::Up;
        drop(g);
        if up {
            self.ready.notify_one();
        }
        true
    }

    /// The next packet to write, taking the lanes in turn (a message is
    /// cut into packets when its turn first comes, with the peer's flags).
    fn next_packet(&self, g: &mut Inner) -> Option<Vec<u8>> {
        let lane = g.turn.pop_front()?;
        let fragments = g.flags & handshake::DFLAG_FRAGMENTS != 0;
        let q = g.lanes.get_mut(&lane)?;
        let msg = q.front_mut()?;
        let packets = msg.packets.get_or_insert_with(|| {
            let payload = msg.payload.as_deref();
            if fragments {
                let seq = self.dist.upgrade().map_or(1, |d| d.next_seq());
                framing::write_fragments(seq, &msg.control, payload.unwrap_or(&[]), FRAGMENT)
                    .into()
            } else {
                VecDeque::from([framing::pass_through(&msg.control, payload)])
            }
        });
        let packet = packets.pop_front();
        if packets.is_empty() {
            let size = msg.size;
            q.pop_front();
            g.queued -= size;
        }
        let q = g.lanes.get_mut(&lane)?;
        if q.is_empty() {
            g.lanes.remove(&lane);
        } else {
            g.turn.push_back(lane);
        }
        packet
    }

    /// The handshake is done: start the threads and send what waited.
    /// False if this connection was already up or down.
    pub(crate) fn go_up(self: &Arc<Self>, stream: TcpStream, peer: &handshake::Peer) -> bool {
        let Some(dist) = self.dist.upgrade() else {
            return false;
        };
        let Some(rt) = dist.runtime() else {
            return false;
        };
        let index = match rt.nodes.intern(self.peer, peer.creation) {
            Ok(i) => i,
            Err(_) => {
                dist.report(&format!("{}: too many node incarnations", peer.name));
                self.fail("the node table is full");
                return false;
            }
        };
        let (reader, writer) = match (stream.try_clone(), stream.try_clone()) {
            (Ok(r), Ok(w)) => (r, w),
            _ => {
                self.fail("cannot clone the socket");
                return false;
            }
        };
        {
            let mut g = self.lock();
            if g.state != State::Connecting {
                return false;
            }
            g.state = State::Up;
            g.index = index;
            g.flags = peer.flags;
            g.stream = Some(stream);
        }
        let waiters = std::mem::take(&mut self.lock().waiters);
        let tick = dist.tick;
        let _ = reader.set_read_timeout(Some(tick));
        let (me, me2) = (self.clone(), self.clone());
        let r = std::thread::Builder::new()
            .name("reef-dist-read".into())
            .spawn(move || me.read_loop(reader));
        let w = std::thread::Builder::new()
            .name("reef-dist-write".into())
            .spawn(move || me2.write_loop(writer, tick / 4));
        if r.is_err() || w.is_err() {
            self.close("cannot start the connection's threads");
            return false;
        }
        dist.came_up(self.peer);
        self.tell_waiters(waiters, true);
        self.ready.notify_one();
        true
    }

    fn write_loop(self: Arc<Self>, stream: TcpStream, tick: Duration) {
        let mut out = BufWriter::with_capacity(FRAGMENT + 1024, stream);
        loop {
            let packet = {
                let mut g = self.lock();
                loop {
                    if g.state == State::Down {
                        return;
                    }
                    if let Some(p) = self.next_packet(&mut g) {
                        break Some(p);
                    }
                    let (g2, t) = self
                        .ready
                        .wait_timeout(g, tick)
                        .unwrap_or_else(|e| e.into_inner());
                    g = g2;
                    if t.timed_out() && g.turn.is_empty() && g.state == State::Up {
                        break None;
                    }
                }
            };
            let r = match packet {
                Some(p) => framing::write_packet(&mut out, &p),
                None => framing::write_tick(&mut out),
            };
            let more = !self.lock().turn.is_empty();
            let r = r.and_then(|()| if more { Ok(()) } else { out.flush() });
            if let Err(e) = r {
                self.close(&format!("write failed: {e}"));
                return;
            }
        }
    }

    fn read_loop(self: Arc<Self>, stream: TcpStream) {
        let mut input = BufReader::with_capacity(FRAGMENT + 1024, stream);
        let mut frags = framing::Reassembler::new(MAX_BUFFERED);
        let mut atoms = etf::AtomBudget::default();
        loop {
            let packet = match framing::read_packet(&mut input, MAX_PACKET) {
                Ok(p) => p,
                Err(e) => {
                    if self.state() != State::Down {
                        let why = match &e {
                            FrameError::Idle => "no answer within the net tick time".to_string(),
                            e => e.to_string(),
                        };
                        if !matches!(e, FrameError::Closed) {
                            if let Some(d) = self.dist.upgrade() {
                                d.report(&format!("connection to {} closed: {why}", self.peer));
                            }
                        }
                        self.close(&why);
                    }
                    return;
                }
            };
            let Packet::Data(data) = packet else { continue };
            let whole = match frags.push(data) {
                Ok(Some(w)) => w,
                Ok(None) => continue,
                Err(e) => {
                    self.protocol_error(&e.to_string());
                    return;
                }
            };
            if let Err(e) = super::control::incoming(&self, &mut atoms, &whole) {
                self.protocol_error(&e);
                return;
            }
        }
    }

    /// The peer sent something we cannot accept: report and close.
    pub(crate) fn protocol_error(self: &Arc<Self>, why: &str) {
        if let Some(d) = self.dist.upgrade() {
            d.report(&format!("connection to {} closed: {why}", self.peer));
        }
        self.close(why);
    }

    pub(crate) fn dist(&self) -> Option<Arc<Dist>> {
        self.dist.upgrade()
    }

    /// The connection could not be set up.
    /// Only an attempt still under way fails: if the peer's own attempt
    /// brought this connection up meanwhile (`Dist::accepted`), it stays.
    pub(crate) fn fail(self: &Arc<Self>, why: &str) {
        let _ = why;
        self.go_down(true);
    }

    /// Closes the connection (if up) and turns what crossed it into
    /// `:noconnection`.
    pub(crate) fn close(self: &Arc<Self>, why: &str) {
        let _ = why;
        self.go_down(false);
    }

    fn go_down(self: &Arc<Self>, only_connecting: bool) {
        let (crossing, stream, waiters, was_up) = {
            let mut g = self.lock();
            if g.state == State::Down || (only_connecting && g.state != State::Connecting) {
                return;
            }
            let was_up = g.state == State::Up;
            g.state = State::Down;
            g.lanes.clear();
            g.turn.clear();
            g.queued = 0;
            let w = std::mem::take(&mut g.waiters);
            (std::mem::take(&mut g.crossing), g.stream.take(), w, was_up)
        };
        self.ready.notify_all();
        self.tell_waiters(waiters, false);
        if let Some(s) = stream {
            let _ = s.shutdown(Shutdown::Both);
        }
        let Some(dist) = self.dist.upgrade() else { return };
        dist.forget(self, was_up);
        let Some(rt) = dist.runtime() else { return };
        let noconn = || Message::copy_of(&Value::Atom(Atom::new("noconnection")));
        for (local, remote) in crossing.links {
            rt.scheduler.deliver(
                local,
                Signal::Exit {
                    from: remote,
                    reason: noconn(),
                    link: true,
                },
            );
        }
        for (r, (watcher, target)) in crossing.monitors {
            let from = match target {
                Target::Pid(p) => p,
                Target::Name(_) => Pid::remote(self.index_or_zero(), 0, 0),
            };
            rt.scheduler.deliver(
                watcher,
                Signal::Down {
                    r,
                    from,
                    reason: noconn(),
                },
            );
        }
        for (proxy, w) in crossing.watchers {
            rt.scheduler.deliver(w.target, Signal::Demonitor(proxy));
        }
        for (r, requester) in crossing.spawns {
            let reply = super::control::spawn_reply_message(
                r,
                Value::tuple(vec![Value::Atom(Atom::ERROR), Value::Atom(Atom::new("noconnection"))]),
            );
            rt.scheduler
                .deliver(requester, Signal::Message(Message::copy_of(&reply)));
        }
    }

    fn index_or_zero(&self) -> u16 {
        self.lock().index
    }
}
