//! The serde `Deserializer` that reads a Rust value out of a term, the
//! inverse of `ser.rs` (the same shapes). It reads either a host-side
//! [`Term`] (`from_term`) or a process's [`Value`] in place (a typed host
//! function's arguments, with no `Term` in between): both are seen
//! through [`View`].
//!
//! Errors carry their place in the term: each level puts its segment
//! (`.field`, `[index]`, `{key}`) in front of the path on the way out,
//! which costs nothing when nothing fails.

use num_bigint::BigInt;
use serde::de::{self, DeserializeSeed, IntoDeserializer, Unexpected, Visitor};

use super::error::{excerpt, TermError};
use super::Term;
use crate::value::{print, Value};

/// What a term is, for reading: one case per shape serde can meet.
pub(crate) enum Kind<'a, T> {
    Int(i64),
    Big(&'a BigInt),
    Float(f64),
    Atom(&'a str),
    Str(&'a str),
    Bytes(&'a [u8]),
    Tuple(&'a [T]),
    List(Vec<&'a T>),
    Map(Vec<(&'a T, &'a T)>),
    /// A pid, a reference, a function, an improper list: no serde shape.
    Other,
}

/// A term a [`Des`] can read: a [`Term`] or a [`Value`].
pub(crate) trait View: Sized {
    fn kind(&self) -> Kind<'_, Self>;
    /// The term's text, for `found` in an error.
    fn text(&self) -> String;
}

impl View for Term {
    fn kind(&self) -> Kind<'_, Term> {
        match self {
            Term::Int(i) => Kind::Int(*i),
            Term::BigInt(b) => Kind::Big(b),
            Term::Float(f) => Kind::Float(*f),
            Term::Atom(a) => Kind::Atom(a),
            Term::Str(s) => Kind::Str(s),
            Term::Bytes(b) => Kind::Bytes(b),
            Term::Tuple(items) => Kind::Tuple(items),
            Term::List(items, None) => Kind::List(items.iter().collect()),
            Term::Map(pairs) => Kind::Map(pairs.iter().map(|(k, v)| (k, v)).collect()),
            _ => Kind::Other,
        }
    }
    fn text(&self) -> String {
        excerpt(self.to_string())
    }
}

impl View for Value {
    fn kind(&self) -> Kind<'_, Value> {
        match self {
            Value::Int(i) => Kind::Int(*i),
            Value::BigInt(b) => Kind::Big(b),
            Value::Float(f) => Kind::Float(*f),
            Value::Atom(a) => Kind::Atom(a.name()),
            Value::Str(s) => Kind::Str(s),
            Value::Bytes(b) => Kind::Bytes(b),
            Value::Tuple(t) => Kind::Tuple(t),
            Value::Nil => Kind::List(Vec::new()),
            Value::Cons(_) => {
                let mut items = Vec::new();
                let mut cur = self;
                loop {
                    match cur {
                        Value::Cons(c) => {
                            items.push(&c.head);
                            cur = &c.tail;
                        }
                        Value::Nil => return Kind::List(items),
                        _ => return Kind::Other,
                    }
                }
            }
            Value::Map(m) => Kind::Map(m.iter().collect()),
            _ => Kind::Other,
        }
    }
    fn text(&self) -> String {
        excerpt(print::inspect(self))
    }
}

/// Reads a Rust value out of a [`Term`] by its `Deserialize`
/// implementation (the shapes of [`to_term`](crate::to_term)). Strings
/// may be borrowed from the term.
///
/// # Errors
/// A [`TermError`] naming what the type expected, what the term held, and
/// where: `expected u32, found "three" at .players[2].score`.
///
/// # Examples
/// ```
/// use reef_vm::{from_term, term};
/// #[derive(serde::Deserialize, Debug, PartialEq)]
/// enum Move { Pass, Place { x: u8, y: u8 } }
/// let m: Move = from_term(&term!((:Place, #{x: 3, y: 4}))).unwrap();
/// assert_eq!(m, Move::Place { x: 3, y: 4 });
/// let e = from_term::<Vec<Move>>(&term!([:Pass, :Jump])).unwrap_err();
/// assert_eq!(e.path, "[1]");
/// ```
pub fn from_term<'a, T: de::Deserialize<'a>>(term: &'a Term) -> Result<T, TermError> {
    T::deserialize(Des(term))
}

/// Reads a Rust value out of a process's value in place.
pub(crate) fn from_value<T: de::DeserializeOwned>(value: &Value) -> Result<T, TermError> {
    T::deserialize(Des(value))
}

/// The deserializer over one term.
pub(crate) struct Des<'a, T>(pub(crate) &'a T);

impl<T> Clone for Des<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Des<'_, T> {}

impl<'a, T: View> Des<'a, T> {
    /// Puts the term's own text in an error that a visitor raised with
    /// serde's generic description of it.
    fn fix(self, mut e: TermError) -> TermError {
        if e.generic {
            e.found = self.0.text();
            e.generic = false;
        }
        e
    }

    fn wrong<V: Visitor<'a>>(self, v: &V) -> TermError {
        self.fix(de::Error::invalid_type(Unexpected::Other("a term"), v))
    }

    fn big<V: Visitor<'a>>(self, b: &BigInt, v: V) -> Result<V::Value, TermError> {
        if let Ok(u) = u64::try_from(b) {
            v.visit_u64(u)
        } else if let Ok(i) = i128::try_from(b) {
            v.visit_i128(i)
        } else if let Ok(u) = u128::try_from(b) {
            v.visit_u128(u)
        } else {
            Err(TermError::new(
                "an integer of at most 128 bits",
                self.0.text(),
            ))
        }
    }
}

