//! The external term format (ETF): Erlang's encoding of terms on the
//! wire, written by hand over Reef's own values (no intermediate tree)
//! with an explicit stack, so a term of any depth encodes and decodes in
//! constant Rust stack. See ARCHITECTURE.md, "Distribution: values on
//! the wire", for how each Reef value maps to a tag and back.

mod decode;
mod encode;
mod encoded;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_erl;

use std::fmt;
use std::sync::Arc;

use crate::code::LoadedModule;
use crate::value::Atom;

pub use super::node_table::NodeTable;
pub use decode::decode;
pub use encode::{encode, encode_body, encode_shared};
pub use encoded::Encoded;

/// The version byte every external term starts with.
pub use reef_native::etf::VERSION;

/// The tags of the external term format (erl_ext_dist): those a native
/// library also speaks come from `reef-native` (one table for both sides
/// of that boundary), the rest are the distribution's own.
pub mod tag {
    pub use reef_native::etf::tag::*;
    pub const BIT_BINARY: u8 = 77;
    pub const COMPRESSED: u8 = 80;
    pub const ATOM_CACHE_REF: u8 = 82;
    pub const NEW_PID: u8 = 88;
    pub const NEW_PORT: u8 = 89;
    pub const NEWER_REFERENCE: u8 = 90;
    pub const FLOAT: u8 = 99;
    pub const REFERENCE: u8 = 101;
    pub const PORT: u8 = 102;
    pub const PID: u8 = 103;
    pub const NEW_FUN: u8 = 112;
    pub const EXPORT: u8 = 113;
    pub const NEW_REFERENCE: u8 = 114;
    pub const FUN: u8 = 117;
    pub const V4_PORT: u8 = 120;
    pub const LOCAL: u8 = 121;
}

/// Why bytes did not decode to a term. Decoding fails as a whole: the
/// connection that sent the bytes is closed with a report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EtfError {
    /// The input ended inside a term (or a length claims more than is left).
    Truncated,
    /// The first byte is not 131.
    BadVersion(u8),
    /// A byte that is no tag of the format.
    UnknownTag(u8),
    /// A tag Reef declines: compressed terms (80; the distribution never
    /// compresses), LOCAL_EXT (121; only the node that made it can read
    /// it), atom cache references (82; never negotiated), the old FUN_EXT.
    Unsupported(u8),
    /// An atom name that is not valid UTF-8 or is longer than 255 characters.
    BadAtom,
    /// The connection's atom budget is spent, or the atom table is near
    /// its limit.
    AtomLimit,
    /// No room for another node incarnation in the node table.
    NodeTableFull,
    /// A bitstring whose size is not a whole number of bytes (Reef has
    /// no bitstrings).
    Bitstring,
    /// A term that breaks a rule of the format (named).
    Malformed(&'static str),
}

impl fmt::Display for EtfError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EtfError::Truncated => write!(f, "external term ends early"),
            EtfError::BadVersion(b) => write!(f, "external term starts with {b}, not 131"),
            EtfError::UnknownTag(t) => write!(f, "unknown external term tag {t}"),
            EtfError::Unsupported(t) => write!(f, "unsupported external term tag {t}"),
            EtfError::BadAtom => write!(f, "bad atom in external term"),
            EtfError::AtomLimit => write!(f, "too many new atoms from this node"),
            EtfError::NodeTableFull => write!(f, "node table full"),
            EtfError::Bitstring => write!(f, "bitstring (not whole bytes) in external term"),
            EtfError::Malformed(what) => write!(f, "malformed external term: {what}"),
        }
    }
}

impl std::error::Error for EtfError {}

/// How many atoms one connection may create (BEAM has no such bound; an
/// atom is never freed, so a peer could otherwise fill the table).
pub const DEFAULT_ATOM_BUDGET: usize = 100_000;

/// The new atoms one connection may still create. Atoms that exist
/// already cost nothing. Whatever the budget says, decoding never takes
/// the global table past 90% of its limit (the rest is kept for the
/// program itself).
#[derive(Clone, Debug)]
pub struct AtomBudget {
    left: usize,
}

impl Default for AtomBudget {
    fn default() -> AtomBudget {
        AtomBudget::new(DEFAULT_ATOM_BUDGET)
    }
}

impl AtomBudget {
    pub fn new(n: usize) -> AtomBudget {
        AtomBudget { left: n }
    }

    /// New atoms this budget still allows.
    #[cfg(test)]
    pub fn left(&self) -> usize {
        self.left
    }

    /// The atom named `name`, created if new and the budget allows.
    pub fn atom(&mut self, name: &str) -> Result<Atom, EtfError> {
        if let Some(a) = Atom::existing(name) {
            return Ok(a);
        }
        if name.chars().count() > crate::value::atom::MAX_ATOM_CHARS {
            return Err(EtfError::BadAtom);
        }
        let max = crate::value::atom::max_atoms();
        if self.left == 0 || crate::value::atom::atom_count() + 1 > max - max / 10 {
            return Err(EtfError::AtomLimit);
        }
        let a = Atom::try_new(name).ok_or(EtfError::AtomLimit)?;
        self.left -= 1;
        Ok(a)
    }
}

/// Finds the module loaded here under a name (for funs).
pub type CodeLookup<'a> = &'a dyn Fn(Atom) -> Option<Arc<LoadedModule>>;

/// What decoding needs besides the bytes.
pub struct DecodeCx<'a> {
    /// Remote pids, references and ports intern their node here.
    pub nodes: &'a NodeTable,
    /// The atoms this connection may still create.
    pub atoms: &'a mut AtomBudget,
    /// The loaded module of a name: a fun whose module is loaded here
    /// with the same code hash decodes to a Reef closure.
    pub code: CodeLookup<'a>,
}
