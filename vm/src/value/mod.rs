//! Terms: the [`Value`] every register, message and literal holds.
//!
//! A `Value` is 16 bytes: a tag and one word. Scalars are unboxed (small
//! integers, floats, atoms, pids, references). Compound terms a process
//! builds (tuples, lists, maps, closures) are `Rc`: they belong to the heap
//! of that one process, and refcounting frees them the moment they become
//! garbage, with no pause for anyone else. Strings and big integers are
//! `Arc`: immutable and shareable between processes by reference count.
//! See ARCHITECTURE.md, "The VM", for why, and for the argument that makes
//! moving a whole process to another thread sound.

pub mod atom;
pub mod copy;
mod drop;
pub mod foreign;
pub mod map;
pub mod number;
pub mod order;
pub mod print;
pub mod size;
pub mod tuple;
mod tuple_cache;

use std::rc::Rc;
use std::sync::Arc;

use num_bigint::BigInt;

pub use atom::Atom;
pub use foreign::Foreign;
pub use tuple::Tuple;

use crate::code::LoadedModule;

pub use map::MapData;

/// A counted reference to a map: an `Rc<MapData>` whose last drop frees
/// the map's entries through `value/drop.rs`, so maps nested a million
/// deep (as values or as keys) free in constant stack. imbl's nodes drop
/// their entries by recursion, so the hook has to sit on the handle.
pub struct MapRef(std::mem::ManuallyDrop<Rc<MapData>>);

impl MapRef {
    pub fn new(m: MapData) -> MapRef {
        MapRef(std::mem::ManuallyDrop::new(Rc::new(m)))
    }

    pub fn strong_count(&self) -> usize {
        Rc::strong_count(&self.0)
    }

    /// The map, writable, if this is the only handle (no other reference
    /// can see the change): `maps.put` and `#{m | k => v}` on a map whose
    /// last use they are update it in place. imbl's tree below is
    /// copy-on-write per node, so a unique tree is updated in place too.
    #[inline]
    pub fn get_mut(&mut self) -> Option<&mut MapData> {
        Rc::get_mut(&mut self.0)
    }

    /// The address of the shared map (to count a shared map once).
    pub fn addr(&self) -> usize {
        Rc::as_ptr(&self.0) as usize
    }
}

impl Clone for MapRef {
    #[inline]
    fn clone(&self) -> MapRef {
        MapRef(self.0.clone())
    }
}

impl std::ops::Deref for MapRef {
    type Target = MapData;
    #[inline]
    fn deref(&self) -> &MapData {
        &self.0
    }
}

impl Drop for MapRef {
    #[inline]
    fn drop(&mut self) {
        // SAFETY: the `Rc` is taken out once, here, and never used again
        // through `self`.
        let rc = unsafe { std::mem::ManuallyDrop::take(&mut self.0) };
        if Rc::strong_count(&rc) > 1 {
            return; // not the last handle: only the count goes down
        }
        free_map(rc);
    }
}

/// Frees a map whose last handle went (out of line, so that the drop of
/// every `Value` stays small).
#[inline(never)]
fn free_map(rc: Rc<MapData>) {
    match drop::enter() {
        Some(depth) => {
            drop(rc);
            drop::leave(depth);
        }
        None => drop::defer(Value::Map(MapRef(std::mem::ManuallyDrop::new(rc)))),
    }
}

/// A process identifier. Bits 48..63 are the node index in the runtime's
/// `NodeTable` (0 = this node). A local pid's low 48 bits are its serial
/// counter (printed `#PID<0.N.0>`); a remote pid keeps Erlang's ID in
/// bits 0..31 and the low 16 bits of Erlang's Serial in bits 32..47
/// (printed `#PID<N.ID.SERIAL>`).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct Pid(pub u64);

impl Pid {
    /// The node this pid lives on (0 = this node).
    #[inline]
    pub fn node_index(self) -> u16 {
        (self.0 >> 48) as u16
    }

    /// Whether the process lives on this node.
    #[inline]
    pub fn is_local(self) -> bool {
        self.node_index() == 0
    }

    /// A pid of another node, from Erlang's (ID, Serial); only the low 16
    /// bits of the serial are kept (BEAM uses 13 of them).
    pub fn remote(index: u16, id: u32, serial: u32) -> Pid {
        Pid((index as u64) << 48 | ((serial & 0xffff) as u64) << 32 | id as u64)
    }

