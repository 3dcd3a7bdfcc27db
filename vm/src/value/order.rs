//! Exact equality and the total term order:
//! number < atom < reference < function < port < pid < tuple < map < [] <
//! list < binary (Erlang's order; strings and other binaries are one
//! class, compared bytewise).
//!
//! - Numbers compare by value, integers and floats mixed. An integer and a
//!   float of the same value are different terms (`1 == 1.0` is false) but
//!   neither is less than the other in [`compare`] (`1 <= 1.0` and
//!   `1 >= 1.0` hold, as in Erlang). The *exact* order ([`compare_exact`],
//!   which is `Ord` on `Value`) must be total and agree with `==`, so
//!   there the integer comes first; maps order their keys by it. Likewise
//!   `0.0` and `-0.0` are different terms (`0.0 != -0.0`, as `=:=` in
//!   OTP 27) that [`compare`] finds equal; the exact order puts `-0.0`
//!   first, so they are two map keys.
//! - Atoms compare alphabetically by name; strings by their UTF-8 bytes
//!   (which is code point order).
//! - Tuples by size, then element by element; maps by size, then their keys
//!   in order, then the values in key order (Erlang's rule); lists element
//!   by element.
//! - Every walk keeps the pairs still to compare on a heap stack, never
//!   the Rust stack: terms of any depth or length compare.
//!
//! `Ord` and `Eq` on [`Value`] are the exact order, so an ordered map
//! keyed by values treats `1` and `1.0` as two keys, as Erlang's maps do.

use std::cmp::Ordering;

use num_bigint::BigInt;
use num_traits::FromPrimitive;

use std::rc::Rc;

use smallvec::SmallVec;

use super::{Closure, Foreign, Tuple, Value};

fn rank(v: &Value) -> u8 {
    match v {
        Value::Int(_) | Value::BigInt(_) | Value::Float(_) => 0,
        Value::Atom(_) => 1,
        Value::Ref(_) => 2,
        Value::Fun(_) => 3,
        Value::Foreign(f) => match **f {
            Foreign::Ref { .. } => 2,
            Foreign::Fun { .. } => 3,
            Foreign::Port { .. } => 4,
        },
        Value::Pid(_) => 5,
        Value::Tuple(_) => 6,
        Value::Map(_) => 7,
        Value::Nil => 8,
        Value::Cons(_) => 9,
        Value::Str(_) | Value::Bytes(_) => 10,
    }
}

