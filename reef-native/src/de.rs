//! A serde `Deserializer` that reads ETF bytes in place (strings and
//! binaries are borrowed), with the shapes `ser.rs` writes. It is strict
//! where a loose reading would hide a mistake: a `String` takes a binary
//! of UTF-8 text (not an atom), a sequence takes a list, a Rust tuple a
//! tuple of the same size, a struct a map. Nesting is bounded (as in
//! serde_json), so hostile bytes cannot overflow the library's stack.

use serde::de::{self, DeserializeSeed, IntoDeserializer, Visitor};
use serde::Deserialize;

use crate::etf::{self, tag};
use crate::Error;

/// The deepest nesting of compound terms read (as serde_json's limit).
pub const MAX_DEPTH: usize = 128;

/// The value `bytes` hold: one external term (starting with 131) and
/// nothing after it.
///
/// # Errors
///
/// Bytes that are no term, a term of another shape than `T`, or a term
/// nested deeper than [`MAX_DEPTH`].
pub fn from_etf<'de, T: Deserialize<'de>>(bytes: &'de [u8]) -> Result<T, Error> {
    let mut d = Deserializer::new(bytes)?;
    let v = T::deserialize(&mut d)?;
    d.finish()?;
    Ok(v)
}

/// Reads terms from ETF bytes.
pub struct Deserializer<'de> {
    input: &'de [u8],
    pos: usize,
    depth: usize,
}

fn err<T>(msg: impl Into<String>) -> Result<T, Error> {
    Err(Error::new(msg))
}

impl<'de> Deserializer<'de> {
    /// A reader of `bytes`, which start with the version byte 131.
    ///
    /// # Errors
    ///
    /// Empty bytes, or another first byte.
    pub fn new(bytes: &'de [u8]) -> Result<Deserializer<'de>, Error> {
        match bytes.first() {
            Some(&etf::VERSION) => Ok(Deserializer {
                input: bytes,
                pos: 1,
                depth: 0,
            }),
            Some(b) => err(format!("external term starts with {b}, not 131")),
            None => err("no external term (empty bytes)"),
        }
    }

    /// Checks that nothing follows the terms read.
    ///
    /// # Errors
    ///
    /// Bytes left over.
    pub fn finish(&self) -> Result<(), Error> {
        if self.pos == self.input.len() {
            Ok(())
        } else {
            err("bytes after the term")
        }
    }

    fn take(&mut self, n: usize) -> Result<&'de [u8], Error> {
        if n > self.input.len() - self.pos {
            return err("external term ends early");
        }
        let s = &self.input[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    fn u8(&mut self) -> Result<u8, Error> {
        Ok(self.take(1)?[0])
    }

    fn u16(&mut self) -> Result<usize, Error> {
        let b = self.take(2)?;
        Ok(u16::from_be_bytes([b[0], b[1]]) as usize)
    }

    fn u32(&mut self) -> Result<usize, Error> {
        let b = self.take(4)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize)
    }

    fn peek(&self) -> Result<u8, Error> {
        match self.input.get(self.pos) {
            Some(t) => Ok(*t),
            None => err("external term ends early"),
        }
    }

    /// Enters a compound term (bounded nesting).
    fn enter(&mut self) -> Result<(), Error> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return err(format!("term nested deeper than {MAX_DEPTH}"));
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth -= 1;
    }

