//! Both sides of the distribution handshake, version 6 (OTP 23+), over a
//! blocking `TcpStream` (erl_dist_protocol, "Distribution Handshake";
//! lib/kernel/src/dist_util.erl).
//!
//! During the handshake every message is a 2-byte big-endian length and
//! the message. A is the node that connects ([`connect`]), B the one that
//! accepts ([`accept`]):
//!
//! ```text
//! A -> B  send_name        'N' Flags:64 Creation:32 NameLen:16 Name
//! B -> A  send_status      's' Status          (ok, ok_simultaneous, nok, not_allowed, alive)
//!        (alive only:      A -> B 's' "true" | "false")
//! B -> A  send_challenge   'N' Flags:64 Challenge:32 Creation:32 NameLen:16 Name
//!        (complement only if A sent the old 'n' name: A -> B 'c' FlagsHigh:32 Creation:32)
//! A -> B  challenge_reply  'r' Challenge:32 Digest:16B    Digest = MD5(cookie ++ B's challenge in decimal)
//! B -> A  challenge_ack    'a' Digest:16B                 Digest = MD5(cookie ++ A's challenge in decimal)
//! ```
//!
//! A wrong cookie is detected by B, which closes the connection without a
//! word (as OTP does): `accept` then returns [`HandshakeError::BadCookie`]
//! and `connect` [`HandshakeError::CookieRejected`].
//!
//! # Statuses and the simultaneous-connect rule
//!
//! `accept` reads A's name and checks its flags, then calls the `resolve`
//! callback with A's full node name exactly once, before it sends any
//! status; the connection manager answers from what it knows of that node:
//!
//! * [`Admit::Ok`]: no connection to A exists or is being set up. `accept`
//!   sends `ok` and goes on.
//! * [`Admit::OkSimultaneous`]: we are connecting to A at the same time
//!   and A wins (A's name is greater than ours, compared as atoms are:
//!   bytewise). `accept` sends `ok_simultaneous` and goes on; the manager
//!   must give up its own outgoing attempt (A will answer it `nok`).
//! * [`Admit::Nok`]: we are connecting to A at the same time and we win
//!   (our name is greater). `accept` sends `nok` and returns
//!   `Err(Refused { status: Nok })`: our own attempt carries on.
//! * [`Admit::NotAllowed`]: A may not connect. `accept` sends
//!   `not_allowed` and returns `Err(Refused { status: NotAllowed })`.
//! * [`Admit::Alive`]: a connection to A is already up (A restarted, or
//!   has not noticed the old connection died). `accept` sends `alive` and
//!   reads A's answer: `true` goes on (the manager must then drop the old
//!   connection and use this one), `false` returns
//!   `Err(Refused { status: Alive })`.
//!
//! On the other side, `connect` goes on after `ok` and `ok_simultaneous`;
//! after `nok` it returns `Err(Refused { status: Nok })` (B's attempt to
//! connect to us wins: the manager waits for it to arrive through
//! `accept`); after `not_allowed` likewise; after `alive` it asks its
//! `on_alive` callback ([`connect_with`]; `connect` answers `true`, as a
//! node that is connecting has no live connection to B and wants the new
//! one) and sends the answer, returning `Err(Refused { status: Alive })`
//! when it said `false`.
//!
//! Every read and write has a deadline: the whole handshake must finish
//! within [`HANDSHAKE_TIMEOUT`] (OTP's `net_setuptime`, 7 s), so a peer that
//! says nothing, or trickles bytes, cannot hang us. On success the
//! stream's timeouts are reset to none; the connection's owner sets its
//! own (see `framing`).

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use md5::{Digest, Md5};

mod error;
mod flags;

pub use error::{HandshakeError, Side, Status};
pub use flags::*;

/// How long a whole handshake may take.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(7);

/// This node, as the handshake presents it.
#[derive(Debug, Clone)]
pub struct Config {
    /// This node's full name, `alive@host`.
    pub this: String,
    pub creation: u32,
    pub cookie: String,
    pub flags: u64,
}

