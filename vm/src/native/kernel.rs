//! `kernel`: the built-ins called without a module prefix (`len(x)`,
//! `error(r)`, `self()`, ...): type tests, sizes, conversions, raising,
//! and the process primitives.

use reef_bytecode::{FunKind, Function, Instr, Module};

use super::{atom, ext_fun, index, list, string, Ctx};
use crate::exports::{NativeFn, OwningFn};
use crate::interp::Exception;
use crate::value::{number, order, print, Atom, Tuple, Value};

/// The built-ins that may consume their arguments (`exports::OwningFn`):
/// `put_elem(t, i, v)` given a tuple at its last use (count 1) writes the
/// element in place; a tuple still referenced elsewhere is copied, so no
/// other reference ever sees the change (ARCHITECTURE.md, "Ownership").
pub const OWNING: &[(&str, u32, OwningFn)] = &[("put_elem", 3, |ctx, a| {
    let i = match (&a[0], &a[1]) {
        (Value::Tuple(t), Value::Int(i)) if (0..t.len() as i64).contains(i) => *i as usize,
        _ => return Err(Exception::badarg()),
    };
    let v = std::mem::take(&mut a[2]);
    let Value::Tuple(t) = &mut a[0] else {
        unreachable!("tested above")
    };
    if let Some(elems) = t.get_mut() {
        elems[i] = v;
        ctx.allocated = Some(0);
        return Ok(std::mem::take(&mut a[0]));
    }
    let mut elems = t.to_vec();
    elems[i] = v;
    ctx.allocated = Some(2 * elems.len() + 1);
    Ok(Value::Tuple(Tuple::from_vec(elems)))
})];

pub const NATIVES: &[(&str, u32, NativeFn)] = &[
    ("is_int", 1, |_, a| {
        Ok(Value::bool(matches!(
            a[0],
            Value::Int(_) | Value::BigInt(_)
        )))
    }),
    ("is_float", 1, |_, a| {
        Ok(Value::bool(matches!(a[0], Value::Float(_))))
    }),
    ("is_number", 1, |_, a| Ok(Value::bool(a[0].is_number()))),
    ("is_atom", 1, |_, a| {
        Ok(Value::bool(matches!(a[0], Value::Atom(_))))
    }),
    ("is_string", 1, |_, a| {
        Ok(Value::bool(matches!(a[0], Value::Str(_))))
    }),
    ("is_binary", 1, |_, a| {
        Ok(Value::bool(matches!(a[0], Value::Str(_) | Value::Bytes(_))))
    }),
    ("is_list", 1, |_, a| Ok(Value::bool(a[0].is_list()))),
    ("is_tuple", 1, |_, a| {
        Ok(Value::bool(matches!(a[0], Value::Tuple(_))))
    }),
    ("is_map", 1, |_, a| {
        Ok(Value::bool(matches!(a[0], Value::Map(_))))
    }),
    ("is_pid", 1, |_, a| {
        Ok(Value::bool(matches!(a[0], Value::Pid(_))))
    }),
    ("is_ref", 1, |_, a| {
        Ok(Value::bool(match &a[0] {
            Value::Ref(_) => true,
            Value::Foreign(f) => f.is_ref(),
            _ => false,
        }))
    }),
    ("is_fn", 1, |_, a| {
        Ok(Value::bool(match &a[0] {
            Value::Fun(_) => true,
            Value::Foreign(f) => f.is_fun(),
            _ => false,
        }))
    }),
    ("is_boolean", 1, |_, a| {
        Ok(Value::bool(matches!(
            a[0],
            Value::Atom(Atom::TRUE) | Value::Atom(Atom::FALSE)
        )))
    }),
    ("len", 1, len),
    ("tuple_size", 1, |_, a| match &a[0] {
        Value::Tuple(t) => Ok(Value::Int(t.len() as i64)),
        _ => Err(Exception::badarg()),
    }),
    ("map_size", 1, |_, a| {
        Ok(Value::Int(super::map(&a[0])?.len() as i64))
    }),
    ("elem", 2, |_, a| match &a[0] {
        Value::Tuple(t) => t.get(index(&a[1])?).cloned().ok_or_else(Exception::badarg),
        _ => Err(Exception::badarg()),
    }),
    ("hd", 1, |_, a| match &a[0] {
        Value::Cons(c) => Ok(c.head.clone()),
        _ => Err(Exception::badarg()),
    }),
    ("tl", 1, |_, a| match &a[0] {
        Value::Cons(c) => Ok(c.tail.clone()),
        _ => Err(Exception::badarg()),
    }),
    ("abs", 1, |_, a| {
        number::abs(&a[0]).ok_or_else(Exception::badarg)
    }),
    ("min", 2, |_, a| {
        Ok(if order::compare(&a[1], &a[0]).is_lt() {
            a[1].clone()
        } else {
            a[0].clone()
        })
    }),
    ("max", 2, |_, a| {
        Ok(if order::compare(&a[1], &a[0]).is_gt() {
            a[1].clone()
        } else {
            a[0].clone()
        })
    }),
    ("inspect", 1, |_, a| Ok(Value::str(print::inspect(&a[0])))),
    ("to_string", 1, |_, a| match &a[0] {
        Value::Str(_) => Ok(a[0].clone()),
        v => Ok(Value::str(print::to_text(v))),
    }),
    ("to_int", 1, to_int),
    ("to_float", 1, to_float),
    ("to_atom", 1, |_, a| match &a[0] {
        Value::Atom(_) => Ok(a[0].clone()),
        v => Atom::try_new(string(v)?)
            .map(Value::Atom)
            .ok_or_else(|| Exception::error(Value::Atom(Atom::SYSTEM_LIMIT))),
    }),
    ("tuple_to_list", 1, |_, a| match &a[0] {
        Value::Tuple(t) => Ok(Value::list(t.iter().cloned())),
        _ => Err(Exception::badarg()),
    }),
    ("list_to_tuple", 1, |_, a| Ok(Value::tuple(list(&a[0])?))),
    ("error", 1, |_, a| Err(Exception::error(a[0].clone()))),
    ("throw", 1, |_, a| Err(Exception::throw(a[0].clone()))),
    ("exit", 1, |_, a| Err(Exception::exit(a[0].clone()))),
    // raise(class, reason, trace): raises again what a `try` caught with
    // its stack trace (Erlang's erlang:raise/3), so a crash report still
    // shows where it began.
    ("raise", 3, |_, a| {
        let class =
            crate::interp::exception::class_of_atom(atom(&a[0])?).ok_or_else(Exception::badarg)?;
        if !a[2].is_list() {
            return Err(Exception::badarg());
        }
        Err(Exception {
            class,
            reason: a[1].clone(),
            trace: Some(a[2].clone()),
            hint: None,
        })
    }),
    ("self", 0, |ctx, _| Ok(Value::Pid(ctx.self_pid()))),
    ("apply", 2, |ctx, a| {
        let args = list(&a[1])?;
        ctx.apply(a[0].clone(), args)
    }),
    ("apply", 3, |ctx, a| {
        let args = list(&a[2])?;
        let fun = ext_fun(atom(&a[0])?, atom(&a[1])?, args.len() as u32);
        ctx.apply(fun, args)
    }),
    ("send", 2, |ctx, a| {
        ctx.send(&a[0], &a[1])?;
        Ok(a[1].clone())
    }),
    ("flush", 0, |ctx, _| {
        let mut out = String::new();
        for msg in ctx.proc.mailbox.drain() {
            out.push_str(&print::inspect(&msg));
            out.push('\n');
        }
        ctx.write_out(&out);
        Ok(Value::OK)
    }),
];