/// Orders terms of the same rank where a foreign term is involved.
/// References: this node's first (by counter), then other nodes' by node
/// index and words (highest word first, as Erlang compares them). Funs:
/// Reef's own before foreign ones, which order by module name, arity and
/// then their encoding. Ports: by node index, then id.
fn cmp_foreign(a: &Value, b: &Value) -> Ordering {
    fn ref_key(v: &Value) -> (u16, Vec<u32>, u64) {
        match v {
            Value::Ref(r) => (0, Vec::new(), r.0),
            Value::Foreign(f) => match &**f {
                Foreign::Ref { node, words } => (*node, words.iter().rev().copied().collect(), 0),
                _ => (0, Vec::new(), 0),
            },
            _ => (0, Vec::new(), 0),
        }
    }
    match (a, b) {
        (Value::Fun(_), Value::Foreign(_)) => Ordering::Less,
        (Value::Foreign(_), Value::Fun(_)) => Ordering::Greater,
        (Value::Foreign(x), Value::Foreign(y)) => match (&**x, &**y) {
            (
                Foreign::Fun {
                    module: m1,
                    arity: a1,
                    etf: e1,
                },
                Foreign::Fun {
                    module: m2,
                    arity: a2,
                    etf: e2,
                },
            ) => m1.name().cmp(m2.name()).then(a1.cmp(a2)).then(e1.cmp(e2)),
            (Foreign::Port { node: n1, id: i1 }, Foreign::Port { node: n2, id: i2 }) => {
                n1.cmp(n2).then(i1.cmp(i2))
            }
            _ => ref_key(a).cmp(&ref_key(b)),
        },
        _ => ref_key(a).cmp(&ref_key(b)),
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
        // By value, `0.0` and `-0.0` are equal; the exact order puts
        // `-0.0` first (they are different terms, spec 2.3).
        (Value::Float(x), Value::Float(y)) if !exact && x == y => Ordering::Equal,
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

/// Compares what two functions show of themselves (module, name, arity,
/// kind, function index); when that is equal and both are lambdas, their
/// captured values remain to be compared.
fn cmp_fun_heads<'a>(a: &'a Closure, b: &'a Closure) -> (Ordering, Option<Pending<'a>>) {
    let (am, an, aa) = a.describe();
    let (bm, bn, ba) = b.describe();
    let by_name = am
        .name()
        .cmp(bm.name())
        .then(an.name().cmp(bn.name()))
        .then(aa.cmp(&ba));
    if by_name.is_ne() {
        return (by_name, None);
    }
    match (a, b) {
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
        ) => {
            let o = f1.cmp(f2).then(c1.len().cmp(&c2.len()));
            (
                o,
                (o.is_eq() && !c1.is_empty()).then_some(Pending::Slices(c1, c2)),
            )
        }
        (Closure::Local { .. }, Closure::External { .. }) => (Ordering::Less, None),
        (Closure::External { .. }, Closure::Local { .. }) => (Ordering::Greater, None),
        (Closure::External { .. }, Closure::External { .. }) => (Ordering::Equal, None),
    }
}

/// Pairs of subterms still to compare, innermost last: the walk keeps
/// them on a heap stack, so a term of any depth compares in constant Rust
/// stack.
enum Pending<'a> {
    /// The elements of two tuples (or captured values, or a list's head
    /// or tail) of the same length, pairwise.
    Slices(&'a [Value], &'a [Value]),
    /// Keys or values of two maps of the same size, pairwise; `bool` says
    /// whether these pairs compare exactly (keys always do).
    Map(Box<dyn Iterator<Item = (&'a Value, &'a Value)> + 'a>, bool),
}

/// The walk's stack: most comparisons never go deeper than a few levels.
type Stack<'a> = SmallVec<[(Pending<'a>, bool); 8]>;

/// The next pair to compare and whether it is compared exactly, popping
/// exhausted entries (an entry whose last pair is taken is popped at
/// once, so walking a list's tails does not grow the stack).
#[inline]
fn next_pair<'a>(stack: &mut Stack<'a>) -> Option<(&'a Value, &'a Value, bool)> {
    loop {
        let (top, exact) = stack.last_mut()?;
        let exact = *exact;
        match top {
            Pending::Slices(a, b) => {
                let (x, y) = (&a[0], &b[0]);
                if a.len() == 1 {
                    stack.pop();
                } else {
                    *a = &a[1..];
                    *b = &b[1..];
                }
                return Some((x, y, exact));
            }
            Pending::Map(it, e) => match it.next() {
                Some((x, y)) => return Some((x, y, *e)),
                None => {
                    stack.pop();
                }
            },
        }
    }
}

/// The term order of `<`, `lists.sort`, `min` and `max`: `1` and `1.0`
/// compare equal, and so do `0.0` and `-0.0`.
pub fn compare(a: &Value, b: &Value) -> Ordering {
    compare_with(a, b, false)
}

/// The exact total order (`Ord`): agrees with `==`, `1` before `1.0`,
/// `-0.0` before `0.0`.
pub fn compare_exact(a: &Value, b: &Value) -> Ordering {
    compare_with(a, b, true)
}

fn compare_with(a: &Value, b: &Value, exact: bool) -> Ordering {
    let mut stack: Stack<'_> = SmallVec::new();
    let (mut a, mut b, mut exact) = (a, b, exact);
    loop {
        match compare_one(a, b, exact, &mut stack) {
            Ordering::Equal => {}
            o => return o,
        }
        match next_pair(&mut stack) {
            Some((x, y, e)) => (a, b, exact) = (x, y, e),
            None => return Ordering::Equal,
        }
    }
}

