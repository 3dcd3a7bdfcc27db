//! The serde `Serializer` that builds a Reef value straight from a Rust
//! value, following the term shapes (docs/embedding/serde.md): structs are
//! maps with atom keys, unit variants atoms, other variants tagged tuples
//! `(:variant, ...)`, `None` and `()` are `nil`, sequences lists, tuples
//! tuples, bytes binaries, integers past i64 big integers.
//!
//! It builds a [`Value`] (what a typed host function returns into the
//! calling process, with no `Term` in between); [`to_term`] copies that
//! into a `Term`, which also puts map keys in Reef's order.

use num_bigint::BigInt;
use serde::ser::{self, Serialize};

use super::error::TermError;
use super::Term;
use crate::value::{Atom, MapData, Pid, Ref, Value};

/// Newtype-struct names by which `Term`'s own `Serialize` marks what serde
/// has no shape for; this serializer turns them back into the term.
pub(crate) const ATOM: &str = "$reef::atom";
pub(crate) const PID: &str = "$reef::pid";
pub(crate) const REF: &str = "$reef::ref";
pub(crate) const BIGINT: &str = "$reef::bigint";

/// Converts a Rust value to a [`Term`] by its `Serialize` implementation.
///
/// The shapes: a struct is a map with atom keys (`#{:name => "x", :n => 3}`), a
/// unit enum variant an atom (`:north`), a newtype variant `(:variant,
/// value)`, a tuple variant `(:variant, a, b)`, a struct variant
/// `(:variant, #{:field => ...})`, `Option` `nil` or the value, `()` `nil`, a
/// sequence a list, a tuple (or tuple struct) a tuple, a newtype struct its
/// inner value, `String`/`char` a string, bytes (`serde_bytes`) a binary,
/// a map a map, `bool` `true`/`false`, an integer past i64 a big integer.
///
/// # Errors
/// A [`TermError`] if the value's `Serialize` fails, or an atom cannot be
/// made (the atom table is full).
///
/// # Examples
/// ```
/// use reef_vm::{term, to_term};
/// #[derive(serde::Serialize)]
/// struct Player { name: String, score: u32 }
/// let t = to_term(&Player { name: "ada".into(), score: 3 }).unwrap();
/// assert_eq!(t, term!(#{name: "ada", score: 3}));
/// assert_eq!(t.to_string(), r#"#{:name => "ada", :score => 3}"#);
/// ```
pub fn to_term<T: Serialize + ?Sized>(value: &T) -> Result<Term, TermError> {
    Ok(Term::from_value(&to_value(value)?))
}

/// Builds the Reef value of `value` (in the current thread, from fresh
/// nodes).
pub(crate) fn to_value<T: Serialize + ?Sized>(value: &T) -> Result<Value, TermError> {
    value.serialize(ValueSer::PLAIN)
}

fn atom(name: &str) -> Result<Value, TermError> {
    Atom::try_new(name)
        .map(Value::Atom)
        .ok_or_else(|| TermError::new("a new atom (the atom table is full)", name))
}

/// Encodes a typed host function's result: as [`to_value`], except that
/// a `Result` at the top is not a value but the outcome: `Ok(v)` is `v`,
/// `Err(e)` comes back as `Err(reason)`, `e`'s term, to raise in the
/// caller. (serde's own `Serialize` for `Result` names it so.)
pub(crate) fn reply_value<T: Serialize + ?Sized>(
    value: &T,
) -> Result<Value, Result<Term, TermError>> {
    value
        .serialize(ValueSer { reply: true })
        .map_err(|e| match e.raised {
            Some(reason) => Ok(*reason),
            None => Err(e),
        })
}

/// The serializer: each call returns the value it built.
#[derive(Clone, Copy)]
pub(crate) struct ValueSer {
    /// At the top of a host function's result (`reply_value`).
    reply: bool,
}

impl ValueSer {
    const PLAIN: ValueSer = ValueSer { reply: false };
}

impl ser::Serializer for ValueSer {
    type Ok = Value;
    type Error = TermError;
    type SerializeSeq = SeqSer;
    type SerializeTuple = SeqSer;
    type SerializeTupleStruct = SeqSer;
    type SerializeTupleVariant = SeqSer;
    type SerializeMap = MapSer;
    type SerializeStruct = MapSer;
    type SerializeStructVariant = MapSer;

