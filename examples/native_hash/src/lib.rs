//! `hash`, a Reef native module in a shared library: the `sha2` and
//! `blake3` crates to Reef, through `reef-native`. Build it with
//! `cargo build --release -p reef-native-hash`, then
//! `reef run --native target/release/libreef_native_hash.so app.reef`.
//!
//! ```reef
//! hash.sha256("abc")  // "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
//! hash.blake3("abc")  // "6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d85"
//! ```

use reef_native::Binary;
use serde::Serialize;
use sha2::Digest;

/// Why `hash.from_hex` refused its text: raised as
/// `(:invalid_digit, position)` or `:odd_length`.
#[derive(Serialize)]
#[serde(rename_all = "snake_case")]
enum HexError {
    OddLength,
    InvalidDigit(usize),
}

/// Lowercase hexadecimal text of `bytes`.
fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}

reef_native::module! {
    "hash";

    /// SHA-256 of a string or binary, as 64 lowercase hex digits.
    fn sha256(data: Binary) -> String {
        hex(&sha2::Sha256::digest(&data))
    }

    /// BLAKE3 (32-byte output) of a string or binary, as 64 lowercase hex
    /// digits.
    fn blake3(data: Binary) -> String {
        blake3::hash(&data).to_hex().to_string()
    }

    /// The bytes that hexadecimal text spells; raises `:odd_length` or
    /// `(:invalid_digit, position)` for text that is not hex.
    fn from_hex(text: String) -> Result<Binary, HexError> {
        if !text.len().is_multiple_of(2) {
            return Err(HexError::OddLength);
        }
        let digit = |i: usize| {
            (text.as_bytes()[i] as char)
                .to_digit(16)
                .map(|d| d as u8)
                .ok_or(HexError::InvalidDigit(i))
        };
        let mut out = Vec::with_capacity(text.len() / 2);
        for i in (0..text.len()).step_by(2) {
            out.push(digit(i)? << 4 | digit(i + 1)?);
        }
        Ok(Binary(out))
    }

    /// Panics with `message`, on purpose: shows that a panic in a native
    /// library is caught at the boundary and raised in the caller as
    /// `(:native_panic, message)`, the VM going on.
    fn crash(message: String) -> bool {
        panic!("{message}")
    }
}
