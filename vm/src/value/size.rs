//! The size of a process's terms, in words (8 bytes), for
//! `process.max_heap` and `process.info`. A node reachable twice is
//! counted once when it is shared (its reference count says so); strings
//! and big integers count their bytes, although other processes may share
//! them (the limit is about what this process keeps alive).

use std::rc::Rc;

use rustc_hash::FxHashSet;

use super::{Closure, Value};

/// Words of one value slot.
const SLOT: usize = std::mem::size_of::<Value>() / 8;

/// Counts the words of terms, remembering shared nodes already counted.
#[derive(Default)]
pub struct Sizer {
    seen: FxHashSet<usize>,
    pub words: usize,
}

impl Sizer {
    /// Adds the heap words of `v` (not its own slot).
    pub fn add(&mut self, v: &Value) {
        let mut stack: Vec<&Value> = vec![v];
        while let Some(v) = stack.pop() {
            match v {
                Value::Int(_)
                | Value::Float(_)
                | Value::Atom(_)
                | Value::Nil
                | Value::Pid(_)
                | Value::Ref(_) => {}
                Value::BigInt(b) => self.words += 2 + (b.bits() as usize).div_ceil(64),
                Value::Str(s) => self.words += 2 + s.len().div_ceil(8),
                Value::Bytes(b) => self.words += 2 + b.len().div_ceil(8),
                Value::Foreign(f) => {
                    self.words += 3 + match &**f {
                        super::Foreign::Ref { words, .. } => words.len().div_ceil(2),
                        super::Foreign::Port { .. } => 1,
                        super::Foreign::Fun { etf, .. } => etf.len().div_ceil(8),
                    }
                }
                Value::Tuple(t) => {
                    if self.first(t.addr(), t.strong_count()) {
                        self.words += 1 + SLOT * t.len();
                        stack.extend(t.iter());
                    }
                }
                Value::Cons(c) => {
                    if self.first(Rc::as_ptr(c) as usize, Rc::strong_count(c)) {
                        self.words += 1 + 2 * SLOT;
                        stack.push(&c.head);
                        stack.push(&c.tail);
                    }
                }
                Value::Map(m) => {
                    if self.first(m.addr(), m.strong_count()) {
                        // imbl's B-tree nodes: about two slots per entry.
                        self.words += 4 + 2 * 2 * SLOT * m.len();
                        for (k, v) in m.iter() {
                            stack.push(k);
                            stack.push(v);
                        }
                    }
                }
                Value::Fun(f) => {
                    if self.first(Rc::as_ptr(f) as usize, Rc::strong_count(f)) {
                        self.words += 4;
                        if let Closure::Local { captured, .. } = &**f {
                            self.words += SLOT * captured.len();
                            stack.extend(captured.iter());
                        }
                    }
                }
            }
        }
    }

    /// Whether a node is counted for the first time (unshared nodes are
    /// not remembered: nothing else can reach them).
    fn first(&mut self, addr: usize, count: usize) -> bool {
        count <= 1 || self.seen.insert(addr)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_nodes_count_once() {
        let inner = Value::list((0..10).map(Value::Int).collect::<Vec<_>>());
        let mut one = Sizer::default();
        one.add(&inner);
        let twice = Value::tuple(vec![inner.clone(), inner]);
        let mut both = Sizer::default();
        both.add(&twice);
        assert_eq!(one.words, 10 * (1 + 2 * SLOT));
        assert_eq!(both.words, one.words + 1 + 2 * SLOT);
    }
}