    fn serialize_bool(self, v: bool) -> Result<Value, TermError> {
        Ok(Value::Atom(Atom::from_bool(v)))
    }
    fn serialize_i8(self, v: i8) -> Result<Value, TermError> {
        Ok(Value::Int(v.into()))
    }
    fn serialize_i16(self, v: i16) -> Result<Value, TermError> {
        Ok(Value::Int(v.into()))
    }
    fn serialize_i32(self, v: i32) -> Result<Value, TermError> {
        Ok(Value::Int(v.into()))
    }
    fn serialize_i64(self, v: i64) -> Result<Value, TermError> {
        Ok(Value::Int(v))
    }
    fn serialize_i128(self, v: i128) -> Result<Value, TermError> {
        Ok(Value::from_bigint(BigInt::from(v)))
    }
    fn serialize_u8(self, v: u8) -> Result<Value, TermError> {
        Ok(Value::Int(v.into()))
    }
    fn serialize_u16(self, v: u16) -> Result<Value, TermError> {
        Ok(Value::Int(v.into()))
    }
    fn serialize_u32(self, v: u32) -> Result<Value, TermError> {
        Ok(Value::Int(v.into()))
    }
    fn serialize_u64(self, v: u64) -> Result<Value, TermError> {
        Ok(match i64::try_from(v) {
            Ok(i) => Value::Int(i),
            Err(_) => Value::from_bigint(BigInt::from(v)),
        })
    }
    fn serialize_u128(self, v: u128) -> Result<Value, TermError> {
        Ok(Value::from_bigint(BigInt::from(v)))
    }
    fn serialize_f32(self, v: f32) -> Result<Value, TermError> {
        Ok(Value::Float(v.into()))
    }
    fn serialize_f64(self, v: f64) -> Result<Value, TermError> {
        Ok(Value::Float(v))
    }
    fn serialize_char(self, v: char) -> Result<Value, TermError> {
        Ok(Value::str(v.to_string()))
    }
    fn serialize_str(self, v: &str) -> Result<Value, TermError> {
        Ok(Value::str(v))
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<Value, TermError> {
        Ok(Value::binary(v.to_vec()))
    }
    fn serialize_none(self) -> Result<Value, TermError> {
        Ok(Value::Atom(Atom::NIL))
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Value, TermError> {
        value.serialize(ValueSer::PLAIN)
    }
    fn serialize_unit(self) -> Result<Value, TermError> {
        Ok(Value::Atom(Atom::NIL))
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<Value, TermError> {
        Ok(Value::Atom(Atom::NIL))
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<Value, TermError> {
        atom(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        value: &T,
    ) -> Result<Value, TermError> {
        let inner = value.serialize(ValueSer::PLAIN)?;
        match (name, &inner) {
            (ATOM, Value::Str(s)) => atom(s),
            (PID, Value::Int(p)) => Ok(Value::Pid(Pid(*p as u64))),
            (REF, Value::Int(r)) => Ok(Value::Ref(Ref(*r as u64))),
            (BIGINT, Value::Str(s)) => s
                .parse::<BigInt>()
                .map(Value::from_bigint)
                .map_err(|_| TermError::new("a big integer", s.as_str())),
            _ => Ok(inner),
        }
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<Value, TermError> {
        if self.reply && name == "Result" {
            let v = value.serialize(ValueSer::PLAIN)?;
            if variant == "Ok" {
                return Ok(v);
            }
            return Err(TermError {
                raised: Some(Box::new(Term::from_value(&v))),
                ..TermError::new("", "")
            });
        }
        let tag = atom(variant)?;
        let v = value.serialize(ValueSer::PLAIN)?;
        Ok(Value::tuple(vec![tag, v]))
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<SeqSer, TermError> {
        Ok(SeqSer::new(false, None, len.unwrap_or(0)))
    }
    fn serialize_tuple(self, len: usize) -> Result<SeqSer, TermError> {
        Ok(SeqSer::new(true, None, len))
    }
    fn serialize_tuple_struct(self, _name: &'static str, len: usize) -> Result<SeqSer, TermError> {
        Ok(SeqSer::new(true, None, len))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<SeqSer, TermError> {
        Ok(SeqSer::new(true, Some(atom(variant)?), len))
    }
    fn serialize_map(self, len: Option<usize>) -> Result<MapSer, TermError> {
        Ok(MapSer::new(None, len.unwrap_or(0)))
    }
    fn serialize_struct(self, _name: &'static str, len: usize) -> Result<MapSer, TermError> {
        Ok(MapSer::new(None, len))
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<MapSer, TermError> {
        Ok(MapSer::new(Some(atom(variant)?), len))
    }
}

/// A list, a tuple, or a tuple variant (its tag first) being built.
pub(crate) struct SeqSer {
    tuple: bool,
    items: Vec<Value>,
}

impl SeqSer {
    fn new(tuple: bool, tag: Option<Value>, len: usize) -> SeqSer {
        let mut items = Vec::with_capacity(len + usize::from(tag.is_some()));
        items.extend(tag);
        SeqSer { tuple, items }
    }

    fn push<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), TermError> {
        let i = self.items.len();
        let v = value
            .serialize(ValueSer::PLAIN)
            .map_err(|e| e.within(format_args!("[{i}]")))?;
        self.items.push(v);
        Ok(())
    }

    fn done(self) -> Value {
        if self.tuple {
            Value::tuple(self.items)
        } else {
            Value::list(self.items)
        }
    }
}

/// The four sequence traits of serde do the same here: push each element,
/// then build the list or tuple.
macro_rules! seq_impl {
    ($($trait:ident :: $method:ident),*) => {$(
        impl ser::$trait for SeqSer {
            type Ok = Value;
            type Error = TermError;
            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), TermError> {
                self.push(value)
            }
            fn end(self) -> Result<Value, TermError> {
                Ok(self.done())
            }
        }
    )*};
}

seq_impl!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field
);

/// A map, a struct, or a struct variant (with its tag) being built.
pub(crate) struct MapSer {
    tag: Option<Value>,
    pairs: Vec<(Value, Value)>,
    key: Option<Value>,
}

impl MapSer {
    fn new(tag: Option<Value>, len: usize) -> MapSer {
        MapSer {
            tag,
            pairs: Vec::with_capacity(len),
            key: None,
        }
    }

    fn field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), TermError> {
        let v = value
            .serialize(ValueSer::PLAIN)
            .map_err(|e| e.within(format_args!(".{key}")))?;
        self.pairs.push((atom(key)?, v));
        Ok(())
    }

    fn done(self) -> Value {
        let map = Value::map(self.pairs.into_iter().collect::<MapData>());
        match self.tag {
            Some(tag) => Value::tuple(vec![tag, map]),
            None => map,
        }
    }
}

impl ser::SerializeMap for MapSer {
    type Ok = Value;
    type Error = TermError;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), TermError> {
        self.key = Some(key.serialize(ValueSer::PLAIN)?);
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), TermError> {
        let k = self.key.take().unwrap_or(Value::Atom(Atom::NIL));
        let v = value
            .serialize(ValueSer::PLAIN)
            .map_err(|e| e.within(format_args!("{{{}}}", crate::value::print::inspect(&k))))?;
        self.pairs.push((k, v));
        Ok(())
    }
    fn end(self) -> Result<Value, TermError> {
        Ok(self.done())
    }
}

/// A struct and a struct variant are both a map of their fields (the
/// variant's tag is added by `done`).
macro_rules! struct_fields {
    ($($trait:ident),*) => {$(
        impl ser::$trait for MapSer {
            type Ok = Value;
            type Error = TermError;
            fn serialize_field<T: Serialize + ?Sized>(
                &mut self,
                key: &'static str,
                value: &T,
            ) -> Result<(), TermError> {
                self.field(key, value)
            }
            fn end(self) -> Result<Value, TermError> {
                Ok(self.done())
            }
        }
    )*};
}

struct_fields!(SerializeStruct, SerializeStructVariant);

/// A term serializes as the shape it would come from, so that a `Term`
/// can sit inside a serde struct: an atom is marked so that Reef's
/// serializer makes it an atom again (other serializers see its name as
/// a string), a pid or reference its number, a big integer its decimal
/// text. An improper list, a function or a foreign term cannot be
/// serialized.
impl Serialize for Term {
    fn serialize<S: ser::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use ser::{Error, SerializeMap, SerializeSeq, SerializeTuple};
        match self {
            Term::Int(i) => s.serialize_i64(*i),
            Term::BigInt(b) => s.serialize_newtype_struct(BIGINT, &b.to_string()),
            Term::Float(f) => s.serialize_f64(*f),
            Term::Atom(a) if a == "true" => s.serialize_bool(true),
            Term::Atom(a) if a == "false" => s.serialize_bool(false),
            Term::Atom(a) if a == "nil" => s.serialize_unit(),
            Term::Atom(a) => s.serialize_newtype_struct(ATOM, a.as_str()),
            Term::Str(x) => s.serialize_str(x),
            Term::Bytes(b) => s.serialize_bytes(b),
            Term::Tuple(items) => {
                let mut t = s.serialize_tuple(items.len())?;
                for i in items {
                    t.serialize_element(i)?;
                }
                t.end()
            }
            Term::List(items, None) => {
                let mut l = s.serialize_seq(Some(items.len()))?;
                for i in items {
                    l.serialize_element(i)?;
                }
                l.end()
            }
            Term::Map(pairs) => {
                let mut m = s.serialize_map(Some(pairs.len()))?;
                for (k, v) in pairs {
                    m.serialize_entry(k, v)?;
                }
                m.end()
            }
            Term::Pid(p) => s.serialize_newtype_struct(PID, &(*p as i64)),
            Term::Ref(r) => s.serialize_newtype_struct(REF, &(*r as i64)),
            Term::List(_, Some(_)) | Term::Fun { .. } | Term::Foreign(_) => {
                Err(S::Error::custom(format!(
                    "{self} has no serde shape (an improper list, a function or a foreign term)"
                )))
            }
        }
    }
}
