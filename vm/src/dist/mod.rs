//! Distribution: Reef nodes speaking Erlang's distribution protocol.

pub mod etf;
pub mod node_table;