    /// The atom at the cursor, if there is one (consumed only then).
    fn try_atom(&mut self) -> Result<Option<&'de str>, Error> {
        let len = match self.peek()? {
            tag::SMALL_ATOM_UTF8 | tag::SMALL_ATOM => {
                self.pos += 1;
                self.u8()? as usize
            }
            tag::ATOM_UTF8 | tag::ATOM => {
                self.pos += 1;
                self.u16()?
            }
            _ => return Ok(None),
        };
        let bytes = self.take(len)?;
        // Latin-1 atoms (the old tags) are read as UTF-8: ASCII, the only
        // names in practice, is the same in both.
        match std::str::from_utf8(bytes) {
            Ok(s) if s.chars().count() <= etf::MAX_ATOM_CHARS => Ok(Some(s)),
            _ => err("bad atom name"),
        }
    }

    /// The binary at the cursor, if there is one.
    fn try_binary(&mut self) -> Result<Option<&'de [u8]>, Error> {
        if self.peek()? != tag::BINARY {
            return Ok(None);
        }
        self.pos += 1;
        let n = self.u32()?;
        self.take(n).map(Some)
    }

    fn describe(&self) -> &'static str {
        match self.input.get(self.pos) {
            Some(&(tag::SMALL_INTEGER | tag::INTEGER | tag::SMALL_BIG | tag::LARGE_BIG)) => {
                "an integer"
            }
            Some(&tag::NEW_FLOAT) => "a float",
            Some(&(tag::ATOM | tag::SMALL_ATOM | tag::ATOM_UTF8 | tag::SMALL_ATOM_UTF8)) => {
                "an atom"
            }
            Some(&(tag::SMALL_TUPLE | tag::LARGE_TUPLE)) => "a tuple",
            Some(&(tag::NIL | tag::LIST | tag::STRING)) => "a list",
            Some(&tag::BINARY) => "a binary",
            Some(&tag::MAP) => "a map",
            Some(_) => "a term native libraries do not take (a pid, reference or fun)",
            None => "nothing",
        }
    }

    fn expected<T>(&self, what: &str) -> Result<T, Error> {
        err(format!("expected {what}, got {}", self.describe()))
    }

    /// An integer of any size that fits 128 bits.
    fn integer<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value, Error> {
        match self.u8()? {
            tag::SMALL_INTEGER => visitor.visit_u64(self.u8()?.into()),
            tag::INTEGER => {
                let b = self.take(4)?;
                visitor.visit_i64(i32::from_be_bytes([b[0], b[1], b[2], b[3]]).into())
            }
            t => {
                let n = if t == tag::SMALL_BIG {
                    self.u8()? as usize
                } else {
                    self.u32()?
                };
                let negative = match self.u8()? {
                    0 => false,
                    1 => true,
                    _ => return err("bad sign of a big integer"),
                };
                let digits = self.take(n)?;
                let used = digits.iter().rposition(|d| *d != 0).map_or(0, |i| i + 1);
                if used > 16 {
                    return err("integer wider than 128 bits");
                }
                let mut le = [0u8; 16];
                le[..used].copy_from_slice(&digits[..used]);
                let m = u128::from_le_bytes(le);
                if !negative {
                    match u64::try_from(m) {
                        Ok(u) => visitor.visit_u64(u),
                        Err(_) => visitor.visit_u128(m),
                    }
                } else if m <= i64::MIN.unsigned_abs() as u128 {
                    visitor.visit_i64((m as i128).wrapping_neg() as i64)
                } else if m <= i128::MIN.unsigned_abs() {
                    visitor.visit_i128((m as i128).wrapping_neg())
                } else {
                    err("integer wider than 128 bits")
                }
            }
        }
    }

    /// A list at the cursor: its proper elements (the tail is checked).
    fn list<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value, Error> {
        match self.u8()? {
            tag::NIL => visitor.visit_seq(Elements { d: self, left: 0 }),
            tag::STRING => {
                let n = self.u16()?;
                let bytes = self.take(n)?;
                visitor.visit_seq(de::value::SeqDeserializer::<_, Error>::new(
                    bytes.iter().copied(),
                ))
            }
            _ => {
                let n = self.u32()?;
                self.enter()?;
                let mut seq = Elements { d: self, left: n };
                let v = visitor.visit_seq(&mut seq)?;
                // What the visitor did not read is an error, not skipped.
                if seq.left != 0 {
                    return err("list has more elements than expected");
                }
                if self.peek()? != tag::NIL {
                    return err("improper list (its tail is not [])");
                }
                self.pos += 1;
                self.leave();
                Ok(v)
            }
        }
    }

    /// A tuple's arity (its elements follow); an error if no tuple.
    pub(crate) fn tuple_header(&mut self) -> Result<usize, Error> {
        match self.tuple_arity()? {
            Some(n) => Ok(n),
            None => self.expected("a tuple of the arguments"),
        }
    }

    fn tuple_arity(&mut self) -> Result<Option<usize>, Error> {
        match self.peek()? {
            tag::SMALL_TUPLE => {
                self.pos += 1;
                Ok(Some(self.u8()? as usize))
            }
            tag::LARGE_TUPLE => {
                self.pos += 1;
                Ok(Some(self.u32()?))
            }
            _ => Ok(None),
        }
    }

    fn elements<V: Visitor<'de>>(&mut self, n: usize, visitor: V) -> Result<V::Value, Error> {
        self.enter()?;
        let mut seq = Elements { d: self, left: n };
        let v = visitor.visit_seq(&mut seq)?;
        if seq.left != 0 {
            return err("tuple has more elements than expected");
        }
        self.leave();
        Ok(v)
    }

    fn map<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value, Error> {
        if self.peek()? != tag::MAP {
            return self.expected("a map");
        }
        self.pos += 1;
        let n = self.u32()?;
        self.enter()?;
        let mut m = Pairs { d: self, left: n };
        let v = visitor.visit_map(&mut m)?;
        if m.left != 0 {
            return err("map has more entries than expected");
        }
        self.leave();
        Ok(v)
    }
}

