//! Going alive and the connection table: listening, registering with
//! EPMD, connecting on first use, the simultaneous-connect rule, and
//! node monitors (`node.monitor`, `node.monitor_nodes`).

use std::net::{SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use rustc_hash::FxHashMap;

use super::connection::{Connection, State};
use super::handshake::{self, Admit};
use super::{epmd_client, names};
use crate::mailbox::Message;
use crate::runtime::Runtime;
use crate::signal::Signal;
use crate::value::{Atom, Pid, Value};

/// The capabilities this node announces: OTP 25's mandatory set and
/// what `control.rs` handles (spawn requests, fragments).
pub const OUR_FLAGS: u64 = handshake::DEFAULT_FLAGS
    | handshake::DFLAG_FRAGMENTS
    | handshake::DFLAG_SPAWN
    | handshake::DFLAG_UNICODE_IO;

/// How long a stopping node waits for its queued messages to go out.
const DRAIN: Duration = Duration::from_secs(2);

/// How a node starts: `VmBuilder::node`, or `reef --name/--sname`.
#[derive(Clone)]
pub struct NodeConfig {
    /// The full name, `alive@host` (see `names::full`).
    pub name: String,
    /// The shared secret every node of the cluster must hold.
    pub cookie: String,
    /// Listen on this port (`--dist-port`); any free port if `None`.
    pub port: Option<u16>,
    /// Register with EPMD and look peers up there (`--no-epmd` turns it
    /// off: peers are then found at `port` on their host).
    pub epmd: bool,
    /// EPMD's port: 4369, or `ERL_EPMD_PORT` as `erl` reads it.
    pub epmd_port: u16,
    /// A peer silent this long is down (`--net-tick`; 60 s as erl).
    pub net_tick: Duration,
    /// Starts an EPMD when none answers (the `reef` command starts a
    /// detached `reef epmd`); without it, one is served by a thread of
    /// this program.
    pub start_epmd: Option<Arc<dyn Fn(u16) -> std::io::Result<()> + Send + Sync>>,
    /// A hidden node (`erl -hidden`): it does not publish itself, so its
    /// connections are left out of `nodes()` on both sides (`reef top`
    /// watches a node this way without joining its cluster).
    pub hidden: bool,
}

impl NodeConfig {
    /// A node named `name` (`alive@host`) with `cookie`, on any free
    /// port, registered with EPMD on its usual port, 60 s net tick.
    pub fn new(name: &str, cookie: &str) -> NodeConfig {
        NodeConfig {
            name: name.to_string(),
            cookie: cookie.to_string(),
            port: None,
            epmd: true,
            epmd_port: std::env::var("ERL_EPMD_PORT")
                .ok()
                .and_then(|p| p.parse().ok())
                .unwrap_or(4369),
            net_tick: Duration::from_secs(60),
            start_epmd: None,
            hidden: false,
        }
    }
}

/// Why a node could not go alive.
#[derive(Debug)]
pub enum DistError {
    /// The node name is not `alive@host` with a valid alive part.
    BadName(String),
    /// The listening socket could not be opened.
    Listen(std::io::Error),
    /// EPMD refused the registration or could not be reached or started.
    Epmd(String),
}

impl std::fmt::Display for DistError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DistError::BadName(m) => write!(f, "{m}"),
            DistError::Listen(e) => write!(f, "cannot listen for other nodes: {e}"),
            DistError::Epmd(m) => write!(f, "cannot register with EPMD: {m}"),
        }
    }
}

impl std::error::Error for DistError {}

/// This node's distribution: owned by the runtime once it is alive.
pub struct Dist {
    pub(crate) rt: Weak<Runtime>,
    pub name: Atom,
    pub creation: u32,
    pub(crate) cookie: String,
    pub(crate) tick: Duration,
    pub port: u16,
    cfg: NodeConfig,
    conns: Mutex<FxHashMap<Atom, Arc<Connection>>>,
    watch: Mutex<NodeWatch>,
    /// The EPMD registration: it lasts while this socket is open.
    registration: Mutex<Option<TcpStream>>,
    /// Set by `stop`: no more connections in or out.
    stopped: std::sync::atomic::AtomicBool,
    next_seq: AtomicU64,
}

