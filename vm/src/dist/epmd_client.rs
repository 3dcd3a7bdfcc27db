//! The client side of EPMD, Erlang's port mapper: registering this node's
//! name and listening port, and looking other nodes up.
//!
//! Every request is a 2-byte big-endian length and the request; EPMD
//! answers and closes the connection, except for a registration
//! (ALIVE2_REQ), which lasts as long as its connection stays open: the
//! caller keeps the returned stream, and dropping it unregisters the name.
//! Every socket has a timeout ([`TIMEOUT`]), so an EPMD that accepts and
//! says nothing cannot hang us.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

/// EPMD's well-known port.
pub const EPMD_PORT: u16 = 4369;

/// How long a connect, a read or a write to EPMD may take.
pub const TIMEOUT: Duration = Duration::from_secs(5);

/// The distribution protocol versions this node speaks (OTP 23's 6; 5 is
/// what every OTP node still advertises as its lowest, and we register the
/// same range so that `erl` sends the new handshake's `N` name message).
pub const HIGHEST_VERSION: u16 = 6;
pub const LOWEST_VERSION: u16 = 5;

/// Request and response tags (erl_dist_protocol, "EPMD Protocol").
pub(crate) const ALIVE2_REQ: u8 = 120;
pub(crate) const ALIVE2_RESP: u8 = 121;
pub(crate) const ALIVE2_X_RESP: u8 = 118;
pub(crate) const PORT_PLEASE2_REQ: u8 = 122;
pub(crate) const PORT2_RESP: u8 = 119;
pub(crate) const NAMES_REQ: u8 = 110;
pub(crate) const DUMP_REQ: u8 = 100;
pub(crate) const KILL_REQ: u8 = 107;
pub(crate) const STOP_REQ: u8 = 115;

/// Node type in ALIVE2_REQ: 77 ('M') a normal node, 72 ('H') hidden.
pub const NODE_TYPE_NORMAL: u8 = 77;
/// Protocol 0: TCP over IPv4.
pub const PROTOCOL_TCP: u8 = 0;

/// The most bytes a NAMES response may hold before we give up on it: a
/// real EPMD with a thousand nodes sends about 40 KB.
const MAX_NAMES_RESPONSE: u64 = 1 << 20;

fn connect(epmd: SocketAddr) -> io::Result<TcpStream> {
    let s = TcpStream::connect_timeout(&epmd, TIMEOUT)?;
    s.set_read_timeout(Some(TIMEOUT))?;
    s.set_write_timeout(Some(TIMEOUT))?;
    s.set_nodelay(true)?;
    Ok(s)
}

fn request(s: &mut TcpStream, body: &[u8]) -> io::Result<()> {
    let len = u16::try_from(body.len())
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "EPMD request too long"))?;
    let mut buf = Vec::with_capacity(body.len() + 2);
    buf.extend_from_slice(&len.to_be_bytes());
    buf.extend_from_slice(body);
    s.write_all(&buf)
}

fn bad(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("EPMD: {what}"))
}

fn read_u8(s: &mut impl Read) -> io::Result<u8> {
    let mut b = [0; 1];
    s.read_exact(&mut b)?;
    Ok(b[0])
}

fn read_u16(s: &mut impl Read) -> io::Result<u16> {
    let mut b = [0; 2];
    s.read_exact(&mut b)?;
    Ok(u16::from_be_bytes(b))
}

fn read_u32(s: &mut impl Read) -> io::Result<u32> {
    let mut b = [0; 4];
    s.read_exact(&mut b)?;
    Ok(u32::from_be_bytes(b))
}

/// The ALIVE2_REQ body registering `alive` at `port` (a normal node over
/// TCP, versions 5..6, no extra data).
pub(crate) fn alive2_request(alive: &str, port: u16) -> io::Result<Vec<u8>> {
    let name = alive.as_bytes();
    if name.is_empty() || name.len() > 255 || name.contains(&0) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("invalid node name `{alive}` (1 to 255 bytes, no NUL)"),
        ));
    }
    let mut body = vec![ALIVE2_REQ];
    body.extend_from_slice(&port.to_be_bytes());
    body.push(NODE_TYPE_NORMAL);
    body.push(PROTOCOL_TCP);
    body.extend_from_slice(&HIGHEST_VERSION.to_be_bytes());
    body.extend_from_slice(&LOWEST_VERSION.to_be_bytes());
    body.extend_from_slice(&(name.len() as u16).to_be_bytes());
    body.extend_from_slice(name);
    body.extend_from_slice(&0u16.to_be_bytes());
    Ok(body)
}

