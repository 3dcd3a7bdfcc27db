//! Decoding an external term into a fresh Reef value. Iterative (the
//! compounds being built wait on a heap stack), never panics, and
//! allocates in proportion to the input: a count is checked against the
//! bytes left before anything is reserved for it (each element takes at
//! least one byte), and reservations are capped besides, so a tuple
//! arity of 2^32 in a ten-byte input fails at once.

use std::sync::Arc;

use num_bigint::{BigInt, Sign};

use super::{tag, DecodeCx, EtfError, VERSION};
use crate::code::LoadedModule;
use crate::value::{Atom, Closure, Foreign, MapData, Pid, Ref, Value};

/// Reads 131 and one term: the value and the bytes used.
pub fn decode(bytes: &[u8], cx: &mut DecodeCx<'_>) -> Result<(Value, usize), EtfError> {
    match bytes.first() {
        None => Err(EtfError::Truncated),
        Some(&VERSION) => {
            let (v, used) = decode_body(&bytes[1..], cx)?;
            Ok((v, used + 1))
        }
        Some(&b) => Err(EtfError::BadVersion(b)),
    }
}

/// Reads one term without the version byte: the value and the bytes used.
pub fn decode_body(bytes: &[u8], cx: &mut DecodeCx<'_>) -> Result<(Value, usize), EtfError> {
    let mut r = Reader {
        data: bytes,
        pos: 0,
    };
    let v = Decoder { cx }.run(&mut r)?;
    Ok((v, r.pos))
}

/// What a vector reserves at most up front (it grows past that as
/// elements really arrive).
const RESERVE: usize = 8;

struct Reader<'b> {
    data: &'b [u8],
    pos: usize,
}

impl<'b> Reader<'b> {
    fn left(&self) -> usize {
        self.data.len() - self.pos
    }

