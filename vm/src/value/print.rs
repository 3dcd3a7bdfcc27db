//! Printing terms: `inspect` (the form a term is written in, which reads
//! back as the same term where the syntax allows) and the text form used
//! by `io.println` and string interpolation (strings as their text, atoms
//! without the colon, everything else as `inspect`).

use std::fmt::Write;

use super::{Atom, Closure, Value};

/// The `inspect` form of a term: `42`, `1.0e20`, `:ok`, `"text"`, `(1, :a)`,
/// `[1 | 2]`, `#{:a => 1}`, `#PID<0.42.0>`, `#Fn<m.f/1>`, ...
pub fn inspect(v: &Value) -> String {
    let mut out = String::new();
    write_inspect(&mut out, v);
    out
}

/// The text form: strings as they are, atoms without colon, others as
/// `inspect`.
pub fn to_text(v: &Value) -> String {
    let mut out = String::new();
    write_text(&mut out, v);
    out
}

pub fn write_text(out: &mut String, v: &Value) {
    match v {
        Value::Str(s) => out.push_str(s),
        Value::Atom(a) => out.push_str(a.name()),
        _ => write_inspect(out, v),
    }
}

pub fn write_inspect(out: &mut String, v: &Value) {
    match v {
        Value::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Value::BigInt(b) => {
            let _ = write!(out, "{b}");
        }
        Value::Float(f) => write_float(out, *f),
        Value::Atom(a) => write_atom(out, *a),
        Value::Str(s) => write_string(out, s),
        Value::Tuple(t) => {
            out.push('(');
            for (i, e) in t.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_inspect(out, e);
            }
            if t.len() == 1 {
                out.push(',');
            }
            out.push(')');
        }
        Value::Nil => out.push_str("[]"),
        Value::Cons(_) => {
            out.push('[');
            let mut it = v.iter_list();
            let mut first = true;
            for e in &mut it {
                if !first {
                    out.push_str(", ");
                }
                first = false;
                write_inspect(out, e);
            }
            if !matches!(it.tail(), Value::Nil) {
                out.push_str(" | ");
                write_inspect(out, it.tail());
            }
            out.push(']');
        }
        Value::Map(m) => {
            out.push_str("#{");
            for (i, (k, v)) in m.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_inspect(out, k);
                out.push_str(" => ");
                write_inspect(out, v);
            }
            out.push('}');
        }
        Value::Fun(c) => write_fun(out, c),
        Value::Pid(p) => {
            let _ = write!(out, "#PID<0.{}.0>", p.0);
        }
        Value::Ref(r) => {
            let _ = write!(out, "#Ref<0.0.{}.{}>", r.0 >> 32, r.0 & 0xffff_ffff);
        }
    }
}

fn write_fun(out: &mut String, c: &Closure) {
    let (m, n, a) = c.describe();
    let _ = write!(out, "#Fn<{}.{}/{}>", m.name(), n.name(), a);
}

