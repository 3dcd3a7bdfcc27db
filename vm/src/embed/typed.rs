//! [`HostFunction`]: what makes a Rust closure of up to eight arguments a
//! typed host function. Arguments are read with serde straight from the
//! caller's values; the result is written straight into a value (no
//! `Term` in between).

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::term::de::from_value;
use crate::term::ser::reply_value;
use crate::term::Term;
use crate::value::Value;

/// A Rust closure that Reef code can call: `Fn(A, B, ...) -> R` of up to
/// eight arguments, each `DeserializeOwned`, with `R: Serialize`.
/// Implemented for every such closure; `Args` is the tuple of its
/// argument types (inferred: you never name it).
///
/// A result `Result<T, E>` is the outcome, not a value: `Ok(v)` returns
/// `v`, `Err(e)` raises `e`'s term as an error in the caller (a `String`
/// is raised as that string, a unit enum variant as its atom; see
/// [`HostError`](crate::HostError) for errors that are only `Display`).
///
/// The trait is sealed: only closures implement it, so no host code can
/// reach the `&[Value]` its hidden methods take (a process's values must
/// not outlive the call; see `Vm::register_native`).
pub trait HostFunction<Args>: sealed::Sealed<Args> + Send + Sync + 'static {
    /// The arguments, decoded (they cross to the blocking pool as they are).
    #[doc(hidden)]
    type Decoded: Send + 'static;
    /// How many arguments the function takes.
    #[doc(hidden)]
    const ARITY: u32;
    /// Reads the arguments; `Err` is the reason to raise:
    /// `(:badarg, (position, expected))`.
    #[doc(hidden)]
    fn decode(args: &[Value]) -> Result<Self::Decoded, Value>;
    /// Runs the function and encodes its result; `Err` is the reason to
    /// raise.
    #[doc(hidden)]
    fn invoke(&self, args: Self::Decoded) -> Result<Value, Value>;
}

mod sealed {
    /// Implemented for the closures `HostFunction` covers, and nothing else.
    pub trait Sealed<Args> {}
}

/// Reads argument `i` (0-based) as an `A`.
#[inline]
fn arg<A: DeserializeOwned>(args: &[Value], i: usize) -> Result<A, Value> {
    from_value(&args[i]).map_err(|e| {
        let mut expected = e.expected;
        if !e.path.is_empty() {
            expected = format!("{expected} at {}", e.path);
        }
        Value::tuple(vec![
            Value::atom("badarg"),
            Value::tuple(vec![Value::Int(i as i64 + 1), Value::str(expected)]),
        ])
    })
}

/// Encodes a result; an `Err` is the reason to raise, and a result that
/// cannot be encoded raises `(:bad_host_result, message)`.
#[inline]
fn reply<R: Serialize>(r: &R) -> Result<Value, Value> {
    match reply_value(r) {
        Ok(v) => Ok(v),
        Err(Ok(reason)) => Err(reason.to_value()),
        Err(Err(e)) => Err(Value::tuple(vec![
            Value::atom("bad_host_result"),
            Value::str(e.to_string()),
        ])),
    }
}

macro_rules! host_function {
    ($n:literal; $($a:ident $i:tt),*) => {
        impl<F, R, $($a,)*> sealed::Sealed<($($a,)*)> for F
        where
            F: Fn($($a),*) -> R + Send + Sync + 'static,
            R: Serialize,
            $($a: DeserializeOwned + Send + 'static,)*
        {
        }

        #[allow(non_snake_case, unused_variables)]
        impl<F, R, $($a,)*> HostFunction<($($a,)*)> for F
        where
            F: Fn($($a),*) -> R + Send + Sync + 'static,
            R: Serialize,
            $($a: DeserializeOwned + Send + 'static,)*
        {
            type Decoded = ($($a,)*);
            const ARITY: u32 = $n;
            #[inline]
            fn decode(args: &[Value]) -> Result<Self::Decoded, Value> {
                Ok(($(arg::<$a>(args, $i)?,)*))
            }
            #[inline]
            fn invoke(&self, args: Self::Decoded) -> Result<Value, Value> {
                let ($($a,)*) = args;
                reply(&self($($a),*))
            }
        }
    };
}

host_function!(0;);
host_function!(1; A 0);
host_function!(2; A 0, B 1);
host_function!(3; A 0, B 1, C 2);
host_function!(4; A 0, B 1, C 2, D 3);
host_function!(5; A 0, B 1, C 2, D 3, E 4);
host_function!(6; A 0, B 1, C 2, D 3, E 4, G 5);
host_function!(7; A 0, B 1, C 2, D 3, E 4, G 5, H 6);
host_function!(8; A 0, B 1, C 2, D 3, E 4, G 5, H 6, I 7);

/// An error for a typed host function whose own error type is only
/// `Display` (`std::io::Error`, `anyhow::Error`, ...): `?` converts any of
/// them, and the caller sees its message as the raised reason (caught in
/// Reef as `(:error, message)`). [`HostError::reason`] raises a term the
/// host chooses instead (`(:not_found, key)`).
///
/// (It is deliberately not `Display` itself, so that the conversion from
/// every `Display` type can exist.)
#[derive(Debug, Clone)]
pub struct HostError {
    reason: Term,
}

impl HostError {
    /// Raises `message` (a string).
    pub fn new(message: impl Into<String>) -> HostError {
        HostError {
            reason: Term::Str(message.into()),
        }
    }

    /// Raises `reason` as it is.
    pub fn reason(reason: Term) -> HostError {
        HostError { reason }
    }

    /// The reason the caller will see.
    pub fn term(&self) -> &Term {
        &self.reason
    }
}

impl<E: std::fmt::Display> From<E> for HostError {
    fn from(e: E) -> HostError {
        HostError::new(e.to_string())
    }
}

impl Serialize for HostError {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.reason.serialize(s)
    }
}
