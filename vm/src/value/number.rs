//! Arithmetic on numbers of every kind: the slow paths behind the
//! interpreter's inline small-integer fast path. Integers never overflow:
//! an i64 result that does not fit becomes a big integer, and a big result
//! that fits again becomes an i64. A float result that is not finite is an
//! error (`:badarith`), as in Erlang. Every function returns `None` for
//! `:badarith`.

use std::sync::Arc;

use num_bigint::BigInt;
use num_traits::{FromPrimitive, Signed, ToPrimitive};

use super::Value;

/// An integer operand, borrowed or widened.
enum IntArg<'a> {
    Small(i64),
    Big(&'a BigInt),
}

fn int_arg(v: &Value) -> Option<IntArg<'_>> {
    match v {
        Value::Int(i) => Some(IntArg::Small(*i)),
        Value::BigInt(b) => Some(IntArg::Big(b)),
        _ => None,
    }
}

fn to_big(a: IntArg<'_>) -> BigInt {
    match a {
        IntArg::Small(i) => BigInt::from(i),
        IntArg::Big(b) => b.clone(),
    }
}

/// The value of a number as a float (big integers may round), or `None`
/// for a big integer beyond the largest finite float (about 1.8e308),
/// which is `:badarith` in arithmetic, as in Erlang: `1 / 10 ** 400`
/// must not quietly be `0.0`.
pub fn to_f64(v: &Value) -> Option<f64> {
    match v {
        Value::Int(i) => Some(*i as f64),
        Value::BigInt(b) => b.to_f64().filter(|f| f.is_finite()),
        Value::Float(f) => Some(*f),
        _ => None,
    }
}

/// A float result, or `:badarith` when it is NaN or infinite.
pub fn float(f: f64) -> Option<Value> {
    f.is_finite().then_some(Value::Float(f))
}

fn float_op(a: &Value, b: &Value, op: fn(f64, f64) -> f64) -> Option<Value> {
    float(op(to_f64(a)?, to_f64(b)?))
}

fn int_op(
    a: &Value,
    b: &Value,
    small: fn(i64, i64) -> Option<i64>,
    big: fn(BigInt, BigInt) -> BigInt,
) -> Option<Option<Value>> {
    let (x, y) = (int_arg(a), int_arg(b));
    let (Some(x), Some(y)) = (x, y) else {
        return None;
    };
    if let (IntArg::Small(i), IntArg::Small(j)) = (&x, &y) {
        if let Some(r) = small(*i, *j) {
            return Some(Some(Value::Int(r)));
        }
    }
    Some(Some(Value::from_bigint(big(to_big(x), to_big(y)))))
}

pub fn add(a: &Value, b: &Value) -> Option<Value> {
    match int_op(a, b, i64::checked_add, |x, y| x + y) {
        Some(r) => r,
        None => float_op(a, b, |x, y| x + y),
    }
}

pub fn sub(a: &Value, b: &Value) -> Option<Value> {
    match int_op(a, b, i64::checked_sub, |x, y| x - y) {
        Some(r) => r,
        None => float_op(a, b, |x, y| x - y),
    }
}

pub fn mul(a: &Value, b: &Value) -> Option<Value> {
    match int_op(a, b, i64::checked_mul, |x, y| x * y) {
        Some(r) => r,
        None => float_op(a, b, |x, y| x * y),
    }
}

/// `/`: always a float.
pub fn div(a: &Value, b: &Value) -> Option<Value> {
    let d = to_f64(b)?;
    if d == 0.0 {
        return None;
    }
    float(to_f64(a)? / d)
}

/// `div`: integer division truncating toward zero.
pub fn int_div(a: &Value, b: &Value) -> Option<Value> {
    let (x, y) = (int_arg(a)?, int_arg(b)?);
    match (&x, &y) {
        (_, IntArg::Small(0)) => None,
        (IntArg::Small(i), IntArg::Small(j)) => match i.checked_div(*j) {
            Some(r) => Some(Value::Int(r)),
            None => Some(Value::from_bigint(-BigInt::from(*i))), // i64::MIN div -1
        },
        _ => Some(Value::from_bigint(to_big(x) / to_big(y))),
    }
}

