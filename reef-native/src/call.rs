//! What the [`module!`](crate::module) macro expands to calls: decoding
//! the arguments one by one (so an error names the argument), encoding the
//! reply, and running the body under `catch_unwind` so that no panic ever
//! unwinds across `extern "C"`. Not an API: the macro's private helpers.

use std::any::Any;
use std::panic::{catch_unwind, AssertUnwindSafe};

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::abi::{Buffer, STATUS_OK, STATUS_PANIC, STATUS_RAISE};
use crate::de::Deserializer;
use crate::{etf, to_etf, Error};

/// What a call ends with: ETF bytes and whether they are a result or a
/// reason to raise.
pub enum Outcome {
    Ok(Vec<u8>),
    Raise(Vec<u8>),
}

/// The ETF bytes of `(tag, text)`, which cannot fail to encode.
fn tagged(tag: &str, text: &str) -> Vec<u8> {
    let mut out = vec![etf::VERSION];
    etf::tuple_header(2, &mut out);
    etf::atom(tag, &mut out);
    etf::binary(text.as_bytes(), &mut out);
    out
}

/// The function's result, encoded.
pub fn ok<T: Serialize + ?Sized>(value: &T) -> Outcome {
    match to_etf(value) {
        Ok(b) => Outcome::Ok(b),
        Err(e) => bad_reply(e),
    }
}

/// The function's error, encoded: it is the reason raised.
pub fn raise<E: Serialize + ?Sized>(reason: &E) -> Outcome {
    match to_etf(reason) {
        Ok(b) => Outcome::Raise(b),
        Err(e) => bad_reply(e),
    }
}

/// A result or reason that does not encode: `(:native_bad_reply, why)`,
/// the reason the VM raises for replies it cannot read too.
fn bad_reply(e: Error) -> Outcome {
    Outcome::Raise(tagged(
        "native_bad_reply",
        &format!("reply does not encode: {e}"),
    ))
}

/// The arguments of one call: a tuple of `arity` terms, read in order.
pub struct Args<'a> {
    d: Deserializer<'a>,
    module: &'static str,
    name: &'static str,
    arity: u32,
    done: usize,
}

impl<'a> Args<'a> {
    /// Starts reading `bytes`, which must be a tuple of `arity` terms.
    pub fn new(
        bytes: &'a [u8],
        module: &'static str,
        name: &'static str,
        arity: u32,
    ) -> Result<Args<'a>, Outcome> {
        let mut args = Args {
            d: Deserializer::new(bytes).map_err(|e| badarg_of(module, name, arity, None, e))?,
            module,
            name,
            arity,
            done: 0,
        };
        let n: Result<usize, Error> = args.d.tuple_header();
        match n {
            Ok(n) if n == arity as usize => Ok(args),
            Ok(n) => Err(args.badarg(Error::new(format!("{n} arguments")))),
            Err(e) => Err(args.badarg(e)),
        }
    }

    /// The next argument, as a `T`.
    pub fn arg<T: DeserializeOwned>(&mut self) -> Result<T, Outcome> {
        self.done += 1;
        match T::deserialize(&mut self.d) {
            Ok(v) => Ok(v),
            Err(e) => Err(badarg_of(
                self.module,
                self.name,
                self.arity,
                Some(self.done),
                e,
            )),
        }
    }

    /// Checks that the bytes held nothing more.
    pub fn finish(&self) -> Result<(), Outcome> {
        self.d.finish().map_err(|e| self.badarg(e))
    }

    fn badarg(&self, e: Error) -> Outcome {
        badarg_of(self.module, self.name, self.arity, None, e)
    }
}

/// `(:badarg, "hash.sha256/1, argument 1: expected a string or binary, got an integer")`.
fn badarg_of(module: &str, name: &str, arity: u32, arg: Option<usize>, e: Error) -> Outcome {
    let at = match arg {
        Some(i) => format!(", argument {i}"),
        None => String::new(),
    };
    Outcome::Raise(tagged(
        "badarg",
        &format!("{module}.{name}/{arity}{at}: {e}"),
    ))
}

/// Runs one call of a native function: `body` gets the argument bytes
/// and returns the reply; a panic in it becomes [`STATUS_PANIC`] with the
/// panic's message.
///
/// # Safety
///
/// `args` points at `len` readable bytes (or is null with `len` 0), and
/// `out` at a writable [`Buffer`]: what the VM passes (`abi.rs`).
pub unsafe fn call(
    args: *const u8,
    len: usize,
    out: *mut Buffer,
    body: impl FnOnce(&[u8]) -> Outcome,
) -> i32 {
    let input: &[u8] = if args.is_null() || len == 0 {
        &[]
    } else {
        // SAFETY: the VM passes its encoded arguments, `len` bytes that
        // stay alive and unchanged until this call returns.
        unsafe { std::slice::from_raw_parts(args, len) }
    };
    let (status, bytes) = match catch_unwind(AssertUnwindSafe(|| body(input))) {
        Ok(Outcome::Ok(b)) => (STATUS_OK, b),
        Ok(Outcome::Raise(b)) => (STATUS_RAISE, b),
        Err(payload) => (STATUS_PANIC, panic_message(payload)),
    };
    if !out.is_null() {
        // SAFETY: `out` points at the VM's writable Buffer (checked not
        // null); it holds nothing that needs dropping.
        unsafe { out.write(Buffer::from_vec(bytes)) };
    }
    status
}

/// The panic's message as an ETF binary. Dropping the payload could panic
/// again (a payload with a panicking `Drop`), so that too is caught, and
/// such a payload is leaked rather than unwound out of `extern "C"`.
fn panic_message(payload: Box<dyn Any + Send>) -> Vec<u8> {
    let text = if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "Box<dyn Any>".to_string()
    };
    if let Err(again) = catch_unwind(AssertUnwindSafe(|| drop(payload))) {
        std::mem::forget(again);
    }
    let mut out = vec![etf::VERSION];
    etf::binary(text.as_bytes(), &mut out);
    out
}
