//! An EPMD-compatible port mapper (what `reef epmd` runs): nodes, Reef's
//! or real `erl`'s, register their name and port with it and find each
//! other through it.
//!
//! As epmd (erts/epmd/src/epmd_srv.c): a request is a 2-byte length (1 to
//! 1021) and the request; the server answers and closes the connection,
//! except after a successful ALIVE2_REQ, whose connection *is* the
//! registration: when it closes, or anything more arrives on it, the name
//! is unregistered. ALIVE2, DUMP, KILL and STOP are taken only from a
//! local peer. Creations are epmd's: a counter started from the clock,
//! at least 4, bumped each time a name registers again (1..3 for a node
//! that speaks only protocol version 5). Malformed input closes that
//! client only.
//!
//! One thread per connection (blocking sockets, as the rest of the
//! distribution layer); at most [`MAX_CONNECTIONS`] at a time.

use std::collections::VecDeque;
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread;
use std::time::Duration;

use super::epmd_client::{
    ALIVE2_REQ, ALIVE2_RESP, ALIVE2_X_RESP, DUMP_REQ, KILL_REQ, NAMES_REQ, PORT2_RESP,
    PORT_PLEASE2_REQ, STOP_REQ,
};

/// The most connections served at once (epmd's default `-max_conn`...
/// is about FD_SETSIZE; each of ours is a thread, so fewer).
pub const MAX_CONNECTIONS: usize = 1024;

/// epmd's input buffer: a request is at most 1021 bytes.
const INBUF_SIZE: usize = 1024;

/// How long a client may take to send its request.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// How many unregistered names are remembered so that their creation can
/// be bumped when they come back (epmd's MAX_UNREG_COUNT).
const MAX_UNREG_COUNT: usize = 1000;

/// epmd's MAXSYMLEN: the longest name or extra field, in bytes.
const MAXSYMLEN: usize = 255 * 4;

/// Options epmd takes on its command line.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// `-relaxed_command_check`: KILL_REQ stops the server even while
    /// nodes are registered, and STOP_REQ may unregister a name.
    pub relaxed_command_check: bool,
}

struct Node {
    name: String,
    port: u16,
    node_type: u8,
    protocol: u8,
    highest: u16,
    lowest: u16,
    extra: Vec<u8>,
    cr_counter: u32,
    /// The connection holding the registration (to close it on STOP_REQ),
    /// and its number (DUMP's "fd").
    conn: Option<TcpStream>,
    conn_id: usize,
}

impl Node {
    fn creation(&self) -> u32 {
        if self.highest >= 6 {
            self.cr_counter
        } else {
            self.cr_counter % 3 + 1
        }
    }
}

fn bump(counter: u32) -> u32 {
    counter.wrapping_add(1).max(4)
}

#[derive(Default)]
struct Registry {
    reg: Vec<Node>,
    /// Names that were registered, oldest first (their counter only).
    unreg: VecDeque<(String, u32)>,
}

struct Shared {
    registry: Mutex<Registry>,
    options: Options,
    local: SocketAddr,
    stopping: AtomicBool,
    connections: AtomicUsize,
    next_id: AtomicUsize,
}

impl Shared {
    fn registry(&self) -> MutexGuard<'_, Registry> {
        // A panic while holding the lock cannot leave the registry
        // half-updated in a way that matters more than losing the server.
        self.registry.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A running server (for tests and embedders): its address, and a way to
/// stop it.
pub struct Server {
    shared: Arc<Shared>,
    thread: Option<thread::JoinHandle<io::Result<()>>>,
}

impl Server {
    /// Serves on `listener` in a background thread.
    pub fn start(listener: TcpListener, options: Options) -> io::Result<Server> {
        let shared = new_shared(&listener, options)?;
        let s = shared.clone();
        let thread = thread::Builder::new()
            .name("epmd".into())
            .spawn(move || accept_loop(listener, s))?;
        Ok(Server {
            shared,
            thread: Some(thread),
        })
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.shared.local
    }

    /// Stops accepting and closes every registration.
    pub fn stop(mut self) {
        self.halt();
    }

