//! Printing terms: `inspect` (the form a term is written in, which reads
//! back as the same term where the syntax allows) and the text form used
//! by `io.println` and string interpolation (strings as their text, atoms
//! without the colon, everything else as `inspect`).

use std::fmt::Write;

use super::{Atom, Closure, Foreign, Value};

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
    write_limited(out, v, &Limits::NONE);
}

/// How much of a term a bounded print shows; what is left out is written
/// `...` (as BEAM's `~P` and logger's `depth` and `chars_limit` do).
pub struct Limits {
    /// Compound terms nested deeper than this are written `...`.
    pub depth: usize,
    /// At most this many elements of one tuple, list or map (pairs) are
    /// written; the rest is `...`.
    pub items: usize,
    /// Once the output is this long, the rest is `...`.
    pub chars: usize,
}

impl Limits {
    /// No limit: `inspect` and string interpolation.
    pub const NONE: Limits = Limits {
        depth: usize::MAX,
        items: usize::MAX,
        chars: usize::MAX,
    };

    /// Crash reports (spec 6.4): a report stays short and quick to write
    /// whatever the reason holds.
    pub const REPORT: Limits = Limits {
        depth: 20,
        items: 50,
        chars: 8_000,
    };
}

/// `inspect` form, shortened to the limits.
pub fn inspect_limited(v: &Value, limits: &Limits) -> String {
    let mut out = String::new();
    write_limited(&mut out, v, limits);
    out
}

