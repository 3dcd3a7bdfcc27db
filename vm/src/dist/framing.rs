//! Packets on a distribution connection after the handshake, and the two
//! layouts of a message inside them.
//!
//! A packet is a 4-byte big-endian length and that many bytes; a packet
//! of length 0 is a tick (a keep-alive: each side sends one when it has
//! sent nothing for a while, and gives up on a peer it has heard nothing
//! from for `net_ticktime`).
//!
//! # What OTP 25 actually sends (erts/emulator/beam/external.c, dist.c)
//!
//! The layout of every data packet depends on the flags the handshake
//! agreed on, both ways at once:
//!
//! * Neither `DFLAG_DIST_HDR_ATOM_CACHE` nor `DFLAG_FRAGMENTS`: *pass
//!   through*, `112 ('p')`, then `131` and the control term, then (for
//!   message-carrying controls) `131` and the message term. Nothing is ever
//!   fragmented: a 100 MB message is one 100 MB packet.
//! * `DFLAG_FRAGMENTS` without the atom cache (what we would negotiate):
//!   *every* packet carries a distribution header and the terms follow it
//!   *without* their `131`: `131 68 ('D') 0` (zero atom-cache refs), the
//!   control term, the message term. A packet that begins with `p` is
//!   then a corrupt header to OTP, which kills the connection. Messages
//!   larger than the fragment size (64 KB in OTP 25) are cut into
//!   fragments: the first `131 69 ('E') SeqId:64 FragId:64 0 data...`, the
//!   rest `131 70 ('F') SeqId:64 FragId:64 data...`. The sequence id is
//!   the sending process (so fragments of different senders interleave);
//!   the fragment id counts down from the number of fragments to 1.
//! * With `DFLAG_DIST_HDR_ATOM_CACHE`, the header's cache refs are used;
//!   we never advertise it, so a header with refs is an error here.
//!
//! [`Reassembler::push`] takes any data packet in either layout and yields
//! whole messages as [`DistMessage`] (control and message, each with its
//! `131`, ready for the ETF decoder), so the control layer does not care
//! which layout the connection uses. On the sending side,
//! [`pass_through`] builds the packet of a connection without FRAGMENTS;
//! `outgoing.rs` cuts a message into fragments as its turns come.

use std::collections::HashMap;
use std::fmt;
use std::io::{self, Read, Write};

/// The default largest packet we read: 128 MB (bigger messages must come
/// in fragments, or the connection is closed).
pub const DEFAULT_MAX_PACKET: u32 = 128 << 20;

/// OTP's fragment size (ERTS_DIST_FRAGMENT_SIZE).
pub const FRAGMENT_SIZE: usize = 64 * 1024;

const VERSION_MAGIC: u8 = 131;
const PASS_THROUGH: u8 = 112;
const DIST_HEADER: u8 = 68;
const DIST_FRAG_HEADER: u8 = 69;
const DIST_FRAG_CONT: u8 = 70;

/// One packet.
#[derive(Debug, PartialEq, Eq)]
pub enum Packet {
    Tick,
    Data(Vec<u8>),
}

/// Why reading or taking apart a packet failed.
#[derive(Debug)]
pub enum FrameError {
    /// Nothing arrived before the read timeout, and no byte of a packet
    /// was consumed: the connection is intact (the caller may tick and
    /// read again).
    Idle,
    /// The connection closed cleanly between packets.
    Closed,
    /// The connection failed, or closed or timed out inside a packet (the
    /// stream is then out of step: close it).
    Io(io::Error),
    /// A length prefix over the limit.
    TooLong { len: u32, max: u32 },
    /// A packet or fragment that the protocol does not allow.
    Malformed(String),
    /// Fragments being reassembled would hold more than the limit.
    TooMuchBuffered { limit: usize },
}

impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FrameError::Idle => write!(f, "no data before the read timeout"),
            FrameError::Closed => write!(f, "connection closed"),
            FrameError::Io(e) => write!(f, "connection failed: {e}"),
            FrameError::TooLong { len, max } => {
                write!(f, "packet of {len} bytes is over the limit of {max}")
            }
            FrameError::Malformed(what) => write!(f, "malformed distribution data: {what}"),
            FrameError::TooMuchBuffered { limit } => write!(
                f,
                "fragmented messages in progress exceed the limit of {limit} bytes"
            ),
        }
    }
}

impl std::error::Error for FrameError {}

fn malformed(what: impl Into<String>) -> FrameError {
    FrameError::Malformed(what.into())
}