/// Compares the outer layer of two terms; subterms left to compare (in
/// order) are pushed on `stack`.
fn compare_one<'a>(a: &'a Value, b: &'a Value, exact: bool, stack: &mut Stack<'a>) -> Ordering {
    let (ra, rb) = (rank(a), rank(b));
    if ra != rb {
        return ra.cmp(&rb);
    }
    match (a, b) {
        (Value::Atom(x), Value::Atom(y)) => x.order(*y),
        (Value::Str(x), Value::Str(y)) => x.as_bytes().cmp(y.as_bytes()),
        (Value::Str(_) | Value::Bytes(_), Value::Str(_) | Value::Bytes(_)) => {
            a.as_binary().cmp(&b.as_binary())
        }
        (Value::Ref(x), Value::Ref(y)) => x.cmp(y),
        (Value::Pid(x), Value::Pid(y)) => x.cmp(y),
        (Value::Foreign(_), _) | (_, Value::Foreign(_)) => cmp_foreign(a, b),
        (Value::Fun(x), Value::Fun(y)) => {
            let (o, rest) = cmp_fun_heads(x, y);
            if let Some(p) = rest {
                stack.push((p, exact));
            }
            o
        }
        (Value::Tuple(x), Value::Tuple(y)) => {
            let o = x.len().cmp(&y.len());
            if o.is_eq() && !x.is_empty() {
                stack.push((Pending::Slices(x, y), exact));
            }
            o
        }
        (Value::Map(x), Value::Map(y)) => {
            let o = x.len().cmp(&y.len());
            if o.is_eq() && !x.is_empty() {
                // Erlang's rule: all the keys (exactly) first, then the
                // values in key order.
                stack.push((
                    Pending::Map(Box::new(x.values().zip(y.values())), exact),
                    exact,
                ));
                stack.push((Pending::Map(Box::new(x.keys().zip(y.keys())), true), true));
            }
            o
        }
        (Value::Nil, Value::Nil) => Ordering::Equal,
        (Value::Cons(x), Value::Cons(y)) => {
            stack.push((
                Pending::Slices(std::slice::from_ref(&x.tail), std::slice::from_ref(&y.tail)),
                exact,
            ));
            stack.push((
                Pending::Slices(std::slice::from_ref(&x.head), std::slice::from_ref(&y.head)),
                exact,
            ));
            Ordering::Equal
        }
        _ => cmp_numbers(a, b, exact),
    }
}

/// Exact equality (`==`): the same term. Cheaper than `compare` (no atom
/// names are looked up).
pub fn equal(a: &Value, b: &Value) -> bool {
    let mut stack: Stack<'_> = SmallVec::new();
    let (mut a, mut b) = (a, b);
    loop {
        if !equal_one(a, b, &mut stack) {
            return false;
        }
        match next_pair(&mut stack) {
            Some((x, y, _)) => (a, b) = (x, y),
            None => return true,
        }
    }
}