/// The node at the other end, once the handshake succeeded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Peer {
    pub name: String,
    /// The flags both sides advertised (ours AND theirs): what this
    /// connection uses, as OTP's `dist_util` agrees them (so `PUBLISHED`
    /// only if both are published, `FRAGMENTS` only if both fragment).
    pub flags: u64,
    pub creation: u32,
}

/// What the connection manager says about a node that connects to us
/// (see the module documentation for when each applies).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admit {
    Ok,
    OkSimultaneous,
    Nok,
    NotAllowed,
    Alive,
}

/// One handshake in progress: the stream, the deadline, and who the peer
/// is as far as we know.
struct Hs<'a> {
    s: &'a mut TcpStream,
    side: Side,
    peer: String,
    deadline: Instant,
}

/// The longest handshake message we accept (a name is at most 255
/// characters of up to 4 bytes).
const MAX_MESSAGE: usize = 2048;

impl Hs<'_> {
    fn new(s: &mut TcpStream, side: Side, timeout: Duration) -> Hs<'_> {
        let peer = s
            .peer_addr()
            .map_or_else(|_| "an unknown peer".to_string(), |a| a.to_string());
        Hs {
            s,
            side,
            peer,
            deadline: Instant::now() + timeout,
        }
    }

    fn io(&self, error: io::Error) -> HandshakeError {
        match error.kind() {
            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => HandshakeError::Timeout {
                side: self.side,
                peer: self.peer.clone(),
            },
            _ => HandshakeError::Io {
                side: self.side,
                peer: self.peer.clone(),
                error,
            },
        }
    }

    fn protocol(&self, what: impl Into<String>) -> HandshakeError {
        HandshakeError::Protocol {
            side: self.side,
            peer: self.peer.clone(),
            what: what.into(),
        }
    }

    /// The time left, or a timeout error.
    fn remaining(&self) -> Result<Duration, HandshakeError> {
        let left = self.deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(self.io(io::ErrorKind::TimedOut.into()));
        }
        Ok(left)
    }

    fn send(&mut self, msg: &[u8]) -> Result<(), HandshakeError> {
        let left = self.remaining()?;
        self.s
            .set_write_timeout(Some(left))
            .map_err(|e| self.io(e))?;
        let mut buf = Vec::with_capacity(msg.len() + 2);
        buf.extend_from_slice(&(msg.len() as u16).to_be_bytes());
        buf.extend_from_slice(msg);
        self.s.write_all(&buf).map_err(|e| self.io(e))
    }

    fn read_exact(&mut self, buf: &mut [u8]) -> Result<(), HandshakeError> {
        let mut got = 0;
        while got < buf.len() {
            let left = self.remaining()?;
            self.s
                .set_read_timeout(Some(left))
                .map_err(|e| self.io(e))?;
            match self.s.read(&mut buf[got..]) {
                Ok(0) => return Err(self.io(io::ErrorKind::UnexpectedEof.into())),
                Ok(n) => got += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(self.io(e)),
            }
        }
        Ok(())
    }

    /// One length-prefixed handshake message (never empty).
    fn recv(&mut self) -> Result<Vec<u8>, HandshakeError> {
        let mut len = [0; 2];
        self.read_exact(&mut len)?;
        let len = usize::from(u16::from_be_bytes(len));
        if len == 0 || len > MAX_MESSAGE {
            return Err(self.protocol(format!("handshake message of {len} bytes")));
        }
        let mut msg = vec![0; len];
        self.read_exact(&mut msg)?;
        Ok(msg)
    }

    fn done(self) -> Result<(), HandshakeError> {
        let r = self
            .s
            .set_read_timeout(None)
            .and_then(|()| self.s.set_write_timeout(None));
        r.map_err(|e| self.io(e))
    }
}

/// A cursor over a received message; every read is bounds-checked.
struct Fields<'a> {
    b: &'a [u8],
    at: usize,
}