/// Reads one packet, refusing a length over `max_len` before allocating
/// anything (and allocating as the bytes arrive, not as the prefix
/// claims).
pub fn read_packet(r: &mut impl Read, max_len: u32) -> Result<Packet, FrameError> {
    let mut len = [0u8; 4];
    let mut got = 0;
    while got < 4 {
        match r.read(&mut len[got..]) {
            Ok(0) if got == 0 => return Err(FrameError::Closed),
            Ok(0) => return Err(FrameError::Io(io::ErrorKind::UnexpectedEof.into())),
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e)
                if got == 0
                    && matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) =>
            {
                return Err(FrameError::Idle)
            }
            Err(e) => return Err(FrameError::Io(e)),
        }
    }
    let len = u32::from_be_bytes(len);
    if len == 0 {
        return Ok(Packet::Tick);
    }
    if len > max_len {
        return Err(FrameError::TooLong { len, max: max_len });
    }
    let mut data = Vec::with_capacity((len as usize).min(FRAGMENT_SIZE * 2));
    r.take(u64::from(len))
        .read_to_end(&mut data)
        .map_err(FrameError::Io)?;
    if data.len() != len as usize {
        return Err(FrameError::Io(io::ErrorKind::UnexpectedEof.into()));
    }
    Ok(Packet::Data(data))
}

/// Writes one packet (length prefix and data).
pub fn write_packet(w: &mut impl Write, data: &[u8]) -> io::Result<()> {
    let len = u32::try_from(data.len())
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "packet over 4 GB"))?;
    if data.len() <= FRAGMENT_SIZE {
        // One write, so one segment with TCP_NODELAY.
        let mut buf = Vec::with_capacity(data.len() + 4);
        buf.extend_from_slice(&len.to_be_bytes());
        buf.extend_from_slice(data);
        w.write_all(&buf)
    } else {
        w.write_all(&len.to_be_bytes())?;
        w.write_all(data)
    }
}

/// Writes a tick (an empty packet).
pub fn write_tick(w: &mut impl Write) -> io::Result<()> {
    w.write_all(&[0; 4])
}

/// The pass-through packet of a message on a connection without
/// FRAGMENTS: `p`, the control term and the message term, each given with
/// its leading `131`.
pub fn pass_through(control: &[u8], payload: Option<&[u8]>) -> Vec<u8> {
    let mut out = Vec::with_capacity(1 + control.len() + payload.map_or(0, <[u8]>::len));
    out.push(PASS_THROUGH);
    out.extend_from_slice(control);
    if let Some(p) = payload {
        out.extend_from_slice(p);
    }
    out
}

/// A whole message: the control term and, for message-carrying controls,
/// the message term, each beginning with `131`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DistMessage {
    pub control: Vec<u8>,
    pub payload: Option<Vec<u8>>,
}

/// The default bound on bytes held by fragmented messages in progress.
pub const DEFAULT_MAX_BUFFERED: usize = 256 << 20;

/// The most a first fragment makes room for at once (a peer that claims
/// a huge fragment count gets the rest as the fragments arrive).
const MAX_RESERVE: usize = 64 << 20;

/// The most fragmented messages in progress at once on one connection.
const MAX_SEQUENCES: usize = 4096;

struct Partial {
    next_frag: u64,
    data: Vec<u8>,
}

/// Collects the fragments of a connection's messages (per sequence id,
/// in order), holding at most `max_bytes` in total, and yields whole
/// messages.
pub struct Reassembler {
    partial: HashMap<u64, Partial>,
    buffered: usize,
    max_bytes: usize,
}

impl Default for Reassembler {
    fn default() -> Reassembler {
        Reassembler::new(DEFAULT_MAX_BUFFERED)
    }
}

impl Reassembler {
    pub fn new(max_bytes: usize) -> Reassembler {
        Reassembler {
            partial: HashMap::new(),
            buffered: 0,
            max_bytes,
        }
    }

    /// Bytes held by messages in progress.
    pub fn buffered(&self) -> usize {
        self.buffered
    }

