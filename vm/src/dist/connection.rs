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
use std::io::{self, BufReader, IoSlice, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, Weak};
use std::time::Duration;

use rustc_hash::{FxHashMap, FxHashSet};

use super::etf::{self, Encoded};
use super::framing::{self, FrameError, Packet};
use super::handshake;
use super::node::Dist;
use super::outgoing::{small_buffers, whole_packet, Outgoing};
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

/// The reader's buffer.
const READ_BUFFER: usize = 16 * 1024;

/// A sender writes a message itself only if none was written so within
/// this time (else it queues it for the writer's batches).
const DIRECT_GAP: Duration = Duration::from_micros(5);

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
    // Not read yet: `process.info(p, :monitored_by)` will list it.
    #[allow(dead_code)]
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
    /// When a sender last wrote a message itself (`enqueue`).
    last_direct: Option<std::time::Instant>,
    /// `node.connect` calls waiting for the outcome: told
    /// `("$connect", ref, true|false)`.
    waiters: Vec<(Pid, Ref)>,
}

/// The socket's sending side. Whoever holds it writes; a packet that a
/// sender could only write in part (the kernel buffer was full) leaves
/// its rest in `partial`, which the next holder writes first.
struct Wire {
    stream: Option<TcpStream>,
    partial: Vec<u8>,
}

/// The slow lane: messages the reader hands to a thread of their own
/// (a big payload takes long to decode), with every later message for
/// the same local process behind them, so one process's messages and
/// signals keep their order while the others' go on.
#[derive(Default)]
struct Slow {
    jobs: VecDeque<(Pid, framing::DistMessage)>,
    /// Jobs waiting or being applied, per target.
    pending: FxHashMap<Pid, usize>,
    worker: bool,
}

