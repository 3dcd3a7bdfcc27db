//! Reading a [`Term`] without matching on its variants: `as_int`,
//! `as_str`, `get(key)` on maps, `elements()` on tuples, `items()` on
//! lists. Each returns `None` when the term is of another kind, so that
//! `?` chains read a nested term in one line.

use super::Term;

/// A map key for [`Term::get`]: a `&str` names an atom key (`get("name")`
/// finds the value under `:name`, as `map.name` does in Reef); a `Term`
/// (or `&Term`) is compared whole, so `get(&Term::from("name"))` finds a
/// string key.
pub trait MapKey {
    /// Whether `key` is this key.
    fn is_key(&self, key: &Term) -> bool;
}

impl MapKey for &str {
    fn is_key(&self, key: &Term) -> bool {
        matches!(key, Term::Atom(a) if a == self)
    }
}

impl MapKey for &Term {
    fn is_key(&self, key: &Term) -> bool {
        *self == key
    }
}

impl MapKey for Term {
    fn is_key(&self, key: &Term) -> bool {
        self == key
    }
}

impl Term {
    /// A tuple of these elements.
    pub fn tuple(elems: Vec<Term>) -> Term {
        Term::Tuple(elems)
    }

    /// A map of these pairs, put in Reef's key order (a later pair with
    /// the same key replaces an earlier one).
    pub fn map(pairs: Vec<(Term, Term)>) -> Term {
        Term::from_value(&Term::Map(pairs).to_value())
    }

    /// The atom `nil`.
    pub fn nil() -> Term {
        Term::atom("nil")
    }

    /// Whether this is the atom `nil`.
    pub fn is_nil(&self) -> bool {
        self.as_atom() == Some("nil")
    }

    /// An atom's name.
    pub fn as_atom(&self) -> Option<&str> {
        match self {
            Term::Atom(a) => Some(a),
            _ => None,
        }
    }

    /// A string's text.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Term::Str(s) => Some(s),
            _ => None,
        }
    }

    /// A binary's bytes (a string is a binary too).
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            Term::Str(s) => Some(s.as_bytes()),
            Term::Bytes(b) => Some(b),
            _ => None,
        }
    }

    /// An integer that fits in i64.
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Term::Int(i) => Some(*i),
            _ => None,
        }
    }

    /// A float (an integer is not one: Reef keeps `1` and `1.0` apart).
    pub fn as_float(&self) -> Option<f64> {
        match self {
            Term::Float(f) => Some(*f),
            _ => None,
        }
    }

    /// `true` or `false` (the atoms).
    pub fn as_bool(&self) -> Option<bool> {
        match self.as_atom()? {
            "true" => Some(true),
            "false" => Some(false),
            _ => None,
        }
    }

    /// The value under `key` in a map: `t.get("name")` for the atom key
    /// `:name`, `t.get(&Term::from("name"))` for the string key.
    ///
    /// ```
    /// use reef_vm::term;
    /// let t = term!(#{player: #{name: "ada"}, "score" => 3});
    /// assert_eq!(t.get("player").and_then(|p| p.get("name")).and_then(|n| n.as_str()), Some("ada"));
    /// assert_eq!(t.get(&term!("score")).and_then(|s| s.as_int()), Some(3));
    /// assert!(t.get("missing").is_none());
    /// ```
    pub fn get(&self, key: impl MapKey) -> Option<&Term> {
        match self {
            Term::Map(pairs) => pairs.iter().find(|(k, _)| key.is_key(k)).map(|(_, v)| v),
            _ => None,
        }
    }

    /// A map's pairs, in key order.
    pub fn pairs(&self) -> Option<&[(Term, Term)]> {
        match self {
            Term::Map(pairs) => Some(pairs),
            _ => None,
        }
    }

    /// A tuple's elements.
    pub fn elements(&self) -> Option<&[Term]> {
        match self {
            Term::Tuple(items) => Some(items),
            _ => None,
        }
    }

    /// A proper list's elements (`None` for an improper list).
    pub fn items(&self) -> Option<&[Term]> {
        match self {
            Term::List(items, None) => Some(items),
            _ => None,
        }
    }

    /// A pid's number.
    pub fn as_pid(&self) -> Option<u64> {
        match self {
            Term::Pid(p) => Some(*p),
            _ => None,
        }
    }
}
