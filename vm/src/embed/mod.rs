//! The embedding API beyond the basics of `lib.rs`: each file adds an
//! `impl Vm` block for one feature (ARCHITECTURE.md, "Embedding").

pub mod call;
pub mod limits;
pub mod mailbox;
pub mod native_lib;
