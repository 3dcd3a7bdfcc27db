//! The embedding API beyond `lib.rs`'s core: each file adds its own
//! `impl Vm` block (calls with limits, spawn options, host mailboxes).

pub mod call;
pub mod limits;
pub mod mailbox;
