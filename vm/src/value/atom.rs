//! Atoms: a `u32` index into one global, append-only interner shared by
//! every VM and every thread of the program. An atom is never freed (as in
//! Erlang), so an index stays valid forever and atoms compare for equality
//! by index. Common atoms are interned at start-up at fixed indices and
//! named by the constants below.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{LazyLock, RwLock};

use rustc_hash::FxHashMap;

/// An interned atom (`:ok`): `Atom::new("ok")`, and [`Atom::name`] for its
/// text. Atoms are never freed, and the table is bounded
/// (`VmBuilder::max_atoms`): make them from names you know, not from
/// input.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Atom(pub(crate) u32);

struct Interner {
    names: Vec<&'static str>,
    index: FxHashMap<&'static str, u32>,
}

macro_rules! preinterned {
    ($($konst:ident = $name:literal,)*) => {
        const PREINTERNED: &[&str] = &[$($name),*];
        #[allow(non_camel_case_types, clippy::upper_case_acronyms)]
        #[repr(u32)]
        enum Index { $($konst),* }
        impl Atom {
            $(
                #[doc = concat!("The atom `:", $name, "`.")]
                pub const $konst: Atom = Atom(Index::$konst as u32);
            )*
        }
    };
}

preinterned! {
    OK = "ok",
    ERROR = "error",
    TRUE = "true",
    FALSE = "false",
    NIL = "nil",
    UNDEFINED = "undefined",
    BADARG = "badarg",
    BADARITH = "badarith",
    BADMATCH = "badmatch",
    CASE_CLAUSE = "case_clause",
    FUNCTION_CLAUSE = "function_clause",
    UNDEF = "undef",
    BADFUN = "badfun",
    BADARITY = "badarity",
    BADMAP = "badmap",
    BADKEY = "badkey",
    NOCATCH = "nocatch",
    SYSTEM_LIMIT = "system_limit",
    NORMAL = "normal",
    SHUTDOWN = "shutdown",
    KILL = "kill",
    KILLED = "killed",
    EXIT = "EXIT",
    DOWN = "DOWN",
    PROCESS = "process",
    NOPROC = "noproc",
    INFINITY = "infinity",
    EOF = "eof",
    THROW = "throw",
    KERNEL = "kernel",
    DEADLOCK = "deadlock",
    RUNNING = "running",
    RUNNABLE = "runnable",
    WAITING = "waiting",
    TIMEOUT = "timeout",
    TIMEOUT_VALUE = "timeout_value",
    MAX_HEAP = "max_heap",
    EMPTY = "",
}

/// The most atoms the table holds before `to_atom` fails with
/// `:system_limit` (BEAM's default, a power of two). The table is one per
/// program (atoms are shared by every VM in it), so this limit is too:
/// `VmBuilder::max_atoms` sets it.
pub const DEFAULT_MAX_ATOMS: usize = 1 << 20;

/// The longest atom name, in characters (Erlang's 255).
pub const MAX_ATOM_CHARS: usize = 255;

static MAX_ATOMS: AtomicUsize = AtomicUsize::new(DEFAULT_MAX_ATOMS);

/// Sets the atom table's limit for the whole program.
pub fn set_max_atoms(n: usize) {
    MAX_ATOMS.store(n.max(PREINTERNED.len()), Ordering::Relaxed);
}

/// The atom table's limit now (see [`set_max_atoms`]).
pub fn max_atoms() -> usize {
    MAX_ATOMS.load(Ordering::Relaxed)
}

/// How many atoms exist now.
pub fn atom_count() -> usize {
    INTERNER.read().expect("atom table lock").names.len()
}

static INTERNER: LazyLock<RwLock<Interner>> = LazyLock::new(|| {
    let mut interner = Interner {
        names: Vec::new(),
        index: FxHashMap::default(),
    };
    for name in PREINTERNED {
        interner.index.insert(name, interner.names.len() as u32);
        interner.names.push(name);
    }
    RwLock::new(interner)
});