    /// Erlang's ID field: a remote pid's ID; for a local pid, the low 32
    /// bits of its serial counter (with [`Pid::serial`] holding the next
    /// 15, as BEAM splits its own pid numbers).
    pub fn id(self) -> u32 {
        if self.is_local() {
            (self.0 & 0x7fff_ffff) as u32
        } else {
            self.0 as u32
        }
    }

    /// Erlang's Serial field (see [`Pid::id`]).
    pub fn serial(self) -> u32 {
        if self.is_local() {
            ((self.0 & 0xffff_ffff_ffff) >> 31) as u32
        } else {
            ((self.0 >> 32) & 0xffff) as u32
        }
    }
}

/// A unique reference (`make_ref()`). Printed `#Ref<0.0.hi.lo>`. Bit 63
/// set marks a *proxy* the distribution layer makes for a monitor
/// reference from another node (never seen by Reef code); local
/// references count from 1 and never reach it.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct Ref(pub u64);

impl Ref {
    /// The bit that marks a proxy reference.
    pub const PROXY_BIT: u64 = 1 << 63;

    /// Whether this reference stands for a remote monitor (a proxy).
    pub fn is_proxy(self) -> bool {
        self.0 & Ref::PROXY_BIT != 0
    }
}

/// A Reef term.
#[derive(Default)]
// The raw native interface: `#[doc(hidden)]` at the crate root, not part
// of the embedding API (hosts use `Term`), so not documented item by item.
#[allow(missing_docs)]
pub enum Value {
    // The scalars come first: the variants that hold nothing to free have
    // the smallest tags, so `is_boxed` (asked on every register write) is
    // one comparison.
    /// An integer that fits in i64. Results that do not fit become
    /// `BigInt`; a `BigInt` is never in i64 range (always normalised).
    Int(i64),
    Float(f64),
    Atom(Atom),
    /// The empty list `[]`.
    #[default]
    Nil,
    Pid(Pid),
    Ref(Ref),
    BigInt(Arc<BigInt>),
    /// An immutable UTF-8 string, shareable between processes. A string
    /// is a binary: [`Value::Bytes`] holds only the byte sequences that
    /// are not valid UTF-8.
    Str(Arc<String>),
    /// A binary that is not valid UTF-8 (invariant, as for `BigInt`:
    /// valid UTF-8 is always `Str`; build one with [`Value::binary`]).
    Bytes(Arc<Vec<u8>>),
    Tuple(Tuple),
    Cons(Rc<Cons>),
    Map(MapRef),
    Fun(Rc<Closure>),
    /// A term from another node that Reef holds and sends back but cannot
    /// look inside (a remote reference, a port, a fun of unknown code).
    Foreign(Arc<Foreign>),
}

const _: () = assert!(std::mem::size_of::<Value>() == 16);

impl Clone for Value {
    /// Scalars are rebuilt as their own variant (no jump over every
    /// variant for the common small integer and atom); only the shared
    /// variants touch a reference count.
    #[inline]
    fn clone(&self) -> Value {
        match self {
            Value::Int(i) => Value::Int(*i),
            Value::Atom(a) => Value::Atom(*a),
            Value::Tuple(t) => Value::Tuple(t.clone()),
            Value::Cons(c) => Value::Cons(c.clone()),
            Value::Nil => Value::Nil,
            Value::Float(x) => Value::Float(*x),
            Value::BigInt(b) => Value::BigInt(b.clone()),
            Value::Str(x) => Value::Str(x.clone()),
            Value::Map(x) => Value::Map(x.clone()),
            Value::Fun(x) => Value::Fun(x.clone()),
            Value::Pid(x) => Value::Pid(*x),
            Value::Ref(x) => Value::Ref(*x),
            Value::Bytes(x) => Value::Bytes(x.clone()),
            Value::Foreign(x) => Value::Foreign(x.clone()),
        }
    }
}

/// One list cell `[head | tail]`; the tail may be any term (improper lists
/// are allowed).
pub struct Cons {
    pub head: Value,
    pub tail: Value,
}

/// A function value.
pub enum Closure {
    /// A lambda with its captured values, or a named local function
    /// (`&name/arity`, nothing captured), of a loaded module.
    Local {
        module: Arc<LoadedModule>,
        func: u32,
        captured: Box<[Value]>,
    },
    /// `&module.name/arity`: resolved when called, so it always reaches the
    /// current version of the module (or a native).
    External {
        module: Atom,
        name: Atom,
        arity: u32,
    },
}

