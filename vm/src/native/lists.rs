//! `lists`, the natives (no callbacks): the rest of the module (map,
//! filter, foldl, ...) is Reef, in stdlib/lib/lists.reef. Indices are
//! 0-based; a wrong type or an index out of range is `:badarg`.

use super::{index, int, list, Ctx};
use crate::exports::NativeFn;
use crate::interp::Exception;
use crate::value::{number, order, Value};

pub const NATIVES: &[(&str, u32, NativeFn)] = &[
    ("reverse", 1, |_, a| {
        let mut out = Value::Nil;
        let mut it = a[0].iter_list();
        for v in &mut it {
            out = Value::cons(v.clone(), out);
        }
        proper(it.tail())?;
        Ok(out)
    }),
    ("length", 1, |_, a| {
        Ok(Value::Int(list(&a[0])?.len() as i64))
    }),
    ("append", 2, |_, a| {
        let xs = list(&a[0])?;
        Ok(Value::list_with_tail(xs, a[1].clone()))
    }),
    ("nth", 2, |_, a| {
        let i = index(&a[1])?;
        a[0].iter_list()
            .nth(i)
            .cloned()
            .ok_or_else(Exception::badarg)
    }),
    ("seq", 2, seq),
    ("sort", 1, |_, a| {
        let mut xs = list(&a[0])?;
        xs.sort_by(order::compare); // stable, in term order
        Ok(Value::list(xs))
    }),
    ("member", 2, |_, a| {
        let mut it = a[0].iter_list();
        let found = it.any(|v| *v == a[1]);
        if !found {
            proper(it.tail())?;
        }
        Ok(Value::bool(found))
    }),
    ("sum", 1, |_, a| {
        let mut acc = Value::Int(0);
        for v in list(&a[0])? {
            acc = number::add(&acc, &v).ok_or_else(Exception::badarith)?;
        }
        Ok(acc)
    }),
    ("max", 1, |_, a| {
        let xs = list(&a[0])?;
        xs.into_iter()
            .reduce(|m, v| if order::compare(&v, &m).is_gt() { v } else { m })
            .ok_or_else(Exception::badarg)
    }),
    ("min", 1, |_, a| {
        let xs = list(&a[0])?;
        xs.into_iter()
            .reduce(|m, v| if order::compare(&v, &m).is_lt() { v } else { m })
            .ok_or_else(Exception::badarg)
    }),
    ("zip", 2, |_, a| {
        // As long as the shorter list (spec 8.3).
        let (xs, ys) = (list(&a[0])?, list(&a[1])?);
        Ok(Value::list(
            xs.into_iter()
                .zip(ys)
                .map(|(x, y)| Value::tuple(vec![x, y])),
        ))
    }),
    ("take", 2, |_, a| {
        let n = index(&a[1])?;
        let xs = list(&a[0])?;
        Ok(Value::list(xs.into_iter().take(n)))
    }),
    ("drop", 2, |_, a| {
        let n = index(&a[1])?;
        let mut cur = &a[0];
        for _ in 0..n {
            match cur {
                Value::Cons(c) => cur = &c.tail,
                Value::Nil => break,
                _ => return Err(Exception::badarg()),
            }
        }
        Ok(cur.clone())
    }),
    ("last", 1, |_, a| {
        let mut it = a[0].iter_list();
        let last = (&mut it).last().cloned();
        proper(it.tail())?;
        last.ok_or_else(Exception::badarg)
    }),
];

fn proper(tail: &Value) -> Result<(), Exception> {
    match tail {
        Value::Nil => Ok(()),
        _ => Err(Exception::badarg()),
    }
}

/// `seq(from, to)`: the integers from `from` to `to` inclusive (`[]` when
/// `to < from`).
fn seq(ctx: &mut Ctx<'_>, a: &[Value]) -> Result<Value, Exception> {
    let (from, to) = (int(&a[0])?, int(&a[1])?);
    // Checked before building: `lists.seq(1, 1_000_000_000)` is 40 GB.
    let n = (to as i128 - from as i128 + 1).clamp(0, usize::MAX as i128 / 8) as usize;
    ctx.reserve(n.saturating_mul(5))?;
    let mut out = Value::Nil;
    let mut i = to;
    while i >= from {
        out = Value::cons(Value::Int(i), out);
        if i == i64::MIN {
            break;
        }
        i -= 1;
    }
    Ok(out)
}
