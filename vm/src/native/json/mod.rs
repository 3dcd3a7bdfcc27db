//! `json`, the natives (spec 8.12): `__encode(term, opts)` and
//! `__decode(text)`; their Reef halves (`stdlib/lib/json.reef`) wait
//! for the dirty pool when the input was big. A term of more than
//! [`INLINE_NODES`] nodes, or a text of more than [`INLINE_BYTES`]
//! bytes, is handled on a dirty scheduler (`dirty.rs`), so a big
//! document never holds up the other processes of a scheduler thread.

mod decode;
mod encode;

use super::{list, Ctx};
use crate::exports::NativeFn;
use crate::interp::Exception;
use crate::mailbox::Message;
use crate::value::{Atom, Value};
use encode::EncodeError;

pub use decode::decode;

pub const NATIVES: &[(&str, u32, NativeFn)] = &[
    ("__encode", 2, encode_native),
    ("__decode", 1, decode_native),
];

/// Terms with more nodes than this are encoded on a dirty scheduler.
/// Measured (release build, a loaded 2-core machine): a list of 19,000
/// integers took 0.85 ms to encode, so 10,000 nodes stay well under a
/// millisecond, BEAM's rule of thumb for a native that does not yield.
pub const INLINE_NODES: usize = 10_000;
/// Texts longer than this are decoded on a dirty scheduler (measured
/// as above: 100 KB of integers took 10 ms, so 16 KiB is about 1.5 ms).
pub const INLINE_BYTES: usize = 16 * 1024;

fn encode_native(ctx: &mut Ctx<'_>, a: &[Value]) -> Result<Value, Exception> {
    let mut pretty = false;
    for opt in list(&a[1])? {
        match opt.as_atom() {
            Some(o) if o.name() == "pretty" => pretty = true,
            _ => return Err(Exception::badarg()),
        }
    }
    match encode::encode(&a[0], pretty, INLINE_NODES) {
        Ok((text, nodes)) => {
            ctx.charge(nodes / 4);
            ctx.reserve(2 + text.len() / 8)?;
            Ok(Value::str(text))
        }
        Err(EncodeError::TooBig) => {
            ctx.charge(INLINE_NODES / 4);
            let copy = Message::copy_of(&a[0]);
            Ok(ctx.dirty(Box::new(move || {
                let term = copy.into_value();
                let r = encode::encode(&term, pretty, usize::MAX);
                let r = r.map(|(text, _)| Value::str(text)).map_err(reason);
                // The reason may hold a part of `term`: dropped first,
                // so nothing else holds those nodes.
                drop(term);
                r
            })))
        }
        Err(e) => Err(Exception::error(reason(e))),
    }
}

/// The error reason of a failed encode.
fn reason(e: EncodeError) -> Value {
    match e {
        EncodeError::Unsupported(v) => Value::tuple(vec![Value::atom("unsupported"), v]),
        EncodeError::TooBig | EncodeError::TooLong => Value::Atom(Atom::SYSTEM_LIMIT),
    }
}

fn decode_native(ctx: &mut Ctx<'_>, a: &[Value]) -> Result<Value, Exception> {
    let text = a[0].clone();
    let bytes = text.as_binary().ok_or_else(Exception::badarg)?;
    ctx.charge(bytes.len() / 64);
    if bytes.len() <= INLINE_BYTES {
        return Ok(result(decode(bytes)));
    }
    // Only the `Arc` of the text crosses to the pool.
    let shared: SharedText = match text {
        Value::Str(s) => SharedText::Str(s),
        Value::Bytes(b) => SharedText::Bytes(b),
        _ => return Err(Exception::badarg()),
    };
    Ok(ctx.dirty(Box::new(move || {
        let bytes = match &shared {
            SharedText::Str(s) => s.as_bytes(),
            SharedText::Bytes(b) => b.as_slice(),
        };
        Ok(result(decode(bytes)))
    })))
}

enum SharedText {
    Str(std::sync::Arc<String>),
    Bytes(std::sync::Arc<Vec<u8>>),
}

fn result(r: Result<Value, Value>) -> Value {
    match r {
        Ok(v) => Value::tuple(vec![Value::OK, v]),
        Err(e) => Value::tuple(vec![Value::Atom(Atom::ERROR), e]),
    }
}

#[cfg(test)]
mod tests;