#[derive(Default)]
struct NodeWatch {
    /// `node.monitor(name, true)`: one entry per call, as in Erlang.
    by_node: FxHashMap<Atom, Vec<Pid>>,
    /// `node.monitor_nodes(true)`.
    all: Vec<Pid>,
}

impl Dist {
    /// Goes alive: listens, registers with EPMD (starting one if none
    /// answers), and starts accepting connections.
    pub fn start(rt: &Arc<Runtime>, cfg: NodeConfig) -> Result<Arc<Dist>, DistError> {
        names::check(&cfg.name).map_err(DistError::BadName)?;
        let listener =
            TcpListener::bind(("0.0.0.0", cfg.port.unwrap_or(0))).map_err(DistError::Listen)?;
        let port = listener.local_addr().map_err(DistError::Listen)?.port();
        let alive = cfg.name.split('@').next().unwrap_or_default().to_string();
        let (registration, creation) = if cfg.epmd {
            let (s, c) = register(&cfg, &alive, port)?;
            (Some(s), c)
        } else {
            (None, fallback_creation())
        };
        let name = Atom::new(&cfg.name);
        rt.nodes.set_local(name, creation);
        let dist = Arc::new(Dist {
            rt: Arc::downgrade(rt),
            name,
            creation,
            cookie: cfg.cookie.clone(),
            tick: cfg.net_tick,
            port,
            cfg,
            conns: Mutex::new(FxHashMap::default()),
            watch: Mutex::new(NodeWatch::default()),
            registration: Mutex::new(registration),
            stopped: std::sync::atomic::AtomicBool::new(false),
            next_seq: AtomicU64::new(1),
        });
        let weak = Arc::downgrade(&dist);
        std::thread::Builder::new()
            .name("reef-dist-accept".into())
            .spawn(move || accept_loop(listener, weak))
            .map_err(DistError::Listen)?;
        Ok(dist)
    }

    pub(crate) fn runtime(&self) -> Option<Arc<Runtime>> {
        self.rt.upgrade()
    }

    pub(crate) fn next_seq(&self) -> u64 {
        self.next_seq.fetch_add(1, Ordering::Relaxed)
    }

    pub(crate) fn handshake_config(&self) -> handshake::Config {
        handshake::Config {
            this: self.cfg.name.clone(),
            creation: self.creation,
            cookie: self.cookie.clone(),
            flags: if self.cfg.hidden {
                OUR_FLAGS & !handshake::DFLAG_PUBLISHED
            } else {
                OUR_FLAGS
            },
        }
    }

    /// The nodes connected now (`nodes()`).
    pub fn connected(&self) -> Vec<Atom> {
        let mut v: Vec<Atom> = self
            .conns
            .lock()
            .expect("conns lock")
            .values()
            .filter(|c| c.is_visible())
            .map(|c| c.peer)
            .collect();
        v.sort_by_key(|a| a.name());
        v
    }

    /// The connection to `node`, started if there is none (a connection
    /// is set up on first use). `None` for this node itself.
    pub(crate) fn connection(self: &Arc<Self>, node: Atom) -> Option<Arc<Connection>> {
        if node == self.name || self.stopped.load(Ordering::SeqCst) {
            return None;
        }
        let mut conns = self.conns.lock().expect("conns lock");
        if let Some(c) = conns.get(&node) {
            return Some(c.clone());
        }
        let c = Connection::new(node, Arc::downgrade(self));
        conns.insert(node, c.clone());
        drop(conns);
        let (me, conn) = (self.clone(), c.clone());
        let started = std::thread::Builder::new()
            .name("reef-dist-connect".into())
            .spawn(move || me.connect(conn));
        if started.is_err() {
            c.fail("cannot start a thread to connect");
        }
        Some(c)
    }

    /// For `node.connect`: `Some(up)` when known now, else `pid` gets
    /// `("$connect", r, up)` when it is.
    pub(crate) fn connect_wait(
        self: &Arc<Self>,
        node: Atom,
        pid: Pid,
        r: crate::value::Ref,
    ) -> Option<bool> {
        match self.connection(node) {
            Some(c) => c.wait_up(pid, r),
            None => Some(true),
        }
    }

    /// The connection to `node` if one exists or is being set up.
    pub(crate) fn existing(&self, node: Atom) -> Option<Arc<Connection>> {
        self.conns.lock().expect("conns lock").get(&node).cloned()
    }

