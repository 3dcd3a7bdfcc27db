//! The embedding API's parts that are not the core of `Vm`: each file is
//! another `impl Vm` block (or the types it needs).

pub mod functions;
mod typed;

pub use typed::{HostError, HostFunction};

/// The guide's chapter on serde, its examples run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../../docs/embedding/serde.md")]
pub struct GuideSerde;

/// The guide's chapter on host functions, its examples run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../../docs/embedding/functions.md")]
pub struct GuideFunctions;
