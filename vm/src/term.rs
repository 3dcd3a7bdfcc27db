//! `Term`: a Reef value on the host's side. Owned, `Send`, no `Rc`: what
//! the embedding API hands out and takes in. `Display` writes the
//! `inspect` form.

use std::fmt;
use std::sync::Arc;

use num_bigint::BigInt;

use crate::value::{print, Atom, Closure, MapData, Pid, Ref, Value};

#[derive(Clone, Debug, PartialEq)]
pub enum Term {
    Int(i64),
    BigInt(BigInt),
    Float(f64),
    Atom(String),
    Str(String),
    Tuple(Vec<Term>),
    /// A list: its elements, and what ends it (`None` for `[]`).
    List(Vec<Term>, Option<Box<Term>>),
    /// Key/value pairs in key order.
    Map(Vec<(Term, Term)>),
    Pid(u64),
    Ref(u64),
    /// A function value, by its `module.name/arity` (a lambda's name is its
    /// generated one, so it cannot be called from the host).
    Fun {
        module: String,
        name: String,
        arity: u32,
    },
}

impl Term {
    pub fn atom(name: &str) -> Term {
        Term::Atom(name.to_string())
    }

    pub fn list(items: Vec<Term>) -> Term {
        Term::List(items, None)
    }

    /// Copies a value out of a process.
    pub fn from_value(v: &Value) -> Term {
        match v {
            Value::Int(i) => Term::Int(*i),
            Value::BigInt(b) => Term::BigInt((**b).clone()),
            Value::Float(f) => Term::Float(*f),
            Value::Atom(a) => Term::Atom(a.name().to_string()),
            Value::Str(s) => Term::Str(s.to_string()),
            Value::Tuple(t) => Term::Tuple(t.iter().map(Term::from_value).collect()),
            Value::Nil => Term::List(Vec::new(), None),
            Value::Cons(_) => {
                let mut it = v.iter_list();
                let items = (&mut it).map(Term::from_value).collect();
                let tail = match it.tail() {
                    Value::Nil => None,
                    t => Some(Box::new(Term::from_value(t))),
                };
                Term::List(items, tail)
            }
            Value::Map(m) => Term::Map(
                m.iter()
                    .map(|(k, v)| (Term::from_value(k), Term::from_value(v)))
                    .collect(),
            ),
            Value::Pid(p) => Term::Pid(p.0),
            Value::Ref(r) => Term::Ref(r.0),
            Value::Fun(c) => {
                let (m, n, a) = c.describe();
                Term::Fun {
                    module: m.name().to_string(),
                    name: n.name().to_string(),
                    arity: a,
                }
            }
        }
    }

    /// Builds the value in the current process's heap.
    pub fn to_value(&self) -> Value {
        match self {
            Term::Int(i) => Value::Int(*i),
            Term::BigInt(b) => Value::from_bigint(b.clone()),
            Term::Float(f) => Value::Float(*f),
            Term::Atom(a) => Value::atom(a),
            Term::Str(s) => Value::Str(Arc::new(s.clone())),
            Term::Tuple(items) => Value::tuple(items.iter().map(Term::to_value).collect()),
            Term::List(items, tail) => Value::list_with_tail(
                items.iter().map(Term::to_value).collect::<Vec<_>>(),
                tail.as_ref().map_or(Value::Nil, |t| t.to_value()),
            ),
            Term::Map(pairs) => Value::map(
                pairs
                    .iter()
                    .map(|(k, v)| (k.to_value(), v.to_value()))
                    .collect::<MapData>(),
            ),
            Term::Pid(p) => Value::Pid(Pid(*p)),
            Term::Ref(r) => Value::Ref(Ref(*r)),
            Term::Fun {
                module,
                name,
                arity,
            } => Value::Fun(std::rc::Rc::new(Closure::External {
                module: Atom::new(module),
                name: Atom::new(name),
                arity: *arity,
            })),
        }
    }
}

impl fmt::Display for Term {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // Functions print by name (a lambda has no external form).
            Term::Fun {
                module,
                name,
                arity,
            } => write!(f, "#Fn<{module}.{name}/{arity}>"),
            _ => f.write_str(&print::inspect(&self.to_value())),
        }
    }
}

impl From<i64> for Term {
    fn from(i: i64) -> Term {
        Term::Int(i)
    }
}

impl From<&str> for Term {
    fn from(s: &str) -> Term {
        Term::Str(s.to_string())
    }
}

impl From<String> for Term {
    fn from(s: String) -> Term {
        Term::Str(s)
    }
}

impl From<f64> for Term {
    fn from(f: f64) -> Term {
        Term::Float(f)
    }
}

impl From<bool> for Term {
    fn from(b: bool) -> Term {
        Term::Atom(if b { "true" } else { "false" }.to_string())
    }
}