    fn halt(&mut self) {
        stop(&self.shared);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.halt();
    }
}

/// Binds `addr` and serves until a KILL_REQ stops the server (what
/// `reef epmd` calls).
pub fn run(addr: SocketAddr) -> io::Result<()> {
    serve(TcpListener::bind(addr)?, Options::default())
}

/// Serves on `listener` until a KILL_REQ stops the server.
pub fn serve(listener: TcpListener, options: Options) -> io::Result<()> {
    let shared = new_shared(&listener, options)?;
    accept_loop(listener, shared)
}

fn new_shared(listener: &TcpListener, options: Options) -> io::Result<Arc<Shared>> {
    Ok(Arc::new(Shared {
        registry: Mutex::new(Registry::default()),
        options,
        local: listener.local_addr()?,
        stopping: AtomicBool::new(false),
        connections: AtomicUsize::new(0),
        next_id: AtomicUsize::new(1),
    }))
}

fn accept_loop(listener: TcpListener, shared: Arc<Shared>) -> io::Result<()> {
    for conn in listener.incoming() {
        if shared.stopping.load(Ordering::SeqCst) {
            break;
        }
        let Ok(conn) = conn else {
            // ECONNABORTED and the like: that client only.
            continue;
        };
        if shared.connections.fetch_add(1, Ordering::SeqCst) >= MAX_CONNECTIONS {
            shared.connections.fetch_sub(1, Ordering::SeqCst);
            continue;
        }
        let s = shared.clone();
        let spawned = thread::Builder::new()
            .name("epmd-conn".into())
            .spawn(move || {
                let _ = client(conn, &s);
                s.connections.fetch_sub(1, Ordering::SeqCst);
            });
        if spawned.is_err() {
            shared.connections.fetch_sub(1, Ordering::SeqCst);
        }
    }
    Ok(())
}

/// Stops the accept loop (a connection to ourselves wakes it) and closes
/// every registration.
fn stop(shared: &Shared) {
    if shared.stopping.swap(true, Ordering::SeqCst) {
        return;
    }
    let mut wake = shared.local;
    if wake.ip().is_unspecified() {
        wake.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
    }
    let _ = TcpStream::connect_timeout(&wake, Duration::from_secs(1));
    for node in shared.registry().reg.iter() {
        if let Some(c) = &node.conn {
            let _ = c.shutdown(Shutdown::Both);
        }
    }
}

/// Whether the peer is on this machine (epmd's conn_local_peer_check).
fn local_peer(conn: &TcpStream) -> bool {
    match (conn.peer_addr(), conn.local_addr()) {
        (Ok(peer), Ok(local)) => peer.ip().is_loopback() || peer.ip() == local.ip(),
        _ => false,
    }
}

/// Serves one connection: reads one request and answers it.
fn client(mut conn: TcpStream, shared: &Shared) -> io::Result<()> {
    conn.set_read_timeout(Some(REQUEST_TIMEOUT))?;
    conn.set_write_timeout(Some(REQUEST_TIMEOUT))?;
    let mut len = [0; 2];
    conn.read_exact(&mut len)?;
    let len = usize::from(u16::from_be_bytes(len));
    if len < 1 || len + 2 >= INBUF_SIZE {
        return Ok(());
    }
    let mut buf = vec![0; len];
    conn.read_exact(&mut buf)?;
    let local = local_peer(&conn);
    match buf[0] {
        ALIVE2_REQ if local => alive2(conn, &buf, shared),
        PORT_PLEASE2_REQ => port_please2(&mut conn, &buf, shared),
        NAMES_REQ => names(&mut conn, shared, false),
        DUMP_REQ if local => names(&mut conn, shared, true),
        KILL_REQ if local => kill(&mut conn, shared),
        STOP_REQ if local => stop_req(&mut conn, &buf, shared),
        // Garbage, or a privileged request from afar: closed unanswered.
        _ => Ok(()),
    }
}

fn be16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

/// A node name epmd accepts: valid UTF-8 of 1 to 255 characters, no NUL.
fn valid_name(name: &[u8]) -> Option<&str> {
    let s = std::str::from_utf8(name).ok()?;
    let n = s.chars().count();
    ((1..=255).contains(&n) && !name.contains(&0)).then_some(s)
}

fn alive2(mut conn: TcpStream, buf: &[u8], shared: &Shared) -> io::Result<()> {
    // Tag, port, type, protocol, highest, lowest, name length: 11 bytes,
    // then the name and a 2-byte extra length (epmd wants more than 13).
    if buf.len() <= 13 {
        return Ok(());
    }
    let field = |at| be16(buf, at).unwrap_or(0);
    let (port, node_type, protocol) = (field(1), buf[3], buf[4]);
    let (highest, lowest) = (field(5), field(7));
    let namelen = usize::from(field(9));
    let Some(extralen) = be16(buf, 11 + namelen).map(usize::from) else {
        return Ok(());
    };
    let Some(extra) = buf.get(13 + namelen..13 + namelen + extralen) else {
        return Ok(());
    };
    let raw_name = &buf[11..11 + namelen];
    if raw_name.contains(&0) {
        return Ok(());
    }
    let conn_id = shared.next_id.fetch_add(1, Ordering::SeqCst);
    let registered = {
        let mut r = shared.registry();
        let name = valid_name(raw_name).filter(|_| namelen <= MAXSYMLEN && extralen <= MAXSYMLEN);
        match name {
            Some(name) if !r.reg.iter().any(|n| n.name == name) => {
                let cr_counter = match r.unreg.iter().position(|(n, _)| n == name) {
                    Some(i) => bump(r.unreg.remove(i).map_or(0, |(_, c)| c)),
                    None => {
                        if r.unreg.len() > MAX_UNREG_COUNT {
                            r.unreg.pop_front();
                        }
                        bump(now_secs())
                    }
                };
                let node = Node {
                    name: name.to_string(),
                    port,
                    node_type,
                    protocol,
                    highest,
                    lowest,
                    extra: extra.to_vec(),
                    cr_counter,
                    conn: conn.try_clone().ok(),
                    conn_id,
                };
                let creation = node.creation();
                r.reg.insert(0, node);
                Some(creation)
            }
            _ => None,
        }
    };
    let mut reply = vec![if highest >= 6 {
        ALIVE2_X_RESP
    } else {
        ALIVE2_RESP
    }];
    reply.push(if registered.is_some() { 0 } else { 1 });
    let creation = registered.unwrap_or(99);
    if highest >= 6 {
        reply.extend_from_slice(&creation.to_be_bytes());
    } else {
        reply.extend_from_slice(&(creation as u16).to_be_bytes());
    }
    let sent = conn.write_all(&reply);
    if registered.is_none() {
        return sent;
    }
    if sent.is_ok() && !shared.stopping.load(Ordering::SeqCst) {
        // The registration lasts until the connection closes or says
        // anything more.
        let _ = conn.set_read_timeout(None);
        let mut b = [0; 64];
        let _ = conn.read(&mut b);
    }
    unregister(shared, |n| n.conn_id == conn_id);
    Ok(())
}

fn now_secs() -> u32 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as u32)
}