/// The elements of a list or tuple.
struct Elements<'a, 'de> {
    d: &'a mut Deserializer<'de>,
    left: usize,
}

impl<'de> de::SeqAccess<'de> for Elements<'_, 'de> {
    type Error = Error;
    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        if self.left == 0 {
            return Ok(None);
        }
        self.left -= 1;
        seed.deserialize(&mut *self.d).map(Some)
    }
    fn size_hint(&self) -> Option<usize> {
        // Bounded by what the bytes can hold, so a lying count cannot make
        // a visitor reserve gigabytes.
        Some(self.left.min(self.d.input.len() - self.d.pos))
    }
}

/// The entries of a map.
struct Pairs<'a, 'de> {
    d: &'a mut Deserializer<'de>,
    left: usize,
}

impl<'de> de::MapAccess<'de> for &mut Pairs<'_, 'de> {
    type Error = Error;
    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        if self.left == 0 {
            return Ok(None);
        }
        self.left -= 1;
        seed.deserialize(&mut *self.d).map(Some)
    }
    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        seed.deserialize(&mut *self.d)
    }
    fn size_hint(&self) -> Option<usize> {
        Some(self.left.min(self.d.input.len() - self.d.pos))
    }
}

/// A variant: an atom alone, or a tuple whose first element is the atom.
struct Variant<'a, 'de> {
    d: &'a mut Deserializer<'de>,
    /// Elements after the atom (`None`: a bare atom).
    rest: Option<usize>,
}

impl<'a, 'de> de::EnumAccess<'de> for Variant<'a, 'de> {
    type Error = Error;
    type Variant = Self;
    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, Self), Error> {
        let name = match self.d.try_atom()? {
            Some(a) => a,
            None => return self.d.expected("a variant's atom"),
        };
        let v = seed.deserialize(name.into_deserializer())?;
        Ok((v, self))
    }
}

impl<'de> de::VariantAccess<'de> for Variant<'_, 'de> {
    type Error = Error;
    fn unit_variant(self) -> Result<(), Error> {
        match self.rest {
            None | Some(0) => self.close(),
            Some(_) => err("expected a bare atom for a unit variant, got a tuple"),
        }
    }
    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, Error> {
        if self.rest != Some(1) {
            return err("expected (:variant, value)");
        }
        let v = seed.deserialize(&mut *self.d)?;
        self.close()?;
        Ok(v)
    }
    fn tuple_variant<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, Error> {
        if self.rest != Some(len) {
            return err(format!(
                "expected a tuple of the variant's atom and {len} values"
            ));
        }
        let mut seq = Elements {
            d: self.d,
            left: len,
        };
        let v = visitor.visit_seq(&mut seq)?;
        if seq.left != 0 {
            return err("tuple has more elements than expected");
        }
        self.close()?;
        Ok(v)
    }
    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        if self.rest != Some(1) {
            return err("expected (:variant, #{...})");
        }
        let v = self.d.map(visitor)?;
        self.close()?;
        Ok(v)
    }
}

