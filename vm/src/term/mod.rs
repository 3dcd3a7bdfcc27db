//! `Term`: a Reef value on the host's side. Owned, `Send`, no `Rc`: what
//! the embedding API hands out and takes in. `Display` writes the
//! `inspect` form.
//!
//! Beside it: serde (`ser.rs`, `de.rs`: `to_term`/`from_term`), reading
//! (`access.rs`), conversions with Rust primitives (`convert.rs`), the
//! `term!` macro (`macros.rs`) and the errors they share (`error.rs`).

mod access;
mod convert;
pub(crate) mod de;
mod error;
mod macros;
pub(crate) mod ser;

pub use access::MapKey;
pub use de::from_term;
pub use error::TermError;
pub use ser::to_term;

use std::fmt;
use std::sync::Arc;

use num_bigint::BigInt;

use crate::value::{copy, print, Atom, Closure, Foreign, MapData, Pid, Ref, Tuple, Value};

/// A Reef term held by the host (see the module docs and
/// docs/embedding/serde.md for how Rust values map onto it).
pub enum Term {
    /// An integer that fits in 64 bits.
    Int(i64),
    /// An integer beyond 64 bits (Reef integers have no size limit).
    BigInt(BigInt),
    /// A float (always finite in Reef).
    Float(f64),
    /// An atom, by its name (without the colon): `:ok` is `Atom("ok")`.
    Atom(String),
    /// A string (Reef strings are UTF-8 binaries).
    Str(String),
    /// A binary. From a value, only one that is not valid UTF-8 (valid
    /// UTF-8 is a `Str`); into a value, valid UTF-8 becomes a string.
    Bytes(Vec<u8>),
    /// A tuple: `(a, b)`.
    Tuple(Vec<Term>),
    /// A list: its elements, and what ends it (`None` for `[]`).
    List(Vec<Term>, Option<Box<Term>>),
    /// Key/value pairs in key order.
    Map(Vec<(Term, Term)>),
    /// A process identifier (of this node; another node's pid is
    /// `Foreign`). Send to it with [`crate::Vm::send`].
    Pid(u64),
    /// A reference (`make_ref()`, a monitor's).
    Ref(u64),
    /// A term of another node (a reference, port or fun) held as it came.
    Foreign(Arc<Foreign>),
    /// A function value, by its `module.name/arity` (a lambda's name is its
    /// generated one, so it cannot be called from the host).
    Fun {
        /// The module that defines it.
        module: String,
        /// Its name.
        name: String,
        /// How many arguments it takes.
        arity: u32,
    },
}

impl Term {
    /// The atom `name` (without the colon).
    pub fn atom(name: &str) -> Term {
        Term::Atom(name.to_string())
    }

    /// A proper list of `items`.
    pub fn list(items: Vec<Term>) -> Term {
        Term::List(items, None)
    }

    /// Copies a value out of a process (in constant Rust stack, whatever
    /// its depth).
    pub fn from_value(v: &Value) -> Term {
        copy::rebuild(v, &mut ToTerm)
    }

    /// Builds the value in the current process's heap (in constant Rust
    /// stack, whatever its depth).
    pub fn to_value(&self) -> Value {
        self.fold(&mut TermToValue)
    }