    /// Connects `conn` (on its own thread): EPMD, TCP, handshake.
    fn connect(self: Arc<Self>, conn: Arc<Connection>) {
        let peer = conn.peer.name();
        match self.dial(peer) {
            Ok(mut stream) => match handshake::connect_with(
                &mut stream,
                &self.handshake_config(),
                // `alive` (the peer has a connection to us up): replace it
                // only if ours is still being set up, as OTP's
                // `is_pending`; if the peer's own attempt was admitted or
                // brought ours up meanwhile, that one stays.
                &|_| conn.state() == State::Connecting && !conn.has_given_way(),
            ) {
                Ok(p) if p.name != peer => {
                    let why = format!("{peer}'s address answered as {}", p.name);
                    self.report(&why);
                    conn.fail(&why);
                }
                Ok(p) => {
                    // False if the peer's own attempt won meanwhile.
                    conn.go_up(stream, &p);
                }
                Err(handshake::HandshakeError::Refused {
                    status: handshake::Status::Nok,
                    ..
                }) => {
                    // They connect to us at the same time and win: `conn`
                    // goes up from `accept`, unless that fails too.
                    let me = self.clone();
                    let _ = std::thread::Builder::new()
                        .name("reef-dist-connect".into())
                        .spawn(move || {
                            std::thread::sleep(handshake::HANDSHAKE_TIMEOUT);
                            conn.fail("the simultaneous connection did not come");
                            drop(me);
                        });
                }
                Err(e) => {
                    if matches!(
                        e,
                        handshake::HandshakeError::CookieRejected { .. }
                            | handshake::HandshakeError::BadCookie { .. }
                    ) {
                        self.report(&e.to_string());
                    }
                    conn.fail(&e.to_string());
                }
            },
            Err(e) => conn.fail(&e),
        }
    }

    /// A TCP connection to where `peer` listens.
    fn dial(&self, peer: &str) -> Result<TcpStream, String> {
        let (alive, host) = peer
            .split_once('@')
            .ok_or_else(|| format!("{peer} is not a node name"))?;
        let port = if self.cfg.epmd {
            let epmd = resolve(host, self.cfg.epmd_port)?;
            match epmd_client::port_please(epmd, alive) {
                Ok(Some((port, _))) => port,
                Ok(None) => return Err(format!("no node {alive} on {host}")),
                Err(e) => return Err(format!("EPMD on {host}: {e}")),
            }
        } else {
            self.cfg.port.ok_or("--no-epmd needs --dist-port")?
        };
        let addr = resolve(host, port)?;
        let s = TcpStream::connect_timeout(&addr, Duration::from_secs(5))
            .map_err(|e| format!("connect to {peer}: {e}"))?;
        let _ = s.set_nodelay(true);
        Ok(s)
    }

    /// The simultaneous-connect rule, asked by `handshake::accept` when
    /// `name` connects to us. As OTP's `mark_pending`, admitting a node
    /// enters its connection in the table at once (set up by this
    /// accept), so that a send to it meanwhile waits for this connection
    /// instead of starting one of its own. Returns the connection this
    /// accept is for, if any.
    fn admit(self: &Arc<Self>, name: &str) -> (Admit, Option<Arc<Connection>>) {
        let node = Atom::new(name);
        let mut conns = self.conns.lock().expect("conns lock");
        let entry = conns.get(&node).cloned();
        match entry.as_ref().map(|c| c.state()) {
            // A connection going down is as good as gone.
            None | Some(State::Down) => {
                let c = Connection::new(node, Arc::downgrade(self));
                conns.insert(node, c.clone());
                (Admit::Ok, Some(c))
            }
            Some(State::Up) => (Admit::Alive, None),
            // We are connecting too: the greater name wins.
            Some(State::Connecting) if self.cfg.name.as_str() > name => (Admit::Nok, None),
            Some(State::Connecting) => {
                let c = entry.expect("an entry");
                c.give_way();
                (Admit::OkSimultaneous, Some(c))
            }
        }
    }

