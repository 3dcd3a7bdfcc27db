//! The embedding API's parts that are not the core of `Vm`: each file is
//! another `impl Vm` block (or the types it needs).

pub mod functions;
mod typed;

pub use typed::{HostError, HostFunction};