impl Closure {
    pub fn arity(&self) -> u32 {
        match self {
            Closure::Local { module, func, .. } => module.functions[*func as usize].arity,
            Closure::External { arity, .. } => *arity,
        }
    }

    /// (module, function name, arity) as shown in `#Fn<module.name/arity>`.
    pub fn describe(&self) -> (Atom, Atom, u32) {
        match self {
            Closure::Local { module, func, .. } => {
                let f = &module.functions[*func as usize];
                (module.name, f.name, f.arity)
            }
            Closure::External {
                module,
                name,
                arity,
            } => (*module, *name, *arity),
        }
    }
}

// The raw native interface: `#[doc(hidden)]` at the crate root, not part
// of the embedding API (hosts use `Term`), so not documented item by item.
#[allow(missing_docs)]
impl Value {
    pub const TRUE: Value = Value::Atom(Atom::TRUE);
    pub const FALSE: Value = Value::Atom(Atom::FALSE);
    pub const NIL_ATOM: Value = Value::Atom(Atom::NIL);
    pub const OK: Value = Value::Atom(Atom::OK);

    pub fn atom(name: &str) -> Value {
        Value::Atom(Atom::new(name))
    }

    pub fn bool(b: bool) -> Value {
        Value::Atom(Atom::from_bool(b))
    }

    pub fn str(s: impl Into<String>) -> Value {
        Value::Str(Arc::new(s.into()))
    }

    /// A binary: `Str` when the bytes are valid UTF-8, else `Bytes` (the
    /// one constructor that keeps the invariant).
    pub fn binary(bytes: Vec<u8>) -> Value {
        match String::from_utf8(bytes) {
            Ok(s) => Value::Str(Arc::new(s)),
            Err(e) => Value::Bytes(Arc::new(e.into_bytes())),
        }
    }

    /// The bytes of a binary (a string or `Bytes`).
    pub fn as_binary(&self) -> Option<&[u8]> {
        match self {
            Value::Str(s) => Some(s.as_bytes()),
            Value::Bytes(b) => Some(b),
            _ => None,
        }
    }

    pub fn tuple(elems: Vec<Value>) -> Value {
        Value::Tuple(Tuple::from_vec(elems))
    }

    pub fn cons(head: Value, tail: Value) -> Value {
        Value::Cons(Rc::new(Cons { head, tail }))
    }

    /// An integer from a big integer, normalised to `Int` when it fits.
    pub fn from_bigint(b: BigInt) -> Value {
        match i64::try_from(&b) {
            Ok(i) => Value::Int(i),
            Err(_) => Value::BigInt(Arc::new(b)),
        }
    }

    /// A proper list of the values, in order.
    pub fn list(items: impl IntoIterator<Item = Value, IntoIter: DoubleEndedIterator>) -> Value {
        Value::list_with_tail(items, Value::Nil)
    }

    /// `[items... | tail]`.
    pub fn list_with_tail(
        items: impl IntoIterator<Item = Value, IntoIter: DoubleEndedIterator>,
        tail: Value,
    ) -> Value {
        items
            .into_iter()
            .rev()
            .fold(tail, |acc, v| Value::cons(v, acc))
    }

    pub fn map(map: MapData) -> Value {
        Value::Map(MapRef::new(map))
    }

    /// Whether dropping this value may free something (it holds an `Rc` or
    /// `Arc`). Overwriting a value that does not need no drop call.
    #[inline(always)]
    pub fn is_boxed(&self) -> bool {
        !matches!(
            self,
            Value::Int(_)
                | Value::Float(_)
                | Value::Atom(_)
                | Value::Nil
                | Value::Pid(_)
                | Value::Ref(_)
        )
    }

    pub fn is_true(&self) -> bool {
        matches!(self, Value::Atom(a) if *a == Atom::TRUE)
    }