    /// Takes one data packet (either layout); returns the message it
    /// completes, if any. An error means the connection must be closed.
    pub fn push(&mut self, packet: Vec<u8>) -> Result<Option<DistMessage>, FrameError> {
        match packet.as_slice() {
            [PASS_THROUGH, rest @ ..] => split_terms(rest, true).map(Some),
            [VERSION_MAGIC, DIST_HEADER, rest @ ..] => {
                let body = skip_cache_refs(rest)?;
                split_terms(body, false).map(Some)
            }
            [VERSION_MAGIC, DIST_FRAG_HEADER, rest @ ..] => {
                let (seq, frag, rest) = ids(rest)?;
                let body = skip_cache_refs(rest)?;
                if frag == 0 {
                    return Err(malformed("fragment id 0"));
                }
                if self.partial.contains_key(&seq) {
                    return Err(malformed(format!("sequence {seq} started twice")));
                }
                if frag == 1 {
                    return split_terms(body, false).map(Some);
                }
                if self.partial.len() >= MAX_SEQUENCES {
                    return Err(malformed("too many fragmented messages in progress"));
                }
                self.reserve(body.len())?;
                // Room for every fragment at once (one allocation, not a
                // doubling per fragment): at most what the bound allows.
                let room = self.max_bytes - self.buffered;
                let want = (body.len() as u64).saturating_mul(frag).min(room as u64);
                let mut data = Vec::with_capacity((want as usize).min(MAX_RESERVE));
                data.extend_from_slice(body);
                self.partial.insert(
                    seq,
                    Partial {
                        next_frag: frag - 1,
                        data,
                    },
                );
                Ok(None)
            }
            [VERSION_MAGIC, DIST_FRAG_CONT, rest @ ..] => {
                let (seq, frag, body) = ids(rest)?;
                let Some(p) = self.partial.get(&seq) else {
                    return Err(malformed(format!("fragment of unknown sequence {seq}")));
                };
                if frag != p.next_frag {
                    return Err(malformed(format!(
                        "fragment {frag} of sequence {seq} out of order (expected {})",
                        p.next_frag
                    )));
                }
                self.reserve(body.len())?;
                let p = self.partial.get_mut(&seq).expect("checked above");
                p.data.extend_from_slice(body);
                p.next_frag -= 1;
                if p.next_frag > 0 {
                    return Ok(None);
                }
                let p = self.partial.remove(&seq).expect("checked above");
                self.buffered -= p.data.len();
                split_owned(p.data).map(Some)
            }
            [b, ..] => Err(malformed(format!("packet begins with {b}"))),
            [] => Err(malformed("empty data packet")),
        }
    }

    fn reserve(&mut self, n: usize) -> Result<(), FrameError> {
        if self.buffered + n > self.max_bytes {
            return Err(FrameError::TooMuchBuffered {
                limit: self.max_bytes,
            });
        }
        self.buffered += n;
        Ok(())
    }
}

fn ids(b: &[u8]) -> Result<(u64, u64, &[u8]), FrameError> {
    if b.len() < 16 {
        return Err(malformed("truncated fragment header"));
    }
    let seq = u64::from_be_bytes(b[..8].try_into().expect("8 bytes"));
    let frag = u64::from_be_bytes(b[8..16].try_into().expect("8 bytes"));
    Ok((seq, frag, &b[16..]))
}

/// Skips the header's atom-cache part, which must be empty: we never
/// advertise the atom cache.
fn skip_cache_refs(b: &[u8]) -> Result<&[u8], FrameError> {
    match b.split_first() {
        Some((0, rest)) => Ok(rest),
        Some((n, _)) => Err(malformed(format!(
            "{n} atom cache refs, but the atom cache was not negotiated"
        ))),
        None => Err(malformed("truncated distribution header")),
    }
}

/// Splits the control term from the message term. With `magic`, each
/// term in `b` begins with 131 (pass-through); without, neither does
/// (after a distribution header), and the 131 is added.
fn split_terms(b: &[u8], magic: bool) -> Result<DistMessage, FrameError> {
    let skip = usize::from(magic);
    if magic && b.first() != Some(&VERSION_MAGIC) {
        return Err(malformed("control term without 131"));
    }
    let n = term_len(&b[skip..]).ok_or_else(|| malformed("truncated or unknown control term"))?;
    let (control, rest) = b.split_at(skip + n);
    let with_magic = |t: &[u8]| {
        if magic {
            t.to_vec()
        } else {
            let mut v = Vec::with_capacity(t.len() + 1);
            v.push(VERSION_MAGIC);
            v.extend_from_slice(t);
            v
        }
    };
    let payload = if rest.is_empty() {
        None
    } else {
        if magic && rest[0] != VERSION_MAGIC {
            return Err(malformed("message term without 131"));
        }
        Some(with_magic(rest))
    };
    Ok(DistMessage {
        control: with_magic(control),
        payload,
    })
}

