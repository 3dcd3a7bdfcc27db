pub mod epmd_client;
pub mod epmd_server;
pub mod framing;
pub mod handshake;
