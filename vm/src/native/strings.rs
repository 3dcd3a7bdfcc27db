//! `strings`: all native, Unicode-correct (lengths and positions count
//! Unicode scalar values, not bytes). A wrong argument type is `:badarg`.
//! `to_int` and `to_float` return the number or raise `:badarg`, like
//! Erlang's `binary_to_integer` (wrap them in `try` to test input). An
//! empty separator or pattern is `:badarg`; `join` shows its elements as
//! `to_string` does.

use super::{index, int, list, string};
use crate::exports::NativeFn;
use crate::interp::Exception;
use crate::native::kernel::parse_float;
use crate::value::{number, print, Atom, Value};

pub const NATIVES: &[(&str, u32, NativeFn)] = &[
    ("length", 1, |_, a| {
        Ok(Value::Int(string(&a[0])?.chars().count() as i64))
    }),
    ("split", 2, |_, a| {
        let (s, sep) = (string(&a[0])?, string(&a[1])?);
        if sep.is_empty() {
            return Err(Exception::badarg());
        }
        Ok(Value::list(
            s.split(sep).map(Value::str).collect::<Vec<_>>(),
        ))
    }),
    ("join", 2, |_, a| {
        let sep = string(&a[1])?;
        let parts = list(&a[0])?;
        let mut out = String::new();
        for (i, p) in parts.iter().enumerate() {
            if i > 0 {
                out.push_str(sep);
            }
            print::write_text(&mut out, p);
        }
        Ok(Value::str(out))
    }),
    ("trim", 1, |_, a| Ok(Value::str(string(&a[0])?.trim()))),
    ("trim_start", 1, |_, a| {
        Ok(Value::str(string(&a[0])?.trim_start()))
    }),
    ("trim_end", 1, |_, a| {
        Ok(Value::str(string(&a[0])?.trim_end()))
    }),
    ("upcase", 1, |_, a| {
        Ok(Value::str(string(&a[0])?.to_uppercase()))
    }),
    ("downcase", 1, |_, a| {
        Ok(Value::str(string(&a[0])?.to_lowercase()))
    }),
    ("contains", 2, |_, a| {
        Ok(Value::bool(string(&a[0])?.contains(string(&a[1])?)))
    }),
    ("starts_with", 2, |_, a| {
        Ok(Value::bool(string(&a[0])?.starts_with(string(&a[1])?)))
    }),
    ("ends_with", 2, |_, a| {
        Ok(Value::bool(string(&a[0])?.ends_with(string(&a[1])?)))
    }),
    ("replace", 3, |_, a| {
        let (s, from, to) = (string(&a[0])?, string(&a[1])?, string(&a[2])?);
        if from.is_empty() {
            return Err(Exception::badarg());
        }
        Ok(Value::str(s.replace(from, to)))
    }),
    ("to_int", 1, |_, a| {
        number::parse_int(string(&a[0])?).ok_or_else(Exception::badarg)
    }),
    ("to_float", 1, |_, a| {
        parse_float(string(&a[0])?)
            .map(Value::Float)
            .ok_or_else(Exception::badarg)
    }),
    ("from_int", 1, |_, a| match &a[0] {
        v @ (Value::Int(_) | Value::BigInt(_)) => Ok(Value::str(v.to_string())),
        _ => Err(Exception::badarg()),
    }),
    ("from_float", 1, |_, a| match &a[0] {
        v @ Value::Float(_) => Ok(Value::str(v.to_string())),
        _ => Err(Exception::badarg()),
    }),
    ("slice", 3, |_, a| {
        let s = string(&a[0])?;
        let (start, len) = (index(&a[1])?, index(&a[2])?);
        Ok(Value::str(
            s.chars().skip(start).take(len).collect::<String>(),
        ))
    }),
    ("chars", 1, |_, a| {
        Ok(Value::list(
            string(&a[0])?
                .chars()
                .map(|c| Value::str(c.to_string()))
                .collect::<Vec<_>>(),
        ))
    }),
    ("reverse", 1, |_, a| {
        Ok(Value::str(string(&a[0])?.chars().rev().collect::<String>()))
    }),
    ("repeat", 2, |ctx, a| {
        let s = string(&a[0])?;
        let n = int(&a[1])?;
        if n < 0 {
            return Err(Exception::badarg());
        }
        let bytes = (s.len() as u128) * (n as u128);
        if bytes > crate::heap::MAX_TERM_BYTES as u128 {
            return Err(crate::heap::system_limit());
        }
        ctx.reserve(2 + (bytes as usize).div_ceil(8))?;
        Ok(Value::str(s.repeat(n as usize)))
    }),
    ("to_atom", 1, |_, a| {
        Atom::try_new(string(&a[0])?)
            .map(Value::Atom)
            .ok_or_else(|| Exception::error(Value::Atom(Atom::SYSTEM_LIMIT)))
    }),
    ("to_existing_atom", 1, |_, a| {
        Atom::existing(string(&a[0])?)
            .map(Value::Atom)
            .ok_or_else(Exception::badarg)
    }),
    ("index_of", 2, |_, a| {
        let (s, sub) = (string(&a[0])?, string(&a[1])?);
        Ok(match s.find(sub) {
            Some(byte) => Value::Int(s[..byte].chars().count() as i64),
            None => Value::NIL_ATOM,
        })
    }),
    // ---- code points (`?a` is one): kept together at the end ----
    ("to_codepoints", 1, |ctx, a| {
        let s = string(&a[0])?;
        ctx.charge(s.len() / 64);
        Ok(Value::list(
            s.chars()
                .map(|c| Value::Int(i64::from(u32::from(c))))
                .collect::<Vec<_>>(),
        ))
    }),
    ("from_codepoints", 1, |ctx, a| {
        let cps = list(&a[0])?;
        ctx.charge(cps.len() / 4);
        let mut out = String::with_capacity(cps.len());
        for cp in &cps {
            let c = match cp {
                Value::Int(i) => u32::try_from(*i).ok().and_then(char::from_u32),
                _ => None,
            };
            out.push(c.ok_or_else(Exception::badarg)?);
        }
        Ok(Value::str(out))
    }),
    ("codepoint_at", 2, |ctx, a| {
        let s = string(&a[0])?;
        let i = index(&a[1])?;
        ctx.charge(i.min(s.len()) / 64);
        Ok(match s.chars().nth(i) {
            Some(c) => Value::Int(i64::from(u32::from(c))),
            None => Value::NIL_ATOM,
        })
    }),
];