    pub fn as_atom(&self) -> Option<Atom> {
        match self {
            Value::Atom(a) => Some(*a),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_tuple(&self) -> Option<&[Value]> {
        match self {
            Value::Tuple(t) => Some(t),
            _ => None,
        }
    }

    /// Whether this is a tuple of `arity` elements whose first element is
    /// the atom `tag` (the `TestTagged` test, and the tagged receive scan).
    #[inline]
    pub fn is_tagged(&self, arity: usize, tag: Atom) -> bool {
        matches!(self, Value::Tuple(t) if t.len() == arity && matches!(t[0], Value::Atom(a) if a == tag))
    }

    pub fn is_number(&self) -> bool {
        matches!(self, Value::Int(_) | Value::BigInt(_) | Value::Float(_))
    }

    pub fn is_list(&self) -> bool {
        matches!(self, Value::Nil | Value::Cons(_))
    }

    /// Walks a list: each head in order; [`ListIter::tail`] is what ends it
    /// (`[]` for a proper list).
    pub fn iter_list(&self) -> ListIter<'_> {
        ListIter { cur: self }
    }

    /// The elements of a proper list, or `None` if this is not one.
    pub fn list_to_vec(&self) -> Option<Vec<Value>> {
        let mut out = Vec::new();
        let mut it = self.iter_list();
        for v in &mut it {
            out.push(v.clone());
        }
        matches!(it.tail(), Value::Nil).then_some(out)
    }
}

/// Iterates over the heads of a list, iteratively (never recursing).
pub struct ListIter<'a> {
    cur: &'a Value,
}

impl<'a> ListIter<'a> {
    /// What is left after the heads taken so far: `[]` at the end of a
    /// proper list, another term for an improper one.
    pub fn tail(&self) -> &'a Value {
        self.cur
    }
}

impl<'a> Iterator for ListIter<'a> {
    type Item = &'a Value;
    fn next(&mut self) -> Option<&'a Value> {
        match self.cur {
            Value::Cons(c) => {
                self.cur = &c.tail;
                Some(&c.head)
            }
            _ => None,
        }
    }
}

// ---- dropping without recursion ----
//
// Refcounting frees a term the moment its last reference goes. Freeing a
// 10-million-cell list by recursion along the tails would overflow the
// Rust stack, so a cell unlinks its tail chain in a loop; its heads (and
// a closure's captured values) are freed through `value/drop.rs`, so
// lists nested in heads a million deep are fine too.

impl Drop for Cons {
    fn drop(&mut self) {
        let head = std::mem::take(&mut self.head);
        let mut tail = std::mem::take(&mut self.tail);
        if !head.is_boxed() && !tail.is_boxed() {
            return;
        }
        let Some(depth) = drop::enter() else {
            drop::defer(head);
            drop::defer(tail);
            return;
        };
        drop(head);
        while let Value::Cons(rc) = tail {
            match Rc::try_unwrap(rc) {
                // The cell was ours alone: free its head, keep its tail,
                // and let the cell go (its own `drop` finds `[]` in both
                // and returns at once).
                Ok(mut cell) => {
                    drop(std::mem::take(&mut cell.head));
                    tail = std::mem::take(&mut cell.tail);
                }
                Err(_shared) => {
                    tail = Value::Nil;
                    break;
                }
            }
        }
        drop(tail);
        drop::leave(depth);
    }
}

impl Drop for Closure {
    fn drop(&mut self) {
        let Closure::Local { captured, .. } = self else {
            return;
        };
        if captured.is_empty() {
            return;
        }
        let captured = std::mem::take(captured);
        match drop::enter() {
            Some(depth) => {
                drop(captured);
                drop::leave(depth);
            }
            None => captured.into_vec().into_iter().for_each(drop::defer),
        }
    }
}

impl std::fmt::Debug for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&print::inspect(self))
    }
}

impl std::fmt::Display for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&print::inspect(self))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_is_two_words() {
        assert_eq!(std::mem::size_of::<Value>(), 16);
    }

    #[test]
    fn dropping_a_long_list_does_not_overflow() {
        let mut list = Value::Nil;
        for i in 0..3_000_000 {
            list = Value::cons(Value::Int(i), list);
        }
        drop(list);
    }

    #[test]
    fn dropping_deeply_nested_tuples_does_not_overflow() {
        let mut t = Value::Nil;
        for i in 0..1_000_000 {
            t = Value::tuple(vec![Value::Int(i), t]);
        }
        drop(t);
    }

    #[test]
    fn a_shared_tail_survives_dropping_one_list() {
        let shared = Value::list((0..10).map(Value::Int));
        let a = Value::cons(Value::Int(-1), shared.clone());
        drop(a);
        assert_eq!(shared.list_to_vec().unwrap().len(), 10);
    }
}