impl<'a, T: View> de::Deserializer<'a> for Des<'a, T> {
    type Error = TermError;

    fn deserialize_any<V: Visitor<'a>>(self, v: V) -> Result<V::Value, TermError> {
        let r = match self.0.kind() {
            Kind::Int(i) => v.visit_i64(i),
            Kind::Big(b) => self.big(b, v),
            Kind::Float(f) => v.visit_f64(f),
            Kind::Atom("true") => v.visit_bool(true),
            Kind::Atom("false") => v.visit_bool(false),
            Kind::Atom("nil") => v.visit_unit(),
            Kind::Atom(a) => v.visit_borrowed_str(a),
            Kind::Str(s) => v.visit_borrowed_str(s),
            Kind::Bytes(b) => v.visit_borrowed_bytes(b),
            Kind::Tuple(items) => v.visit_seq(Seq::new(items.iter().collect(), 0)),
            Kind::List(items) => v.visit_seq(Seq::new(items, 0)),
            Kind::Map(pairs) => v.visit_map(Map::new(pairs)),
            Kind::Other => Err(TermError::new("a term with a serde shape", self.0.text())),
        };
        r.map_err(|e| self.fix(e))
    }

    fn deserialize_bool<V: Visitor<'a>>(self, v: V) -> Result<V::Value, TermError> {
        match self.0.kind() {
            Kind::Atom("true") => v.visit_bool(true),
            Kind::Atom("false") => v.visit_bool(false),
            _ => Err(self.wrong(&v)),
        }
    }

    fn deserialize_str<V: Visitor<'a>>(self, v: V) -> Result<V::Value, TermError> {
        let r = match self.0.kind() {
            Kind::Str(s) => v.visit_borrowed_str(s),
            Kind::Bytes(b) => v.visit_borrowed_bytes(b),
            _ => Err(self.wrong(&v)),
        };
        r.map_err(|e| self.fix(e))
    }

    fn deserialize_string<V: Visitor<'a>>(self, v: V) -> Result<V::Value, TermError> {
        self.deserialize_str(v)
    }

    fn deserialize_char<V: Visitor<'a>>(self, v: V) -> Result<V::Value, TermError> {
        self.deserialize_str(v)
    }

    fn deserialize_bytes<V: Visitor<'a>>(self, v: V) -> Result<V::Value, TermError> {
        let r = match self.0.kind() {
            Kind::Str(s) => v.visit_borrowed_bytes(s.as_bytes()),
            Kind::Bytes(b) => v.visit_borrowed_bytes(b),
            Kind::List(items) => v.visit_seq(Seq::new(items, 0)),
            _ => Err(self.wrong(&v)),
        };
        r.map_err(|e| self.fix(e))
    }

    fn deserialize_byte_buf<V: Visitor<'a>>(self, v: V) -> Result<V::Value, TermError> {
        self.deserialize_bytes(v)
    }

    fn deserialize_option<V: Visitor<'a>>(self, v: V) -> Result<V::Value, TermError> {
        match self.0.kind() {
            Kind::Atom("nil") => v.visit_none(),
            _ => v.visit_some(self),
        }
    }

    fn deserialize_unit<V: Visitor<'a>>(self, v: V) -> Result<V::Value, TermError> {
        match self.0.kind() {
            Kind::Atom("nil") => v.visit_unit(),
            _ => Err(self.wrong(&v)),
        }
    }

    fn deserialize_unit_struct<V: Visitor<'a>>(
        self,
        _name: &'static str,
        v: V,
    ) -> Result<V::Value, TermError> {
        self.deserialize_unit(v)
    }

    fn deserialize_newtype_struct<V: Visitor<'a>>(
        self,
        _name: &'static str,
        v: V,
    ) -> Result<V::Value, TermError> {
        v.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'a>>(self, v: V) -> Result<V::Value, TermError> {
        let r = match self.0.kind() {
            Kind::List(items) => v.visit_seq(Seq::new(items, 0)),
            Kind::Tuple(items) => v.visit_seq(Seq::new(items.iter().collect(), 0)),
            _ => Err(self.wrong(&v)),
        };
        r.map_err(|e| self.fix(e))
    }

    fn deserialize_tuple<V: Visitor<'a>>(self, _len: usize, v: V) -> Result<V::Value, TermError> {
        self.deserialize_seq(v)
    }

    fn deserialize_tuple_struct<V: Visitor<'a>>(
        self,
        _name: &'static str,
        _len: usize,
        v: V,
    ) -> Result<V::Value, TermError> {
        self.deserialize_seq(v)
    }

    fn deserialize_map<V: Visitor<'a>>(self, v: V) -> Result<V::Value, TermError> {
        let r = match self.0.kind() {
            Kind::Map(pairs) => v.visit_map(Map::new(pairs)),
            _ => Err(self.wrong(&v)),
        };
        r.map_err(|e| self.fix(e))
    }

    fn deserialize_struct<V: Visitor<'a>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, TermError> {
        self.deserialize_map(v)
    }

    fn deserialize_enum<V: Visitor<'a>>(
        self,
        name: &'static str,
        _variants: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, TermError> {
        let r = match self.0.kind() {
            Kind::Atom(a) | Kind::Str(a) => v.visit_enum(a.into_deserializer()),
            Kind::Tuple(items) if !items.is_empty() => match items[0].kind() {
                Kind::Atom(tag) => v.visit_enum(Variant {
                    tag,
                    rest: &items[1..],
                }),
                _ => Err(self.not_enum(name)),
            },
            _ => Err(self.not_enum(name)),
        };
        r.map_err(|e| self.fix(e))
    }

    fn deserialize_identifier<V: Visitor<'a>>(self, v: V) -> Result<V::Value, TermError> {
        let r = match self.0.kind() {
            Kind::Atom(a) | Kind::Str(a) => v.visit_borrowed_str(a),
            Kind::Int(i) if i >= 0 => v.visit_u64(i as u64),
            _ => Err(self.wrong(&v)),
        };
        r.map_err(|e| self.fix(e))
    }

    fn deserialize_ignored_any<V: Visitor<'a>>(self, v: V) -> Result<V::Value, TermError> {
        v.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        <W: Visitor<'a>>
        i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64
    }
}

