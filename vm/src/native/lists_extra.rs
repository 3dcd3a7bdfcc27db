//! `lists`, the natives added with the data stdlib (spec 8.3): key
//! lookups in lists of tuples, set-like operations, reshaping. None calls
//! back into Reef (those are in stdlib/lib/lists.reef). Positions count
//! from 0, as `elem` and `lists.nth`; keys and elements are compared by
//! exact equality, as `lists.member`. Every walk is a loop over the list,
//! so long lists and deep nesting (`flatten`) take constant Rust stack.

use std::collections::{BTreeMap, BTreeSet};

use super::{index, int, list, Ctx};
use crate::exports::NativeFn;
use crate::interp::Exception;
use crate::value::{order, MapData, Value};

pub const NATIVES: &[(&str, u32, NativeFn)] = &[
    ("seq", 3, seq3),
    ("keyfind", 3, |ctx, a| {
        let (xs, pos) = (list(&a[0])?, index(&a[2])?);
        walked(ctx, xs.len());
        Ok(xs
            .into_iter()
            .find(|t| key_at(t, pos) == Some(&a[1]))
            .unwrap_or(Value::NIL_ATOM))
    }),
    ("keystore", 4, |ctx, a| {
        let (mut xs, pos) = (list(&a[0])?, index(&a[2])?);
        walked(ctx, xs.len());
        match xs.iter().position(|t| key_at(t, pos) == Some(&a[1])) {
            Some(i) => xs[i] = a[3].clone(),
            None => xs.push(a[3].clone()),
        }
        Ok(Value::list(xs))
    }),
    ("keydelete", 3, |ctx, a| {
        let (mut xs, pos) = (list(&a[0])?, index(&a[2])?);
        walked(ctx, xs.len());
        if let Some(i) = xs.iter().position(|t| key_at(t, pos) == Some(&a[1])) {
            xs.remove(i);
        }
        Ok(Value::list(xs))
    }),
    ("keysort", 2, |ctx, a| {
        let (mut xs, pos) = (list(&a[0])?, index(&a[1])?);
        walked(ctx, xs.len());
        if xs.iter().any(|t| key_at(t, pos).is_none()) {
            return Err(Exception::badarg());
        }
        // Stable: equal keys keep their order.
        xs.sort_by(|x, y| {
            order::compare(
                &x.as_tuple().unwrap_or(&[])[pos],
                &y.as_tuple().unwrap_or(&[])[pos],
            )
        });
        Ok(Value::list(xs))
    }),
    ("delete", 2, |ctx, a| {
        let mut xs = list(&a[0])?;
        walked(ctx, xs.len());
        if let Some(i) = xs.iter().position(|x| *x == a[1]) {
            xs.remove(i);
        }
        Ok(Value::list(xs))
    }),
    ("subtract", 2, |ctx, a| {
        // Erlang's `--`: each element of ys removes its first occurrence.
        let (xs, ys) = (list(&a[0])?, list(&a[1])?);
        walked(ctx, xs.len() + ys.len());
        // The order of a `Value` never depends on what its cells may
        // cache (a closure's module), so it is a sound key.
        #[allow(clippy::mutable_key_type)]
        let mut remove: BTreeMap<Value, usize> = BTreeMap::new();
        for y in ys {
            *remove.entry(y).or_insert(0) += 1;
        }
        let kept: Vec<Value> = xs
            .into_iter()
            .filter(|x| match remove.get_mut(x) {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    false
                }
                _ => true,
            })
            .collect();
        Ok(Value::list(kept))
    }),
    ("usort", 1, |ctx, a| {
        let mut xs = list(&a[0])?;
        walked(ctx, xs.len());
        xs.sort_by(order::compare);
        xs.dedup_by(|x, y| x == y);
        Ok(Value::list(xs))
    }),
    ("uniq", 1, |ctx, a| {
        let xs = list(&a[0])?;
        walked(ctx, xs.len());
        #[allow(clippy::mutable_key_type)] // as in `subtract`
        let mut seen = BTreeSet::new();
        let kept: Vec<Value> = xs.into_iter().filter(|x| seen.insert(x.clone())).collect();
        Ok(Value::list(kept))
    }),
    ("duplicate", 2, |ctx, a| {
        let n = index(&a[1])?;
        ctx.reserve(n.saturating_mul(4))?;
        walked(ctx, n);
        let mut out = Value::Nil;
        for _ in 0..n {
            out = Value::cons(a[0].clone(), out);
        }
        Ok(out)
    }),
    ("split", 2, |ctx, a| {
        let n = index(&a[1])?;
        let mut xs = list(&a[0])?;
        walked(ctx, xs.len());
        let rest = xs.split_off(n.min(xs.len()));
        Ok(Value::tuple(vec![Value::list(xs), Value::list(rest)]))
    }),
    ("sublist", 3, |ctx, a| {
        let (start, len) = (index(&a[1])?, index(&a[2])?);
        let xs = list(&a[0])?;
        walked(ctx, xs.len());
        Ok(Value::list(
            xs.into_iter().skip(start).take(len).collect::<Vec<_>>(),
        ))
    }),
    ("flatten", 1, |ctx, a| {
        // A stack of the lists still being walked: any nesting depth.
        let mut out = Vec::new();
        let mut stack = vec![&a[0]];
        while let Some(top) = stack.last_mut() {
            match *top {
                Value::Cons(c) => {
                    *top = &c.tail;
                    if c.head.is_list() {
                        stack.push(&c.head);
                    } else {
                        out.push(c.head.clone());
                    }
                }
                Value::Nil => {
                    stack.pop();
                }
                _ => return Err(Exception::badarg()),
            }
        }
        walked(ctx, out.len());
        Ok(Value::list(out))
    }),
    ("zip3", 3, |ctx, a| {
        let (xs, ys, zs) = (list(&a[0])?, list(&a[1])?, list(&a[2])?);
        walked(ctx, xs.len() + ys.len() + zs.len());
        Ok(Value::list(
            xs.into_iter()
                .zip(ys)
                .zip(zs)
                .map(|((x, y), z)| Value::tuple(vec![x, y, z]))
                .collect::<Vec<_>>(),
        ))
    }),
    ("chunk", 2, |ctx, a| {
        let n = index(&a[1])?;
        if n == 0 {
            return Err(Exception::badarg());
        }
        let xs = list(&a[0])?;
        walked(ctx, xs.len());
        Ok(Value::list(
            xs.chunks(n)
                .map(|c| Value::list(c.to_vec()))
                .collect::<Vec<_>>(),
        ))
    }),
    ("frequencies", 1, |ctx, a| {
        let xs = list(&a[0])?;
        walked(ctx, xs.len());
        let mut m = MapData::new();
        for x in xs {
            let n = match m.get(&x) {
                Some(Value::Int(n)) => n + 1,
                _ => 1,
            };
            m.insert(x, Value::Int(n));
        }
        Ok(Value::map(m))
    }),
    ("intersperse", 2, |ctx, a| {
        let xs = list(&a[0])?;
        walked(ctx, xs.len());
        let mut out = Vec::with_capacity(xs.len() * 2);
        for (i, x) in xs.into_iter().enumerate() {
            if i > 0 {
                out.push(a[1].clone());
            }
            out.push(x);
        }
        Ok(Value::list(out))
    }),
];