impl Variant<'_, '_> {
    fn close(self) -> Result<(), Error> {
        if self.rest.is_some() {
            self.d.leave();
        }
        Ok(())
    }
}

impl<'de> de::Deserializer<'de> for &mut Deserializer<'de> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.peek()? {
            tag::SMALL_INTEGER | tag::INTEGER | tag::SMALL_BIG | tag::LARGE_BIG => {
                self.integer(visitor)
            }
            tag::NEW_FLOAT => {
                self.pos += 1;
                let b = self.take(8)?;
                let f = f64::from_bits(u64::from_be_bytes(b.try_into().expect("8 bytes")));
                visitor.visit_f64(f)
            }
            tag::ATOM | tag::SMALL_ATOM | tag::ATOM_UTF8 | tag::SMALL_ATOM_UTF8 => {
                match self.try_atom()? {
                    Some("true") => visitor.visit_bool(true),
                    Some("false") => visitor.visit_bool(false),
                    Some("nil") => visitor.visit_unit(),
                    Some(a) => visitor.visit_borrowed_str(a),
                    None => unreachable!("an atom tag"),
                }
            }
            tag::BINARY => {
                let b = self.try_binary()?.unwrap_or_default();
                match std::str::from_utf8(b) {
                    Ok(s) => visitor.visit_borrowed_str(s),
                    Err(_) => visitor.visit_borrowed_bytes(b),
                }
            }
            tag::NIL | tag::LIST | tag::STRING => self.list(visitor),
            tag::SMALL_TUPLE | tag::LARGE_TUPLE => {
                let n = self.tuple_arity()?.unwrap_or_default();
                self.elements(n, visitor)
            }
            tag::MAP => self.map(visitor),
            t => err(format!("a term native libraries do not take (tag {t})")),
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.try_atom()? {
            Some("true") => visitor.visit_bool(true),
            Some("false") => visitor.visit_bool(false),
            Some(a) => err(format!("expected true or false, got :{a}")),
            None => self.expected("true or false"),
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.try_binary()? {
            Some(b) => match std::str::from_utf8(b) {
                Ok(s) => visitor.visit_borrowed_str(s),
                Err(_) => err("expected a string, got a binary that is not UTF-8 text"),
            },
            None => self.expected("a string"),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.try_binary()? {
            Some(b) => visitor.visit_borrowed_bytes(b),
            None => self.expected("a binary or string"),
        }
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_bytes(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let save = self.pos;
        if self.try_atom()? == Some("nil") {
            return visitor.visit_none();
        }
        self.pos = save;
        visitor.visit_some(self)
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.try_atom()? {
            Some("nil") => visitor.visit_unit(),
            _ => err("expected nil"),
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        if name == crate::atom::TOKEN {
            return match self.try_atom()? {
                Some(a) => visitor.visit_borrowed_str(a),
                None => self.expected("an atom"),
            };
        }
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.peek()? {
            tag::NIL | tag::LIST | tag::STRING => self.list(visitor),
            _ => self.expected("a list"),
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, Error> {
        match self.tuple_arity()? {
            Some(n) if n == len => self.elements(n, visitor),
            Some(n) => err(format!("expected a tuple of {len} elements, got {n}")),
            None => self.expected("a tuple"),
        }
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        len: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_tuple(len, visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.map(visitor)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.map(visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        let rest = match self.tuple_arity()? {
            Some(0) => return err("expected a variant, got the empty tuple"),
            Some(n) => {
                self.enter()?;
                Some(n - 1)
            }
            None => None,
        };
        visitor.visit_enum(Variant { d: self, rest })
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        if let Some(a) = self.try_atom()? {
            return visitor.visit_borrowed_str(a);
        }
        self.deserialize_str(visitor)
    }

    serde::forward_to_deserialize_any! {
        i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 ignored_any
    }
}