    fn take(&mut self, n: usize) -> Result<&'b [u8], EtfError> {
        if n > self.left() {
            return Err(EtfError::Truncated);
        }
        let s = &self.data[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    fn u8(&mut self) -> Result<u8, EtfError> {
        Ok(self.take(1)?[0])
    }

    fn u16(&mut self) -> Result<u16, EtfError> {
        let b = self.take(2)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }

    fn u32(&mut self) -> Result<u32, EtfError> {
        let b = self.take(4)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn u64(&mut self) -> Result<u64, EtfError> {
        let b = self.take(8)?;
        let mut a = [0; 8];
        a.copy_from_slice(b);
        Ok(u64::from_be_bytes(a))
    }

    /// A count of elements of at least `min_bytes` bytes each, checked
    /// against what is left.
    fn count(&self, n: usize, min_bytes: usize) -> Result<usize, EtfError> {
        if n.saturating_mul(min_bytes) > self.left() {
            return Err(EtfError::Truncated);
        }
        Ok(n)
    }
}

/// A compound being built, waiting for its next subterm.
enum Frame {
    Tuple {
        left: usize,
        items: Vec<Value>,
    },
    /// `left` heads still to come, then (when `left` is 0) the tail.
    List {
        left: usize,
        items: Vec<Value>,
    },
    Map {
        left: usize,
        key: Option<Value>,
        map: MapData,
    },
    /// A fun of a module loaded here: its captured values.
    Fun {
        module: Arc<LoadedModule>,
        func: u32,
        left: usize,
        captured: Vec<Value>,
    },
}

enum Step {
    /// The frame wants another subterm.
    More,
    /// The frame is complete: this is its value.
    Done(Value),
}

impl Frame {
    fn take(&mut self, v: Value) -> Result<Step, EtfError> {
        Ok(match self {
            Frame::Tuple { left, items } => {
                items.push(v);
                *left -= 1;
                if *left == 0 {
                    Step::Done(Value::tuple(std::mem::take(items)))
                } else {
                    Step::More
                }
            }
            Frame::List { left, items } => {
                if *left == 0 {
                    Step::Done(Value::list_with_tail(std::mem::take(items), v))
                } else {
                    items.push(v);
                    *left -= 1;
                    Step::More
                }
            }
            Frame::Map { left, key, map } => match key.take() {
                None => {
                    *key = Some(v);
                    Step::More
                }
                Some(k) => {
                    if map.insert(k, v).is_some() {
                        return Err(EtfError::Malformed("duplicate map key"));
                    }
                    *left -= 1;
                    if *left == 0 {
                        Step::Done(Value::map(std::mem::take(map)))
                    } else {
                        Step::More
                    }
                }
            },
            Frame::Fun {
                module,
                func,
                left,
                captured,
            } => {
                captured.push(v);
                *left -= 1;
                if *left == 0 {
                    Step::Done(Value::Fun(std::rc::Rc::new(Closure::Local {
                        module: module.clone(),
                        func: *func,
                        captured: std::mem::take(captured).into_boxed_slice(),
                    })))
                } else {
                    Step::More
                }
            }
        })
    }
}

/// What reading a term's head gave: a whole value, or a frame opened.
enum Head {
    Value(Value),
    Open(Frame),
}

struct Decoder<'c, 'a> {
    cx: &'c mut DecodeCx<'a>,
}

impl Decoder<'_, '_> {
    fn run(&mut self, r: &mut Reader<'_>) -> Result<Value, EtfError> {
        let mut stack: Vec<Frame> = Vec::new();
        loop {
            let mut v = match self.head(r)? {
                Head::Value(v) => v,
                Head::Open(f) => {
                    stack.push(f);
                    continue;
                }
            };
            loop {
                let Some(top) = stack.last_mut() else {
                    return Ok(v);
                };
                match top.take(v)? {
                    Step::More => break,
                    Step::Done(done) => {
                        stack.pop();
                        v = done;
                    }
                }
            }
        }
    }

    /// Reads the head of one term: a scalar whole, or a compound's header.
    fn head(&mut self, r: &mut Reader<'_>) -> Result<Head, EtfError> {
        let start = r.pos;
        let t = r.u8()?;
        let v = match t {
            tag::SMALL_INTEGER => Value::Int(r.u8()? as i64),
            tag::INTEGER => Value::Int(r.u32()? as i32 as i64),
            tag::SMALL_BIG => {
                let n = r.u8()? as usize;
                big(r, n)?
            }
            tag::LARGE_BIG => {
                let n = r.u32()? as usize;
                big(r, n)?
            }
            tag::NEW_FLOAT => finite(f64::from_bits(r.u64()?))?,
            tag::FLOAT => old_float(r.take(31)?)?,
            tag::ATOM_UTF8 | tag::SMALL_ATOM_UTF8 | tag::ATOM | tag::SMALL_ATOM => {
                Value::Atom(self.atom_after_tag(r, t)?)
            }
            tag::SMALL_TUPLE | tag::LARGE_TUPLE => {
                let n = if t == tag::SMALL_TUPLE {
                    r.u8()? as usize
                } else {
                    r.u32()? as usize
                };
                if n == 0 {
                    Value::tuple(Vec::new())
                } else {
                    let n = r.count(n, 1)?;
                    return Ok(Head::Open(Frame::Tuple {
                        left: n,
                        items: Vec::with_capacity(n.min(RESERVE)),
                    }));
                }
            }
            tag::NIL => Value::Nil,
            tag::STRING => {
                let n = r.u16()? as usize;
                let bytes = r.take(n)?;
                Value::list(
                    bytes
                        .iter()
                        .map(|b| Value::Int(*b as i64))
                        .collect::<Vec<_>>(),
                )
            }
            tag::LIST => {
                // n heads and a tail, each at least one byte.
                let n = r.u32()? as usize;
                let n = r.count(n, 1)?;
                return Ok(Head::Open(Frame::List {
                    left: n,
                    items: Vec::with_capacity(n.min(RESERVE)),
                }));
            }
            tag::MAP => {
                let n = r.u32()? as usize;
                if n == 0 {
                    Value::map(MapData::new())
                } else {
                    let n = r.count(n, 2)?;
                    return Ok(Head::Open(Frame::Map {
                        left: n,
                        key: None,
                        map: MapData::new(),
                    }));
                }
            }
            tag::BINARY => {
                let n = r.u32()? as usize;
                Value::binary(r.take(n)?.to_vec())
            }
            tag::BIT_BINARY => {
                let n = r.u32()? as usize;
                let bits = r.u8()?;
                let data = r.take(n)?;
                if bits != 8 {
                    return Err(EtfError::Bitstring);
                }
                Value::binary(data.to_vec())
            }
            tag::NEW_PID | tag::PID => self.pid_after_tag(r, t)?,
            tag::NEWER_REFERENCE | tag::NEW_REFERENCE => {
                let n = r.u16()? as usize;
                if !(1..=5).contains(&n) {
                    return Err(EtfError::Malformed("reference of more than 5 words"));
                }
                let node = self.atom_term(r)?;
                let creation = if t == tag::NEWER_REFERENCE {
                    r.u32()?
                } else {
                    r.u8()? as u32
                };
                let mut words = Vec::with_capacity(n);
                for _ in 0..n {
                    words.push(r.u32()?);
                }
                self.reference(node, creation, words)?
            }
            tag::REFERENCE => {
                let node = self.atom_term(r)?;
                let id = r.u32()?;
                let creation = r.u8()? as u32;
                self.reference(node, creation, vec![id])?
            }
            tag::V4_PORT | tag::NEW_PORT | tag::PORT => {
                let node = self.atom_term(r)?;
                let id = match t {
                    tag::V4_PORT => r.u64()?,
                    _ => r.u32()? as u64,
                };
                let creation = match t {
                    tag::PORT => r.u8()? as u32,
                    _ => r.u32()?,
                };
                let node = self.node(node, creation)?;
                Value::Foreign(Arc::new(Foreign::Port { node, id }))
            }
            tag::EXPORT => {
                let module = self.atom_term(r)?;
                let name = self.atom_term(r)?;
                let arity = match r.u8()? {
                    tag::SMALL_INTEGER => r.u8()? as u32,
                    _ => return Err(EtfError::Malformed("export arity")),
                };
                Value::Fun(std::rc::Rc::new(Closure::External {
                    module,
                    name,
                    arity,
                }))
            }
            tag::NEW_FUN => return self.new_fun(r, start),
            tag::COMPRESSED | tag::LOCAL | tag::ATOM_CACHE_REF | tag::FUN => {
                return Err(EtfError::Unsupported(t))
            }
            _ => return Err(EtfError::UnknownTag(t)),
        };
        Ok(Head::Value(v))
    }

    /// An atom term (node names, fun modules): one of the four atom tags.
    fn atom_term(&mut self, r: &mut Reader<'_>) -> Result<Atom, EtfError> {
        let t = r.u8()?;
        match t {
            tag::ATOM_UTF8 | tag::SMALL_ATOM_UTF8 | tag::ATOM | tag::SMALL_ATOM => {
                self.atom_after_tag(r, t)
            }
            _ => Err(EtfError::Malformed("atom expected")),
        }
    }

    fn atom_after_tag(&mut self, r: &mut Reader<'_>, t: u8) -> Result<Atom, EtfError> {
        let n = match t {
            tag::ATOM_UTF8 | tag::ATOM => r.u16()? as usize,
            _ => r.u8()? as usize,
        };
        let bytes = r.take(n)?;
        match t {
            tag::ATOM_UTF8 | tag::SMALL_ATOM_UTF8 => {
                let name = std::str::from_utf8(bytes).map_err(|_| EtfError::BadAtom)?;
                self.cx.atoms.atom(name)
            }
            _ => {
                // Latin-1: each byte is the code point of the same value.
                let name: String = bytes.iter().map(|b| *b as char).collect();
                self.cx.atoms.atom(&name)
            }
        }
    }

    fn node(&mut self, name: Atom, creation: u32) -> Result<u16, EtfError> {
        self.cx
            .nodes
            .intern(name, creation)
            .map_err(|_| EtfError::NodeTableFull)
    }

    /// NEW_PID_EXT or PID_EXT after its tag. A pid of this node (its name
    /// and creation) is a local pid again; any other is remote.
    fn pid_after_tag(&mut self, r: &mut Reader<'_>, t: u8) -> Result<Value, EtfError> {
        let node = self.atom_term(r)?;
        let id = r.u32()?;
        let serial = r.u32()?;
        let creation = if t == tag::NEW_PID {
            r.u32()?
        } else {
            r.u8()? as u32
        };
        let index = self.node(node, creation)?;
        Ok(Value::Pid(if index == 0 {
            Pid((id as u64 & 0x7fff_ffff) | ((serial as u64) << 31 & 0xffff_8000_0000))
        } else {
            Pid::remote(index, id, serial)
        }))
    }

    /// A reference of this node in the layout `encode` writes is a local
    /// reference again; any other is foreign.
    fn reference(&mut self, node: Atom, creation: u32, words: Vec<u32>) -> Result<Value, EtfError> {
        let index = self.node(node, creation)?;
        if index == 0 && words.len() == 3 && words[0] <= 0x3ffff && words[2] < 1 << 14 {
            let n = words[0] as u64 | (words[1] as u64) << 18 | (words[2] as u64) << 50;
            return Ok(Value::Ref(Ref(n)));
        }
        Ok(Value::Foreign(Arc::new(Foreign::Ref {
            node: index,
            words: words.into_boxed_slice(),
        })))
    }

    /// NEW_FUN_EXT: a closure if its module is loaded here with the same
    /// code hash (and the function fits), else a foreign fun holding its
    /// bytes.
    fn new_fun(&mut self, r: &mut Reader<'_>, start: usize) -> Result<Head, EtfError> {
        let size = r.u32()? as usize;
        // The size counts itself and everything after it: at least the
        // fixed fields (4 + 1 + 16 + 4 + 4) and four one-byte terms.
        if size < 33 || size - 4 > r.left() {
            return Err(EtfError::Malformed("fun size"));
        }
        let end = start + 1 + size;
        let arity = r.u8()? as u32;
        let uniq = r.take(16)?;
        let index = r.u32()?;
        let num_free = r.u32()? as usize;
        let module = self.atom_term(r)?;
        self.skip_int(r)?; // OldIndex
        self.skip_int(r)?; // OldUniq
        let pt = r.u8()?;
        if pt != tag::NEW_PID && pt != tag::PID {
            return Err(EtfError::Malformed("fun creator pid"));
        }
        self.pid_after_tag(r, pt)?;
        if r.pos > end {
            return Err(EtfError::Malformed("fun size"));
        }
        let loaded = (self.cx.code)(module).filter(|m| {
            m.md5 == uniq
                && m.functions
                    .get(index as usize)
                    .is_some_and(|f| f.arity == arity && f.captured() as usize == num_free)
        });
        match loaded {
            Some(m) => {
                if num_free == 0 {
                    return Ok(Head::Value(Value::Fun(std::rc::Rc::new(Closure::Local {
                        module: m,
                        func: index,
                        captured: Box::new([]),
                    }))));
                }
                let left = r.count(num_free, 1)?;
                Ok(Head::Open(Frame::Fun {
                    module: m,
                    func: index,
                    left,
                    captured: Vec::with_capacity(left.min(RESERVE)),
                }))
            }
            None => {
                // Held as its bytes, sent back as they came.
                r.pos = end;
                Ok(Head::Value(Value::Foreign(Arc::new(Foreign::Fun {
                    module,
                    arity,
                    etf: r.data[start..end].into(),
                }))))
            }
        }
    }

    /// An integer term inside a fun header (OldIndex, OldUniq).
    fn skip_int(&mut self, r: &mut Reader<'_>) -> Result<(), EtfError> {
        match r.u8()? {
            tag::SMALL_INTEGER => r.take(1).map(drop),
            tag::INTEGER => r.take(4).map(drop),
            tag::SMALL_BIG => {
                let n = r.u8()? as usize;
                r.take(n + 1).map(drop)
            }
            _ => Err(EtfError::Malformed("fun header integer")),
        }
    }
}

/// SMALL_BIG/LARGE_BIG after the count: sign, then `n` little-endian digits.
fn big(r: &mut Reader<'_>, n: usize) -> Result<Value, EtfError> {
    let sign = r.u8()?;
    let digits = r.take(n)?;
    let sign = match sign {
        0 => Sign::Plus,
        1 => Sign::Minus,
        _ => return Err(EtfError::Malformed("bignum sign")),
    };
    Ok(Value::from_bigint(BigInt::from_bytes_le(sign, digits)))
}

/// The old FLOAT_EXT: the float printed with `%.20e` in 31 bytes,
/// padded with zero bytes.
fn old_float(b: &[u8]) -> Result<Value, EtfError> {
    let end = b.iter().position(|c| *c == 0).unwrap_or(b.len());
    std::str::from_utf8(&b[..end])
        .ok()
        .and_then(|s| s.trim().parse::<f64>().ok())
        .ok_or(EtfError::Malformed("float text"))
        .and_then(finite)
}

/// Reef has no NaN and no infinity (nor does Erlang, whose decoder
/// refuses them too).
fn finite(f: f64) -> Result<Value, EtfError> {
    if f.is_finite() {
        Ok(Value::Float(f))
    } else {
        Err(EtfError::Malformed("float not finite"))
    }
}
