//! A serde `Serializer` that writes ETF bytes, with the term shapes every
//! Reef embedding uses: structs are maps with atom keys, unit variants
//! atoms, other variants tuples tagged with the variant's atom, `Option`
//! `nil` or the value, `()` `nil`, sequences lists, tuples tuples,
//! strings and bytes binaries, integers beyond 64 bits big integers.

use serde::ser::{self, Serialize};

use crate::etf::{self, tag};
use crate::Error;

/// The ETF bytes of `value` (starting with the version byte 131).
///
/// # Errors
///
/// A float that is not finite (Reef has no NaN or infinity), an atom name
/// (a variant or field name) longer than 255 characters, a collection of
/// more than 2^32 elements, or an error the value's `Serialize` raised.
pub fn to_etf<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, Error> {
    // Most replies are short: one allocation, no regrowth.
    let mut out = Vec::with_capacity(64);
    out.push(etf::VERSION);
    let mut s = Serializer {
        out,
        atom_next: false,
    };
    value.serialize(&mut s)?;
    Ok(s.out)
}

/// Writes one term per `serialize` call into its buffer.
pub struct Serializer {
    out: Vec<u8>,
    /// The next string is an [`Atom`](crate::Atom)'s name.
    atom_next: bool,
}

impl Serializer {
    fn atom(&mut self, name: &str) -> Result<(), Error> {
        if name.chars().count() > etf::MAX_ATOM_CHARS {
            return Err(Error::new(format!(
                "atom `{}...` is longer than 255 characters",
                name.chars().take(20).collect::<String>()
            )));
        }
        etf::atom(name, &mut self.out);
        Ok(())
    }

    /// A list or map header whose count is patched in at the end.
    fn open(&mut self, tag: u8) -> Counted<'_> {
        let start = self.out.len();
        self.out.push(tag);
        self.out.extend_from_slice(&[0; 4]);
        Counted {
            s: self,
            start,
            count: 0,
        }
    }
}

fn count_u32(n: usize) -> Result<u32, Error> {
    u32::try_from(n).map_err(|_| Error::new("more than 2^32 elements"))
}

/// A list or map being written: the count goes in when it closes.
pub struct Counted<'a> {
    s: &'a mut Serializer,
    start: usize,
    count: usize,
}

impl Counted<'_> {
    fn close_list(self) -> Result<(), Error> {
        if self.count == 0 {
            // The empty list is NIL_EXT, never a LIST_EXT of no elements.
            self.s.out.truncate(self.start);
        } else {
            let n = count_u32(self.count)?.to_be_bytes();
            self.s.out[self.start + 1..self.start + 5].copy_from_slice(&n);
        }
        self.s.out.push(tag::NIL);
        Ok(())
    }

    fn close_map(self) -> Result<(), Error> {
        let n = count_u32(self.count)?.to_be_bytes();
        self.s.out[self.start + 1..self.start + 5].copy_from_slice(&n);
        Ok(())
    }
}

impl<'a> ser::Serializer for &'a mut Serializer {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Counted<'a>;
    type SerializeTuple = &'a mut Serializer;
    type SerializeTupleStruct = &'a mut Serializer;
    type SerializeTupleVariant = &'a mut Serializer;
    type SerializeMap = Counted<'a>;
    type SerializeStruct = Counted<'a>;
    type SerializeStructVariant = Counted<'a>;