/// Registers the node name `alive` (the part before `@`) as listening on
/// `port`. Returns the registration's connection, which the caller must
/// keep open for as long as the node is alive (closing it unregisters the
/// name), and the creation EPMD assigned to this incarnation.
///
/// A name already registered is `ErrorKind::AddrInUse`.
pub fn register(epmd: SocketAddr, alive: &str, port: u16) -> io::Result<(TcpStream, u32)> {
    let body = alive2_request(alive, port)?;
    let mut s = connect(epmd)?;
    request(&mut s, &body)?;
    let (result, creation) = match read_u8(&mut s)? {
        ALIVE2_X_RESP => (read_u8(&mut s)?, read_u32(&mut s)?),
        ALIVE2_RESP => (read_u8(&mut s)?, u32::from(read_u16(&mut s)?)),
        tag => return Err(bad(&format!("unexpected response {tag} to ALIVE2_REQ"))),
    };
    if result != 0 {
        return Err(io::Error::new(
            io::ErrorKind::AddrInUse,
            format!("EPMD refused to register `{alive}` (result {result}): the name is taken"),
        ));
    }
    // Nobody reads the registration's connection: EPMD never writes to it
    // again, and a timeout would only make a later reader see an error.
    s.set_read_timeout(None)?;
    Ok((s, creation))
}

/// What EPMD knows of a registered node (PORT2_RESP).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeInfo {
    pub port: u16,
    pub node_type: u8,
    pub protocol: u8,
    pub highest_version: u16,
    pub lowest_version: u16,
    pub name: String,
    pub extra: Vec<u8>,
}

/// The port and highest protocol version of the node registered as
/// `alive`, or `None` if no such node is registered.
pub fn port_please(epmd: SocketAddr, alive: &str) -> io::Result<Option<(u16, u16)>> {
    Ok(lookup(epmd, alive)?.map(|n| (n.port, n.highest_version)))
}

/// Everything EPMD answers to PORT_PLEASE2_REQ for `alive`.
pub fn lookup(epmd: SocketAddr, alive: &str) -> io::Result<Option<NodeInfo>> {
    let mut s = connect(epmd)?;
    let mut body = vec![PORT_PLEASE2_REQ];
    body.extend_from_slice(alive.as_bytes());
    request(&mut s, &body)?;
    match read_u8(&mut s)? {
        PORT2_RESP => {}
        tag => {
            return Err(bad(&format!(
                "unexpected response {tag} to PORT_PLEASE2_REQ"
            )))
        }
    }
    if read_u8(&mut s)? != 0 {
        return Ok(None);
    }
    let port = read_u16(&mut s)?;
    let node_type = read_u8(&mut s)?;
    let protocol = read_u8(&mut s)?;
    let highest_version = read_u16(&mut s)?;
    let lowest_version = read_u16(&mut s)?;
    let mut name = vec![0; usize::from(read_u16(&mut s)?)];
    s.read_exact(&mut name)?;
    let mut extra = vec![0; usize::from(read_u16(&mut s)?)];
    s.read_exact(&mut extra)?;
    Ok(Some(NodeInfo {
        port,
        node_type,
        protocol,
        highest_version,
        lowest_version,
        name: String::from_utf8(name).map_err(|_| bad("node name is not UTF-8"))?,
        extra,
    }))
}

/// The names and ports of the nodes registered with EPMD (what
/// `epmd -names` and `net_adm:names()` show).
pub fn names(epmd: SocketAddr) -> io::Result<Vec<(String, u16)>> {
    let text = text_request(epmd, NAMES_REQ)?;
    let mut out = Vec::new();
    for line in text.lines() {
        // "name NAME at port PORT"
        let parsed = line
            .strip_prefix("name ")
            .and_then(|rest| rest.rsplit_once(" at port "))
            .and_then(|(name, port)| Some((name.to_string(), port.trim().parse().ok()?)));
        match parsed {
            Some(entry) => out.push(entry),
            None => return Err(bad(&format!("malformed NAMES line `{line}`"))),
        }
    }
    Ok(out)
}

/// Sends a one-byte request whose answer is EPMD's port (4 bytes) and
/// then text until EPMD closes the connection; returns the text.
pub(crate) fn text_request(epmd: SocketAddr, tag: u8) -> io::Result<String> {
    let mut s = connect(epmd)?;
    request(&mut s, &[tag])?;
    let _epmd_port = read_u32(&mut s)?;
    let mut bytes = Vec::new();
    (&mut s).take(MAX_NAMES_RESPONSE).read_to_end(&mut bytes)?;
    // DUMP lines end with a NUL, as C strings.
    bytes.retain(|&b| b != 0);
    String::from_utf8(bytes).map_err(|_| bad("response is not UTF-8"))
}

/// Asks EPMD to stop (KILL_REQ). EPMD answers "OK" and exits, or "NO"
/// while nodes are registered (unless it runs with
/// `-relaxed_command_check`). Returns the answer.
pub fn kill(epmd: SocketAddr) -> io::Result<String> {
    let mut s = connect(epmd)?;
    request(&mut s, &[KILL_REQ])?;
    let mut answer = Vec::new();
    (&mut s).take(16).read_to_end(&mut answer)?;
    Ok(String::from_utf8_lossy(&answer).into_owned())
}