    /// Builds `b`'s image of this term, children first, keeping the
    /// compounds being built on a heap stack (never recursing).
    fn fold<B: FoldTerm>(&self, b: &mut B) -> B::Out {
        let mut stack: Vec<Building<'_, B::Out>> = Vec::new();
        let mut cur = self;
        loop {
            let mut built = match cur {
                Term::Tuple(items) if !items.is_empty() => {
                    stack.push(Building::Tuple(items, Vec::with_capacity(items.len())));
                    cur = &items[0];
                    continue;
                }
                Term::List(items, tail) if !items.is_empty() || tail.is_some() => {
                    stack.push(Building::List(items, tail.as_deref(), Vec::new()));
                    cur = match items.first() {
                        Some(first) => first,
                        None => tail.as_deref().expect("checked above"),
                    };
                    continue;
                }
                Term::Map(pairs) if !pairs.is_empty() => {
                    stack.push(Building::Map(pairs, Vec::with_capacity(2 * pairs.len())));
                    cur = &pairs[0].0;
                    continue;
                }
                leaf => b.leaf(leaf),
            };
            loop {
                let Some(top) = stack.last_mut() else {
                    return built;
                };
                let next = match top {
                    Building::Tuple(items, done) => {
                        done.push(built);
                        items
                            .get(done.len())
                            .ok_or_else(|| b.tuple(std::mem::take(done)))
                    }
                    Building::List(items, tail, done) => {
                        done.push(built);
                        let n = done.len();
                        match (items.get(n), *tail) {
                            (Some(next), _) => Ok(next),
                            (None, Some(t)) if n == items.len() => Ok(t),
                            (None, tail) => {
                                let mut done = std::mem::take(done);
                                let tail = tail.map(|_| done.pop().expect("the tail was built"));
                                Err(b.list(done, tail))
                            }
                        }
                    }
                    Building::Map(pairs, done) => {
                        done.push(built);
                        let i = done.len();
                        match pairs.get(i / 2) {
                            Some((k, v)) => Ok(if i % 2 == 0 { k } else { v }),
                            None => {
                                let mut it = std::mem::take(done).into_iter();
                                let mut out = Vec::with_capacity(pairs.len());
                                while let (Some(k), Some(v)) = (it.next(), it.next()) {
                                    out.push((k, v));
                                }
                                Err(b.map(out))
                            }
                        }
                    }
                };
                match next {
                    Ok(child) => {
                        cur = child;
                        break;
                    }
                    Err(v) => {
                        stack.pop();
                        built = v;
                    }
                }
            }
        }
    }