impl<'a> Fields<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let s = self.b.get(self.at..self.at.checked_add(n)?)?;
        self.at += n;
        Some(s)
    }
    fn u16(&mut self) -> Option<u16> {
        Some(u16::from_be_bytes(self.take(2)?.try_into().ok()?))
    }
    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_be_bytes(self.take(4)?.try_into().ok()?))
    }
    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_be_bytes(self.take(8)?.try_into().ok()?))
    }
    fn rest(&mut self) -> &'a [u8] {
        let s = &self.b[self.at.min(self.b.len())..];
        self.at = self.b.len();
        s
    }
    fn end(&self) -> bool {
        self.at >= self.b.len()
    }
}

/// MD5 of the cookie followed by the challenge in decimal.
pub fn digest(challenge: u32, cookie: &str) -> [u8; 16] {
    let mut h = Md5::new();
    h.update(cookie.as_bytes());
    h.update(challenge.to_string().as_bytes());
    h.finalize().into()
}

/// A challenge nobody can predict: the OS's hash seed, mixed with the
/// time, through the std hasher (no RNG crate needed for 32 bits that
/// only have to differ between handshakes).
fn gen_challenge() -> u32 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    h.finish() as u32
}

/// A node name we accept from a peer: `alive@host`, both parts
/// non-empty, at most 255 characters.
fn valid_node_name(name: &str) -> bool {
    match name.split_once('@') {
        Some((alive, host)) => {
            !alive.is_empty()
                && !host.is_empty()
                && !host.contains('@')
                && name.chars().count() <= 255
        }
        None => false,
    }
}

fn utf8_name(bytes: &[u8]) -> Option<String> {
    let s = std::str::from_utf8(bytes).ok()?;
    valid_node_name(s).then(|| s.to_string())
}

/// Connects as A, answering `alive` with `true`.
pub fn connect(stream: &mut TcpStream, cfg: &Config) -> Result<Peer, HandshakeError> {
    connect_with(stream, cfg, &|_| true)
}

/// Connects as A; `on_alive(peer)` answers B's `alive` status (whether to
/// replace B's old connection to this node). B's name is not known yet at
/// that point: `peer` is its address.
pub fn connect_with(
    stream: &mut TcpStream,
    cfg: &Config,
    on_alive: &dyn Fn(&str) -> bool,
) -> Result<Peer, HandshakeError> {
    connect_within(stream, cfg, on_alive, HANDSHAKE_TIMEOUT)
}