impl<T: View> Des<'_, T> {
    fn not_enum(self, name: &str) -> TermError {
        TermError::new(
            format!("enum {name}: an atom or a tuple (:variant, ...)"),
            self.0.text(),
        )
    }
}

/// The elements of a list or tuple; `first` is the index of the first
/// (1 inside a tagged tuple), for the path.
struct Seq<'a, T> {
    items: std::vec::IntoIter<&'a T>,
    next: usize,
}

impl<'a, T> Seq<'a, T> {
    fn new(items: Vec<&'a T>, first: usize) -> Seq<'a, T> {
        Seq {
            items: items.into_iter(),
            next: first,
        }
    }
}

impl<'a, T: View> de::SeqAccess<'a> for Seq<'a, T> {
    type Error = TermError;
    fn next_element_seed<S: DeserializeSeed<'a>>(
        &mut self,
        seed: S,
    ) -> Result<Option<S::Value>, TermError> {
        let Some(item) = self.items.next() else {
            return Ok(None);
        };
        let i = self.next;
        self.next += 1;
        seed.deserialize(Des(item))
            .map(Some)
            .map_err(|e| e.within(format_args!("[{i}]")))
    }
    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

/// The pairs of a map; a value's path segment is `.key` for an atom key,
/// `{key}` for another.
struct Map<'a, T> {
    pairs: std::vec::IntoIter<(&'a T, &'a T)>,
    value: Option<(&'a T, &'a T)>,
}

