//! `bytes`: binaries, byte by byte. A string is a binary (its UTF-8
//! bytes), so every function takes strings too; a result that is valid
//! UTF-8 is a string (the invariant of `Value::Bytes`). Positions are
//! 0-based byte offsets; anything out of range, or a wrong type, is
//! `:badarg`.

use super::{index, list, Ctx};
use crate::exports::NativeFn;
use crate::interp::Exception;
use crate::value::{Atom, Value};

pub const NATIVES: &[(&str, u32, NativeFn)] = &[
    ("size", 1, |_, a| Ok(Value::Int(bin(&a[0])?.len() as i64))),
    ("at", 2, |_, a| {
        let b = bin(&a[0])?;
        let i = index(&a[1])?;
        b.get(i)
            .map(|x| Value::Int(*x as i64))
            .ok_or_else(Exception::badarg)
    }),
    ("slice", 3, |ctx, a| {
        let b = bin(&a[0])?;
        let (start, len) = (index(&a[1])?, index(&a[2])?);
        let end = start.checked_add(len).ok_or_else(Exception::badarg)?;
        let part = b.get(start..end).ok_or_else(Exception::badarg)?;
        ctx.charge(part.len() / 64);
        Ok(Value::binary(part.to_vec()))
    }),
    ("to_list", 1, to_list),
    ("from_list", 1, from_list),
    ("from_string", 1, |_, a| match &a[0] {
        Value::Str(_) => Ok(a[0].clone()),
        _ => Err(Exception::badarg()),
    }),
    ("to_string", 1, to_string),
    ("concat", 1, concat),
];

/// The bytes of a binary (a string or `Bytes`), else `:badarg`.
fn bin(v: &Value) -> Result<&[u8], Exception> {
    v.as_binary().ok_or_else(Exception::badarg)
}

fn to_list(ctx: &mut Ctx<'_>, a: &[Value]) -> Result<Value, Exception> {
    let b = bin(&a[0])?;
    ctx.reserve(b.len().saturating_mul(5))?;
    ctx.charge(b.len() / 16);
    Ok(Value::list(
        b.iter().map(|x| Value::Int(*x as i64)).collect::<Vec<_>>(),
    ))
}

fn from_list(ctx: &mut Ctx<'_>, a: &[Value]) -> Result<Value, Exception> {
    let items = list(&a[0])?;
    ctx.charge(items.len() / 16);
    let mut out = Vec::with_capacity(items.len());
    for v in &items {
        match v {
            Value::Int(i) if (0..=255).contains(i) => out.push(*i as u8),
            _ => return Err(Exception::badarg()),
        }
    }
    Ok(Value::binary(out))
}

/// The string a binary holds, or `(:badarg, "invalid UTF-8 at byte N")`
/// naming the first byte that is not part of a valid sequence.
fn to_string(_: &mut Ctx<'_>, a: &[Value]) -> Result<Value, Exception> {
    match &a[0] {
        Value::Str(_) => Ok(a[0].clone()),
        Value::Bytes(b) => {
            let at = match std::str::from_utf8(b) {
                Err(e) => e.valid_up_to(),
                Ok(_) => 0, // not reached: `Bytes` is never valid UTF-8
            };
            Err(Exception::tagged(
                Atom::BADARG,
                Value::str(format!("invalid UTF-8 at byte {at}")),
            ))
        }
        _ => Err(Exception::badarg()),
    }
}

fn concat(ctx: &mut Ctx<'_>, a: &[Value]) -> Result<Value, Exception> {
    let parts = list(&a[0])?;
    let mut total = 0usize;
    for p in &parts {
        total = total.saturating_add(bin(p)?.len());
    }
    ctx.reserve(total / 8)?;
    ctx.charge(total / 64);
    let mut out = Vec::with_capacity(total);
    for p in &parts {
        out.extend_from_slice(bin(p)?);
    }
    Ok(Value::binary(out))
}