    /// An accepted, authenticated connection from `peer`.
    fn accepted(self: &Arc<Self>, stream: TcpStream, peer: &handshake::Peer) {
        let node = Atom::new(&peer.name);
        let mut conns = self.conns.lock().expect("conns lock");
        let old = conns.get(&node).cloned();
        let conn = match old {
            // Our own attempt lost the race: it goes up with this socket.
            Some(c) if c.state() == State::Connecting => c,
            old => {
                let c = Connection::new(node, Arc::downgrade(self));
                conns.insert(node, c.clone());
                // (One already going down needs no closing.)
                if let Some(old) = old.filter(|o| o.is_up()) {
                    drop(conns);
                    old.close("replaced by a new connection");
                    conns = self.conns.lock().expect("conns lock");
                    conns.insert(node, c.clone());
                }
                c
            }
        };
        drop(conns);
        conn.go_up(stream, peer);
    }

    /// Called by a connection when it goes down: forget it (if it is
    /// still the one in the table), so the next use connects anew.
    pub(crate) fn forget(&self, conn: &Arc<Connection>) {
        let mut conns = self.conns.lock().expect("conns lock");
        if conns.get(&conn.peer).is_some_and(|c| Arc::ptr_eq(c, conn)) {
            conns.remove(&conn.peer);
        }
    }

    /// Called by a connection that went down, once its `:noconnection`
    /// signals are sent: tell the node monitors.
    pub(crate) fn went_down(&self, conn: &Arc<Connection>, was_up: bool) {
        if was_up {
            self.node_event(conn.peer, false);
        } else {
            // `node.monitor` on a node that never came up: nodedown too.
            let watchers = self
                .watch
                .lock()
                .expect("watch lock")
                .by_node
                .remove(&conn.peer);
            if let Some(w) = watchers {
                self.tell(&w, conn.peer, false);
            }
        }
    }

    /// Called by a connection when it comes up.
    pub(crate) fn came_up(&self, node: Atom) {
        self.node_event(node, true);
    }

    fn node_event(&self, node: Atom, up: bool) {
        let (direct, all) = {
            let mut w = self.watch.lock().expect("watch lock");
            let direct = if up {
                Vec::new()
            } else {
                w.by_node.remove(&node).unwrap_or_default()
            };
            (direct, w.all.clone())
        };
        self.tell(&direct, node, up);
        self.tell(&all, node, up);
    }

    fn tell(&self, pids: &[Pid], node: Atom, up: bool) {
        let Some(rt) = self.runtime() else { return };
        let tag = Atom::new(if up { "nodeup" } else { "nodedown" });
        for &pid in pids {
            let msg = Value::tuple(vec![Value::Atom(tag), Value::Atom(node)]);
            rt.scheduler
                .deliver(pid, Signal::Message(Message::copy_of(&msg)));
        }
    }

    /// `node.monitor(node, true/false)`. A node that is not connected is
    /// connected to; if that fails, `(:nodedown, node)` comes at once.
    pub(crate) fn monitor_node(self: &Arc<Self>, pid: Pid, node: Atom, on: bool) {
        if node == self.name {
            return;
        }
        let mut w = self.watch.lock().expect("watch lock");
        if on {
            w.by_node.entry(node).or_default().push(pid);
            drop(w);
            self.connection(node);
        } else if let Some(v) = w.by_node.get_mut(&node) {
            if let Some(i) = v.iter().position(|&p| p == pid) {
                v.remove(i);
            }
        }
    }

    /// `node.monitor_nodes(true/false)`.
    pub(crate) fn monitor_nodes(&self, pid: Pid, on: bool) {
        let mut w = self.watch.lock().expect("watch lock");
        w.all.retain(|&p| p != pid);
        if on {
            w.all.push(pid);
        }
    }

    /// `node.disconnect(node)`: true if there was a connection.
    pub(crate) fn disconnect(&self, node: Atom) -> bool {
        match self.existing(node) {
            Some(c) => {
                c.close("disconnected");
                true
            }
            None => false,
        }
    }

    /// One line on the VM's error stream.
    pub(crate) fn report(&self, line: &str) {
        if let Some(rt) = self.runtime() {
            rt.write_err(&format!("=dist= {}: {line}\n", self.cfg.name));
        }
    }