/// Whether an atom's name can be written bare after the colon.
fn is_bare_atom(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

pub fn write_atom(out: &mut String, a: Atom) {
    if a == Atom::TRUE || a == Atom::FALSE || a == Atom::NIL {
        out.push_str(a.name());
        return;
    }
    let name = a.name();
    out.push(':');
    if is_bare_atom(name) {
        out.push_str(name);
    } else {
        write_string(out, name);
    }
}

/// A string in double quotes with `"`, `\\`, `#{` and control characters
/// escaped, so that it reads back as the same string.
pub fn write_string(out: &mut String, s: &str) {
    out.push('"');
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '#' if chars.peek() == Some(&'{') => out.push_str("\\#"),
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// A float in its shortest round-trip digits, always with a `.`: fixed
/// notation (`100.0`, `0.001`) unless the exponent form `d.ddde±N` is
/// shorter (`1.0e3`, `1.0e-9`) or the magnitude is at least 2^53, exactly
/// as Erlang's `float_to_list(F, [short])` (spec section 2.4).
pub fn write_float(out: &mut String, f: f64) {
    if f.is_sign_negative() {
        out.push('-');
    }
    // `{:e}` gives the shortest digits that round-trip: "1.2345e-7".
    let sci = format!("{:e}", f.abs());
    let (mantissa, exp) = sci.split_once('e').expect("{:e} always has an exponent");
    let exp: i32 = exp.parse().expect("exponent is an integer");
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let n = digits.len() as i32;
    let point = exp + 1; // digits before the decimal point
    let fixed = if point <= 0 {
        format!("0.{}{}", "0".repeat((-point) as usize), digits)
    } else if point >= n {
        format!("{}{}.0", digits, "0".repeat((point - n) as usize))
    } else {
        format!(
            "{}.{}",
            &digits[..point as usize],
            &digits[point as usize..]
        )
    };
    let rest = if n > 1 { &digits[1..] } else { "0" };
    let expo = format!("{}.{}e{}", &digits[..1], rest, exp);
    // From 2^53 up, fixed notation would show digits beyond the float's
    // precision, so Erlang switches to the exponent form there too.
    let use_expo = expo.len() < fixed.len() || f.abs() >= 9_007_199_254_740_992.0;
    out.push_str(if use_expo { &expo } else { &fixed });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::{MapData, Pid, Ref};
    use expect_test::expect;

    fn float(f: f64) -> String {
        inspect(&Value::Float(f))
    }

    #[test]
    fn floats_print_short_and_round_trip() {
        let cases = [
            (1.0, "1.0"),
            (-3.5, "-3.5"),
            (100.0, "100.0"),
            (1000.0, "1.0e3"),
            (1.0e20, "1.0e20"),
            (1.0e-9, "1.0e-9"),
            (0.1, "0.1"),
            (0.001, "0.001"),
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (3.25, "3.25"),
            (123456789.0, "123456789.0"),
            (1.5e300, "1.5e300"),
            (2.5e-5, "2.5e-5"),
            (0.0001, "0.0001"),
            (1.0e-5, "1.0e-5"),
            (123456.0, "123456.0"),
            (6.02e23, "6.02e23"),
            (9007199254740992.0, "9.007199254740992e15"),
            (1234567890123456.0, "1234567890123456.0"),
            (1.2345678901234568e17, "1.2345678901234568e17"),
            (0.30000000000000004, "0.30000000000000004"),
        ];
        for (f, want) in cases {
            assert_eq!(float(f), want, "{f:?}");
            assert_eq!(float(f).parse::<f64>().unwrap(), f);
        }
    }

    #[test]
    fn terms_print_as_the_card_says() {
        let m: MapData = [
            (Value::atom("b"), Value::Int(2)),
            (Value::atom("a"), Value::Int(1)),
        ]
        .into_iter()
        .collect();
        let v = Value::list([
            Value::Int(42),
            Value::atom("ok"),
            Value::atom("two words"),
            Value::TRUE,
            Value::NIL_ATOM,
            Value::str("te\"xt\n#{x}\u{1b}"),
            Value::tuple(vec![Value::Int(1), Value::atom("a")]),
            Value::tuple(vec![Value::Int(1)]),
            Value::tuple(vec![]),
            Value::list_with_tail([Value::Int(1)], Value::Int(2)),
            Value::map(m),
            Value::map(MapData::new()),
            Value::Pid(Pid(42)),
            Value::Ref(Ref(7)),
            Value::atom("DOWN"),
        ]);
        expect![[r#"[42, :ok, :"two words", true, nil, "te\"xt\n\#{x}\u{1b}", (1, :a), (1,), (), [1 | 2], #{:a => 1, :b => 2}, #{}, #PID<0.42.0>, #Ref<0.0.0.7>, :DOWN]"#]]
            .assert_eq(&inspect(&v));
    }

    #[test]
    fn text_form_shows_strings_and_atoms_plainly() {
        assert_eq!(to_text(&Value::str("hi")), "hi");
        assert_eq!(to_text(&Value::atom("ok")), "ok");
        assert_eq!(to_text(&Value::list([Value::str("a")])), "[\"a\"]");
    }

    #[test]
    fn a_long_list_prints() {
        let v = Value::list((0..1_000_000).map(Value::Int));
        assert!(inspect(&v).ends_with("999999]"));
    }
}
