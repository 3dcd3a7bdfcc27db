//! Exact equality and the total term order:
//! number < atom < reference < function < pid < tuple < map < [] < list < string.
//!
//! - Numbers compare by value, integers and floats mixed. An integer and a
//!   float of the same value are different terms (`1 == 1.0` is false) but
//!   neither is less than the other in [`compare`] (`1 <= 1.0` and
//!   `1 >= 1.0` hold, as in Erlang). The *exact* order ([`compare_exact`],
//!   which is `Ord` on `Value`) must be total and agree with `==`, so
//!   there the integer comes first; maps order their keys by it. Floats
//!   compare by `total_cmp`, so `0.0 != -0.0` (as `=:=` in OTP 27).
//! - Atoms compare alphabetically by name; strings by their UTF-8 bytes
//!   (which is code point order).
//! - Tuples by size, then element by element; maps by size, then their keys
//!   in order, then the values in key order (Erlang's rule); lists element
//!   by element, walking the tails in a loop so a long list never recurses.
//!
//! `Ord` and `Eq` on [`Value`] are the exact order, so an ordered map
//! keyed by values treats `1` and `1.0` as two keys, as Erlang's maps do.

use std::cmp::Ordering;

use num_bigint::BigInt;
use num_traits::FromPrimitive;

use super::{Closure, Value};

fn rank(v: &Value) -> u8 {
    match v {
        Value::Int(_) | Value::BigInt(_) | Value::Float(_) => 0,
        Value::Atom(_) => 1,
        Value::Ref(_) => 2,
        Value::Fun(_) => 3,
        Value::Pid(_) => 4,
        Value::Tuple(_) => 5,
        Value::Map(_) => 6,
        Value::Nil => 7,
        Value::Cons(_) => 8,
        Value::Str(_) => 9,
    }
}

/// Compares an integer (as a big integer or i64) with a float by value;
/// on equal value the integer comes first if `exact`.
fn cmp_int_float(i: &Value, f: f64, exact: bool) -> Ordering {
    if f.is_nan() {
        return Ordering::Less;
    }
    if f == f64::INFINITY {
        return Ordering::Less;
    }
    if f == f64::NEG_INFINITY {
        return Ordering::Greater;
    }
    let t = f.trunc();
    let by_int = match i {
        Value::Int(x) if t.abs() < 9.223_372_036_854_776e18 => x.cmp(&(t as i64)),
        Value::Int(x) => BigInt::from(*x).cmp(&BigInt::from_f64(t).unwrap_or_default()),
        Value::BigInt(b) => (**b).cmp(&BigInt::from_f64(t).unwrap_or_default()),
        _ => unreachable!("cmp_int_float takes an integer"),
    };
    by_int.then(if f > t {
        Ordering::Less
    } else if f < t {
        Ordering::Greater
    } else if exact {
        Ordering::Less // same value: the integer first
    } else {
        Ordering::Equal
    })
}

fn cmp_numbers(a: &Value, b: &Value, exact: bool) -> Ordering {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => x.cmp(y),
        (Value::Float(x), Value::Float(y)) => x.total_cmp(y),
        // A BigInt is never in i64 range, so its sign decides.
        (Value::Int(_), Value::BigInt(y)) => {
            if y.sign() == num_bigint::Sign::Minus {
                Ordering::Greater
            } else {
                Ordering::Less
            }
        }
        (Value::BigInt(_), Value::Int(_)) => cmp_numbers(b, a, exact).reverse(),
        (Value::BigInt(x), Value::BigInt(y)) => x.cmp(y),
        (_, Value::Float(f)) => cmp_int_float(a, *f, exact),
        (Value::Float(f), _) => cmp_int_float(b, *f, exact).reverse(),
        _ => unreachable!("cmp_numbers takes numbers"),
    }
}

fn cmp_funs(a: &Closure, b: &Closure, exact: bool) -> Ordering {
    let (am, an, aa) = a.describe();
    let (bm, bn, ba) = b.describe();
    let by_name = am
        .name()
        .cmp(bm.name())
        .then(an.name().cmp(bn.name()))
        .then(aa.cmp(&ba));
    by_name.then_with(|| match (a, b) {
        (
            Closure::Local {
                func: f1,
                captured: c1,
                ..
            },
            Closure::Local {
                func: f2,
                captured: c2,
                ..
            },
        ) => f1.cmp(f2).then_with(|| cmp_slices(c1, c2, exact)),
        (Closure::Local { .. }, Closure::External { .. }) => Ordering::Less,
        (Closure::External { .. }, Closure::Local { .. }) => Ordering::Greater,
        (Closure::External { .. }, Closure::External { .. }) => Ordering::Equal,
    })
}