    fn serialize_bool(self, v: bool) -> Result<(), Error> {
        self.atom(if v { "true" } else { "false" })
    }
    fn serialize_i8(self, v: i8) -> Result<(), Error> {
        self.serialize_i64(v.into())
    }
    fn serialize_i16(self, v: i16) -> Result<(), Error> {
        self.serialize_i64(v.into())
    }
    fn serialize_i32(self, v: i32) -> Result<(), Error> {
        self.serialize_i64(v.into())
    }
    fn serialize_i64(self, v: i64) -> Result<(), Error> {
        etf::int(v.into(), &mut self.out);
        Ok(())
    }
    fn serialize_i128(self, v: i128) -> Result<(), Error> {
        etf::int(v, &mut self.out);
        Ok(())
    }
    fn serialize_u8(self, v: u8) -> Result<(), Error> {
        self.serialize_i64(v.into())
    }
    fn serialize_u16(self, v: u16) -> Result<(), Error> {
        self.serialize_i64(v.into())
    }
    fn serialize_u32(self, v: u32) -> Result<(), Error> {
        self.serialize_i64(v.into())
    }
    fn serialize_u64(self, v: u64) -> Result<(), Error> {
        etf::int(v.into(), &mut self.out);
        Ok(())
    }
    fn serialize_u128(self, v: u128) -> Result<(), Error> {
        match i128::try_from(v) {
            Ok(i) => etf::int(i, &mut self.out),
            Err(_) => etf::big(false, v, &mut self.out),
        }
        Ok(())
    }
    fn serialize_f32(self, v: f32) -> Result<(), Error> {
        self.serialize_f64(v.into())
    }
    fn serialize_f64(self, v: f64) -> Result<(), Error> {
        if !v.is_finite() {
            return Err(Error::new(format!("{v} is not a finite float")));
        }
        self.out.push(tag::NEW_FLOAT);
        self.out.extend_from_slice(&v.to_bits().to_be_bytes());
        Ok(())
    }
    fn serialize_char(self, v: char) -> Result<(), Error> {
        self.serialize_str(v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_str(self, v: &str) -> Result<(), Error> {
        if std::mem::take(&mut self.atom_next) {
            return self.atom(v);
        }
        self.serialize_bytes(v.as_bytes())
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<(), Error> {
        count_u32(v.len())?;
        etf::binary(v, &mut self.out);
        Ok(())
    }
    fn serialize_none(self) -> Result<(), Error> {
        self.atom("nil")
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Error> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Error> {
        self.atom("nil")
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), Error> {
        self.atom("nil")
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<(), Error> {
        self.atom(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        if name == crate::atom::TOKEN {
            // An `Atom`: its one field is the name, written as an atom.
            self.atom_next = true;
            let r = value.serialize(&mut *self);
            self.atom_next = false;
            return r;
        }
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        etf::tuple_header(2, &mut self.out);
        self.atom(variant)?;
        value.serialize(self)
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Counted<'a>, Error> {
        Ok(self.open(tag::LIST))
    }
    fn serialize_tuple(self, len: usize) -> Result<Self, Error> {
        count_u32(len)?;
        etf::tuple_header(len, &mut self.out);
        Ok(self)
    }
    fn serialize_tuple_struct(self, _name: &'static str, len: usize) -> Result<Self, Error> {
        self.serialize_tuple(len)
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self, Error> {
        count_u32(len + 1)?;
        etf::tuple_header(len + 1, &mut self.out);
        self.atom(variant)?;
        Ok(self)
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Counted<'a>, Error> {
        Ok(self.open(tag::MAP))
    }
    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<Counted<'a>, Error> {
        Ok(self.open(tag::MAP))
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Counted<'a>, Error> {
        etf::tuple_header(2, &mut self.out);
        self.atom(variant)?;
        Ok(self.open(tag::MAP))
    }
}

impl ser::SerializeSeq for Counted<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.count += 1;
        value.serialize(&mut *self.s)
    }
    fn end(self) -> Result<(), Error> {
        self.close_list()
    }
}

impl ser::SerializeTuple for &mut Serializer {
    type Ok = ();
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        value.serialize(&mut **self)
    }
    fn end(self) -> Result<(), Error> {
        Ok(())
    }
}

impl ser::SerializeTupleStruct for &mut Serializer {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        value.serialize(&mut **self)
    }
    fn end(self) -> Result<(), Error> {
        Ok(())
    }
}

impl ser::SerializeTupleVariant for &mut Serializer {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        value.serialize(&mut **self)
    }
    fn end(self) -> Result<(), Error> {
        Ok(())
    }
}

impl ser::SerializeMap for Counted<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        self.count += 1;
        key.serialize(&mut *self.s)
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        value.serialize(&mut *self.s)
    }
    fn end(self) -> Result<(), Error> {
        self.close_map()
    }
}

impl ser::SerializeStruct for Counted<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.count += 1;
        self.s.atom(key)?;
        value.serialize(&mut *self.s)
    }
    fn end(self) -> Result<(), Error> {
        self.close_map()
    }
}

impl ser::SerializeStructVariant for Counted<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.count += 1;
        self.s.atom(key)?;
        value.serialize(&mut *self.s)
    }
    fn end(self) -> Result<(), Error> {
        self.close_map()
    }
}
