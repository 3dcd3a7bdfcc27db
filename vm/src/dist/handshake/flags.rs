//! The distribution flags a node advertises in the handshake, and the
//! sets Reef requires and offers.

// Distribution flags (erl_dist_protocol, "Distribution Flags").
pub const DFLAG_PUBLISHED: u64 = 0x1;
pub const DFLAG_ATOM_CACHE: u64 = 0x2;
pub const DFLAG_EXTENDED_REFERENCES: u64 = 0x4;
pub const DFLAG_DIST_MONITOR: u64 = 0x8;
pub const DFLAG_FUN_TAGS: u64 = 0x10;
pub const DFLAG_DIST_MONITOR_NAME: u64 = 0x20;
pub const DFLAG_HIDDEN_ATOM_CACHE: u64 = 0x40;
pub const DFLAG_NEW_FUN_TAGS: u64 = 0x80;
pub const DFLAG_EXTENDED_PIDS_PORTS: u64 = 0x100;
pub const DFLAG_EXPORT_PTR_TAG: u64 = 0x200;
pub const DFLAG_BIT_BINARIES: u64 = 0x400;
pub const DFLAG_NEW_FLOATS: u64 = 0x800;
pub const DFLAG_UNICODE_IO: u64 = 0x1000;
/// Never set by us: the atom cache in the distribution header.
pub const DFLAG_DIST_HDR_ATOM_CACHE: u64 = 0x2000;
pub const DFLAG_SMALL_ATOM_TAGS: u64 = 0x4000;
pub const DFLAG_UTF8_ATOMS: u64 = 0x10000;
pub const DFLAG_MAP_TAG: u64 = 0x20000;
pub const DFLAG_BIG_CREATION: u64 = 0x40000;
pub const DFLAG_SEND_SENDER: u64 = 0x80000;
pub const DFLAG_BIG_SEQTRACE_LABELS: u64 = 0x100000;
pub const DFLAG_EXIT_PAYLOAD: u64 = 0x400000;
pub const DFLAG_FRAGMENTS: u64 = 0x800000;
pub const DFLAG_HANDSHAKE_23: u64 = 0x1000000;
pub const DFLAG_UNLINK_ID: u64 = 0x2000000;
pub const DFLAG_MANDATORY_25_DIGEST: u64 = 0x4000000;
pub const DFLAG_SPAWN: u64 = 1 << 32;
pub const DFLAG_NAME_ME: u64 = 1 << 33;
pub const DFLAG_V4_NC: u64 = 1 << 34;
pub const DFLAG_ALIAS: u64 = 1 << 35;

/// The flags every OTP 25 node requires of its peer.
pub const DFLAGS_MANDATORY_25: u64 = DFLAG_EXTENDED_REFERENCES
    | DFLAG_FUN_TAGS
    | DFLAG_EXTENDED_PIDS_PORTS
    | DFLAG_UTF8_ATOMS
    | DFLAG_NEW_FUN_TAGS
    | DFLAG_BIG_CREATION
    | DFLAG_NEW_FLOATS
    | DFLAG_MAP_TAG
    | DFLAG_EXPORT_PTR_TAG
    | DFLAG_BIT_BINARIES
    | DFLAG_HANDSHAKE_23;

/// What a Reef node advertises: the mandatory set, published (a visible
/// node), monitors by pid and by name, EXIT payloads, and 64-bit port ids
/// (V4_NC, so foreign ports survive a round trip). Not FRAGMENTS (see
/// `framing`: it changes every packet's layout), SPAWN or UNLINK_ID,
/// which the control layer adds when it handles them; never the atom
/// cache.
pub const DEFAULT_FLAGS: u64 = DFLAGS_MANDATORY_25
    | DFLAG_PUBLISHED
    | DFLAG_DIST_MONITOR
    | DFLAG_DIST_MONITOR_NAME
    | DFLAG_EXIT_PAYLOAD
    | DFLAG_V4_NC;