/// Whether the outer layers of two terms are equal; subterms left to
/// compare are pushed on `stack`.
fn equal_one<'a>(a: &'a Value, b: &'a Value, stack: &mut Stack<'a>) -> bool {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => x == y,
        (Value::Atom(x), Value::Atom(y)) => x == y,
        (Value::Float(x), Value::Float(y)) => x.total_cmp(y) == Ordering::Equal,
        (Value::BigInt(x), Value::BigInt(y)) => x == y,
        (Value::Str(x), Value::Str(y)) => std::sync::Arc::ptr_eq(x, y) || x == y,
        (Value::Nil, Value::Nil) => true,
        (Value::Pid(x), Value::Pid(y)) => x == y,
        (Value::Ref(x), Value::Ref(y)) => x == y,
        (Value::Bytes(x), Value::Bytes(y)) => x == y,
        (Value::Foreign(x), Value::Foreign(y)) => x == y,
        (Value::Tuple(x), Value::Tuple(y)) => {
            if x.len() != y.len() {
                return false;
            }
            if !x.is_empty() && !Tuple::ptr_eq(x, y) {
                stack.push((Pending::Slices(x, y), true));
            }
            true
        }
        (Value::Cons(x), Value::Cons(y)) => {
            if !Rc::ptr_eq(x, y) {
                stack.push((
                    Pending::Slices(std::slice::from_ref(&x.tail), std::slice::from_ref(&y.tail)),
                    true,
                ));
                stack.push((
                    Pending::Slices(std::slice::from_ref(&x.head), std::slice::from_ref(&y.head)),
                    true,
                ));
            }
            true
        }
        (Value::Map(x), Value::Map(y)) => {
            if x.len() != y.len() {
                return false;
            }
            if x.addr() == y.addr() {
                return true;
            }
            let pairs = x
                .iter()
                .zip(y.iter())
                .flat_map(|((k1, v1), (k2, v2))| [(k1, k2), (v1, v2)]);
            stack.push((Pending::Map(Box::new(pairs), true), true));
            true
        }
        (Value::Fun(x), Value::Fun(y)) => {
            let (o, rest) = cmp_fun_heads(x, y);
            if let Some(p) = rest {
                stack.push((p, true));
            }
            o.is_eq()
        }
        _ => false,
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

/// Two different atoms, by name: out of line, so that `cmp` stays small
/// enough to inline into map searches, and without the general walk's
/// set-up.
#[inline(never)]
fn atom_order(x: super::Atom, y: super::Atom) -> Ordering {
    x.order(y)
}

impl Ord for Value {
    /// The exact order. Map lookups compare keys many times each, and most
    /// keys are small integers or atoms: those are decided inline.
    #[inline]
    fn cmp(&self, other: &Value) -> Ordering {
        match (self, other) {
            (Value::Int(x), Value::Int(y)) => x.cmp(y),
            (Value::Atom(x), Value::Atom(y)) if x == y => Ordering::Equal,
            (Value::Atom(x), Value::Atom(y)) => atom_order(*x, *y),
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

    #[test]
    fn zeros_compare_equal_by_value_but_are_different_terms() {
        let (p, n) = (Value::Float(0.0), Value::Float(-0.0));
        assert_eq!(compare(&p, &n), Ordering::Equal);
        assert_eq!(compare(&int(0), &n), Ordering::Equal);
        assert!(p != n);
        assert_eq!(compare_exact(&n, &p), Ordering::Less);
        assert_eq!(compare_exact(&int(0), &n), Ordering::Less);
        let m: MapData = [(p.clone(), int(1)), (n.clone(), int(2))]
            .into_iter()
            .collect();
        assert_eq!(m.len(), 2);
    }

    #[test]
    fn deep_terms_compare_in_constant_stack() {
        std::thread::Builder::new()
            .stack_size(512 * 1024)
            .spawn(|| {
                let build = |last: i64| {
                    let mut v = int(last);
                    for i in 0..200_000 {
                        v = match i % 4 {
                            0 => Value::list([v]),
                            1 => Value::tuple(vec![int(1), v]),
                            2 => Value::map([(int(1), v)].into_iter().collect::<MapData>()),
                            _ => Value::map([(v, int(1))].into_iter().collect::<MapData>()),
                        };
                    }
                    v
                };
                let (a, b, c) = (build(1), build(1), build(2));
                assert!(a == b);
                assert!(a != c);
                assert_eq!(compare(&a, &c), Ordering::Less);
                assert_eq!(compare_exact(&c, &a), Ordering::Greater);
                assert_eq!(a.cmp(&b), Ordering::Equal);
            })
            .unwrap()
            .join()
            .unwrap();
    }
}