fn cmp_slices(a: &[Value], b: &[Value], exact: bool) -> Ordering {
    a.len().cmp(&b.len()).then_with(|| {
        for (x, y) in a.iter().zip(b) {
            match compare_with(x, y, exact) {
                Ordering::Equal => {}
                o => return o,
            }
        }
        Ordering::Equal
    })
}

/// The term order of `<`, `lists.sort`, `min` and `max`: `1` and `1.0`
/// compare equal.
pub fn compare(a: &Value, b: &Value) -> Ordering {
    compare_with(a, b, false)
}

/// The exact total order (`Ord`): agrees with `==`, `1` before `1.0`.
pub fn compare_exact(a: &Value, b: &Value) -> Ordering {
    compare_with(a, b, true)
}

fn compare_with(a: &Value, b: &Value, exact: bool) -> Ordering {
    let (mut a, mut b) = (a, b);
    loop {
        let (ra, rb) = (rank(a), rank(b));
        if ra != rb {
            return ra.cmp(&rb);
        }
        return match (a, b) {
            (Value::Atom(x), Value::Atom(y)) => {
                if x == y {
                    Ordering::Equal
                } else {
                    x.name().cmp(y.name())
                }
            }
            (Value::Str(x), Value::Str(y)) => x.as_bytes().cmp(y.as_bytes()),
            (Value::Ref(x), Value::Ref(y)) => x.cmp(y),
            (Value::Pid(x), Value::Pid(y)) => x.cmp(y),
            (Value::Fun(x), Value::Fun(y)) => cmp_funs(x, y, exact),
            (Value::Tuple(x), Value::Tuple(y)) => cmp_slices(x, y, exact),
            (Value::Map(x), Value::Map(y)) => x.len().cmp(&y.len()).then_with(|| {
                for (k1, k2) in x.keys().zip(y.keys()) {
                    match compare_exact(k1, k2) {
                        Ordering::Equal => {}
                        o => return o,
                    }
                }
                for (v1, v2) in x.values().zip(y.values()) {
                    match compare_with(v1, v2, exact) {
                        Ordering::Equal => {}
                        o => return o,
                    }
                }
                Ordering::Equal
            }),
            (Value::Nil, Value::Nil) => Ordering::Equal,
            (Value::Cons(x), Value::Cons(y)) => {
                match compare_with(&x.head, &y.head, exact) {
                    Ordering::Equal => {}
                    o => return o,
                }
                a = &x.tail;
                b = &y.tail;
                continue;
            }
            _ => cmp_numbers(a, b, exact),
        };
    }
}

/// Exact equality (`==`): the same term. Cheaper than `compare` (no atom
/// names are looked up).
pub fn equal(a: &Value, b: &Value) -> bool {
    let (mut a, mut b) = (a, b);
    loop {
        return match (a, b) {
            (Value::Int(x), Value::Int(y)) => x == y,
            (Value::Atom(x), Value::Atom(y)) => x == y,
            (Value::Float(x), Value::Float(y)) => x.total_cmp(y) == Ordering::Equal,
            (Value::BigInt(x), Value::BigInt(y)) => x == y,
            (Value::Str(x), Value::Str(y)) => std::sync::Arc::ptr_eq(x, y) || x == y,
            (Value::Nil, Value::Nil) => true,
            (Value::Pid(x), Value::Pid(y)) => x == y,
            (Value::Ref(x), Value::Ref(y)) => x == y,
            (Value::Tuple(x), Value::Tuple(y)) => {
                x.len() == y.len() && x.iter().zip(y.iter()).all(|(p, q)| equal(p, q))
            }
            (Value::Cons(x), Value::Cons(y)) => {
                if std::rc::Rc::ptr_eq(x, y) {
                    return true;
                }
                if !equal(&x.head, &y.head) {
                    return false;
                }
                a = &x.tail;
                b = &y.tail;
                continue;
            }
            (Value::Map(x), Value::Map(y)) => {
                x.len() == y.len()
                    && x.iter()
                        .zip(y.iter())
                        .all(|((k1, v1), (k2, v2))| equal(k1, k2) && equal(v1, v2))
            }
            (Value::Fun(x), Value::Fun(y)) => cmp_funs(x, y, true) == Ordering::Equal,
            _ => false,
        };
    }
}

