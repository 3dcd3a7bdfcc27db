//! The cold paths of arithmetic, comparison and concatenation: everything
//! but two small integers (big integers, floats, mixed, and errors).

use std::sync::Arc;

use super::Exception;
use crate::value::{number, Value};

macro_rules! cold_arith {
    ($($name:ident),*) => {$(
        #[cold]
        #[inline(never)]
        pub fn $name(a: &Value, b: &Value) -> Result<Value, Exception> {
            number::$name(a, b).ok_or_else(Exception::badarith)
        }
    )*};
}
cold_arith!(add, sub, mul, div, int_div, rem);

#[cold]
#[inline(never)]
pub fn neg(a: &Value) -> Result<Value, Exception> {
    number::neg(a).ok_or_else(Exception::badarith)
}

/// `a ++ b`: copies the cells of `a` (which must be a proper list) in
/// front of `b`.
#[inline(never)]
pub fn list_concat(a: &Value, b: &Value) -> Result<Value, Exception> {
    if matches!(a, Value::Nil) {
        return Ok(b.clone());
    }
    let mut it = a.iter_list();
    let heads: Vec<Value> = (&mut it).cloned().collect();
    if !matches!(it.tail(), Value::Nil) {
        return Err(Exception::badarg_because(match a {
            Value::Str(_) => "`++` joins lists; to join strings, use `<>`",
            _ => "the left side of `++` must be a proper list",
        }));
    }
    Ok(Value::list_with_tail(heads, b.clone()))
}

/// `a <> b` on two strings.
#[inline(never)]
pub fn str_concat(a: &Value, b: &Value) -> Result<Value, Exception> {
    match (a, b) {
        (Value::Str(x), Value::Str(y)) => {
            let mut s = String::with_capacity(x.len() + y.len());
            s.push_str(x);
            s.push_str(y);
            Ok(Value::Str(Arc::new(s)))
        }
        (Value::Nil | Value::Cons(_), Value::Nil | Value::Cons(_)) => Err(
            Exception::badarg_because("`<>` joins strings; to join lists, use `++`"),
        ),
        _ => Err(Exception::badarg_because(
            "both sides of `<>` must be strings; for another term use `to_string(x)` or \"#{x}\"",
        )),
    }
}
