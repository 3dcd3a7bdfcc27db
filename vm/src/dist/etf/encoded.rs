//! An encoded term whose big binaries are not copied: the encoder writes
//! each one's header and leaves a *hole* that refers to the binary where
//! it already lies (strings and binaries are shared, `Arc`ed values).
//! The connection's writer copies each fragment straight from there, so
//! sending a 50 MB binary costs the sending process no 50 MB copy, and
//! the connection's queue holds no second copy of it (as BEAM's
//! distribution output refers to refc binaries instead of copying them).

use std::borrow::Cow;
use std::sync::Arc;

/// A binary at least this big is referred to, not copied (one fragment:
/// a smaller one is cheaper to copy than to keep track of).
pub const SHARE_AT: usize = 64 * 1024;

/// A binary an encoded term refers to.
#[derive(Clone, Debug)]
pub enum SharedBin {
    Str(Arc<String>),
    Bytes(Arc<Vec<u8>>),
}

impl SharedBin {
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            SharedBin::Str(s) => s.as_bytes(),
            SharedBin::Bytes(b) => b,
        }
    }
}

/// The bytes these holes hold.
pub fn bytes_in(holes: &[(usize, SharedBin)]) -> usize {
    holes.iter().map(|(_, b)| b.as_bytes().len()).sum()
}

/// The bytes of an encoded term: `bytes` with, at each hole's offset, the
/// hole's binary (holes in increasing offset order).
#[derive(Clone, Debug, Default)]
pub struct Encoded {
    pub bytes: Vec<u8>,
    pub holes: Vec<(usize, SharedBin)>,
}

impl From<Vec<u8>> for Encoded {
    fn from(bytes: Vec<u8>) -> Encoded {
        Encoded {
            bytes,
            holes: Vec::new(),
        }
    }
}

impl Encoded {
    /// Length of the whole term, holes filled.
    pub fn len(&self) -> usize {
        self.bytes.len() + bytes_in(&self.holes)
    }

    /// The pieces of the term in order: runs of `bytes` and holes.
    fn pieces(&self) -> Vec<&[u8]> {
        let mut out = Vec::with_capacity(2 * self.holes.len() + 1);
        let mut at = 0;
        for (off, bin) in &self.holes {
            out.push(self.bytes.get(at..*off).unwrap_or(&[]));
            out.push(bin.as_bytes());
            at = *off;
        }
        out.push(self.bytes.get(at..).unwrap_or(&[]));
        out
    }

    /// Appends bytes `from..from + n` of the whole term to `out`.
    pub fn copy_range(&self, from: usize, n: usize, out: &mut Vec<u8>) {
        let (mut skip, mut left) = (from, n);
        for piece in self.pieces() {
            if left == 0 {
                break;
            }
            if skip >= piece.len() {
                skip -= piece.len();
                continue;
            }
            let take = (piece.len() - skip).min(left);
            out.extend_from_slice(&piece[skip..skip + take]);
            skip = 0;
            left -= take;
        }
    }

    /// The whole term in one piece (borrowed when it has no holes).
    pub fn flat(&self) -> Cow<'_, [u8]> {
        if self.holes.is_empty() {
            Cow::Borrowed(&self.bytes)
        } else {
            let mut v = Vec::with_capacity(self.len());
            self.copy_range(0, self.len(), &mut v);
            Cow::Owned(v)
        }
    }
}