/// [`connect_with`], with the whole handshake bounded by `timeout`.
pub fn connect_within(
    stream: &mut TcpStream,
    cfg: &Config,
    on_alive: &dyn Fn(&str) -> bool,
    timeout: Duration,
) -> Result<Peer, HandshakeError> {
    let mut hs = Hs::new(stream, Side::To, timeout);
    let _ = hs.s.set_nodelay(true);
    check_config(&hs, cfg)?;

    // send_name
    let name = cfg.this.as_bytes();
    let mut msg = vec![b'N'];
    msg.extend_from_slice(&cfg.flags.to_be_bytes());
    msg.extend_from_slice(&cfg.creation.to_be_bytes());
    msg.extend_from_slice(&(name.len() as u16).to_be_bytes());
    msg.extend_from_slice(name);
    hs.send(&msg)?;

    // recv_status
    let status = hs.recv()?;
    let status = match status.as_slice() {
        [b's', rest @ ..] => match rest {
            b"ok" => Status::Ok,
            b"ok_simultaneous" => Status::OkSimultaneous,
            b"nok" => Status::Nok,
            b"not_allowed" => Status::NotAllowed,
            b"alive" => Status::Alive,
            r if r.starts_with(b"named:") => Status::Named,
            r => {
                return Err(hs.protocol(format!("unknown status `{}`", String::from_utf8_lossy(r))))
            }
        },
        _ => return Err(hs.protocol("expected a status message")),
    };
    match status {
        Status::Ok | Status::OkSimultaneous => {}
        Status::Alive => {
            let yes = on_alive(&hs.peer);
            hs.send(if yes { b"strue" } else { b"sfalse" })?;
            if !yes {
                return Err(HandshakeError::Refused {
                    side: Side::To,
                    peer: hs.peer.clone(),
                    status,
                });
            }
        }
        Status::Named => return Err(hs.protocol("`named:` status to a request for no name")),
        Status::Nok | Status::NotAllowed => {
            return Err(HandshakeError::Refused {
                side: Side::To,
                peer: hs.peer.clone(),
                status,
            })
        }
    }

    // recv_challenge
    let msg = hs.recv()?;
    let mut f = Fields { b: &msg, at: 0 };
    let parsed = (|| {
        if f.take(1)? != b"N" {
            return None;
        }
        let flags = f.u64()?;
        let challenge = f.u32()?;
        let creation = f.u32()?;
        let len = usize::from(f.u16()?);
        let name = f.take(len)?;
        f.end().then_some((flags, challenge, creation, name))
    })();
    let Some((flags, challenge, creation, name)) = parsed else {
        return Err(hs.protocol(match msg.first() {
            Some(b'n') => "the peer speaks only the pre-OTP-23 handshake".to_string(),
            _ => "malformed challenge".to_string(),
        }));
    };
    let Some(name) = utf8_name(name) else {
        return Err(hs.protocol("invalid node name in the challenge"));
    };
    hs.peer = name.clone();
    check_flags(&hs, flags)?;

    // send_challenge_reply
    let ours = gen_challenge();
    let mut msg = vec![b'r'];
    msg.extend_from_slice(&ours.to_be_bytes());
    msg.extend_from_slice(&digest(challenge, &cfg.cookie));
    hs.send(&msg)?;

    // recv_challenge_ack
    let ack = match hs.recv() {
        Ok(ack) => ack,
        Err(HandshakeError::Io { error, .. })
            if matches!(
                error.kind(),
                io::ErrorKind::UnexpectedEof
                    | io::ErrorKind::ConnectionReset
                    | io::ErrorKind::ConnectionAborted
            ) =>
        {
            return Err(HandshakeError::CookieRejected { peer: hs.peer });
        }
        Err(e) => return Err(e),
    };
    match ack.as_slice() {
        [b'a', d @ ..] if d.len() == 16 => {
            if d != digest(ours, &cfg.cookie) {
                return Err(HandshakeError::BadCookie { peer: hs.peer });
            }
        }
        _ => return Err(hs.protocol("malformed challenge ack")),
    }
    hs.done()?;
    Ok(Peer {
        name,
        flags: flags & cfg.flags,
        creation,
    })
}

/// Our own name must be one a peer accepts (and fit a message).
fn check_config(hs: &Hs<'_>, cfg: &Config) -> Result<(), HandshakeError> {
    if !valid_node_name(&cfg.this) {
        return Err(hs.protocol(format!(
            "this node's name `{}` is not `alive@host` of at most 255 characters",
            cfg.this
        )));
    }
    Ok(())
}

fn check_flags(hs: &Hs<'_>, flags: u64) -> Result<(), HandshakeError> {
    let missing = DFLAGS_MANDATORY_25 & !flags;
    if missing != 0 {
        return Err(hs.protocol(format!(
            "the peer lacks mandatory distribution flags {missing:#x}"
        )));
    }
    Ok(())
}

/// Accepts as B; `resolve(peer name)` decides which status to send (see
/// the module documentation).
pub fn accept(
    stream: &mut TcpStream,
    cfg: &Config,
    resolve: &dyn Fn(&str) -> Admit,
) -> Result<Peer, HandshakeError> {
    accept_within(stream, cfg, resolve, HANDSHAKE_TIMEOUT)
}

