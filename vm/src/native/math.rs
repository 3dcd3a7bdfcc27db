//! `math`: numeric functions. Results that are not finite (NaN, infinity)
//! raise `:badarith`, as in Erlang; a non-number argument is `:badarg`.
//! `floor`, `ceil`, `round` and `trunc` return integers (like Erlang's
//! `floor/1` BIFs). `pow` is exact for an integer base and a non-negative
//! integer exponent, a float otherwise.

use super::{float, Ctx};
use crate::exports::NativeFn;
use crate::interp::Exception;
use crate::value::{number, Value};

fn f1(a: &[Value], f: fn(f64) -> f64) -> Result<Value, Exception> {
    number::float(f(float(&a[0])?)).ok_or_else(Exception::badarith)
}

fn to_int(a: &[Value], f: fn(f64) -> f64) -> Result<Value, Exception> {
    match &a[0] {
        Value::Int(_) | Value::BigInt(_) => Ok(a[0].clone()),
        Value::Float(x) => number::float_to_int(f(*x)).ok_or_else(Exception::badarith),
        _ => Err(Exception::badarg()),
    }
}

pub const NATIVES: &[(&str, u32, NativeFn)] = &[
    ("abs", 1, |_, a| {
        number::abs(&a[0]).ok_or_else(Exception::badarg)
    }),
    ("pow", 2, pow),
    ("sqrt", 1, |_, a| f1(a, f64::sqrt)),
    ("floor", 1, |_, a| to_int(a, f64::floor)),
    ("ceil", 1, |_, a| to_int(a, f64::ceil)),
    ("round", 1, |_, a| to_int(a, f64::round)),
    ("trunc", 1, |_, a| to_int(a, f64::trunc)),
    ("pi", 0, |_, _| Ok(Value::Float(std::f64::consts::PI))),
    ("e", 0, |_, _| Ok(Value::Float(std::f64::consts::E))),
    ("sin", 1, |_, a| f1(a, f64::sin)),
    ("cos", 1, |_, a| f1(a, f64::cos)),
    ("tan", 1, |_, a| f1(a, f64::tan)),
    ("asin", 1, |_, a| f1(a, f64::asin)),
    ("acos", 1, |_, a| f1(a, f64::acos)),
    ("atan", 1, |_, a| f1(a, f64::atan)),
    ("atan2", 2, |_, a| {
        number::float(float(&a[0])?.atan2(float(&a[1])?)).ok_or_else(Exception::badarith)
    }),
    ("exp", 1, |_, a| f1(a, f64::exp)),
    ("log", 1, |_, a| f1(a, f64::ln)),
    ("log2", 1, |_, a| f1(a, f64::log2)),
    ("log10", 1, |_, a| f1(a, f64::log10)),
];

fn pow(ctx: &mut Ctx<'_>, a: &[Value]) -> Result<Value, Exception> {
    match (&a[0], &a[1]) {
        (Value::Int(_) | Value::BigInt(_), Value::Int(e)) if *e >= 0 => {
            let e = u32::try_from(*e).map_err(|_| Exception::badarith())?;
            // The result has about bits(base) * e bits: check it first.
            let bits = match &a[0] {
                Value::Int(b) => 64 - b.unsigned_abs().leading_zeros() as u64,
                Value::BigInt(b) => b.bits(),
                _ => 0,
            };
            if bits > 1 {
                ctx.reserve(((bits as u128 * e as u128 / 64) as usize).saturating_add(2))?;
            }
            number::int_pow(&a[0], e).ok_or_else(Exception::badarith)
        }
        _ => number::float(float(&a[0])?.powf(float(&a[1])?)).ok_or_else(Exception::badarith),
    }
}
