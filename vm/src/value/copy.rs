//! Copying a term into another process's heap: every `Rc` node (tuple,
//! list cell, map, closure) is built afresh, so the copy shares no `Rc`
//! with the original; `Arc` parts (strings, big integers, code) are shared
//! by reference count. This is what makes a message safe to hand to a
//! process that may run on another thread (see ARCHITECTURE.md).

use std::rc::Rc;

use super::{Closure, MapData, Tuple, Value};

/// Whether a value is copied by cloning it: scalars, and the `Arc` leaves
/// that messages share.
#[inline]
fn is_leaf(v: &Value) -> bool {
    !matches!(
        v,
        Value::Tuple(_) | Value::Cons(_) | Value::Map(_) | Value::Fun(_)
    )
}

/// What [`rebuild`] builds from a term: one method per kind of node, each
/// given its children already built, in order.
pub trait Rebuild {
    type Out;
    /// A term with no children to walk (scalars, strings, big integers,
    /// and functions when [`Rebuild::walks_captured`] is false).
    fn leaf(&mut self, v: &Value) -> Self::Out;
    fn tuple(&mut self, src: &Tuple, elems: Vec<Self::Out>) -> Self::Out;
    fn list(&mut self, heads: Vec<Self::Out>, tail: Self::Out) -> Self::Out;
    /// The pairs come in key order.
    fn map(&mut self, pairs: Vec<(Self::Out, Self::Out)>) -> Self::Out;
    /// A lambda, with its captured values built.
    fn lambda(&mut self, src: &Closure, captured: Vec<Self::Out>) -> Self::Out;
    /// Whether a lambda's captured values are walked (or the lambda is a
    /// leaf).
    fn walks_captured(&self) -> bool {
        true
    }
    /// Whether a tuple is a leaf (no element is walked). Lets a copy clone
    /// a tuple of scalars in one go.
    fn tuple_is_leaf(&self, _t: &Tuple) -> bool {
        false
    }
}

/// A compound term being rebuilt: its built children so far, and where
/// the next child is.
enum Frame<'a, O> {
    Tuple {
        src: &'a Tuple,
        done: Vec<O>,
    },
    /// `cell` is the list cell whose head is being built, or, once
    /// `in_tail`, the last cell, whose tail is.
    List {
        cell: &'a super::Cons,
        heads: Vec<O>,
        in_tail: bool,
    },
    /// (The iterator is boxed: it is large, and most frames are not maps.)
    Map {
        rest: Box<crate::value::map::Iter<'a>>,
        value: &'a Value,
        key: Option<O>,
        out: Vec<(O, O)>,
    },
    Fun {
        src: &'a Closure,
        captured: &'a [Value],
        done: Vec<O>,
    },
}

/// What a frame wants after taking a built child.
enum Next<'a, O> {
    Child(&'a Value),
    Done(O),
}

impl<'a, O> Frame<'a, O> {
    fn take<B: Rebuild<Out = O>>(&mut self, b: &mut B, built: O) -> Next<'a, O> {
        match self {
            Frame::Tuple { src, done } => {
                done.push(built);
                match src.get(done.len()) {
                    Some(next) => Next::Child(next),
                    None => Next::Done(b.tuple(src, std::mem::take(done))),
                }
            }
            Frame::List {
                cell,
                heads,
                in_tail,
            } => {
                if *in_tail {
                    return Next::Done(b.list(std::mem::take(heads), built));
                }
                heads.push(built);
                let tail: &'a Value = &cell.tail;
                match tail {
                    Value::Cons(next) => {
                        *cell = next;
                        Next::Child(&next.head)
                    }
                    _ => {
                        *in_tail = true;
                        Next::Child(tail)
                    }
                }
            }
            Frame::Map {
                rest,
                value,
                key,
                out,
            } => match key.take() {
                None => {
                    *key = Some(built);
                    Next::Child(value)
                }
                Some(k) => {
                    out.push((k, built));
                    match rest.next() {
                        Some((k, v)) => {
                            *value = v;
                            Next::Child(k)
                        }
                        None => Next::Done(b.map(std::mem::take(out))),
                    }
                }
            },
            Frame::Fun {
                src,
                captured,
                done,
            } => {
                done.push(built);
                match captured.get(done.len()) {
                    Some(next) => Next::Child(next),
                    None => Next::Done(b.lambda(src, std::mem::take(done))),
                }
            }
        }
    }
}

