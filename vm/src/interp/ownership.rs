//! The ownership instructions (opcodes 120-139): moves at a register's
//! last use, element takes from unique tuples and cells, constructors that
//! move their arguments, and in-place map updates. Codegen's last-use
//! analysis (`compiler/src/codegen/ownership/`) decides where they go;
//! here a take or an in-place write happens only when the cell's count is
//! one, so no other reference can ever see it (ARCHITECTURE.md,
//! "Ownership"). Malformed bytecode can misuse them only to read `[]`
//! from a register it emptied: never memory unsafety.

use crate::value::{MapData, Tuple, Value};

use super::regs::{put, take};
use super::Exception;

/// A take's end: `R[dst] := v`, and `R[src]` emptied if it was the
/// cell's last use.
///
/// # Safety
/// `dst` and `src` must point to live registers.
#[inline(always)]
unsafe fn finish(dst: *mut Value, src: *mut Value, v: Value, last: bool) {
    // SAFETY: the caller guarantees both are live registers.
    unsafe {
        if last {
            put(src, Value::Nil);
        }
        put(dst, v);
    }
}

/// `GetElemTake`/`GetElemLast`: `R[dst] :=` element `index` of the tuple
/// in `R[src]`, moved out when the tuple is unique; `last` also empties
/// `R[src]` (freeing the tuple when it was unique). `false` if `R[src]` is
/// not a tuple that large.
///
/// # Safety
/// `dst` and `src` must point to live registers.
#[inline(always)]
pub(super) unsafe fn elem(dst: *mut Value, src: *mut Value, index: usize, last: bool) -> bool {
    // SAFETY: the caller guarantees both are live registers; the `&mut`
    // ends before either is written through again.
    unsafe {
        let v = match &mut *src {
            Value::Tuple(t) if index < t.len() => match t.get_mut() {
                Some(es) => std::mem::take(&mut es[index]),
                None => t[index].clone(),
            },
            _ => return false,
        };
        finish(dst, src, v, last);
    }
    true
}

/// `GetHeadTake`/`GetHeadLast` (`tail` false) and `GetTailTake`/
/// `GetTailLast` (`tail` true): as [`elem`], for a list cell.
///
/// # Safety
/// As for [`elem`].
#[inline(always)]
pub(super) unsafe fn cell(dst: *mut Value, src: *mut Value, tail: bool, last: bool) -> bool {
    // SAFETY: as in `elem`.
    unsafe {
        let v = match &mut *src {
            Value::Cons(c) => match std::rc::Rc::get_mut(c) {
                Some(c) if tail => std::mem::take(&mut c.tail),
                Some(c) => std::mem::take(&mut c.head),
                None if tail => c.tail.clone(),
                None => c.head.clone(),
            },
            _ => return false,
        };
        finish(dst, src, v, last);
    }
    true
}

/// `MakeConsOwn`: a cell of `R[head]` and `R[tail]`, each moved when its
/// bit of `moves` is set (the head is read first, so a head equal to the
/// tail is cloned and then the tail moved).
///
/// # Safety
/// `head` and `tail` must point to live registers.
#[inline(always)]
pub(super) unsafe fn cons(head: *mut Value, tail: *mut Value, moves: u8) -> Value {
    // SAFETY: the caller guarantees both are live registers.
    unsafe {
        let h = if moves & 1 != 0 {
            take(head)
        } else {
            (*head).clone()
        };
        let t = if moves & 2 != 0 {
            take(tail)
        } else {
            (*tail).clone()
        };
        Value::cons(h, t)
    }
}

/// `MakeConsReuse`: as [`cons`], written into the cell in `R[token]`
/// when that is a unique cell (Perceus reuse), else a new one; `R[token]`
/// is emptied either way (codegen proved it dead). Whether it reused.
///
/// # Safety
/// `head`, `tail` and `token` must point to live registers.
#[inline(always)]
pub(super) unsafe fn cons_reuse(
    head: *mut Value,
    tail: *mut Value,
    moves: u8,
    token: *mut Value,
) -> (Value, bool) {
    // SAFETY: the caller guarantees live registers; the head and tail are
    // read before the token is taken, as `MakeConsOwn` reads them.
    unsafe {
        let h = if moves & 1 != 0 {
            take(head)
        } else {
            (*head).clone()
        };
        let t = if moves & 2 != 0 {
            take(tail)
        } else {
            (*tail).clone()
        };
        if let Value::Cons(mut cell) = take(token) {
            if let Some(c) = std::rc::Rc::get_mut(&mut cell) {
                // Count one: nothing else sees the old fields (usually
                // `[]` left by takes), which drop here.
                c.head = h;
                c.tail = t;
                return (Value::Cons(cell), true);
            }
        }
        (Value::cons(h, t), false)
    }
}

/// `MakeTupleReuse`: as [`tuple`], written into the tuple in `R[token]`
/// when that is a unique tuple of the same size, else a new one;
/// `R[token]` is emptied either way. Whether it reused.
///
/// # Safety
/// `token` must point to a live register outside `window`.
#[inline(always)]
pub(super) unsafe fn tuple_reuse(window: &mut [Value], token: *mut Value) -> (Value, bool) {
    // SAFETY: the caller guarantees a live register.
    match unsafe { take(token) } {
        Value::Tuple(mut t) if t.len() == window.len() => match t.get_mut() {
            Some(es) => {
                for (e, v) in es.iter_mut().zip(window.iter_mut()) {
                    *e = std::mem::take(v);
                }
                (Value::Tuple(t), true)
            }
            None => (tuple(window), false),
        },
        _ => (tuple(window), false),
    }
}

/// `MakeTupleLast`: a tuple of the window's values, moved out.
pub(super) fn tuple(window: &mut [Value]) -> Value {
    Value::Tuple(Tuple::from_taken(window))
}

/// `UpdateMapLast`: `#{map | pairs}` where this is the map's and the
/// pairs' last use. A unique map is updated in place; a shared one is
/// copied (the other references keep the old map).
pub(super) fn update_map(map: Value, pairs: &mut [Value]) -> Result<Value, Exception> {
    let mut map = match map {
        Value::Map(m) => m,
        other => return Err(Exception::tagged(crate::value::Atom::BADMAP, other)),
    };
    let count = pairs.len() / 2;
    let mut insert_all = |into: &mut MapData| {
        for kv in pairs.chunks_exact_mut(2) {
            into.insert(std::mem::take(&mut kv[0]), std::mem::take(&mut kv[1]));
        }
    };
    match map.get_mut() {
        Some(data) => {
            insert_all(data);
            Ok(Value::Map(map))
        }
        None => {
            let mut new = map.clone_with_room(count);
            insert_all(&mut new);
            Ok(Value::map(new))
        }
    }
}
