//! `Atom`: an atom whose name is known only at run time. (A fixed atom is
//! a unit enum variant; serde has no atoms, so this type tells this
//! crate's serializer by a reserved newtype name, and any other
//! serializer sees a plain string.)

use std::fmt;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The newtype name by which `ser.rs` and `de.rs` know an [`Atom`].
pub(crate) const TOKEN: &str = "$reef_native::Atom";

/// An atom: `Atom::from("ok")` is `:ok` in Reef. As an argument it takes
/// an atom only (not a string).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Atom(pub String);

impl Atom {
    /// The atom's name.
    pub fn name(&self) -> &str {
        &self.0
    }
}

impl From<&str> for Atom {
    fn from(s: &str) -> Atom {
        Atom(s.to_string())
    }
}

impl From<String> for Atom {
    fn from(s: String) -> Atom {
        Atom(s)
    }
}

impl fmt::Display for Atom {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, ":{}", self.0)
    }
}

impl Serialize for Atom {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_newtype_struct(TOKEN, &self.0)
    }
}

impl<'de> Deserialize<'de> for Atom {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Atom, D::Error> {
        d.deserialize_newtype_struct(TOKEN, AtomVisitor)
    }
}

struct AtomVisitor;

impl<'de> Visitor<'de> for AtomVisitor {
    type Value = Atom;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an atom")
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Atom, D::Error> {
        String::deserialize(d).map(Atom)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Atom, E> {
        Ok(Atom(v.to_string()))
    }
}