    /// The value of a term with no children (or an empty compound).
    fn leaf_value(&self) -> Value {
        match self {
            Term::Int(i) => Value::Int(*i),
            Term::BigInt(b) => Value::from_bigint(b.clone()),
            Term::Float(f) => Value::Float(*f),
            Term::Atom(a) => Value::atom(a),
            Term::Str(s) => Value::Str(Arc::new(s.clone())),
            Term::Bytes(b) => Value::binary(b.clone()),
            Term::Foreign(f) => Value::Foreign(f.clone()),
            Term::Tuple(_) => Value::tuple(Vec::new()),
            Term::List(..) => Value::Nil,
            Term::Map(_) => Value::map(MapData::new()),
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

    /// Moves this term's compound children onto `out` (leaving it without
    /// them), for dropping without recursion.
    fn take_children(&mut self, out: &mut Vec<Term>) {
        let keep = |t: Term, out: &mut Vec<Term>| {
            if t.has_children() {
                out.push(t);
            }
        };
        match self {
            Term::Tuple(items) | Term::List(items, None) => {
                std::mem::take(items).into_iter().for_each(|t| keep(t, out));
            }
            Term::List(items, tail) => {
                std::mem::take(items).into_iter().for_each(|t| keep(t, out));
                if let Some(t) = tail.take() {
                    keep(*t, out);
                }
            }
            Term::Map(pairs) => {
                for (k, v) in std::mem::take(pairs) {
                    keep(k, out);
                    keep(v, out);
                }
            }
            _ => {}
        }
    }

    fn has_children(&self) -> bool {
        match self {
            Term::Tuple(items) => !items.is_empty(),
            Term::List(items, tail) => !items.is_empty() || tail.is_some(),
            Term::Map(pairs) => !pairs.is_empty(),
            _ => false,
        }
    }
}

/// A compound term being built by [`Term::fold`], with its children
/// built so far (a list's tail, if any, last; a map's keys and values
/// interleaved).
enum Building<'a, O> {
    Tuple(&'a [Term], Vec<O>),
    List(&'a [Term], Option<&'a Term>, Vec<O>),
    Map(&'a [(Term, Term)], Vec<O>),
}

/// What [`Term::fold`] builds: one method per kind of node, given its
/// children already built.
trait FoldTerm {
    type Out;
    /// A term with no children (or an empty compound).
    fn leaf(&mut self, t: &Term) -> Self::Out;
    fn tuple(&mut self, elems: Vec<Self::Out>) -> Self::Out;
    fn list(&mut self, items: Vec<Self::Out>, tail: Option<Self::Out>) -> Self::Out;
    fn map(&mut self, pairs: Vec<(Self::Out, Self::Out)>) -> Self::Out;
}

struct TermToValue;

impl FoldTerm for TermToValue {
    type Out = Value;
    fn leaf(&mut self, t: &Term) -> Value {
        t.leaf_value()
    }
    fn tuple(&mut self, elems: Vec<Value>) -> Value {
        Value::tuple(elems)
    }
    fn list(&mut self, items: Vec<Value>, tail: Option<Value>) -> Value {
        Value::list_with_tail(items, tail.unwrap_or(Value::Nil))
    }
    fn map(&mut self, pairs: Vec<(Value, Value)>) -> Value {
        Value::map(pairs.into_iter().collect::<MapData>())
    }
}

struct CloneTerm;

impl FoldTerm for CloneTerm {
    type Out = Term;
    fn leaf(&mut self, t: &Term) -> Term {
        match t {
            Term::Int(i) => Term::Int(*i),
            Term::BigInt(b) => Term::BigInt(b.clone()),
            Term::Float(f) => Term::Float(*f),
            Term::Atom(a) => Term::Atom(a.clone()),
            Term::Str(s) => Term::Str(s.clone()),
            Term::Bytes(b) => Term::Bytes(b.clone()),
            Term::Foreign(f) => Term::Foreign(f.clone()),
            Term::Tuple(_) => Term::Tuple(Vec::new()),
            Term::List(..) => Term::List(Vec::new(), None),
            Term::Map(_) => Term::Map(Vec::new()),
            Term::Pid(p) => Term::Pid(*p),
            Term::Ref(r) => Term::Ref(*r),
            Term::Fun {
                module,
                name,
                arity,
            } => Term::Fun {
                module: module.clone(),
                name: name.clone(),
                arity: *arity,
            },
        }
    }
    fn tuple(&mut self, elems: Vec<Term>) -> Term {
        Term::Tuple(elems)
    }
    fn list(&mut self, items: Vec<Term>, tail: Option<Term>) -> Term {
        Term::List(items, tail.map(Box::new))
    }
    fn map(&mut self, pairs: Vec<(Term, Term)>) -> Term {
        Term::Map(pairs)
    }
}

impl Clone for Term {
    /// A structural copy, built with a heap stack (never recursing).
    fn clone(&self) -> Term {
        self.fold(&mut CloneTerm)
    }
}

impl fmt::Debug for Term {
    /// The `inspect` form (a derived `Debug` would recurse as deep as the
    /// term).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// [`copy::Rebuild`] for [`Term::from_value`].
struct ToTerm;

impl copy::Rebuild for ToTerm {
    type Out = Term;
    fn leaf(&mut self, v: &Value) -> Term {
        match v {
            Value::Int(i) => Term::Int(*i),
            Value::BigInt(b) => Term::BigInt((**b).clone()),
            Value::Float(f) => Term::Float(*f),
            Value::Atom(a) => Term::Atom(a.name().to_string()),
            Value::Str(s) => Term::Str(s.to_string()),
            Value::Bytes(b) => Term::Bytes(b.to_vec()),
            Value::Foreign(f) => Term::Foreign(f.clone()),
            Value::Nil => Term::List(Vec::new(), None),
            Value::Pid(p) => Term::Pid(p.0),
            Value::Ref(r) => Term::Ref(r.0),
            Value::Fun(c) => fun_term(c),
            Value::Tuple(_) | Value::Cons(_) | Value::Map(_) => {
                unreachable!("compound values are walked")
            }
        }
    }
    fn tuple(&mut self, _src: &Tuple, elems: Vec<Term>) -> Term {
        Term::Tuple(elems)
    }
    fn list(&mut self, heads: Vec<Term>, tail: Term) -> Term {
        let tail = match &tail {
            Term::List(items, None) if items.is_empty() => None,
            _ => Some(Box::new(tail)),
        };
        Term::List(heads, tail)
    }
    fn map(&mut self, pairs: Vec<(Term, Term)>) -> Term {
        Term::Map(pairs)
    }
    fn lambda(&mut self, src: &Closure, _captured: Vec<Term>) -> Term {
        fun_term(src)
    }
    fn walks_captured(&self) -> bool {
        false // a function is shown by name only
    }
}

fn fun_term(c: &Closure) -> Term {
    let (m, n, a) = c.describe();
    Term::Fun {
        module: m.name().to_string(),
        name: n.name().to_string(),
        arity: a,
    }
}

impl Drop for Term {
    /// Frees nested terms from a heap stack, not by recursion: a host
    /// may hold a term nested a million deep.
    fn drop(&mut self) {
        if !self.has_children() {
            return;
        }
        let mut stack = Vec::new();
        self.take_children(&mut stack);
        while let Some(mut t) = stack.pop() {
            t.take_children(&mut stack);
        }
    }
}

impl PartialEq for Term {
    /// Structural equality, walked with a heap stack.
    fn eq(&self, other: &Term) -> bool {
        let mut stack: Vec<(&Term, &Term)> = vec![(self, other)];
        while let Some((a, b)) = stack.pop() {
            let same = match (a, b) {
                (Term::Tuple(x), Term::Tuple(y)) => {
                    x.len() == y.len() && {
                        stack.extend(x.iter().zip(y));
                        true
                    }
                }
                (Term::List(x, xt), Term::List(y, yt)) => {
                    x.len() == y.len()
                        && match (xt, yt) {
                            (None, None) => true,
                            (Some(p), Some(q)) => {
                                stack.push((p, q));
                                true
                            }
                            _ => false,
                        }
                        && {
                            stack.extend(x.iter().zip(y));
                            true
                        }
                }
                (Term::Map(x), Term::Map(y)) => {
                    x.len() == y.len() && {
                        for ((k1, v1), (k2, v2)) in x.iter().zip(y) {
                            stack.push((k1, k2));
                            stack.push((v1, v2));
                        }
                        true
                    }
                }
                (Term::Int(x), Term::Int(y)) => x == y,
                (Term::BigInt(x), Term::BigInt(y)) => x == y,
                (Term::Float(x), Term::Float(y)) => x == y,
                (Term::Atom(x), Term::Atom(y)) | (Term::Str(x), Term::Str(y)) => x == y,
                (Term::Pid(x), Term::Pid(y)) | (Term::Ref(x), Term::Ref(y)) => x == y,
                (Term::Bytes(x), Term::Bytes(y)) => x == y,
                (Term::Foreign(x), Term::Foreign(y)) => x == y,
                (
                    Term::Fun {
                        module: m1,
                        name: n1,
                        arity: a1,
                    },
                    Term::Fun {
                        module: m2,
                        name: n2,
                        arity: a2,
                    },
                ) => m1 == m2 && n1 == n2 && a1 == a2,
                _ => false,
            };
            if !same {
                return false;
            }
        }
        true
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deep_terms_convert_compare_print_and_drop_in_constant_stack() {
        std::thread::Builder::new()
            .stack_size(512 * 1024)
            .spawn(|| {
                let mut v = Value::Int(7);
                for i in 0..100_000 {
                    v = match i % 3 {
                        0 => Value::list_with_tail([v], Value::Int(i)),
                        1 => Value::tuple(vec![v]),
                        _ => Value::map([(v, Value::Nil)].into_iter().collect::<MapData>()),
                    };
                }
                let t = Term::from_value(&v);
                let u = t.clone();
                assert!(t == u);
                assert!(format!("{t:?}") == format!("{u}"));
                let back = t.to_value();
                assert!(back == v);
                let text = t.to_string();
                assert_eq!(text, print::inspect(&v));
                drop((t, u, back, v));
            })
            .unwrap()
            .join()
            .unwrap();
    }

    #[test]
    fn lists_and_their_tails_round_trip() {
        let cases = [
            Term::list(vec![]),
            Term::list(vec![Term::Int(1), Term::atom("a")]),
            Term::List(vec![Term::Int(1)], Some(Box::new(Term::Int(2)))),
            Term::Map(vec![(Term::Int(1), Term::list(vec![Term::Int(2)]))]),
            Term::Tuple(vec![]),
        ];
        for t in cases {
            assert_eq!(Term::from_value(&t.to_value()), t);
            assert_eq!(t.clone(), t);
        }
        let odd = Term::List(vec![], Some(Box::new(Term::Int(3))));
        assert_eq!(odd.clone(), odd);
        assert_eq!(odd.to_value(), Value::Int(3));
        assert!(Term::Int(1) != Term::Float(1.0));
    }
}
