//! JSON text from a term, on an explicit stack: a list nested a million
//! deep encodes in constant Rust stack (issue 8: every walk over a term
//! works at any depth). Strings are escaped by serde_json; everything
//! else is written here.

use crate::value::{print, Atom, Value};

/// Why a term could not be encoded.
pub enum EncodeError {
    /// `(:unsupported, term)`: the first term met that JSON cannot hold.
    Unsupported(Value),
    /// More nodes than the caller's budget: encode it on a dirty thread.
    TooBig,
    /// The text would pass the VM's largest term (`:system_limit`).
    TooLong,
}

/// An open array or object, with what is left of it.
enum Open<'a> {
    List {
        rest: &'a Value,
        first: bool,
    },
    Map {
        rest: Box<dyn Iterator<Item = (&'a Value, &'a Value)> + 'a>,
        first: bool,
    },
}

/// Encodes `root`, visiting at most `budget` nodes (`TooBig` past it).
/// Returns the text and the nodes visited.
pub fn encode(root: &Value, pretty: bool, budget: usize) -> Result<(String, usize), EncodeError> {
    let mut out: Vec<u8> = Vec::new();
    let mut stack: Vec<Open<'_>> = Vec::new();
    let mut next = Some(root);
    let mut nodes = 0usize;
    loop {
        if let Some(v) = next.take() {
            nodes += 1;
            if nodes > budget {
                return Err(EncodeError::TooBig);
            }
            if out.len() > crate::heap::MAX_TERM_BYTES {
                return Err(EncodeError::TooLong);
            }
            scalar_or_open(v, &mut out, &mut stack)?;
        }
        let depth = stack.len();
        let Some(top) = stack.last_mut() else { break };
        match top {
            Open::List { rest, first } => {
                let cur: &Value = rest;
                match cur {
                    Value::Cons(c) => {
                        if !*first {
                            out.push(b',');
                        }
                        *first = false;
                        newline(&mut out, pretty, depth);
                        next = Some(&c.head);
                        *rest = &c.tail;
                    }
                    Value::Nil => {
                        stack.pop();
                        newline(&mut out, pretty, depth - 1);
                        out.push(b']');
                    }
                    improper => return Err(EncodeError::Unsupported(improper.clone())),
                }
            }
            Open::Map { rest, first } => match rest.next() {
                Some((k, v)) => {
                    if !*first {
                        out.push(b',');
                    }
                    *first = false;
                    newline(&mut out, pretty, depth);
                    match k {
                        Value::Str(s) => string(&mut out, s),
                        Value::Atom(a) => string(&mut out, a.name()),
                        other => return Err(EncodeError::Unsupported(other.clone())),
                    }
                    out.extend_from_slice(if pretty { b": " } else { b":" });
                    next = Some(v);
                }
                None => {
                    stack.pop();
                    newline(&mut out, pretty, depth - 1);
                    out.push(b'}');
                }
            },
        }
    }
    // Every byte written is ASCII or comes from a `str`.
    let text = String::from_utf8(out)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    Ok((text, nodes))
}

/// Writes a scalar, or the opening bracket of a non-empty container
/// (pushing it on the stack).
fn scalar_or_open<'a>(
    v: &'a Value,
    out: &mut Vec<u8>,
    stack: &mut Vec<Open<'a>>,
) -> Result<(), EncodeError> {
    match v {
        Value::Int(i) => out.extend_from_slice(i.to_string().as_bytes()),
        Value::BigInt(b) => out.extend_from_slice(b.to_string().as_bytes()),
        Value::Float(f) => {
            let mut s = String::new();
            print::write_float(&mut s, *f);
            out.extend_from_slice(s.as_bytes());
        }
        Value::Atom(a) if *a == Atom::NIL => out.extend_from_slice(b"null"),
        Value::Atom(a) if *a == Atom::TRUE => out.extend_from_slice(b"true"),
        Value::Atom(a) if *a == Atom::FALSE => out.extend_from_slice(b"false"),
        Value::Atom(a) => string(out, a.name()),
        Value::Str(s) => string(out, s),
        Value::Nil => out.extend_from_slice(b"[]"),
        Value::Cons(_) => {
            out.push(b'[');
            stack.push(Open::List {
                rest: v,
                first: true,
            });
        }
        Value::Map(m) if m.is_empty() => out.extend_from_slice(b"{}"),
        Value::Map(m) => {
            out.push(b'{');
            stack.push(Open::Map {
                rest: Box::new(m.iter()),
                first: true,
            });
        }
        other => return Err(EncodeError::Unsupported(other.clone())),
    }
    Ok(())
}

fn newline(out: &mut Vec<u8>, pretty: bool, depth: usize) {
    if pretty {
        out.push(b'\n');
        out.resize(out.len() + 2 * depth, b' ');
    }
}

fn string(out: &mut Vec<u8>, s: &str) {
    // serde_json's escaping: `"`, `\`, control characters; writing to a
    // Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, s);
}
