//! A fake peer for the fault tests: a TCP connection made by the test
//! itself, with or without a real handshake (`reef_vm::dist::handshake`),
//! that then sends what it likes, written byte by byte in the external
//! term format.

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use reef_vm::dist::framing::{self, Packet};
use reef_vm::dist::{epmd_client, handshake};

/// The port `full` (`alive@host`) listens on, from the EPMD at `epmd`.
pub fn node_port(epmd: SocketAddr, full: &str) -> u16 {
    let alive = full.split('@').next().unwrap();
    epmd_client::port_please(epmd, alive)
        .expect("EPMD answers")
        .unwrap_or_else(|| panic!("{alive} is not registered"))
        .0
}

/// A bare TCP connection to the node (no handshake).
pub fn raw(port: u16) -> TcpStream {
    let s = TcpStream::connect(("127.0.0.1", port)).expect("connect to the node");
    s.set_read_timeout(Some(Duration::from_secs(1))).unwrap();
    s
}

/// Whether the node closes `s` within `secs` (reads EOF or an error).
pub fn closed_within(s: &mut TcpStream, secs: u64) -> bool {
    let end = Instant::now() + Duration::from_secs(secs);
    let mut buf = [0u8; 4096];
    s.set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    while Instant::now() < end {
        match s.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => {}
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(_) => return true,
        }
    }
    false
}

// The external term format, as much of it as the fake peer writes.

pub fn atom(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut v = vec![119, b.len() as u8];
    v.extend_from_slice(b);
    v
}

pub fn small(n: u8) -> Vec<u8> {
    vec![97, n]
}

pub fn tuple(elems: &[Vec<u8>]) -> Vec<u8> {
    let mut v = vec![104, elems.len() as u8];
    for e in elems {
        v.extend_from_slice(e);
    }
    v
}

pub fn list(elems: &[Vec<u8>]) -> Vec<u8> {
    let mut v = vec![108];
    v.extend_from_slice(&(elems.len() as u32).to_be_bytes());
    for e in elems {
        v.extend_from_slice(e);
    }
    v.push(106);
    v
}

/// A term with its leading version byte.
pub fn term(t: Vec<u8>) -> Vec<u8> {
    let mut v = vec![131];
    v.extend(t);
    v
}

/// A node of our own making that completed a real handshake.
pub struct Fake {
    pub name: String,
    pub stream: TcpStream,
    creation: u32,
    seq: u32,
}

impl Fake {
    pub fn connect(port: u16, name: &str, cookie: &str) -> Result<Fake, String> {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
        let creation = 0x1234_5678;
        let cfg = handshake::Config {
            this: name.to_string(),
            creation,
            cookie: cookie.to_string(),
            flags: handshake::DEFAULT_FLAGS,
        };
        handshake::connect(&mut stream, &cfg).map_err(|e| e.to_string())?;
        stream
            .set_read_timeout(Some(Duration::from_millis(200)))
            .unwrap();
        Ok(Fake {
            name: name.to_string(),
            stream,
            creation,
            seq: 0,
        })
    }

    /// Our process `id`, as a pid term.
    pub fn pid(&self, id: u32) -> Vec<u8> {
        let mut v = vec![88];
        v.extend(atom(&self.name));
        v.extend_from_slice(&id.to_be_bytes());
        v.extend_from_slice(&0u32.to_be_bytes());
        v.extend_from_slice(&self.creation.to_be_bytes());
        v
    }

    pub fn write(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.stream.write_all(bytes)
    }

    /// A pass-through packet: 112, the control term and the payload.
    pub fn send(&mut self, control: Vec<u8>, payload: Option<Vec<u8>>) -> std::io::Result<()> {
        let mut data = vec![112];
        data.extend(term(control));
        if let Some(p) = payload {
            data.extend(term(p));
        }
        let mut out = (data.len() as u32).to_be_bytes().to_vec();
        out.extend(data);
        self.stream.write_all(&out)
    }

    /// `REG_SEND` of `msg` to the process registered as `name`.
    pub fn reg_send(&mut self, name: &str, msg: Vec<u8>) -> std::io::Result<()> {
        let ctl = tuple(&[small(6), self.pid(1), atom(""), atom(name)]);
        self.send(ctl, Some(msg))
    }

    /// Sends `(pid, token)` to the node's `:echo` and waits (up to 3 s)
    /// for the `(:echo, token)` that peer.reef answers.
    pub fn ping_echo(&mut self) -> bool {
        self.seq += 1;
        let token = format!("ping_{}", self.seq);
        let msg = tuple(&[self.pid(1), atom(&token)]);
        if self.reg_send("echo", msg).is_err() {
            return false;
        }
        let end = Instant::now() + Duration::from_secs(3);
        let needle = atom(&token);
        while Instant::now() < end {
            match framing::read_packet(&mut self.stream, 1 << 24) {
                Ok(Packet::Data(d)) if contains(&d, &needle) && contains(&d, &atom("echo")) => {
                    return true
                }
                Ok(_) | Err(framing::FrameError::Idle) => {}
                Err(_) => return false,
            }
        }
        false
    }

    pub fn close(self) {
        let _ = self.stream.shutdown(Shutdown::Both);
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}
