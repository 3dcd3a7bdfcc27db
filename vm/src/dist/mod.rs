//! Distribution: this node's side of Erlang's distribution protocol.
//!
//! The seam with the rest of the VM is narrow. The scheduler hands a
//! signal for a pid of another node to `Dist::deliver` (and the send
//! built-ins hand messages to `Dist::send` and `Dist::reg_send`);
//! a connection's reader thread turns what arrives into signals for local
//! pids and gives them to `Scheduler::deliver`. Nothing else in the VM
//! knows about sockets.
//!
//! - `names.rs`: node names and cookies.
//! - `node_table.rs`: the node incarnations a pid or reference may name.
//! - `etf/`: the external term format over Reef's own values.
//! - `epmd_client.rs`, `epmd_server.rs`: the port mapper.
//! - `handshake.rs`, `framing.rs`: the wire below the control messages.
//! - `connection.rs`: one connection: its threads, its lanes, its slow
//!   lane, and the links and monitors that cross it; `outgoing.rs`: a
//!   message on its way out, cut into packets.
//! - `control.rs`: control messages, both ways.
//! - `node.rs`: going alive, connecting, the connection table.

mod connection;
pub(crate) mod control;
// The wire-level pieces are public only for the distribution tests (a fake
// node speaks the protocol by hand): unstable, not part of the API.
#[doc(hidden)]
pub mod epmd_client;
pub mod epmd_server;
pub(crate) mod etf;
#[doc(hidden)]
pub mod framing;
#[doc(hidden)]
pub mod handshake;
pub mod names;
mod node;
pub(crate) mod node_table;
mod outgoing;

pub(crate) use node::Dist;
pub use node::{DistError, NodeConfig};
