//! Copying a term into another process's heap: every `Rc` node (tuple,
//! list cell, map, closure) is built afresh, so the copy shares no `Rc`
//! with the original; `Arc` parts (strings, big integers, code) are shared
//! by reference count. This is what makes a message safe to hand to a
//! process that may run on another thread (see ARCHITECTURE.md).

use std::rc::Rc;

use super::{Closure, MapData, Value};

/// A copy of `v` sharing no `Rc` node with it.
pub fn deep_copy(v: &Value) -> Value {
    match v {
        Value::Int(_)
        | Value::BigInt(_)
        | Value::Float(_)
        | Value::Atom(_)
        | Value::Str(_)
        | Value::Nil
        | Value::Pid(_)
        | Value::Ref(_) => v.clone(),
        Value::Tuple(t) => Value::Tuple(super::tuple::Tuple::map_from(t, deep_copy)),
        Value::Cons(_) => {
            // Along the spine in a loop: a long list must not recurse.
            let mut it = v.iter_list();
            let heads: Vec<Value> = (&mut it).map(deep_copy).collect();
            let tail = deep_copy(it.tail());
            Value::list_with_tail(heads, tail)
        }
        Value::Map(m) => Value::map(
            m.iter()
                .map(|(k, v)| (deep_copy(k), deep_copy(v)))
                .collect::<MapData>(),
        ),
        Value::Fun(c) => Value::Fun(Rc::new(match &**c {
            Closure::Local {
                module,
                func,
                captured,
            } => Closure::Local {
                module: module.clone(),
                func: *func,
                captured: captured.iter().map(deep_copy).collect(),
            },
            Closure::External {
                module,
                name,
                arity,
            } => Closure::External {
                module: *module,
                name: *name,
                arity: *arity,
            },
        })),
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
    fn a_long_list_copies() {
        let v = Value::list((0..2_000_000).map(Value::Int));
        assert_eq!(deep_copy(&v), v);
    }
}
