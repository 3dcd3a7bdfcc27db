//! Conversions between Rust primitives and [`Term`]: `From<primitive>
//! for Term` (what `term!` uses for a Rust expression) and `TryFrom<Term>`
//! / `TryFrom<&Term>` back, failing with a [`TermError`] that says what
//! was found.

use num_bigint::BigInt;

use super::error::TermError;
use super::{from_term, Term};

macro_rules! small_int_into_term {
    ($($t:ty),*) => {$(
        impl From<$t> for Term {
            fn from(i: $t) -> Term {
                Term::Int(i.into())
            }
        }
    )*};
}
small_int_into_term!(i8, i16, i32, u8, u16, u32);

macro_rules! wide_int_into_term {
    ($($t:ty),*) => {$(
        impl From<$t> for Term {
            /// An integer past i64 is a big integer.
            fn from(i: $t) -> Term {
                match i64::try_from(i) {
                    Ok(i) => Term::Int(i),
                    Err(_) => Term::BigInt(BigInt::from(i)),
                }
            }
        }
    )*};
}
wide_int_into_term!(u64, usize, isize, i128, u128);

impl From<f32> for Term {
    fn from(f: f32) -> Term {
        Term::Float(f.into())
    }
}

impl From<char> for Term {
    fn from(c: char) -> Term {
        Term::Str(c.to_string())
    }
}

impl From<&String> for Term {
    fn from(s: &String) -> Term {
        Term::Str(s.clone())
    }
}

impl From<Vec<u8>> for Term {
    /// A binary (valid UTF-8 becomes a string in a process, as in Reef
    /// every string is a binary).
    fn from(b: Vec<u8>) -> Term {
        match String::from_utf8(b) {
            Ok(s) => Term::Str(s),
            Err(e) => Term::Bytes(e.into_bytes()),
        }
    }
}

impl From<&[u8]> for Term {
    fn from(b: &[u8]) -> Term {
        Term::from(b.to_vec())
    }
}

impl From<()> for Term {
    /// `nil`.
    fn from(_: ()) -> Term {
        Term::nil()
    }
}

impl<T: Into<Term>> From<Option<T>> for Term {
    /// `nil` or the value.
    fn from(o: Option<T>) -> Term {
        o.map_or_else(Term::nil, Into::into)
    }
}

macro_rules! try_from_term {
    ($($t:ty),*) => {$(
        impl TryFrom<&Term> for $t {
            type Error = TermError;
            fn try_from(t: &Term) -> Result<$t, TermError> {
                from_term(t)
            }
        }
        impl TryFrom<Term> for $t {
            type Error = TermError;
            fn try_from(t: Term) -> Result<$t, TermError> {
                from_term(&t)
            }
        }
    )*};
}
try_from_term!(
    i8, i16, i32, i64, i128, u8, u16, u32, u64, u128, usize, isize, f32, f64, bool, char, String
);

impl TryFrom<&Term> for Vec<u8> {
    type Error = TermError;
    /// A binary's (or a string's) bytes.
    fn try_from(t: &Term) -> Result<Vec<u8>, TermError> {
        t.as_bytes()
            .map(<[u8]>::to_vec)
            .ok_or_else(|| TermError::new("a binary", t.to_string()))
    }
}

impl TryFrom<Term> for Vec<u8> {
    type Error = TermError;
    fn try_from(t: Term) -> Result<Vec<u8>, TermError> {
        Vec::try_from(&t)
    }
}
