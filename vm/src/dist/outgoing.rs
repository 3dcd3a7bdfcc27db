//! What a connection sends: a message waiting in its sender's lane, cut
//! into packets as its turns come (`Outgoing`), a whole message as one
//! packet (`whole_packet`), and the kernel's socket buffers.

use std::net::TcpStream;

use super::etf::Encoded;
use super::framing;

/// A message waiting in a lane: its terms (each with its 131; a big
/// binary in the payload stays where it lies, a hole the fragments are
/// copied from), and how much of it the fragments sent so far took.
pub(crate) struct Outgoing {
    pub control: Vec<u8>,
    pub payload: Option<Encoded>,
    pub size: usize,
    /// Its fragment sequence id (0 until its first fragment).
    pub seq: u64,
    /// Bytes of the body (both terms without their 131) sent so far.
    pub sent: usize,
}

impl Outgoing {
    /// A message of these terms, not sent yet.
    pub fn new(control: Vec<u8>, payload: Option<Encoded>) -> Outgoing {
        let size = control.len() + payload.as_ref().map_or(0, Encoded::len);
        Outgoing {
            control,
            payload,
            size,
            seq: 0,
            sent: 0,
        }
    }

    /// The body: the control term then the payload, without their 131.
    fn body_len(&self) -> usize {
        self.control.len().saturating_sub(1)
            + self
                .payload
                .as_ref()
                .map_or(0, |p| p.len().saturating_sub(1))
    }

    /// The payload in one piece (a peer without fragments takes a
    /// message as one packet).
    pub fn flat_payload(&self) -> Option<std::borrow::Cow<'_, [u8]>> {
        self.payload.as_ref().map(Encoded::flat)
    }

    /// Copies body bytes `from..from + n` into `out`.
    fn body_into(&self, from: usize, n: usize, out: &mut Vec<u8>) {
        let c = self.control.get(1..).unwrap_or(&[]);
        let end = from + n;
        if from < c.len() {
            out.extend_from_slice(&c[from..end.min(c.len())]);
        }
        if let (true, Some(p)) = (end > c.len(), &self.payload) {
            // Past the payload's 131.
            let a = from.max(c.len()) - c.len() + 1;
            p.copy_range(a, end - c.len() + 1 - a, out);
        }
    }

    /// The next packet of this message in the fragments layout, cut
    /// every `frag` bytes (one `131 68` packet if it fits in one), and
    /// whether it was the last.
    pub fn next_fragment(&mut self, frag: usize) -> (Vec<u8>, bool) {
        let frag = frag.max(1);
        let total = self.body_len();
        let n = total.div_ceil(frag).max(1);
        let left = total - self.sent;
        let chunk = left.min(frag);
        let mut p = Vec::with_capacity(chunk + 20);
        if n == 1 {
            p.extend_from_slice(&[131, 68, 0]);
        } else {
            let index = self.sent / frag; // 0 for the first
            let frag_id = (n - index) as u64;
            p.extend_from_slice(&[131, if index == 0 { 69 } else { 70 }]);
            p.extend_from_slice(&self.seq.to_be_bytes());
            p.extend_from_slice(&frag_id.to_be_bytes());
            if index == 0 {
                p.push(0);
            }
        }
        self.body_into(self.sent, chunk, &mut p);
        self.sent += chunk;
        (p, self.sent >= total)
    }
}

/// Kernel socket buffers of a few hundred KB: what the kernel holds
/// ahead of a small message is the head-of-line delay a big message can
/// cause (lanes interleave fragments only before the socket), so it is
/// kept short; loopback and LAN throughput do not need more.
pub(crate) fn small_buffers(s: &TcpStream) {
    use std::os::fd::AsRawFd;
    let size: libc::c_int = SOCKET_BUFFER as libc::c_int;
    for opt in [libc::SO_SNDBUF] {
        // SAFETY: a valid socket descriptor and a pointer to a c_int of
        // the length given.
        unsafe {
            libc::setsockopt(
                s.as_raw_fd(),
                libc::SOL_SOCKET,
                opt,
                (&size as *const libc::c_int).cast(),
                std::mem::size_of::<libc::c_int>() as libc::socklen_t,
            );
        }
    }
}

/// The kernel buffer size asked for each way (the kernel doubles it).
pub const SOCKET_BUFFER: usize = 128 * 1024;

/// One whole message as a packet body: the fragments layout's single
/// packet (`131 68 0`, the terms without their 131) when the peer takes
/// fragments, else pass-through. With its length prefix.
pub(crate) fn whole_packet(fragments: bool, control: &[u8], payload: Option<&[u8]>) -> Vec<u8> {
    let body = if fragments {
        let mut p = Vec::with_capacity(control.len() + payload.map_or(0, <[u8]>::len) + 8);
        p.extend_from_slice(&[131, 68, 0]);
        p.extend_from_slice(control.get(1..).unwrap_or(&[]));
        if let Some(m) = payload {
            p.extend_from_slice(m.get(1..).unwrap_or(&[]));
        }
        p
    } else {
        framing::pass_through(control, payload)
    };
    let mut out = Vec::with_capacity(body.len() + 4);
    out.extend_from_slice(&(body.len() as u32).to_be_bytes());
    out.extend_from_slice(&body);
    out
}
