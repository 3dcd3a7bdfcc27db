//! Freeing terms of any depth in constant Rust stack.
//!
//! Refcounting frees a node the moment its last reference goes, and
//! freeing a node frees its children: by recursion, a list nested a
//! million deep (or a tuple, a map, a closure capturing a closure) would
//! overflow the Rust stack. Each compound kind (tuple, list cell, map,
//! closure) frees its children through [`enter`]/[`leave`]: up to
//! [`DROP_DEPTH`] nested frees recurse as usual (the common case costs one
//! thread-local read and write per node); a node freed deeper than that is
//! handed to [`defer`] instead, and the outermost free empties the
//! per-thread deferred stack in a loop, each entry starting again at depth
//! one. One mechanism, one stack, for every kind.

use std::cell::{Cell, RefCell};

use super::Value;

/// How many nested frees recurse before deferring. One level costs a few
/// hundred bytes of stack at most (a map level goes through imbl's node
/// drops); 256 levels stay far below the smallest thread stack (2 MiB),
/// and real terms are rarely deeper, so deferring is rare.
pub(super) const DROP_DEPTH: u32 = 256;

thread_local! {
    /// The nesting depth of frees in progress on this thread.
    static DEPTH: Cell<u32> = const { Cell::new(0) };
    /// Whether `DEFERRED` may hold something (read without touching the
    /// `RefCell`, which has a destructor and so a slower access).
    static PENDING: Cell<bool> = const { Cell::new(false) };
    /// Nodes whose free was put off because it was too deep.
    static DEFERRED: RefCell<Vec<Value>> = const { RefCell::new(Vec::new()) };
}

/// Starts freeing a node's children: the depth to give back to [`leave`],
/// or `None` when this is too deep and the node must be [`defer`]red.
#[inline]
pub(super) fn enter() -> Option<u32> {
    let d = DEPTH.with(Cell::get);
    if d >= DROP_DEPTH {
        return None;
    }
    DEPTH.with(|c| c.set(d + 1));
    Some(d)
}

/// Ends freeing a node's children. The outermost free (depth 0) then
/// frees whatever was deferred meanwhile.
#[inline]
pub(super) fn leave(depth: u32) {
    DEPTH.with(|c| c.set(depth));
    if depth == 0 && PENDING.with(Cell::get) {
        drain();
    }
}

/// Sets the depth of the frees in progress: for a free that recurses by
/// itself (`tuple.rs`, `free_block`) and carries the depth as an argument,
/// before it drops a child of another kind at that depth.
#[inline]
pub(super) fn set_depth(depth: u32) {
    DEPTH.with(|c| c.set(depth));
}

/// Puts off freeing `v` until the outermost free on this thread ends.
#[cold]
pub(super) fn defer(v: Value) {
    // If the thread is ending and its deferred stack is gone, `v` is
    // dropped here and now instead.
    if DEFERRED.try_with(|d| d.borrow_mut().push(v)).is_ok() {
        PENDING.with(|p| p.set(true));
    }
}

#[cold]
#[inline(never)]
fn drain() {
    loop {
        let next = DEFERRED.try_with(|d| d.borrow_mut().pop()).ok().flatten();
        let Some(v) = next else { break };
        // Starts again one level down: it may recurse `DROP_DEPTH` levels
        // and defer what is deeper still.
        DEPTH.with(|c| c.set(1));
        drop(v);
        DEPTH.with(|c| c.set(0));
    }
    PENDING.with(|p| p.set(false));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::MapData;
    use std::rc::Rc;

    /// Runs `f` on a thread with a small stack: a test that passes only
    /// thanks to a big stack proves nothing.
    fn small_stack(f: impl FnOnce() + Send + 'static) {
        std::thread::Builder::new()
            .stack_size(512 * 1024)
            .spawn(f)
            .unwrap()
            .join()
            .unwrap();
    }

    const DEEP: usize = 300_000;

    #[test]
    fn deep_lists_tuples_maps_and_closures_drop() {
        small_stack(|| {
            let mut v = Value::Nil;
            for i in 0..DEEP {
                v = match i % 4 {
                    0 => Value::list([v]),
                    1 => Value::tuple(vec![v, Value::Int(1)]),
                    2 => Value::map([(Value::Int(1), v)].into_iter().collect::<MapData>()),
                    _ => Value::list_with_tail([Value::Int(0)], v),
                };
            }
            drop(v);
            // Maps only, and maps as keys.
            let mut m = Value::Nil;
            for _ in 0..DEEP {
                m = Value::map([(m, Value::Nil)].into_iter().collect::<MapData>());
            }
            drop(m);
            let mut t = Value::Nil;
            for _ in 0..DEEP {
                t = Value::tuple(vec![t]);
            }
            drop(t);
        });
    }

    /// Tuples free their child tuples by their own recursion
    /// (`tuple.rs`); long runs of it between other kinds must still stay
    /// within the bound.
    #[test]
    fn tuple_runs_between_other_kinds_drop_in_a_small_stack() {
        small_stack(|| {
            let mut v = Value::Nil;
            for i in 0..DEEP {
                v = if i % 300 == 299 {
                    Value::list([v])
                } else {
                    Value::tuple(vec![Value::Int(1), v])
                };
            }
            drop(v);
        });
    }

    /// A tree of tuples freed at once gives back exactly its own
    /// references to a subterm it shares.
    #[test]
    fn a_freed_tuple_tree_keeps_what_it_shares() {
        fn tree(d: u32, leaf: &Value) -> Value {
            if d == 0 {
                leaf.clone()
            } else {
                Value::tuple(vec![tree(d - 1, leaf), tree(d - 1, leaf), Value::Int(0)])
            }
        }
        let leaf = Value::tuple(vec![Value::str("shared"), Value::Int(2)]);
        let t = tree(8, &leaf);
        let Value::Tuple(l) = &leaf else { panic!() };
        assert_eq!(l.strong_count(), 257);
        drop(t);
        assert_eq!(l.strong_count(), 1);
        assert!(matches!(&l[1], Value::Int(2)));
    }

    #[test]
    fn a_shared_deep_term_survives_dropping_its_other_owner() {
        small_stack(|| {
            let mut v = Value::Nil;
            for _ in 0..DEEP {
                v = Value::list([v]);
            }
            let keep = v.clone();
            let outer = Value::tuple(vec![v]);
            drop(outer);
            let Value::Cons(c) = &keep else { panic!() };
            assert_eq!(Rc::strong_count(c), 1);
            drop(keep);
        });
    }
}
