//! Encoding a Reef value as an external term. Never fails: every value
//! has an encoding. The walk keeps what is left to write on a heap stack
//! (one entry per open compound, a list taking one entry whatever its
//! length), so any depth encodes in constant Rust stack.

use num_bigint::Sign;

use super::encoded::{bytes_in, Encoded, SharedBin, SHARE_AT};
use super::{tag, NodeTable, VERSION};
use crate::value::{Atom, Closure, Foreign, MapRef, Pid, Ref, Value};

/// Writes 131 and the term.
pub fn encode(v: &Value, nodes: &NodeTable, out: &mut Vec<u8>) {
    out.push(VERSION);
    encode_body(v, nodes, out);
}

/// 131 and the term, its big binaries referred to rather than copied
/// (what a message sent to another node is encoded as).
pub fn encode_shared(v: &Value, nodes: &NodeTable) -> Encoded {
    let mut e = Encoded {
        bytes: vec![VERSION],
        holes: Vec::new(),
    };
    walk(v, nodes, &mut e.bytes, Some(&mut e.holes));
    e
}

/// What is left to write.
enum Work<'a> {
    Term(&'a Value),
    /// These terms, in order (a tuple's elements, a fun's free vars).
    Slice(&'a [Value]),
    /// The heads from this list cell on, then its tail.
    ListFrom(&'a Value),
    /// The rest of a map's pairs.
    Map(Box<crate::value::map::Iter<'a>>),
    /// Write the size of the NEW_FUN_EXT that starts at this offset (its
    /// free vars are written), whose holes start at this index.
    FunSize(usize, usize),
}

/// Where big binaries go: `None` copies them into the output, `Some`
/// leaves holes for them.
type Holes<'h> = Option<&'h mut Vec<(usize, SharedBin)>>;

/// Writes the term without the version byte (to embed it in another).
pub fn encode_body(v: &Value, nodes: &NodeTable, out: &mut Vec<u8>) {
    walk(v, nodes, out, None);
}

fn walk(v: &Value, nodes: &NodeTable, out: &mut Vec<u8>, mut holes: Holes<'_>) {
    let mut work = vec![Work::Term(v)];
    while let Some(w) = work.pop() {
        match w {
            Work::Term(v) => term(v, nodes, out, &mut work, &mut holes),
            Work::Slice(s) => {
                if let [first, rest @ ..] = s {
                    if !rest.is_empty() {
                        work.push(Work::Slice(rest));
                    }
                    work.push(Work::Term(first));
                }
            }
            Work::ListFrom(v) => match v {
                Value::Cons(c) => {
                    work.push(Work::ListFrom(&c.tail));
                    work.push(Work::Term(&c.head));
                }
                Value::Nil => out.push(tag::NIL),
                tail => work.push(Work::Term(tail)),
            },
            Work::Map(mut it) => {
                if let Some((k, v)) = it.next() {
                    work.push(Work::Map(it));
                    work.push(Work::Term(v));
                    work.push(Work::Term(k));
                }
            }
            Work::FunSize(start, first_hole) => {
                // Size counts from the size field itself to the end,
                // the binaries in holes included.
                let in_holes = holes
                    .as_ref()
                    .map_or(0, |h| bytes_in(h.get(first_hole..).unwrap_or(&[])));
                let size = (out.len() + in_holes - start - 1) as u32;
                out[start + 1..start + 5].copy_from_slice(&size.to_be_bytes());
            }
        }
    }
}

/// Writes the outer layer of `v`; its subterms go on `work`.
fn term<'a>(
    v: &'a Value,
    nodes: &NodeTable,
    out: &mut Vec<u8>,
    work: &mut Vec<Work<'a>>,
    holes: &mut Holes<'_>,
) {
    match v {
        Value::Int(i) => int(*i, out),
        Value::BigInt(b) => {
            let (sign, digits) = b.to_bytes_le();
            big(sign == Sign::Minus, &digits, out);
        }
        Value::Float(f) => {
            out.push(tag::NEW_FLOAT);
            out.extend_from_slice(&f.to_bits().to_be_bytes());
        }
        Value::Atom(a) => atom(*a, out),
        Value::Str(s) if s.len() >= SHARE_AT && holes.is_some() => {
            hole(SharedBin::Str(s.clone()), out, holes)
        }
        Value::Bytes(b) if b.len() >= SHARE_AT && holes.is_some() => {
            hole(SharedBin::Bytes(b.clone()), out, holes)
        }
        Value::Str(s) => reef_native::etf::binary(s.as_bytes(), out),
        Value::Bytes(b) => reef_native::etf::binary(b, out),
        Value::Tuple(t) => {
            reef_native::etf::tuple_header(t.len(), out);
            work.push(Work::Slice(t));
        }
        Value::Nil => out.push(tag::NIL),
        Value::Cons(_) => {
            // Reef lists go as LIST_EXT (never STRING_EXT): count the
            // heads first, the length comes before them.
            let mut it = v.iter_list();
            let n = (&mut it).count();
            out.push(tag::LIST);
            out.extend_from_slice(&(n as u32).to_be_bytes());
            work.push(Work::ListFrom(v));
        }
        Value::Map(m) => map(m, out, work),
        Value::Fun(c) => {
            let first_hole = holes.as_ref().map_or(0, |h| h.len());
            fun(c, nodes, out, work, first_hole)
        }
        Value::Pid(p) => pid(*p, nodes, out),
        Value::Ref(r) => local_ref(*r, nodes, out),
        Value::Foreign(f) => foreign(f, nodes, out),
    }
}

/// BINARY_EXT's header, and a hole for its bytes.
fn hole(bin: SharedBin, out: &mut Vec<u8>, holes: &mut Holes<'_>) {
    out.push(tag::BINARY);
    out.extend_from_slice(&(bin.as_bytes().len() as u32).to_be_bytes());
    if let Some(h) = holes {
        h.push((out.len(), bin));
    }
}

fn int(i: i64, out: &mut Vec<u8>) {
    if (0..=255).contains(&i) {
        out.push(tag::SMALL_INTEGER);
        out.push(i as u8);
    } else if let Ok(x) = i32::try_from(i) {
        out.push(tag::INTEGER);
        out.extend_from_slice(&x.to_be_bytes());
    } else {
        big(i < 0, &i.unsigned_abs().to_le_bytes(), out);
    }
}

/// SMALL_BIG or LARGE_BIG from the magnitude's little-endian bytes.
fn big(negative: bool, digits: &[u8], out: &mut Vec<u8>) {
    let n = digits.iter().rposition(|d| *d != 0).map_or(0, |i| i + 1);
    if n <= 255 {
        out.push(tag::SMALL_BIG);
        out.push(n as u8);
    } else {
        out.push(tag::LARGE_BIG);
        out.extend_from_slice(&(n as u32).to_be_bytes());
    }
    out.push(negative as u8);
    out.extend_from_slice(&digits[..n]);
}

/// An atom as SMALL_ATOM_UTF8 or ATOM_UTF8. Reef's `nil`, `true` and
/// `false` are atoms, so they go as Erlang's atoms of those names.
pub(super) fn atom(a: Atom, out: &mut Vec<u8>) {
    reef_native::etf::atom(a.name(), out);
}

fn map<'a>(m: &'a MapRef, out: &mut Vec<u8>, work: &mut Vec<Work<'a>>) {
    out.push(tag::MAP);
    out.extend_from_slice(&(m.len() as u32).to_be_bytes());
    if !m.is_empty() {
        work.push(Work::Map(Box::new(m.iter())));
    }
}

/// `&m.f/a` as EXPORT_EXT; a lambda or local function as NEW_FUN_EXT
/// with its module's code hash as Uniq, so only a node running the same
/// code takes it for its own.
fn fun<'a>(
    c: &'a Closure,
    nodes: &NodeTable,
    out: &mut Vec<u8>,
    work: &mut Vec<Work<'a>>,
    first_hole: usize,
) {
    match c {
        Closure::External {
            module,
            name,
            arity,
        } => {
            out.push(tag::EXPORT);
            atom(*module, out);
            atom(*name, out);
            int(*arity as i64, out);
        }
        Closure::Local {
            module,
            func,
            captured,
        } => {
            let start = out.len();
            out.push(tag::NEW_FUN);
            out.extend_from_slice(&[0; 4]); // the size, written at the end
                                            // Erlang's funs take at most 255 arguments; the validator
                                            // keeps Reef's below that (a frame has at most 65535 registers,
                                            // so clamp rather than wrap if that ever changes).
            out.push(c.arity().min(255) as u8);
            out.extend_from_slice(&module.md5);
            out.extend_from_slice(&func.to_be_bytes());
            out.extend_from_slice(&(captured.len() as u32).to_be_bytes());
            atom(module.name, out);
            int(*func as i64, out); // OldIndex
            let old_uniq =
                u32::from_be_bytes([module.md5[0], module.md5[1], module.md5[2], module.md5[3]]);
            int((old_uniq & 0x07ff_ffff) as i64, out); // OldUniq (27 bits, as BEAM)
            pid(Pid(0), nodes, out); // the creator: this node
            work.push(Work::FunSize(start, first_hole));
            if !captured.is_empty() {
                work.push(Work::Slice(captured));
            }
        }
    }
}

