//! The few pieces of Erlang's external term format (ETF) a native library
//! needs: the tags, and writers for the scalars. The serializer
//! (`ser.rs`) and deserializer (`de.rs`) are built on them. Only what Reef
//! values use is here: integers (small, 32-bit, big), floats, atoms,
//! binaries, tuples, lists and maps; pids, references and funs are
//! refused (a native library cannot do anything with them).

/// The version byte every external term starts with.
pub const VERSION: u8 = 131;

/// The tags this crate reads or writes (erl_ext_dist).
pub mod tag {
    pub const NEW_FLOAT: u8 = 70;
    pub const SMALL_INTEGER: u8 = 97;
    pub const INTEGER: u8 = 98;
    pub const ATOM: u8 = 100;
    pub const SMALL_TUPLE: u8 = 104;
    pub const LARGE_TUPLE: u8 = 105;
    pub const NIL: u8 = 106;
    pub const STRING: u8 = 107;
    pub const LIST: u8 = 108;
    pub const BINARY: u8 = 109;
    pub const SMALL_BIG: u8 = 110;
    pub const LARGE_BIG: u8 = 111;
    pub const SMALL_ATOM: u8 = 115;
    pub const MAP: u8 = 116;
    pub const ATOM_UTF8: u8 = 118;
    pub const SMALL_ATOM_UTF8: u8 = 119;
}

/// The longest atom, in characters (Erlang's and Reef's limit).
pub const MAX_ATOM_CHARS: usize = 255;

/// An integer: SMALL_INTEGER, INTEGER or SMALL_BIG, as Erlang writes it.
pub fn int(i: i128, out: &mut Vec<u8>) {
    if (0..=255).contains(&i) {
        out.push(tag::SMALL_INTEGER);
        out.push(i as u8);
    } else if let Ok(x) = i32::try_from(i) {
        out.push(tag::INTEGER);
        out.extend_from_slice(&x.to_be_bytes());
    } else {
        big(i < 0, i.unsigned_abs(), out);
    }
}

/// SMALL_BIG of a magnitude (little-endian digits, no trailing zeros).
pub fn big(negative: bool, magnitude: u128, out: &mut Vec<u8>) {
    let digits = magnitude.to_le_bytes();
    let n = digits.iter().rposition(|d| *d != 0).map_or(0, |i| i + 1);
    out.push(tag::SMALL_BIG);
    out.push(n as u8);
    out.push(negative as u8);
    out.extend_from_slice(&digits[..n]);
}

/// An atom as SMALL_ATOM_UTF8 (or ATOM_UTF8 past 255 bytes). The caller
/// checks the length in characters.
pub fn atom(name: &str, out: &mut Vec<u8>) {
    let b = name.as_bytes();
    if b.len() <= 255 {
        out.push(tag::SMALL_ATOM_UTF8);
        out.push(b.len() as u8);
    } else {
        out.push(tag::ATOM_UTF8);
        out.extend_from_slice(&(b.len() as u16).to_be_bytes());
    }
    out.extend_from_slice(b);
}

/// A binary (Reef's strings are binaries of UTF-8 text).
pub fn binary(b: &[u8], out: &mut Vec<u8>) {
    out.push(tag::BINARY);
    out.extend_from_slice(&(b.len() as u32).to_be_bytes());
    out.extend_from_slice(b);
}

/// A tuple's header; its `n` elements follow.
pub fn tuple_header(n: usize, out: &mut Vec<u8>) {
    if n <= 255 {
        out.push(tag::SMALL_TUPLE);
        out.push(n as u8);
    } else {
        out.push(tag::LARGE_TUPLE);
        out.extend_from_slice(&(n as u32).to_be_bytes());
    }
}
