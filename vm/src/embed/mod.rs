//! The embedding API beyond the basics of `lib.rs`: each file adds an
//! `impl Vm` block for one feature (ARCHITECTURE.md, "Embedding").

pub mod native_lib;
