//! The node table: every node incarnation this runtime has met, by a
//! 16-bit index that remote pids, references and ports carry (bits 48..63
//! of a `Pid`). Index 0 is this node. An incarnation is a (name,
//! creation) pair, as BEAM's node entries: a node that restarts comes
//! back with a new creation, so pids of its old life stay distinct.
//! Entries are never removed (an index must stay valid in every term that
//! holds it), so the table is bounded: 65,535 entries, then `Full`.

use std::sync::RwLock;

use rustc_hash::FxHashMap;

use crate::value::Atom;

/// How many node incarnations a runtime can know, this node included.
pub const MAX_NODES: usize = 65_535;

/// The table has no room for another node incarnation (the ETF decoder's
/// `system_limit`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Full;

impl std::fmt::Display for Full {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the node table is full ({MAX_NODES} node incarnations)")
    }
}

impl std::error::Error for Full {}

/// One per `Runtime` (`rt.nodes`). Reads take a shared lock briefly.
pub struct NodeTable {
    inner: RwLock<Inner>,
}

struct Inner {
    /// (name, creation) by index; index 0 is this node.
    entries: Vec<(Atom, u32)>,
    /// The index of each incarnation other than this node's.
    by_key: FxHashMap<(Atom, u32), u16>,
    /// The newest incarnation of each name.
    newest: FxHashMap<Atom, u16>,
}

impl Default for NodeTable {
    fn default() -> NodeTable {
        NodeTable::new()
    }
}

impl NodeTable {
    /// A table holding only this node, `nonode@nohost` with creation 0
    /// (until it goes alive).
    pub fn new() -> NodeTable {
        NodeTable {
            inner: RwLock::new(Inner {
                entries: vec![(Atom::new("nonode@nohost"), 0)],
                by_key: FxHashMap::default(),
                newest: FxHashMap::default(),
            }),
        }
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Inner> {
        self.inner.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Inner> {
        self.inner.write().unwrap_or_else(|e| e.into_inner())
    }

    /// This node goes alive as `name` with `creation` (from EPMD).
    pub fn set_local(&self, name: Atom, creation: u32) {
        self.write().entries[0] = (name, creation);
    }

    /// This node's name and creation.
    pub fn local(&self) -> (Atom, u32) {
        self.read().entries[0]
    }

    /// The index of a node incarnation, added if new; this node's own
    /// (name, creation) is index 0.
    pub fn intern(&self, name: Atom, creation: u32) -> Result<u16, Full> {
        {
            let t = self.read();
            if t.entries[0] == (name, creation) {
                return Ok(0);
            }
            if let Some(&i) = t.by_key.get(&(name, creation)) {
                return Ok(i);
            }
        }
        let mut t = self.write();
        if t.entries[0] == (name, creation) {
            return Ok(0);
        }
        if let Some(&i) = t.by_key.get(&(name, creation)) {
            return Ok(i);
        }
        if t.entries.len() >= MAX_NODES {
            return Err(Full);
        }
        let i = t.entries.len() as u16;
        t.entries.push((name, creation));
        t.by_key.insert((name, creation), i);
        t.newest.insert(name, i);
        Ok(i)
    }

    /// The (name, creation) of an index; an index never handed out reads
    /// as this node's (indices come only from `intern`).
    pub fn get(&self, index: u16) -> (Atom, u32) {
        let t = self.read();
        t.entries
            .get(index as usize)
            .copied()
            .unwrap_or(t.entries[0])
    }

    #[cfg(test)]
    /// The newest incarnation of a node by name (0 for this node's name).
    pub fn find(&self, name: Atom) -> Option<u16> {
        let t = self.read();
        if t.entries[0].0 == name {
            return Some(0);
        }
        t.newest.get(&name).copied()
    }

    /// How many incarnations the table holds, this node included.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.read().entries.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn incarnations_get_their_own_index() {
        let t = NodeTable::new();
        let a = Atom::new("a@h");
        let i1 = t.intern(a, 1).unwrap();
        let i2 = t.intern(a, 2).unwrap();
        assert_ne!(i1, 0);
        assert_ne!(i1, i2);
        assert_eq!(t.intern(a, 1), Ok(i1));
        assert_eq!(t.get(i2), (a, 2));
        assert_eq!(t.find(a), Some(i2));
        assert_eq!(t.find(Atom::new("b@h")), None);
    }

    #[test]
    fn the_local_node_is_index_zero() {
        let t = NodeTable::new();
        assert_eq!(t.local().0.name(), "nonode@nohost");
        let me = Atom::new("me@h");
        t.set_local(me, 7);
        assert_eq!(t.intern(me, 7), Ok(0));
        assert_eq!(t.find(me), Some(0));
        assert_eq!(t.local(), (me, 7));
    }

    #[test]
    fn the_table_is_bounded() {
        let t = NodeTable::new();
        let a = Atom::new("full@h");
        for c in 0..(MAX_NODES as u32 - 1) {
            t.intern(a, c + 1).unwrap();
        }
        assert_eq!(t.len(), MAX_NODES);
        assert_eq!(t.intern(a, u32::MAX), Err(Full));
        assert!(t.intern(a, 5).is_ok()); // known ones still resolve
    }
}