impl Atom {
    /// Interns `name`, returning its atom (the same atom for the same name,
    /// from any thread, for the life of the program).
    pub fn new(name: &str) -> Atom {
        if let Some(&i) = INTERNER.read().expect("atom table lock").index.get(name) {
            return Atom(i);
        }
        let mut table = INTERNER.write().expect("atom table lock");
        if let Some(&i) = table.index.get(name) {
            return Atom(i);
        }
        // Atoms are never freed, so leaking the name gives a `'static`
        // string that lookups can hand out without holding the lock.
        let name: &'static str = Box::leak(name.to_owned().into_boxed_str());
        let i = table.names.len() as u32;
        table.names.push(name);
        table.index.insert(name, i);
        Atom(i)
    }

    /// Interns `name` for a program that asked for it at run time
    /// (`to_atom`): `None` when the name is longer than
    /// 255 characters (`MAX_ATOM_CHARS`) or the table is full (the caller raises
    /// `:system_limit`). The VM's own atoms (module names, literals in
    /// loaded code) use [`Atom::new`], which the limit does not stop.
    pub fn try_new(name: &str) -> Option<Atom> {
        // Cheap test first: a name of at most 255 bytes has at most 255 chars.
        if name.len() > MAX_ATOM_CHARS && name.chars().count() > MAX_ATOM_CHARS {
            return None;
        }
        if let Some(&i) = INTERNER.read().expect("atom table lock").index.get(name) {
            return Some(Atom(i));
        }
        let mut table = INTERNER.write().expect("atom table lock");
        if let Some(&i) = table.index.get(name) {
            return Some(Atom(i));
        }
        if table.names.len() >= MAX_ATOMS.load(Ordering::Relaxed) {
            return None;
        }
        let name: &'static str = Box::leak(name.to_owned().into_boxed_str());
        let i = table.names.len() as u32;
        table.names.push(name);
        table.index.insert(name, i);
        Some(Atom(i))
    }

    /// The atom's name, if `name` has been interned (never creates one).
    pub fn existing(name: &str) -> Option<Atom> {
        INTERNER
            .read()
            .expect("atom table lock")
            .index
            .get(name)
            .map(|&i| Atom(i))
    }

    /// The atom's name.
    pub fn name(self) -> &'static str {
        INTERNER.read().expect("atom table lock").names[self.0 as usize]
    }

    /// Atoms in the term order: by name (one look at the table for both).
    #[inline]
    pub fn order(self, other: Atom) -> std::cmp::Ordering {
        if self == other {
            return std::cmp::Ordering::Equal;
        }
        let t = INTERNER.read().expect("atom table lock");
        t.names[self.0 as usize].cmp(t.names[other.0 as usize])
    }

    /// The atom for a boolean.
    pub fn from_bool(b: bool) -> Atom {
        if b {
            Atom::TRUE
        } else {
            Atom::FALSE
        }
    }

    /// The atom's index in the atom table.
    pub fn index(self) -> u32 {
        self.0
    }
}

impl std::fmt::Display for Atom {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preinterned_atoms_have_their_names() {
        assert_eq!(Atom::OK.name(), "ok");
        assert_eq!(Atom::DOWN.name(), "DOWN");
        assert_eq!(Atom::new("ok"), Atom::OK);
        assert_eq!(Atom::new("EXIT"), Atom::EXIT);
    }

    #[test]
    fn interning_is_idempotent() {
        let a = Atom::new("some fresh atom");
        assert_eq!(Atom::new("some fresh atom"), a);
        assert_eq!(a.name(), "some fresh atom");
        assert_eq!(Atom::existing("some fresh atom"), Some(a));
        assert_eq!(Atom::existing("never interned here"), None);
    }

    #[test]
    fn a_name_longer_than_255_characters_is_refused() {
        let long = "é".repeat(MAX_ATOM_CHARS + 1);
        assert_eq!(Atom::try_new(&long), None);
        assert_eq!(Atom::existing(&long), None);
        // 255 two-byte characters are 510 bytes and still fine.
        let ok = "é".repeat(MAX_ATOM_CHARS);
        assert_eq!(Atom::try_new(&ok).map(Atom::name), Some(ok.as_str()));
    }
}