/// NEW_PID_EXT: a local pid with this node's name and creation; a remote
/// one with its node's.
pub(super) fn pid(p: Pid, nodes: &NodeTable, out: &mut Vec<u8>) {
    let (node, creation) = nodes.get(p.node_index());
    out.push(tag::NEW_PID);
    atom(node, out);
    out.extend_from_slice(&p.id().to_be_bytes());
    out.extend_from_slice(&p.serial().to_be_bytes());
    out.extend_from_slice(&creation.to_be_bytes());
}

/// NEWER_REFERENCE_EXT with this node's name and creation and three
/// words: 18 bits, 32 bits and the top 14 bits of the counter (BEAM's
/// own layout keeps 18 bits in the first word).
fn local_ref(r: Ref, nodes: &NodeTable, out: &mut Vec<u8>) {
    let n = r.0;
    let words = [(n & 0x3ffff) as u32, (n >> 18) as u32, (n >> 50) as u32];
    reference(nodes.local(), &words, out);
}

fn reference((node, creation): (Atom, u32), words: &[u32], out: &mut Vec<u8>) {
    out.push(tag::NEWER_REFERENCE);
    out.extend_from_slice(&(words.len() as u16).to_be_bytes());
    atom(node, out);
    out.extend_from_slice(&creation.to_be_bytes());
    for w in words {
        out.extend_from_slice(&w.to_be_bytes());
    }
}

fn foreign(f: &Foreign, nodes: &NodeTable, out: &mut Vec<u8>) {
    match f {
        Foreign::Ref { node, words } => reference(nodes.get(*node), words, out),
        Foreign::Port { node, id } => {
            let (name, creation) = nodes.get(*node);
            match u32::try_from(*id) {
                Ok(id) => {
                    out.push(tag::NEW_PORT);
                    atom(name, out);
                    out.extend_from_slice(&id.to_be_bytes());
                }
                Err(_) => {
                    out.push(tag::V4_PORT);
                    atom(name, out);
                    out.extend_from_slice(&id.to_be_bytes());
                }
            }
            out.extend_from_slice(&creation.to_be_bytes());
        }
        Foreign::Fun { etf, .. } => out.extend_from_slice(etf),
    }
}