/// [`accept`], with the whole handshake bounded by `timeout`.
pub fn accept_within(
    stream: &mut TcpStream,
    cfg: &Config,
    resolve: &dyn Fn(&str) -> Admit,
    timeout: Duration,
) -> Result<Peer, HandshakeError> {
    let mut hs = Hs::new(stream, Side::From, timeout);
    let _ = hs.s.set_nodelay(true);
    check_config(&hs, cfg)?;

    // recv_name: the new 'N' form, or the old 'n' form of a node that
    // found us registered with version 5 (it completes its flags and
    // creation with a complement later).
    let msg = hs.recv()?;
    let mut f = Fields { b: &msg, at: 0 };
    let parsed = (|| match f.take(1)? {
        b"N" => {
            let flags = f.u64()?;
            let creation = f.u32()?;
            let len = usize::from(f.u16()?);
            let name = f.take(len)?;
            f.end().then_some((flags, Some(creation), name))
        }
        b"n" => {
            let _version = f.u16()?;
            let flags = u64::from(f.u32()?);
            Some((flags, None, f.rest()))
        }
        _ => None,
    })();
    let Some((mut flags, creation, name)) = parsed else {
        return Err(hs.protocol("malformed name message"));
    };
    let Some(name) = utf8_name(name) else {
        return Err(hs.protocol("invalid node name"));
    };
    hs.peer = name.clone();
    if flags & DFLAG_NAME_ME != 0 {
        hs.send(b"snot_allowed")?;
        return Err(hs.protocol("dynamic node names are not supported"));
    }
    check_flags(&hs, flags)?;

    // send_status
    let admit = resolve(&name);
    let status = match admit {
        Admit::Ok => Status::Ok,
        Admit::OkSimultaneous => Status::OkSimultaneous,
        Admit::Nok => Status::Nok,
        Admit::NotAllowed => Status::NotAllowed,
        Admit::Alive => Status::Alive,
    };
    let mut msg = vec![b's'];
    msg.extend_from_slice(status.text().as_bytes());
    hs.send(&msg)?;
    match admit {
        Admit::Ok | Admit::OkSimultaneous => {}
        Admit::Nok | Admit::NotAllowed => {
            return Err(HandshakeError::Refused {
                side: Side::From,
                peer: name,
                status,
            })
        }
        Admit::Alive => match hs.recv()?.as_slice() {
            b"strue" => {}
            b"sfalse" => {
                return Err(HandshakeError::Refused {
                    side: Side::From,
                    peer: name,
                    status,
                })
            }
            _ => return Err(hs.protocol("expected `true` or `false` after `alive`")),
        },
    }

    // send_challenge (always the new form: every peer we accept has
    // HANDSHAKE_23)
    let ours = gen_challenge();
    let this = cfg.this.as_bytes();
    let mut msg = vec![b'N'];
    msg.extend_from_slice(&cfg.flags.to_be_bytes());
    msg.extend_from_slice(&ours.to_be_bytes());
    msg.extend_from_slice(&cfg.creation.to_be_bytes());
    msg.extend_from_slice(&(this.len() as u16).to_be_bytes());
    msg.extend_from_slice(this);
    hs.send(&msg)?;

    // recv_complement (old-form name only)
    let creation = match creation {
        Some(c) => c,
        None => {
            let msg = hs.recv()?;
            let mut f = Fields { b: &msg, at: 0 };
            let parsed = (|| {
                if f.take(1)? != b"c" {
                    return None;
                }
                let high = f.u32()?;
                let creation = f.u32()?;
                f.end().then_some((high, creation))
            })();
            let Some((high, creation)) = parsed else {
                return Err(hs.protocol("malformed complement"));
            };
            flags |= u64::from(high) << 32;
            creation
        }
    };

    // recv_challenge_reply
    let msg = hs.recv()?;
    let mut f = Fields { b: &msg, at: 0 };
    let parsed = (|| {
        if f.take(1)? != b"r" {
            return None;
        }
        let theirs = f.u32()?;
        let d = f.take(16)?;
        f.end().then_some((theirs, d))
    })();
    let Some((theirs, d)) = parsed else {
        return Err(hs.protocol("malformed challenge reply"));
    };
    if d != digest(ours, &cfg.cookie) {
        // As OTP: close without a word.
        let _ = hs.s.shutdown(std::net::Shutdown::Both);
        return Err(HandshakeError::BadCookie { peer: name });
    }

    // send_challenge_ack
    let mut msg = vec![b'a'];
    msg.extend_from_slice(&digest(theirs, &cfg.cookie));
    hs.send(&msg)?;
    hs.done()?;
    Ok(Peer {
        name,
        flags: flags & cfg.flags,
        creation,
    })
}

#[cfg(test)]
mod tests;
