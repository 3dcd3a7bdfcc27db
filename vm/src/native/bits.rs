//! The bit built-ins of `kernel` (called without a module prefix, allowed
//! in guards): `band`, `bor`, `bxor`, `bnot`, `bsl`, `bsr` on integers of
//! any size, with Erlang's semantics: integers behave as two's complement
//! numbers with an infinite sign extension, so `bnot(0) == -1` and
//! `-1 bsr 100 == -1`; a negative shift count shifts the other way; a
//! non-integer operand is `:badarith`. A left shift whose result would be
//! too big to build raises `:system_limit` (through the same size check as
//! every large term, `heap::reserve`), never an out-of-memory abort.

use num_bigint::BigInt;
use num_traits::{Signed, Zero};

use super::Ctx;
use crate::exports::NativeFn;
use crate::interp::Exception;
use crate::value::Value;

pub const NATIVES: &[(&str, u32, NativeFn)] = &[
    ("band", 2, |ctx, a| {
        logic(ctx, &a[0], &a[1], |x, y| x & y, |x, y| x & y)
    }),
    ("bor", 2, |ctx, a| {
        logic(ctx, &a[0], &a[1], |x, y| x | y, |x, y| x | y)
    }),
    ("bxor", 2, |ctx, a| {
        logic(ctx, &a[0], &a[1], |x, y| x ^ y, |x, y| x ^ y)
    }),
    ("bnot", 1, |ctx, a| match &a[0] {
        Value::Int(i) => Ok(Value::Int(!i)),
        Value::BigInt(b) => {
            ctx.charge(cost(b));
            Ok(Value::from_bigint(-(&**b) - 1))
        }
        _ => Err(Exception::badarith()),
    }),
    ("bsl", 2, |ctx, a| shift(ctx, &a[0], &a[1], false)),
    ("bsr", 2, |ctx, a| shift(ctx, &a[0], &a[1], true)),
];

/// Reductions for walking a big integer: one per 256 bits.
fn cost(b: &BigInt) -> usize {
    (b.bits() / 256) as usize
}

fn big(v: &Value) -> Option<BigInt> {
    match v {
        Value::Int(i) => Some(BigInt::from(*i)),
        Value::BigInt(b) => Some((**b).clone()),
        _ => None,
    }
}

fn logic(
    ctx: &mut Ctx<'_>,
    a: &Value,
    b: &Value,
    small: fn(i64, i64) -> i64,
    large: fn(&BigInt, &BigInt) -> BigInt,
) -> Result<Value, Exception> {
    if let (Value::Int(x), Value::Int(y)) = (a, b) {
        return Ok(Value::Int(small(*x, *y)));
    }
    let (Some(x), Some(y)) = (big(a), big(b)) else {
        return Err(Exception::badarith());
    };
    ctx.charge(cost(&x) + cost(&y));
    Ok(Value::from_bigint(large(&x, &y)))
}

/// `a bsl n` (or `a bsr n` when `right`).
fn shift(ctx: &mut Ctx<'_>, a: &Value, n: &Value, right: bool) -> Result<Value, Exception> {
    let Some(x) = big(a) else {
        return Err(Exception::badarith());
    };
    // The count as a left shift; a count beyond i64 is as good as
    // infinite either way.
    let left: i128 = match n {
        Value::Int(k) => i128::from(*k),
        Value::BigInt(k) if k.is_positive() => i128::from(i64::MAX) + 1,
        Value::BigInt(_) => i128::from(i64::MIN) - 1,
        _ => return Err(Exception::badarith()),
    };
    let left = if right { -left } else { left };
    if x.is_zero() {
        return Ok(Value::Int(0));
    }
    if left <= 0 {
        // An arithmetic right shift rounds toward negative infinity, so
        // every bit shifted out of a negative number leaves -1.
        let by = (-left).min(i128::from(u32::MAX)) as u64;
        if by >= x.bits() {
            return Ok(Value::Int(if x.is_negative() { -1 } else { 0 }));
        }
        if let Value::Int(i) = a {
            return Ok(Value::Int(i >> by));
        }
        ctx.charge(cost(&x));
        return Ok(Value::from_bigint(x >> by));
    }
    if let Value::Int(i) = a {
        if left < 63 {
            let wide = i128::from(*i) << left;
            if let Ok(v) = i64::try_from(wide) {
                return Ok(Value::Int(v));
            }
        }
    }
    // The result has bits(x) + left bits: check its size before building
    // it (max_heap, the absolute cap and the VM's ceiling).
    let bits = u128::from(x.bits()).saturating_add(left as u128);
    let words = usize::try_from(bits / 64 + 2).unwrap_or(usize::MAX);
    ctx.reserve(words)?;
    let by = usize::try_from(left).map_err(|_| crate::heap::system_limit())?;
    ctx.charge(words / 4);
    Ok(Value::from_bigint(x << by))
}
