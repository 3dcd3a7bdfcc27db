//! Terms from another node that Reef can hold and send back but not look
//! inside: references of other nodes, ports, and funs whose code is not
//! loaded here. They are immutable and `Send`, so a `Value::Foreign`
//! shares its `Arc` between processes like a string.

use super::Atom;

/// A term from another node (see ARCHITECTURE.md, "Distribution: values
/// on the wire").
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Foreign {
    /// A reference made by another node: its node index in the runtime's
    /// `NodeTable` and its ID words as they came (1 to 5 words, the
    /// lowest first).
    Ref { node: u16, words: Box<[u32]> },
    /// A port of another node.
    Port { node: u16, id: u64 },
    /// A fun whose code is not loaded here (or not this version of it):
    /// its module and arity, for printing and `(:badfun, f)`, and its
    /// whole ETF encoding, sent back verbatim.
    Fun {
        module: Atom,
        arity: u32,
        etf: Box<[u8]>,
    },
}

impl Foreign {
    /// The rank of each kind in the term order: a reference sorts with
    /// references, a fun with functions, a port between functions and
    /// pids (see `order.rs`).
    pub fn is_ref(&self) -> bool {
        matches!(self, Foreign::Ref { .. })
    }

    pub fn is_fun(&self) -> bool {
        matches!(self, Foreign::Fun { .. })
    }
}