/// What the printer still has to write, innermost last: the walk keeps it
/// on a heap stack, so a term of any depth prints in constant Rust stack.
enum Todo<'a> {
    /// A term, at a nesting depth.
    Term(&'a Value, usize),
    Text(&'static str),
    /// The elements of a tuple from index `.1` on.
    Tuple(&'a [Value], usize, usize),
    /// The rest of a list after `.1` elements.
    List(&'a Value, usize, usize),
    /// The rest of a map's pairs after `.1` of them (the iterator is
    /// boxed: it is large, and most entries are not maps).
    Map(Box<crate::value::map::Iter<'a>>, usize, usize),
}

/// The `inspect` form of `v`, within `limits`.
pub fn write_limited(out: &mut String, v: &Value, limits: &Limits) {
    let start = out.len();
    let mut todo = vec![Todo::Term(v, 0)];
    while let Some(next) = todo.pop() {
        if out.len() - start >= limits.chars {
            out.push_str("...");
            return;
        }
        match next {
            Todo::Text(s) => out.push_str(s),
            Todo::Term(v, depth) => {
                let compound = matches!(v, Value::Tuple(_) | Value::Cons(_) | Value::Map(_));
                if compound && depth >= limits.depth {
                    out.push_str("...");
                    continue;
                }
                match v {
                    Value::Tuple(t) => {
                        out.push('(');
                        todo.push(Todo::Text(if t.len() == 1 { ",)" } else { ")" }));
                        todo.push(Todo::Tuple(t, 0, depth + 1));
                    }
                    Value::Cons(_) => {
                        out.push('[');
                        todo.push(Todo::Text("]"));
                        todo.push(Todo::List(v, 0, depth + 1));
                    }
                    Value::Map(m) => {
                        out.push_str("#{");
                        todo.push(Todo::Text("}"));
                        todo.push(Todo::Map(Box::new(m.iter()), 0, depth + 1));
                    }
                    Value::Bytes(b) => write_bytes(out, b, limits.items),
                    _ => write_scalar(out, v),
                }
            }
            Todo::Tuple(t, i, depth) => {
                if i >= t.len() {
                    continue;
                }
                if i > 0 {
                    out.push_str(", ");
                }
                if i >= limits.items {
                    out.push_str("...");
                    continue;
                }
                todo.push(Todo::Tuple(t, i + 1, depth));
                todo.push(Todo::Term(&t[i], depth));
            }
            Todo::List(rest, i, depth) => match rest {
                Value::Nil => {}
                Value::Cons(c) => {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    if i >= limits.items {
                        out.push_str("...");
                        continue;
                    }
                    todo.push(Todo::List(&c.tail, i + 1, depth));
                    todo.push(Todo::Term(&c.head, depth));
                }
                tail => {
                    out.push_str(" | ");
                    todo.push(Todo::Term(tail, depth));
                }
            },
            Todo::Map(mut it, i, depth) => {
                let Some((k, v)) = it.next() else { continue };
                if i > 0 {
                    out.push_str(", ");
                }
                if i >= limits.items {
                    out.push_str("...");
                    continue;
                }
                todo.push(Todo::Map(it, i + 1, depth));
                todo.push(Todo::Term(v, depth));
                todo.push(Todo::Text(" => "));
                todo.push(Todo::Term(k, depth));
            }
        }
    }
}

/// A term that is not a tuple, list cell or map.
fn write_scalar(out: &mut String, v: &Value) {
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
        Value::Nil => out.push_str("[]"),
        Value::Fun(c) => write_fun(out, c),
        Value::Pid(p) if p.is_local() => {
            let _ = write!(out, "#PID<0.{}.0>", p.0);
        }
        Value::Pid(p) => {
            let _ = write!(out, "#PID<{}.{}.{}>", p.node_index(), p.id(), p.serial());
        }
        Value::Bytes(b) => write_bytes(out, b, usize::MAX),
        Value::Foreign(f) => write_foreign(out, f),
        Value::Ref(r) => {
            let _ = write!(out, "#Ref<0.0.{}.{}>", r.0 >> 32, r.0 & 0xffff_ffff);
        }
        Value::Tuple(_) | Value::Cons(_) | Value::Map(_) => {
            unreachable!("compound terms are written by write_limited")
        }
    }
}

/// A binary that is not a string: `<<1, 2, 255>>`; past `items` bytes,
/// the rest is `...`.
pub fn write_bytes(out: &mut String, b: &[u8], items: usize) {
    out.push_str("<<");
    for (i, x) in b.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        if i >= items {
            out.push_str("...");
            break;
        }
        let _ = write!(out, "{x}");
    }
    out.push_str(">>");
}

/// `#Ref<N.a.b.c>` (the highest word first, as Erlang prints them),
/// `#Port<N.id>`, `#Fn<module/arity>` for a fun of another node.
fn write_foreign(out: &mut String, f: &Foreign) {
    match f {
        Foreign::Ref { node, words } => {
            let _ = write!(out, "#Ref<{node}");
            for w in words.iter().rev() {
                let _ = write!(out, ".{w}");
            }
            out.push('>');
        }
        Foreign::Port { node, id } => {
            let _ = write!(out, "#Port<{node}.{id}>");
        }
        Foreign::Fun { module, arity, .. } => {
            let _ = write!(out, "#Fn<{}.?/{}>", module.name(), arity);
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

    #[test]
    fn bounded_prints_cut_depth_length_and_size() {
        let long = Value::list((0..1_000).map(Value::Int));
        let s = inspect_limited(&long, &Limits::REPORT);
        assert!(s.starts_with("[0, 1, 2,"), "{s}");
        assert!(s.ends_with(", 49, ...]"), "{s}");
        let mut deep = Value::Int(0);
        for _ in 0..1_000_000 {
            deep = Value::tuple(vec![deep]);
        }
        let s = inspect_limited(&deep, &Limits::REPORT);
        assert_eq!(s, format!("{}...{}", "(".repeat(20), ",)".repeat(20)));
        let wide = Value::tuple((0..40).map(|i| Value::str("x".repeat(i * 50))).collect());
        let s = inspect_limited(&wide, &Limits::REPORT);
        assert!(s.len() < Limits::REPORT.chars + 2_000 && s.ends_with("..."));
        let m: MapData = (0..100).map(|i| (Value::Int(i), Value::Int(i))).collect();
        let s = inspect_limited(&Value::map(m), &Limits::REPORT);
        assert!(s.ends_with("49 => 49, ...}"), "{s}");
        assert_eq!(
            inspect_limited(
                &Value::list_with_tail([Value::Int(1)], Value::Int(2)),
                &Limits::REPORT
            ),
            "[1 | 2]"
        );
    }

    #[test]
    fn a_deep_term_prints_whole_in_constant_stack() {
        std::thread::Builder::new()
            .stack_size(512 * 1024)
            .spawn(|| {
                let mut v = Value::Nil;
                for _ in 0..300_000 {
                    v = Value::list([v]);
                }
                let s = inspect(&v);
                assert_eq!(s.len(), 2 * 300_000 + 2);
                assert!(s.starts_with("[[[[") && s.ends_with("]]]]"));
            })
            .unwrap()
            .join()
            .unwrap();
    }
}
