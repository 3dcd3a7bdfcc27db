//! Why a handshake failed, and the statuses that can end it.

use std::fmt;
use std::io;

/// The status B sends after reading A's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Ok,
    OkSimultaneous,
    Nok,
    NotAllowed,
    Alive,
    /// `named:`: an answer to a dynamic name request, which we never make.
    Named,
}

impl Status {
    /// The status as it goes on the wire (after the `s`).
    pub fn text(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::OkSimultaneous => "ok_simultaneous",
            Status::Nok => "nok",
            Status::NotAllowed => "not_allowed",
            Status::Alive => "alive",
            Status::Named => "named:",
        }
    }
}

/// Which way the connection goes, for messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// We connected (`connect`).
    To,
    /// They connected (`accept`).
    From,
}

/// Why a handshake failed. `peer` is the peer's node name once known,
/// else its address.
#[derive(Debug)]
pub enum HandshakeError {
    /// The peer's digest does not match our cookie (we are B).
    BadCookie { peer: String },
    /// The peer closed the connection after our challenge reply: it
    /// found our digest wrong (we are A).
    CookieRejected { peer: String },
    /// The peer's status (we are A) or our own (we are B) ended the
    /// handshake: `nok`, `not_allowed`, or `alive` answered `false`.
    Refused {
        side: Side,
        peer: String,
        status: Status,
    },
    /// The peer sent something the protocol does not allow.
    Protocol {
        side: Side,
        peer: String,
        what: String,
    },
    /// The deadline passed while waiting for the peer.
    Timeout { side: Side, peer: String },
    /// The connection failed or closed.
    Io {
        side: Side,
        peer: String,
        error: io::Error,
    },
}

impl fmt::Display for HandshakeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let dir = |side: &Side| match side {
            Side::To => "to",
            Side::From => "from",
        };
        match self {
            HandshakeError::BadCookie { peer } => {
                write!(f, "connection from {peer} refused: wrong cookie")
            }
            HandshakeError::CookieRejected { peer } => write!(
                f,
                "connection to {peer} refused: it closed the connection on our digest (wrong cookie)"
            ),
            HandshakeError::Refused { side, peer, status } => write!(
                f,
                "connection {} {peer} refused: status {}",
                dir(side),
                status.text()
            ),
            HandshakeError::Protocol { side, peer, what } => write!(
                f,
                "connection {} {peer} failed: protocol error: {what}",
                dir(side)
            ),
            HandshakeError::Timeout { side, peer } => write!(
                f,
                "connection {} {peer} failed: the handshake timed out",
                dir(side)
            ),
            HandshakeError::Io { side, peer, error } => {
                write!(f, "connection {} {peer} failed: {error}", dir(side))
            }
        }
    }
}

impl std::error::Error for HandshakeError {}