pub struct Connection {
    pub peer: Atom,
    dist: Weak<Dist>,
    slow: Mutex<Slow>,
    slow_ready: Condvar,
    /// Lock order: `inner`, then `wire` (a sender that holds `wire` never
    /// waits for `inner`).
    inner: Mutex<Inner>,
    wire: Mutex<Wire>,
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
                last_direct: None,
            }),
            slow: Mutex::new(Slow::default()),
            slow_ready: Condvar::new(),
            wire: Mutex::new(Wire {
                stream: None,
                partial: Vec::new(),
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

    /// Up, and visible: both sides published themselves (neither is a
    /// hidden node, as `reef top` is), so it counts in `nodes()`.
    pub fn is_visible(&self) -> bool {
        let g = self.lock();
        g.state == State::Up && g.flags & handshake::DFLAG_PUBLISHED != 0
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
    pub(crate) fn enqueue(&self, lane: Pid, control: Vec<u8>, payload: Option<Encoded>) -> bool {
        let mut g = self.lock();
        if g.state == State::Down {
            return false;
        }
        let size = control.len() + payload.as_ref().map_or(0, Encoded::len);
        // Nothing queued, the socket free, and no message written this way
        // just before: write it now, from this thread, without waking the
        // writer (a round trip's latency). A stream of messages instead
        // goes through the writer, which writes them in batches.
        let now = std::time::Instant::now();
        let quiet = g
            .last_direct
            .is_none_or(|t| now.duration_since(t) > DIRECT_GAP);
        if g.state == State::Up && g.turn.is_empty() && size <= FRAGMENT && quiet {
            g.last_direct = Some(now);
            if let Ok(mut w) = self.wire.try_lock() {
                if w.partial.is_empty() {
                    let fragments = g.flags & handshake::DFLAG_FRAGMENTS != 0;
                    drop(g);
                    let payload = payload.as_ref().map(Encoded::flat);
                    let packet = whole_packet(fragments, &control, payload.as_deref());
                    if !self.send_now(&mut w, &packet) {
                        drop(w);
                        self.ready.notify_one();
                    }
                    return true;
                }
            }
        }
        g.queued += size;
        let lane_q = g.lanes.entry(lane).or_default();
        let was_empty = lane_q.is_empty();
        lane_q.push_back(Outgoing::new(control, payload));
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

    /// The next packet to write, taking the lanes in turn. A message is
    /// cut into fragments one at a time, as its turn comes (no copy of a
    /// big message is made under the lock, nor all at once).
    fn next_packet(&self, g: &mut Inner) -> Option<Vec<u8>> {
        let lane = g.turn.pop_front()?;
        let fragments = g.flags & handshake::DFLAG_FRAGMENTS != 0;
        let q = g.lanes.get_mut(&lane)?;
        let msg = q.front_mut()?;
        let (packet, done) = if fragments {
            if msg.seq == 0 {
                msg.seq = self.dist.upgrade().map_or(1, |d| d.next_seq());
            }
            msg.next_fragment(FRAGMENT)
        } else {
            (
                framing::pass_through(&msg.control, msg.flat_payload().as_deref()),
                true,
            )
        };
        if done {
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
        Some(packet)
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
        let tick = dist.tick;
        let _ = reader.set_read_timeout(Some(tick));
        small_buffers(&writer);
        let _ = writer.set_write_timeout(Some(tick));
        let waiters = {
            let mut g = self.lock();
            if g.state != State::Connecting {
                return false;
            }
            // The wire before the state: a sender that sees `Up` may write
            // to the wire at once (`enqueue`), and a wire without its
            // socket would lose that message.
            self.wire.lock().unwrap_or_else(|e| e.into_inner()).stream = Some(writer);
            g.state = State::Up;
            g.index = index;
            g.flags = peer.flags;
            g.stream = Some(stream);
            std::mem::take(&mut g.waiters)
        };
        let (me, me2) = (self.clone(), self.clone());
        let r = std::thread::Builder::new()
            .name("reef-dist-read".into())
            .spawn(move || guarded(me, |c| c.read_loop(reader)));
        let w = std::thread::Builder::new()
            .name("reef-dist-write".into())
            .spawn(move || guarded(me2, |c| c.write_loop(tick / 4)));
        if r.is_err() || w.is_err() {
            self.close("cannot start the connection's threads");
            return false;
        }
        dist.came_up(self.peer);
        self.tell_waiters(waiters, true);
        self.ready.notify_one();
        true
    }

    /// Writes `packet` without blocking; false if only part of it went
    /// (the rest waits in `w.partial` for the writer thread).
    fn send_now(&self, w: &mut Wire, packet: &[u8]) -> bool {
        use std::os::fd::AsRawFd;
        let Some(stream) = w.stream.as_ref() else {
            return true;
        };
        // SAFETY: a valid socket and a buffer of the length given.
        let n = unsafe {
            libc::send(
                stream.as_raw_fd(),
                packet.as_ptr().cast(),
                packet.len(),
                libc::MSG_DONTWAIT | libc::MSG_NOSIGNAL,
            )
        };
        let n = if n < 0 { 0 } else { n as usize };
        if n < packet.len() {
            // Full (or failing: the writer thread sees the error).
            w.partial.extend_from_slice(&packet[n..]);
            return false;
        }
        true
    }

    fn write_loop(self: Arc<Self>, tick: Duration) {
        // The packets of one write, and their length prefixes: written
        // as they are (vectored), not copied into one buffer.
        let mut batch: Vec<Vec<u8>> = Vec::new();
        let mut prefixes: Vec<[u8; 4]> = Vec::new();
        loop {
            let mut w = {
                let mut g = self.lock();
                loop {
                    if g.state == State::Down {
                        return;
                    }
                    // Take packets while they fit in one write.
                    batch.clear();
                    let mut bytes = 0;
                    while bytes < FRAGMENT {
                        match self.next_packet(&mut g) {
                            Some(p) => {
                                bytes += p.len() + 4;
                                batch.push(p);
                            }
                            None => break,
                        }
                    }
                    if !batch.is_empty() {
                        break self.wire.lock().unwrap_or_else(|e| e.into_inner());
                    }
                    {
                        // A sender's packet went out in part: finish it.
                        let w = self.wire.lock().unwrap_or_else(|e| e.into_inner());
                        if !w.partial.is_empty() {
                            break w;
                        }
                    }
                    let (g2, t) = self
                        .ready
                        .wait_timeout(g, tick)
                        .unwrap_or_else(|e| e.into_inner());
                    g = g2;
                    if t.timed_out() && g.turn.is_empty() && g.state == State::Up {
                        // Quiet for a while: a tick (an empty packet).
                        batch.push(Vec::new());
                        break self.wire.lock().unwrap_or_else(|e| e.into_inner());
                    }
                }
            };
            prefixes.clear();
            prefixes.extend(batch.iter().map(|p| (p.len() as u32).to_be_bytes()));
            let partial = std::mem::take(&mut w.partial);
            let r = match w.stream.as_mut() {
                Some(s) => s
                    .write_all(&partial)
                    .and_then(|()| write_packets(s, &prefixes, &batch)),
                None => return,
            };
            drop(w);
            if let Err(e) = r {
                self.close(&format!("write failed: {e}"));
                return;
            }
        }
    }

    fn read_loop(self: Arc<Self>, stream: TcpStream) {
        // Small next to a fragment: a fragment's bytes bypass it, read
        // straight into the packet; small messages come many to a read.
        let mut input = BufReader::with_capacity(READ_BUFFER, stream);
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
            if let Err(e) = super::control::incoming(&self, &mut atoms, whole, true) {
                self.protocol_error(&e);
                return;
            }
        }
    }

    /// Routes a message for `target`: `None` if the slow lane took it
    /// (it is big, or `target` has messages there already), else the
    /// message back, for the reader to apply now.
    pub(crate) fn slow_lane(
        self: &Arc<Self>,
        target: Pid,
        big: bool,
        whole: framing::DistMessage,
    ) -> Option<framing::DistMessage> {
        let mut s = self.slow.lock().unwrap_or_else(|e| e.into_inner());
        if !big && !s.pending.contains_key(&target) {
            return Some(whole);
        }
        *s.pending.entry(target).or_default() += 1;
        s.jobs.push_back((target, whole));
        if !s.worker {
            s.worker = true;
            let me = self.clone();
            let started = std::thread::Builder::new()
                .name("reef-dist-slow".into())
                .spawn(move || guarded(me, |c| c.slow_loop()));
            if started.is_err() {
                s.worker = false;
            }
        }
        drop(s);
        self.slow_ready.notify_one();
        None
    }

    /// The slow lane's thread: applies its jobs in order; ends when the
    /// connection is down.
    fn slow_loop(self: Arc<Self>) {
        let mut atoms = etf::AtomBudget::default();
        loop {
            let (target, whole) = {
                let mut s = self.slow.lock().unwrap_or_else(|e| e.into_inner());
                loop {
                    if let Some(job) = s.jobs.pop_front() {
                        break job;
                    }
                    if self.state() == State::Down {
                        s.worker = false;
                        return;
                    }
                    s = self
                        .slow_ready
                        .wait_timeout(s, Duration::from_millis(500))
                        .unwrap_or_else(|e| e.into_inner())
                        .0;
                }
            };
            let r = super::control::incoming(&self, &mut atoms, whole, false);
            {
                let mut s = self.slow.lock().unwrap_or_else(|e| e.into_inner());
                if let Some(n) = s.pending.get_mut(&target) {
                    *n -= 1;
                    if *n == 0 {
                        s.pending.remove(&target);
                    }
                }
            }
            if let Err(e) = r {
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

    /// Waits (until `deadline`) for what is queued to be written.
    pub(crate) fn drain(&self, deadline: std::time::Instant) {
        loop {
            let idle = {
                let g = self.lock();
                g.state != State::Up || g.turn.is_empty()
            } && self
                .wire
                .lock()
                .map(|w| w.partial.is_empty())
                .unwrap_or(true);
            if idle || std::time::Instant::now() >= deadline {
                return;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
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
        let Some(dist) = self.dist.upgrade() else {
            return;
        };
        dist.forget(self);
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
                Value::tuple(vec![
                    Value::Atom(Atom::ERROR),
                    Value::Atom(Atom::new("noconnection")),
                ]),
            );
            rt.scheduler
                .deliver(requester, Signal::Message(Message::copy_of(&reply)));
        }
        // Node monitors hear of it after the links and monitors did.
        dist.went_down(self, was_up);
    }

    fn index_or_zero(&self) -> u16 {
        self.lock().index
    }
}

/// Runs a connection thread's loop; a panic in it (always a bug) closes
/// that connection with a report instead of leaving it half alive.
/// Writes each packet after its length prefix, in as few system calls as
/// the socket takes.
fn write_packets(s: &mut TcpStream, prefixes: &[[u8; 4]], packets: &[Vec<u8>]) -> io::Result<()> {
    let mut slices: Vec<IoSlice<'_>> = prefixes
        .iter()
        .zip(packets)
        .flat_map(|(n, p)| [IoSlice::new(n), IoSlice::new(p)])
        .filter(|s| !s.is_empty())
        .collect();
    let mut left: &mut [IoSlice<'_>] = &mut slices;
    while !left.is_empty() {
        match s.write_vectored(left) {
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(n) => IoSlice::advance_slices(&mut left, n),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

fn guarded(conn: Arc<Connection>, body: impl FnOnce(Arc<Connection>)) {
    let c = conn.clone();
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || body(c)));
    if let Err(e) = r {
        let why = format!("internal error: {}", crate::loader::panic_message(&e));
        conn.protocol_error(&why);
    }
}