    /// Closes every connection (the VM stops).
    pub fn stop(&self) {
        if self.stopped.swap(true, Ordering::SeqCst) {
            return;
        }
        let all: Vec<_> = self
            .conns
            .lock()
            .expect("conns lock")
            .values()
            .cloned()
            .collect();
        // What was sent before the end goes out first (bounded in time:
        // a peer that reads nothing cannot hold the end up for long).
        let deadline = std::time::Instant::now() + DRAIN;
        for c in &all {
            c.drain(deadline);
        }
        for c in all {
            c.close("the node stops");
        }
        if let Some(r) = self.registration.lock().expect("registration lock").take() {
            let _ = r.shutdown(std::net::Shutdown::Both);
        }
        // Wake the accept loop so that it sees `stopped` and ends.
        let _ = TcpStream::connect_timeout(
            &SocketAddr::from(([127, 0, 0, 1], self.port)),
            Duration::from_millis(200),
        );
    }
}

fn resolve(host: &str, port: u16) -> Result<SocketAddr, String> {
    (host, port)
        .to_socket_addrs()
        .map_err(|e| format!("cannot resolve {host}: {e}"))?
        .find(SocketAddr::is_ipv4)
        .ok_or_else(|| format!("cannot resolve {host}"))
}

/// Registers with EPMD, starting one if none answers.
fn register(cfg: &NodeConfig, alive: &str, port: u16) -> Result<(TcpStream, u32), DistError> {
    let epmd = SocketAddr::from(([127, 0, 0, 1], cfg.epmd_port));
    let first = epmd_client::register(epmd, alive, port);
    let refused = match &first {
        Ok(_) => false,
        Err(e) => matches!(
            e.kind(),
            std::io::ErrorKind::ConnectionRefused | std::io::ErrorKind::NotFound
        ),
    };
    if !refused {
        return first.map_err(|e| DistError::Epmd(e.to_string()));
    }
    match &cfg.start_epmd {
        Some(start) => start(cfg.epmd_port).map_err(|e| DistError::Epmd(e.to_string()))?,
        None => {
            let listener = TcpListener::bind(epmd).map_err(|e| DistError::Epmd(e.to_string()))?;
            std::thread::Builder::new()
                .name("reef-epmd".into())
                .spawn(move || super::epmd_server::serve(listener, Default::default()))
                .map_err(|e| DistError::Epmd(e.to_string()))?;
        }
    }
    // It takes the new EPMD a moment to listen.
    let mut last = None;
    for _ in 0..50 {
        match epmd_client::register(epmd, alive, port) {
            Ok(r) => return Ok(r),
            Err(e) => last = Some(e),
        }
        std::thread::sleep(Duration::from_millis(40));
    }
    Err(DistError::Epmd(
        last.map_or_else(|| "no EPMD".to_string(), |e| e.to_string()),
    ))
}

/// A creation for a node that does not register (EPMD gives the others):
/// nonzero and unlikely to repeat.
fn fallback_creation() -> u32 {
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(1, |d| d.as_nanos() as u32);
    (t ^ std::process::id()) | 4
}

fn accept_loop(listener: TcpListener, dist: Weak<Dist>) {
    for stream in listener.incoming() {
        let Some(d) = dist.upgrade() else { return };
        if d.stopped.load(Ordering::SeqCst) {
            return;
        }
        let Ok(mut stream) = stream else { continue };
        let _ = std::thread::Builder::new()
            .name("reef-dist-handshake".into())
            .spawn(move || {
                let _ = stream.set_nodelay(true);
                let cfg = d.handshake_config();
                let pending = Mutex::new(None);
                let admit = |name: &str| {
                    let (a, c) = d.admit(name);
                    *pending.lock().expect("pending lock") = c;
                    a
                };
                match handshake::accept(&mut stream, &cfg, &admit) {
                    Ok(peer) => d.accepted(stream, &peer),
                    Err(e) => {
                        // The connection admitted for this accept fails
                        // with it (if it is still being set up).
                        if let Some(c) = pending.lock().expect("pending lock").take() {
                            c.fail(&e.to_string());
                        }
                        // A wrong cookie, garbage or silence is reported;
                        // a refusal by the connect rules is routine.
                        use handshake::HandshakeError as H;
                        if matches!(
                            e,
                            H::BadCookie { .. } | H::Protocol { .. } | H::Timeout { .. }
                        ) {
                            d.report(&e.to_string());
                        }
                    }
                }
            });
    }
}