impl<'a, T> Map<'a, T> {
    fn new(pairs: Vec<(&'a T, &'a T)>) -> Map<'a, T> {
        Map {
            pairs: pairs.into_iter(),
            value: None,
        }
    }
}

impl<'a, T: View> de::MapAccess<'a> for Map<'a, T> {
    type Error = TermError;
    fn next_key_seed<S: DeserializeSeed<'a>>(
        &mut self,
        seed: S,
    ) -> Result<Option<S::Value>, TermError> {
        let Some((k, v)) = self.pairs.next() else {
            return Ok(None);
        };
        self.value = Some((k, v));
        seed.deserialize(Des(k))
            .map(Some)
            .map_err(|e| e.within(format_args!("{{{}}}", k.text())))
    }
    fn next_value_seed<S: DeserializeSeed<'a>>(&mut self, seed: S) -> Result<S::Value, TermError> {
        let Some((k, v)) = self.value.take() else {
            return Err(de::Error::custom("a map value asked for before its key"));
        };
        seed.deserialize(Des(v)).map_err(|e| match k.kind() {
            Kind::Atom(a) => e.within(format_args!(".{a}")),
            _ => e.within(format_args!("{{{}}}", k.text())),
        })
    }
    fn size_hint(&self) -> Option<usize> {
        Some(self.pairs.len())
    }
}

/// A tagged tuple `(:variant, ...)` read as an enum variant.
struct Variant<'a, T> {
    tag: &'a str,
    rest: &'a [T],
}

impl<'a, T: View> de::EnumAccess<'a> for Variant<'a, T> {
    type Error = TermError;
    type Variant = Self;
    fn variant_seed<S: DeserializeSeed<'a>>(self, seed: S) -> Result<(S::Value, Self), TermError> {
        let d: de::value::BorrowedStrDeserializer<'a, TermError> =
            de::value::BorrowedStrDeserializer::new(self.tag);
        Ok((seed.deserialize(d)?, self))
    }
}

impl<'a, T: View> de::VariantAccess<'a> for Variant<'a, T> {
    type Error = TermError;
    fn unit_variant(self) -> Result<(), TermError> {
        match self.rest {
            [] => Ok(()),
            _ => Err(self.arity("no fields")),
        }
    }
    fn newtype_variant_seed<S: DeserializeSeed<'a>>(self, seed: S) -> Result<S::Value, TermError> {
        match self.rest {
            [one] => seed.deserialize(Des(one)).map_err(|e| e.within("[1]")),
            _ => Err(self.arity("one value")),
        }
    }
    fn tuple_variant<V: Visitor<'a>>(self, _len: usize, v: V) -> Result<V::Value, TermError> {
        v.visit_seq(Seq::new(self.rest.iter().collect(), 1))
    }
    fn struct_variant<V: Visitor<'a>>(
        self,
        _fields: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, TermError> {
        match self.rest {
            [one] => de::Deserializer::deserialize_map(Des(one), v).map_err(|e| e.within("[1]")),
            _ => Err(self.arity("a map of its fields")),
        }
    }
}

impl<T: View> Variant<'_, T> {
    fn arity(&self, wanted: &str) -> TermError {
        TermError::new(
            format!("variant :{} with {wanted}", self.tag),
            format!("{} values after the tag", self.rest.len()),
        )
    }
}