/// Builds `b`'s image of `v`, children first. The walk keeps the nodes
/// being rebuilt on a heap stack, so a term of any depth or length is
/// rebuilt in constant Rust stack.
pub fn rebuild<B: Rebuild>(v: &Value, b: &mut B) -> B::Out {
    let mut stack: Vec<Frame<'_, B::Out>> = Vec::new();
    let mut cur = v;
    loop {
        // Down: build `cur` at once, or open a frame for it and go to its
        // first child.
        let mut built = match cur {
            Value::Tuple(t) if !t.is_empty() && !b.tuple_is_leaf(t) => {
                stack.push(Frame::Tuple {
                    src: t,
                    done: Vec::with_capacity(t.len()),
                });
                cur = &t[0];
                continue;
            }
            Value::Tuple(t) => b.tuple(t, Vec::new()),
            Value::Cons(c) => {
                stack.push(Frame::List {
                    cell: c,
                    heads: Vec::new(),
                    in_tail: false,
                });
                cur = &c.head;
                continue;
            }
            Value::Map(m) => {
                let mut rest = Box::new(m.iter());
                match rest.next() {
                    None => b.map(Vec::new()),
                    Some((k, value)) => {
                        stack.push(Frame::Map {
                            rest,
                            value,
                            key: None,
                            out: Vec::with_capacity(m.len()),
                        });
                        cur = k;
                        continue;
                    }
                }
            }
            Value::Fun(c) => match &**c {
                Closure::Local { captured, .. } if b.walks_captured() => {
                    if captured.is_empty() {
                        b.lambda(c, Vec::new())
                    } else {
                        stack.push(Frame::Fun {
                            src: c,
                            captured,
                            done: Vec::with_capacity(captured.len()),
                        });
                        cur = &captured[0];
                        continue;
                    }
                }
                _ => b.leaf(cur),
            },
            leaf => b.leaf(leaf),
        };
        // Up: hand what was built to the enclosing frame until one wants
        // another child.
        loop {
            let Some(top) = stack.last_mut() else {
                return built;
            };
            match top.take(b, built) {
                Next::Child(next) => {
                    cur = next;
                    break;
                }
                Next::Done(v) => {
                    stack.pop();
                    built = v;
                }
            }
        }
    }
}

/// [`Rebuild`] for [`deep_copy`].
struct Copy;

impl Rebuild for Copy {
    type Out = Value;
    fn leaf(&mut self, v: &Value) -> Value {
        match v {
            Value::Fun(c) => match &**c {
                Closure::External {
                    module,
                    name,
                    arity,
                } => Value::Fun(Rc::new(Closure::External {
                    module: *module,
                    name: *name,
                    arity: *arity,
                })),
                Closure::Local { .. } => unreachable!("lambdas are walked"),
            },
            _ => v.clone(),
        }
    }
    fn tuple(&mut self, src: &Tuple, elems: Vec<Value>) -> Value {
        if elems.len() == src.len() {
            Value::Tuple(Tuple::from_vec(elems))
        } else {
            Value::Tuple(Tuple::from_slice(src)) // a leaf tuple
        }
    }
    fn list(&mut self, heads: Vec<Value>, tail: Value) -> Value {
        Value::list_with_tail(heads, tail)
    }
    fn map(&mut self, pairs: Vec<(Value, Value)>) -> Value {
        Value::map(pairs.into_iter().collect::<MapData>())
    }
    fn lambda(&mut self, src: &Closure, captured: Vec<Value>) -> Value {
        let Closure::Local { module, func, .. } = src else {
            unreachable!("only lambdas have captured values")
        };
        Value::Fun(Rc::new(Closure::Local {
            module: module.clone(),
            func: *func,
            captured: captured.into_boxed_slice(),
        }))
    }
    fn tuple_is_leaf(&self, t: &Tuple) -> bool {
        t.iter().all(is_leaf)
    }
}

/// A copy of `v` sharing no `Rc` node with it, in constant Rust stack.
pub fn deep_copy(v: &Value) -> Value {
    rebuild(v, &mut Copy)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_are_equal_and_share_no_rc() {
        let inner = Value::tuple(vec![Value::Int(1), Value::str("s")]);
        let v = Value::list([inner.clone(), inner.clone(), Value::Nil]);
        let c = deep_copy(&v);
        assert_eq!(c, v);
        let (Value::Cons(a), Value::Cons(b)) = (&v, &c) else {
            panic!()
        };
        assert!(!Rc::ptr_eq(a, b));
        let Value::Tuple(t) = &inner else { panic!() };
        assert_eq!(t.strong_count(), 3); // inner + two in v; none in c
    }

    #[test]
    fn deep_terms_copy_in_constant_stack() {
        std::thread::Builder::new()
            .stack_size(512 * 1024)
            .spawn(|| {
                let mut v = Value::Nil;
                for i in 0..200_000 {
                    v = match i % 3 {
                        0 => Value::list([v, Value::Int(i)]),
                        1 => Value::tuple(vec![Value::atom("t"), v]),
                        _ => Value::map([(Value::Int(i), v)].into_iter().collect::<MapData>()),
                    };
                }
                let c = deep_copy(&v);
                assert!(c == v);
                let improper = Value::list_with_tail([Value::Int(1)], v);
                assert!(deep_copy(&improper) == improper);
            })
            .unwrap()
            .join()
            .unwrap();
    }

    #[test]
    fn a_long_list_copies() {
        let v = Value::list((0..2_000_000).map(Value::Int));
        assert_eq!(deep_copy(&v), v);
    }
}