/// Moves the node that `which` picks to the unregistered list; returns
/// its connection.
fn unregister(shared: &Shared, which: impl Fn(&Node) -> bool) -> Option<Option<TcpStream>> {
    let mut r = shared.registry();
    let i = r.reg.iter().position(which)?;
    let node = r.reg.remove(i);
    r.unreg.push_back((node.name, node.cr_counter));
    Some(node.conn)
}

fn port_please2(conn: &mut TcpStream, buf: &[u8], shared: &Shared) -> io::Result<()> {
    let mut name = &buf[1..];
    if name.last() == Some(&0) {
        name = &name[..name.len() - 1];
    }
    let Some(name) = valid_name(name) else {
        return Ok(());
    };
    let mut reply = vec![PORT2_RESP];
    match shared.registry().reg.iter().find(|n| n.name == name) {
        Some(n) => {
            reply.push(0);
            reply.extend_from_slice(&n.port.to_be_bytes());
            reply.push(n.node_type);
            reply.push(n.protocol);
            reply.extend_from_slice(&n.highest.to_be_bytes());
            reply.extend_from_slice(&n.lowest.to_be_bytes());
            reply.extend_from_slice(&(n.name.len() as u16).to_be_bytes());
            reply.extend_from_slice(n.name.as_bytes());
            reply.extend_from_slice(&(n.extra.len() as u16).to_be_bytes());
            reply.extend_from_slice(&n.extra);
        }
        None => reply.push(1),
    }
    conn.write_all(&reply)
}

/// NAMES_REQ and DUMP_REQ: this server's port, then a line per node.
fn names(conn: &mut TcpStream, shared: &Shared, dump: bool) -> io::Result<()> {
    let mut out = u32::from(shared.local.port()).to_be_bytes().to_vec();
    {
        let r = shared.registry();
        for n in &r.reg {
            let line = if dump {
                format!(
                    "active name     <{}> at port {}, fd = {}\n\0",
                    n.name, n.port, n.conn_id
                )
            } else {
                format!("name {} at port {}\n", n.name, n.port)
            };
            out.extend_from_slice(line.as_bytes());
        }
        if dump {
            for (name, _) in &r.unreg {
                out.extend_from_slice(
                    format!("old/unused name <{name}>, port = 0, fd = 0 \n\0").as_bytes(),
                );
            }
        }
    }
    conn.write_all(&out)
}

fn kill(conn: &mut TcpStream, shared: &Shared) -> io::Result<()> {
    if !shared.options.relaxed_command_check && !shared.registry().reg.is_empty() {
        return conn.write_all(b"NO");
    }
    conn.write_all(b"OK")?;
    stop(shared);
    Ok(())
}

fn stop_req(conn: &mut TcpStream, buf: &[u8], shared: &Shared) -> io::Result<()> {
    if !shared.options.relaxed_command_check || buf.len() <= 1 {
        return Ok(());
    }
    let name = String::from_utf8_lossy(&buf[1..]).into_owned();
    match unregister(shared, |n| n.name == name) {
        None => conn.write_all(b"NOEXIST"),
        Some(node_conn) => {
            if let Some(c) = node_conn {
                let _ = c.shutdown(Shutdown::Both);
            }
            conn.write_all(b"STOPPED")
        }
    }
}

#[cfg(test)]
mod tests;