/// The part of `kernel` written in bytecode: `sleep(ms)`, a receive that
/// matches nothing and times out after `ms` (so a sleeping process parks
/// like any waiting one and never blocks a scheduler thread).
pub fn bytecode_part() -> Module {
    use Instr::*;
    Module {
        name: "kernel".into(),
        file: "native".into(),
        atoms: vec!["ok".into()],
        literals: Vec::new(),
        imports: Vec::new(),
        functions: vec![Function {
            name: "sleep".into(),
            arity: 1,
            kind: FunKind::Named { exported: true },
            num_regs: 2,
            code: vec![
                RecvNext { dst: 1, empty: 2 },
                RecvSkip { target: 0 },
                RecvWaitTimeout {
                    timeout: 0,
                    target: 0,
                    expired: 3,
                },
                LoadAtom { dst: 1, atom: 0 },
                Return { src: 1 },
            ],
            lines: Vec::new(),
        }],
    }
}

/// `len(x)`: the length of a proper list, or of a string in Unicode
/// scalar values.
fn len(_: &mut Ctx<'_>, a: &[Value]) -> Result<Value, Exception> {
    match &a[0] {
        Value::Str(s) => Ok(Value::Int(s.chars().count() as i64)),
        v @ (Value::Nil | Value::Cons(_)) => {
            let mut it = v.iter_list();
            let n = (&mut it).count();
            if matches!(it.tail(), Value::Nil) {
                Ok(Value::Int(n as i64))
            } else {
                Err(Exception::badarg())
            }
        }
        _ => Err(Exception::badarg()),
    }
}

/// `to_int(x)`: integers as they are, floats truncated, strings parsed
/// (decimal, optional sign); anything else is `:badarg`.
fn to_int(_: &mut Ctx<'_>, a: &[Value]) -> Result<Value, Exception> {
    match &a[0] {
        Value::Int(_) | Value::BigInt(_) => Ok(a[0].clone()),
        Value::Float(f) => number::float_to_int(*f).ok_or_else(Exception::badarg),
        Value::Str(s) => number::parse_int(s).ok_or_else(Exception::badarg),
        _ => Err(Exception::badarg()),
    }
}

/// `to_float(x)`: numbers as floats; strings parsed (`"2.5"`, `"1e3"`,
/// `"7"`); anything else is `:badarg`.
fn to_float(_: &mut Ctx<'_>, a: &[Value]) -> Result<Value, Exception> {
    match &a[0] {
        Value::Str(s) => parse_float(s)
            .map(Value::Float)
            .ok_or_else(Exception::badarg),
        v => number::to_f64(v)
            .and_then(number::float)
            .ok_or_else(Exception::badarg),
    }
}

/// Parses what Erlang's `binary_to_float` accepts (`2.5`, `-1.0e-3`),
/// and also an integer's text (`7`): `[+-]?d+(.d+([eE][+-]?d+)?)?`.
pub fn parse_float(s: &str) -> Option<f64> {
    fn digits(b: &[u8], i: &mut usize) -> bool {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i > start
    }
    let b = s.as_bytes();
    let mut i = 0;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        i += 1;
    }
    if !digits(b, &mut i) {
        return None;
    }
    if i < b.len() && b[i] == b'.' {
        i += 1;
        if !digits(b, &mut i) {
            return None;
        }
        if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
            i += 1;
            if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
                i += 1;
            }
            if !digits(b, &mut i) {
                return None;
            }
        }
    }
    if i != b.len() {
        return None;
    }
    let f: f64 = s.parse().ok()?;
    f.is_finite().then_some(f)
}