/// `rem`: the remainder with the sign of the dividend.
pub fn rem(a: &Value, b: &Value) -> Option<Value> {
    let (x, y) = (int_arg(a)?, int_arg(b)?);
    match (&x, &y) {
        (_, IntArg::Small(0)) => None,
        (IntArg::Small(i), IntArg::Small(j)) => Some(Value::Int(i.checked_rem(*j).unwrap_or(0))),
        _ => Some(Value::from_bigint(to_big(x) % to_big(y))),
    }
}

pub fn neg(a: &Value) -> Option<Value> {
    match a {
        Value::Int(i) => Some(match i.checked_neg() {
            Some(n) => Value::Int(n),
            None => Value::from_bigint(-BigInt::from(*i)),
        }),
        Value::BigInt(b) => Some(Value::from_bigint(-(**b).clone())),
        Value::Float(f) => Some(Value::Float(-f)),
        _ => None,
    }
}

/// Absolute value of any number.
pub fn abs(a: &Value) -> Option<Value> {
    match a {
        Value::Int(i) => Some(match i.checked_abs() {
            Some(n) => Value::Int(n),
            None => Value::from_bigint(BigInt::from(*i).abs()),
        }),
        Value::BigInt(b) => Some(Value::BigInt(Arc::new(b.abs()))),
        Value::Float(f) => Some(Value::Float(f.abs())),
        _ => None,
    }
}

/// Exact integer power for a non-negative exponent.
pub fn int_pow(base: &Value, exp: u32) -> Option<Value> {
    let b = to_big(int_arg(base)?);
    Some(Value::from_bigint(num_traits::pow::Pow::pow(b, exp)))
}

/// The integer part of a float (toward zero) as an integer value.
pub fn float_to_int(f: f64) -> Option<Value> {
    if !f.is_finite() {
        return None;
    }
    let t = f.trunc();
    // i64::MIN and 2^63 are exact floats: in between, `as` is exact.
    if (-9.223_372_036_854_776e18..9.223_372_036_854_776e18).contains(&t) {
        Some(Value::Int(t as i64))
    } else {
        num_bigint::BigInt::from_f64(t).map(Value::from_bigint)
    }
}

/// Parses a decimal integer (optional sign, no spaces), of any size.
pub fn parse_int(s: &str) -> Option<Value> {
    if let Ok(i) = s.parse::<i64>() {
        return Some(Value::Int(i));
    }
    let digits = s.strip_prefix(['-', '+']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse::<BigInt>().ok().map(Value::from_bigint)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overflow_grows_and_shrinks() {
        let big = add(&Value::Int(i64::MAX), &Value::Int(1)).unwrap();
        assert!(matches!(big, Value::BigInt(_)));
        let back = sub(&big, &Value::Int(1)).unwrap();
        assert!(matches!(back, Value::Int(i64::MAX)));
        assert!(matches!(
            int_div(&Value::Int(i64::MIN), &Value::Int(-1)).unwrap(),
            Value::BigInt(_)
        ));
        assert!(matches!(
            rem(&Value::Int(i64::MIN), &Value::Int(-1)).unwrap(),
            Value::Int(0)
        ));
    }

    #[test]
    fn mixed_and_bad_arithmetic() {
        assert!(
            matches!(add(&Value::Int(1), &Value::Float(0.5)), Some(Value::Float(f)) if f == 1.5)
        );
        assert!(div(&Value::Int(1), &Value::Int(0)).is_none());
        assert!(int_div(&Value::Int(1), &Value::Int(0)).is_none());
        assert!(int_div(&Value::Float(1.0), &Value::Int(1)).is_none());
        assert!(mul(&Value::Float(1e308), &Value::Float(10.0)).is_none());
        assert!(add(&Value::atom("a"), &Value::Int(1)).is_none());
        assert!(matches!(
            rem(&Value::Int(-7), &Value::Int(2)),
            Some(Value::Int(-1))
        ));
        assert!(matches!(
            int_div(&Value::Int(-7), &Value::Int(2)),
            Some(Value::Int(-3))
        ));
    }
}
