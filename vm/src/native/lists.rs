//! `lists`, the natives (no callbacks): the rest of the module (map,
//! filter, foldl, ...) is Reef, in stdlib/lib/lists.reef. Indices are
//! 0-based; a wrong type or an index out of range is `:badarg`.

use std::rc::Rc;

use super::{index, int, list, Ctx};
use crate::exports::{NativeFn, OwningFn};
use crate::interp::Exception;
use crate::mailbox::Message;
use crate::value::{number, order, Atom, Value};

/// The natives that may consume their arguments (`exports::OwningFn`).
pub const OWNING: &[(&str, u32, OwningFn)] = &[("reverse", 1, reverse)];

/// `reverse(xs)`. Given the list at its last use, the cells no other
/// reference sees (count 1, from the front up to the first shared one)
/// are relinked in place, so reversing an accumulator allocates nothing;
/// from the first shared cell on, the rest is copied and stays as it was
/// for its other references.
fn reverse(ctx: &mut Ctx<'_>, a: &mut [Value]) -> Result<Value, Exception> {
    let mut out = Value::Nil;
    let mut rest = std::mem::take(&mut a[0]);
    let (mut n, mut copied) = (0, 0);
    loop {
        rest = match rest {
            Value::Cons(mut cell) => {
                n += 1;
                match Rc::get_mut(&mut cell) {
                    Some(c) => {
                        let next = std::mem::replace(&mut c.tail, out);
                        out = Value::Cons(cell);
                        next
                    }
                    None => {
                        copied += 1;
                        out = Value::cons(cell.head.clone(), out);
                        cell.tail.clone()
                    }
                }
            }
            Value::Nil => break,
            _ => return Err(Exception::badarg()),
        };
    }
    walked(ctx, n);
    // A cell is 6 words (`Rc`'s two counts, head and tail).
    ctx.allocated = Some(crate::heap::native_words(0) + 6 * copied);
    Ok(out)
}

pub const NATIVES: &[(&str, u32, NativeFn)] = &[
    ("length", 1, |ctx, a| {
        let mut it = a[0].iter_list();
        let n = it.by_ref().count();
        proper(it.tail())?;
        walked(ctx, n);
        Ok(Value::Int(n as i64))
    }),
    ("append", 2, |ctx, a| {
        let xs = list(&a[0])?;
        walked(ctx, xs.len());
        Ok(Value::list_with_tail(xs, a[1].clone()))
    }),
    ("nth", 2, |ctx, a| {
        let i = index(&a[1])?;
        walked(ctx, i);
        a[0].iter_list()
            .nth(i)
            .cloned()
            .ok_or_else(Exception::badarg)
    }),
    ("seq", 2, seq),
    ("__sort", 1, sort),
    ("member", 2, |ctx, a| {
        if !a[0].is_list() && a[1].is_list() {
            // Erlang's order, `lists.member(x, xs)` (spec 8.3).
            return Err(Exception::tagged(
                Atom::BADARG,
                Value::str("lists.member/2: the list comes first: lists.member(xs, x)"),
            ));
        }
        let mut it = a[0].iter_list();
        let mut n = 0;
        let found = it.any(|v| {
            n += 1;
            *v == a[1]
        });
        walked(ctx, n);
        if !found {
            proper(it.tail())?;
        }
        Ok(Value::bool(found))
    }),
    ("sum", 1, |ctx, a| {
        let mut acc = Value::Int(0);
        let xs = list(&a[0])?;
        walked(ctx, xs.len());
        for v in xs {
            acc = number::add(&acc, &v).ok_or_else(Exception::badarith)?;
        }
        Ok(acc)
    }),
    ("max", 1, |ctx, a| {
        let xs = list(&a[0])?;
        walked(ctx, xs.len());
        xs.into_iter()
            .reduce(|m, v| if order::compare(&v, &m).is_gt() { v } else { m })
            .ok_or_else(Exception::badarg)
    }),
    ("min", 1, |ctx, a| {
        let xs = list(&a[0])?;
        walked(ctx, xs.len());
        xs.into_iter()
            .reduce(|m, v| if order::compare(&v, &m).is_lt() { v } else { m })
            .ok_or_else(Exception::badarg)
    }),
    ("zip", 2, |ctx, a| {
        // As long as the shorter list (spec 8.3).
        let (xs, ys) = (list(&a[0])?, list(&a[1])?);
        walked(ctx, xs.len() + ys.len());
        Ok(Value::list(
            xs.into_iter()
                .zip(ys)
                .map(|(x, y)| Value::tuple(vec![x, y])),
        ))
    }),
    ("take", 2, |ctx, a| {
        let n = index(&a[1])?;
        let xs = list(&a[0])?;
        walked(ctx, xs.len());
        Ok(Value::list(xs.into_iter().take(n)))
    }),
    ("drop", 2, |ctx, a| {
        let n = index(&a[1])?;
        walked(ctx, n);
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
    ("last", 1, |ctx, a| {
        let mut it = a[0].iter_list();
        let mut n = 0;
        let last = (&mut it).inspect(|_| n += 1).last().cloned();
        proper(it.tail())?;
        walked(ctx, n);
        last.ok_or_else(Exception::badarg)
    }),
];

/// Charges for walking `n` list elements: about one reduction per four,
/// what the same walk in Reef would cost in calls (spec 7.11).
fn walked(ctx: &mut Ctx<'_>, n: usize) {
    ctx.charge(n / 4);
}

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
    walked(ctx, n);
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

/// Lists longer than this are sorted on a dirty scheduler (a few
/// milliseconds of work and up), so a big sort never holds up the other
/// processes of its scheduler thread.
const DIRTY_SORT_LEN: usize = 50_000;

/// The native half of `lists.sort/1` (`stdlib/lib/lists.reef`): the
/// sorted list (stable, in term order), or `(:dirty, ref)` when a long
/// list was handed to the dirty schedulers.
fn sort(ctx: &mut Ctx<'_>, a: &[Value]) -> Result<Value, Exception> {
    let mut it = a[0].iter_list();
    let n = it.by_ref().count();
    proper(it.tail())?;
    walked(ctx, n);
    if n <= DIRTY_SORT_LEN {
        let mut xs = list(&a[0])?;
        xs.sort_by(order::compare);
        return Ok(Value::list(xs));
    }
    let copy = Message::copy_of(&a[0]);
    Ok(ctx.dirty(Box::new(move || {
        let v = copy.into_value();
        let mut xs: Vec<Value> = v.iter_list().cloned().collect();
        drop(v);
        xs.sort_by(order::compare);
        Ok(Value::list(xs))
    })))
}
