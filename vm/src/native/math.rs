//! `math`: numeric functions. Results that are not finite (NaN, infinity)
//! raise `:badarith`, as in Erlang; a non-number argument is `:badarg`.
//! `floor`, `ceil`, `round` and `trunc` return integers (like Erlang's
//! `floor/1` BIFs). `pow` is exact for an integer base and a non-negative
//! integer exponent, a float otherwise.

use num_bigint::BigInt;

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
    ("__pow", 2, pow),
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

/// An exact power whose result would have more bits than this is
/// computed on a dirty scheduler (about a millisecond of work and up).
const DIRTY_POW_BITS: u64 = 1 << 18;

/// The native half of `math.pow` (`stdlib/lib/math.reef`): the power, or
/// `(:dirty, ref)` when a large exact power was handed to the dirty
/// schedulers.
fn pow(ctx: &mut Ctx<'_>, a: &[Value]) -> Result<Value, Exception> {
    match (&a[0], &a[1]) {
        (Value::Int(_) | Value::BigInt(_), Value::Int(e)) if *e >= 0 => {
            let e = u32::try_from(*e).map_err(|_| Exception::badarith())?;
            let base: BigInt = match &a[0] {
                Value::Int(i) => BigInt::from(*i),
                Value::BigInt(b) => (**b).clone(),
                _ => unreachable!("matched above"),
            };
            // The result has about bits(base) * e bits: check the size
            // first (max_heap, the VM's ceiling).
            let bits = base.bits().saturating_mul(u64::from(e));
            if base.bits() > 1 {
                ctx.reserve(((u128::from(bits) / 64) as usize).saturating_add(2))?;
            }
            if bits <= DIRTY_POW_BITS {
                return number::int_pow(&a[0], e).ok_or_else(Exception::badarith);
            }
            Ok(ctx.dirty(Box::new(move || {
                Ok(Value::from_bigint(num_traits::pow::Pow::pow(base, e)))
            })))
        }
        _ => number::float(float(&a[0])?.powf(float(&a[1])?)).ok_or_else(Exception::badarith),
    }
}