/// Charges for walking `n` elements (as the other `lists` natives).
fn walked(ctx: &mut Ctx<'_>, n: usize) {
    ctx.charge(n / 4);
}

/// Element `pos` of `t` when it is a tuple that long.
fn key_at(t: &Value, pos: usize) -> Option<&Value> {
    t.as_tuple().and_then(|t| t.get(pos))
}

/// `seq(from, to, step)`: from `from` by `step` while not past `to`
/// (`[]` when `from` is already past it); a step of 0 is `:badarg`.
fn seq3(ctx: &mut Ctx<'_>, a: &[Value]) -> Result<Value, Exception> {
    let (from, to, step) = (
        int(&a[0])? as i128,
        int(&a[1])? as i128,
        int(&a[2])? as i128,
    );
    if step == 0 {
        return Err(Exception::badarg());
    }
    let n = if (step > 0 && to < from) || (step < 0 && to > from) {
        0
    } else {
        ((to - from) / step + 1).clamp(0, usize::MAX as i128 / 8) as usize
    };
    ctx.reserve(n.saturating_mul(5))?;
    walked(ctx, n);
    let mut out = Value::Nil;
    for i in (0..n as i128).rev() {
        out = Value::cons(Value::Int((from + i * step) as i64), out);
    }
    Ok(out)
}