/// `split_terms` of a reassembled message (the fragments layout: terms
/// without their 131), reusing its buffer for the message term: a big
/// message is moved within its memory, not copied into fresh memory
/// (whose first touch is what costs, a page fault per page).
fn split_owned(mut b: Vec<u8>) -> Result<DistMessage, FrameError> {
    let n = term_len(&b)
        .filter(|&n| n > 0)
        .ok_or_else(|| malformed("truncated or unknown control term"))?;
    let mut control = Vec::with_capacity(n + 1);
    control.push(VERSION_MAGIC);
    control.extend_from_slice(&b[..n]);
    let payload = if n == b.len() {
        None
    } else {
        // The byte before the message term becomes its 131.
        b.drain(..n - 1);
        b[0] = VERSION_MAGIC;
        Some(b)
    };
    Ok(DistMessage { control, payload })
}

fn be16(b: &[u8], at: usize) -> Option<usize> {
    Some(usize::from(u16::from_be_bytes(
        b.get(at..at.checked_add(2)?)?.try_into().ok()?,
    )))
}

fn be32(b: &[u8], at: usize) -> Option<usize> {
    Some(u32::from_be_bytes(b.get(at..at.checked_add(4)?)?.try_into().ok()?) as usize)
}

/// The end of the atom (a node name) at `at`.
fn skip_atom(b: &[u8], at: usize) -> Option<usize> {
    let end = match *b.get(at)? {
        100 | 118 => at + 3 + be16(b, at + 1)?,
        115 | 119 => at + 2 + usize::from(*b.get(at + 1)?),
        82 => at + 2,
        _ => return None,
    };
    (end <= b.len()).then_some(end)
}

/// The length in bytes of the ETF term at the start of `b` (without 131),
/// or `None` if it is truncated or uses a tag the distribution does not.
/// Only measures: constant stack (a count of terms still to skip), time
/// linear in the bytes.
pub fn term_len(b: &[u8]) -> Option<usize> {
    let mut at = 0usize;
    let mut pending: u64 = 1;
    while pending > 0 {
        // Every term takes at least one byte: more pending terms than
        // bytes left is a lie, whatever the counts say.
        if pending > (b.len() - at) as u64 {
            return None;
        }
        pending -= 1;
        let tag = *b.get(at)?;
        at += 1;
        at = match tag {
            97 | 82 => at + 1,                              // SMALL_INTEGER, ATOM_CACHE_REF
            98 => at + 4,                                   // INTEGER
            70 => at + 8,                                   // NEW_FLOAT
            99 => at + 31,                                  // FLOAT
            106 => at,                                      // NIL
            100 | 118 | 107 => at + 2 + be16(b, at)?,       // ATOM, ATOM_UTF8, STRING
            115 | 119 => at + 1 + usize::from(*b.get(at)?), // SMALL_ATOM(_UTF8)
            109 => at + 4 + be32(b, at)?,                   // BINARY
            77 => at + 5 + be32(b, at)?,                    // BIT_BINARY
            110 => at + 2 + usize::from(*b.get(at)?),       // SMALL_BIG
            111 => at + 5 + be32(b, at)?,                   // LARGE_BIG
            104 => {
                pending += u64::from(*b.get(at)?); // SMALL_TUPLE
                at + 1
            }
            105 => {
                pending += be32(b, at)? as u64; // LARGE_TUPLE
                at + 4
            }
            116 => {
                pending += 2 * be32(b, at)? as u64; // MAP
                at + 4
            }
            108 => {
                pending += be32(b, at)? as u64 + 1; // LIST, and its tail
                at + 4
            }
            113 => {
                pending += 3; // EXPORT: module, function, arity
                at
            }
            112 => {
                let size = be32(b, at)?; // NEW_FUN: Size counts itself
                if size < 4 {
                    return None;
                }
                at + size
            }
            103 => skip_atom(b, at)? + 9,                        // PID
            88 => skip_atom(b, at)? + 12,                        // NEW_PID
            102 => skip_atom(b, at)? + 5,                        // PORT
            89 => skip_atom(b, at)? + 8,                         // NEW_PORT
            120 => skip_atom(b, at)? + 12,                       // V4_PORT
            101 => skip_atom(b, at)? + 5,                        // REFERENCE
            114 => skip_atom(b, at + 2)? + 1 + 4 * be16(b, at)?, // NEW_REFERENCE
            90 => skip_atom(b, at + 2)? + 4 + 4 * be16(b, at)?,  // NEWER_REFERENCE
            _ => return None,
        };
        if at > b.len() {
            return None;
        }
    }
    Some(at)
}

#[cfg(test)]
mod tests;