impl PartialEq for Value {
    fn eq(&self, other: &Value) -> bool {
        equal(self, other)
    }
}

impl Eq for Value {}

impl PartialOrd for Value {
    fn partial_cmp(&self, other: &Value) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Value {
    /// The exact order. Map lookups compare keys many times each, and most
    /// keys are small integers or atoms: those are decided inline.
    #[inline]
    fn cmp(&self, other: &Value) -> Ordering {
        match (self, other) {
            (Value::Int(x), Value::Int(y)) => x.cmp(y),
            (Value::Atom(x), Value::Atom(y)) if x == y => Ordering::Equal,
            _ => compare_exact(self, other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::{MapData, Pid, Ref};

    fn int(i: i64) -> Value {
        Value::Int(i)
    }

    #[test]
    fn kinds_are_ordered_as_the_card_says() {
        let big = crate::value::number::mul(&int(i64::MAX), &int(4)).unwrap();
        let ordered = [
            int(-5),
            int(1),
            Value::Float(1.0),
            Value::Float(1.5),
            int(2),
            big,
            Value::atom("abc"),
            Value::atom("abd"),
            Value::Ref(Ref(1)),
            Value::Fun(std::rc::Rc::new(Closure::External {
                module: crate::value::Atom::new("m"),
                name: crate::value::Atom::new("f"),
                arity: 0,
            })),
            Value::Pid(Pid(3)),
            Value::tuple(vec![]),
            Value::tuple(vec![int(9)]),
            Value::tuple(vec![int(1), int(2)]),
            Value::map(MapData::new()),
            Value::Nil,
            Value::list([int(1)]),
            Value::list([int(1), int(2)]),
            Value::list([int(2)]),
            Value::str(""),
            Value::str("a"),
        ];
        for (i, a) in ordered.iter().enumerate() {
            for (j, b) in ordered.iter().enumerate() {
                assert_eq!(compare_exact(a, b), i.cmp(&j), "{a} vs {b}");
                assert_eq!(equal(a, b), i == j, "{a} == {b}");
            }
        }
    }

    #[test]
    fn int_and_float_of_equal_value_are_different() {
        assert_ne!(int(1), Value::Float(1.0));
        assert_eq!(compare_exact(&int(1), &Value::Float(1.0)), Ordering::Less);
        assert_eq!(compare(&int(1), &Value::Float(1.0)), Ordering::Equal);
        let t = |x: Value, y: i64| Value::tuple(vec![x, int(y)]);
        assert_eq!(
            compare(&t(int(1), 2), &t(Value::Float(1.0), 3)),
            Ordering::Less
        );
        assert_eq!(compare(&Value::Float(0.5), &int(1)), Ordering::Less);
        assert_eq!(compare(&int(i64::MAX), &Value::Float(1e19)), Ordering::Less);
        assert_eq!(
            compare(&int(i64::MIN), &Value::Float(-1e19)),
            Ordering::Greater
        );
    }

    #[test]
    fn maps_compare_by_size_then_keys_then_values() {
        let m = |pairs: &[(i64, i64)]| {
            Value::map(
                pairs
                    .iter()
                    .map(|&(k, v)| (int(k), int(v)))
                    .collect::<MapData>(),
            )
        };
        assert_eq!(
            compare(&m(&[(5, 5)]), &m(&[(1, 1), (2, 2)])),
            Ordering::Less
        );
        assert_eq!(compare(&m(&[(1, 9)]), &m(&[(2, 0)])), Ordering::Less);
        assert_eq!(compare(&m(&[(1, 1)]), &m(&[(1, 2)])), Ordering::Less);
        assert_eq!(m(&[(1, 1), (2, 2)]), m(&[(2, 2), (1, 1)]));
    }

    #[test]
    fn long_lists_compare_without_recursion() {
        let a = Value::list((0..2_000_000).map(int));
        let b = Value::list((0..2_000_000).map(int));
        assert_eq!(a, b);
        assert_eq!(compare(&a, &b), Ordering::Equal);
        let c = Value::list((0..2_000_000).map(|i| int(if i == 1_999_999 { 0 } else { i })));
        assert_eq!(compare(&c, &a), Ordering::Less);
    }

    #[test]
    fn improper_lists_compare_by_tail() {
        let a = Value::list_with_tail([int(1)], int(2));
        let b = Value::list_with_tail([int(1)], int(3));
        assert_eq!(compare(&a, &b), Ordering::Less);
        assert_eq!(compare(&Value::list([int(1)]), &a), Ordering::Greater); // [] ranks above numbers
    }
}
