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

/// A compound term being copied: its copied children so far, and where
/// the next child is.
enum Frame<'a> {
    Tuple {
        src: &'a [Value],
        done: Vec<Value>,
    },
    /// `cell` is the list cell whose head is being copied, or, once
    /// `in_tail`, the last cell, whose tail is.
    List {
        cell: &'a super::Cons,
        heads: Vec<Value>,
        in_tail: bool,
    },
    Map {
        rest: imbl::ordmap::Iter<'a, Value, Value, imbl::shared_ptr::RcK>,
        value: &'a Value,
        key: Option<Value>,
        out: MapData,
    },
    Fun {
        src: &'a Closure,
        captured: &'a [Value],
        done: Vec<Value>,
    },
}

/// What a frame wants after taking a copied child.
enum Next<'a> {
    Child(&'a Value),
    Done(Value),
}

impl<'a> Frame<'a> {
    fn take(&mut self, copied: Value) -> Next<'a> {
        match self {
            Frame::Tuple { src, done } => {
                done.push(copied);
                match src.get(done.len()) {
                    Some(next) => Next::Child(next),
                    None => Next::Done(Value::Tuple(Tuple::from_vec(std::mem::take(done)))),
                }
            }
            Frame::List {
                cell,
                heads,
                in_tail,
            } => {
                if *in_tail {
                    let heads = std::mem::take(heads);
                    return Next::Done(Value::list_with_tail(heads, copied));
                }
                heads.push(copied);
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
                    *key = Some(copied);
                    Next::Child(value)
                }
                Some(k) => {
                    out.insert(k, copied);
                    match rest.next() {
                        Some((k, v)) => {
                            *value = v;
                            Next::Child(k)
                        }
                        None => Next::Done(Value::map(std::mem::take(out))),
                    }
                }
            },
            Frame::Fun {
                src,
                captured,
                done,
            } => {
                done.push(copied);
                match captured.get(done.len()) {
                    Some(next) => Next::Child(next),
                    None => {
                        let Closure::Local { module, func, .. } = src else {
                            unreachable!("only lambdas have captured values")
                        };
                        Next::Done(Value::Fun(Rc::new(Closure::Local {
                            module: module.clone(),
                            func: *func,
                            captured: std::mem::take(done).into_boxed_slice(),
                        })))
                    }
                }
            }
        }
    }
}

/// A copy of `v` sharing no `Rc` node with it. The walk keeps the terms
/// being copied on a heap stack, so a term of any depth or length copies
/// in constant Rust stack.
pub fn deep_copy(v: &Value) -> Value {
    let mut stack: Vec<Frame<'_>> = Vec::new();
    let mut cur = v;
    loop {
        // Down: copy `cur` at once, or open a frame for it and go to its
        // first child.
        let mut copied = match cur {
            Value::Tuple(t) if t.iter().all(is_leaf) => Value::Tuple(Tuple::from_slice(t)),
            Value::Tuple(t) => {
                stack.push(Frame::Tuple {
                    src: t,
                    done: Vec::with_capacity(t.len()),
                });
                cur = &t[0];
                continue;
            }
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
                let mut rest = m.iter();
                match rest.next() {
                    None => Value::map(MapData::new()),
                    Some((k, value)) => {
                        stack.push(Frame::Map {
                            rest,
                            value,
                            key: None,
                            out: MapData::new(),
                        });
                        cur = k;
                        continue;
                    }
                }
            }
            Value::Fun(c) => match &**c {
                Closure::Local {
                    module,
                    func,
                    captured,
                } if captured.iter().all(is_leaf) => Value::Fun(Rc::new(Closure::Local {
                    module: module.clone(),
                    func: *func,
                    captured: captured.clone(),
                })),
                Closure::Local { captured, .. } => {
                    stack.push(Frame::Fun {
                        src: c,
                        captured,
                        done: Vec::with_capacity(captured.len()),
                    });
                    cur = &captured[0];
                    continue;
                }
                Closure::External {
                    module,
                    name,
                    arity,
                } => Value::Fun(Rc::new(Closure::External {
                    module: *module,
                    name: *name,
                    arity: *arity,
                })),
            },
            leaf => leaf.clone(),
        };
        // Up: hand the copy to the enclosing frame until one wants
        // another child.
        loop {
            let Some(top) = stack.last_mut() else {
                return copied;
            };
            match top.take(copied) {
                Next::Child(next) => {
                    cur = next;
                    break;
                }
                Next::Done(v) => {
                    stack.pop();
                    copied = v;
                }
            }
        }
    }
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
