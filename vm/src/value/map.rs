//! The data of a map: a sorted vector of pairs up to [`SMALL_MAX`]
//! entries, imbl's persistent B-tree beyond, as BEAM keeps maps of up to
//! 32 keys flat and larger ones in a HAMT.
//!
//! Most maps in real programs are small (a record-like `#{:name => ..,
//! :age => ..}`, a message, an option map), and imbl's smallest tree is a
//! leaf of 64 slots, about 700 bytes for a one-entry map. A flat map costs
//! its entries and a vector header: a map nested a million deep fits in
//! about a tenth of the memory, and small lookups are a short binary
//! search over contiguous pairs. Both forms keep their keys in the exact
//! term order (`Ord for Value`), so iteration is in key order either way
//! and the two forms are one type to every caller.

use std::cmp::Ordering;

use super::Value;

/// The B-tree behind large maps, with `Rc` nodes (a map lives in one
/// process). The one place that names imbl's pointer kind.
type Tree = imbl::GenericOrdMap<Value, Value, imbl::shared_ptr::RcK>;

/// The most entries a map keeps flat (BEAM's `MAP_SMALL_MAP_LIMIT`).
pub const SMALL_MAX: usize = 32;

/// A map's entries, in key order.
#[derive(Clone, Default)]
pub struct MapData(Repr);

#[derive(Clone)]
enum Repr {
    /// Sorted by key, no key twice, at most `SMALL_MAX` pairs.
    Small(Vec<(Value, Value)>),
    /// More than `SMALL_MAX` pairs (it never shrinks back: a map that
    /// grew large tends to stay so, and this keeps removals cheap).
    Large(Tree),
}

impl Default for Repr {
    fn default() -> Repr {
        Repr::Small(Vec::new())
    }
}

impl MapData {
    /// An empty map.
    pub fn new() -> MapData {
        MapData(Repr::Small(Vec::new()))
    }

    pub fn len(&self) -> usize {
        match &self.0 {
            Repr::Small(v) => v.len(),
            Repr::Large(t) => t.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// For an atom or small integer key (most keys), its index in a flat
    /// map found by identity, which for those kinds is exact equality: a
    /// short scan of cheap compares, where the ordered search would
    /// compare atoms by name. `None` for other kinds of key.
    #[inline]
    fn identical(v: &[(Value, Value)], k: &Value) -> Option<Option<usize>> {
        match k {
            Value::Atom(a) => Some(
                v.iter()
                    .position(|(key, _)| matches!(key, Value::Atom(b) if b == a)),
            ),
            Value::Int(i) => Some(
                v.iter()
                    .position(|(key, _)| matches!(key, Value::Int(j) if j == i)),
            ),
            _ => None,
        }
    }

    /// Where `k` is (`Ok`) or would go (`Err`) in a flat map.
    #[inline]
    fn find(v: &[(Value, Value)], k: &Value) -> Result<usize, usize> {
        match Self::identical(v, k) {
            Some(Some(i)) => Ok(i),
            _ => v.binary_search_by(|(key, _)| key.cmp(k)),
        }
    }

    /// The value under `k`.
    pub fn get(&self, k: &Value) -> Option<&Value> {
        match &self.0 {
            Repr::Small(v) => Self::lookup(v, k),
            Repr::Large(t) => t.get(k),
        }
    }

    /// A flat map's value under `k`: for atom and small integer keys the
    /// identity scan is the whole answer (no ordered search on a miss).
    #[inline]
    fn lookup<'a>(v: &'a [(Value, Value)], k: &Value) -> Option<&'a Value> {
        let i = match Self::identical(v, k) {
            Some(hit) => hit,
            None => Self::find(v, k).ok(),
        };
        i.map(|i| &v[i].1)
    }

    pub fn contains_key(&self, k: &Value) -> bool {
        self.get(k).is_some()
    }

    /// Puts `v` under `k` in place; the value it replaced.
    pub fn insert(&mut self, k: Value, v: Value) -> Option<Value> {
        match &mut self.0 {
            Repr::Small(pairs) => match Self::find(pairs, &k) {
                Ok(i) => Some(std::mem::replace(&mut pairs[i].1, v)),
                Err(i) if pairs.len() < SMALL_MAX => {
                    pairs.insert(i, (k, v));
                    None
                }
                Err(_) => {
                    let mut t: Tree = std::mem::take(pairs).into_iter().collect();
                    t.insert(k, v);
                    self.0 = Repr::Large(t);
                    None
                }
            },
            Repr::Large(t) => t.insert(k, v),
        }
    }

    /// A copy with `v` under `k`.
    pub fn update(&self, k: Value, v: Value) -> MapData {
        match &self.0 {
            Repr::Small(_) => {
                let mut m = self.clone_with_room(1);
                m.insert(k, v);
                m
            }
            Repr::Large(t) => MapData(Repr::Large(t.update(k, v))),
        }
    }

    /// A copy with room for `extra` more keys without growing (a flat
    /// map's vector is otherwise cloned at its exact length, and the
    /// first new key would reallocate it).
    pub fn clone_with_room(&self, extra: usize) -> MapData {
        match &self.0 {
            Repr::Small(pairs) => {
                let mut out = Vec::with_capacity((pairs.len() + extra).min(SMALL_MAX));
                out.extend(pairs.iter().cloned());
                MapData(Repr::Small(out))
            }
            Repr::Large(t) => MapData(Repr::Large(t.clone())),
        }
    }

    /// Takes `k` out in place; its value.
    pub fn remove(&mut self, k: &Value) -> Option<Value> {
        match &mut self.0 {
            Repr::Small(pairs) => Self::find(pairs, k).ok().map(|i| pairs.remove(i).1),
            Repr::Large(t) => t.remove(k),
        }
    }

    /// A copy without `k`.
    pub fn without(&self, k: &Value) -> MapData {
        match &self.0 {
            Repr::Small(pairs) => MapData(Repr::Small(
                pairs
                    .iter()
                    .filter(|(key, _)| key.cmp(k) != Ordering::Equal)
                    .cloned()
                    .collect(),
            )),
            Repr::Large(t) => MapData(Repr::Large(t.without(k))),
        }
    }

    /// Both maps' entries; where a key is in both, `self`'s value wins.
    pub fn union(self, other: MapData) -> MapData {
        match (self.0, other.0) {
            (Repr::Large(a), Repr::Large(b)) => MapData(Repr::Large(a.union(b))),
            (Repr::Small(a), b) => {
                let mut out = MapData(b);
                for (k, v) in a {
                    out.insert(k, v);
                }
                out
            }
            (Repr::Large(a), Repr::Small(b)) => {
                let mut out = a;
                for (k, v) in b {
                    out.entry(k).or_insert(v);
                }
                MapData(Repr::Large(out))
            }
        }
    }

    /// The pairs, in key order.
    pub fn iter(&self) -> Iter<'_> {
        match &self.0 {
            Repr::Small(v) => Iter::Small(v.iter()),
            Repr::Large(t) => Iter::Large(t.iter()),
        }
    }

    /// The keys, in order.
    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &Value> + '_ {
        self.iter().map(|(k, _)| k)
    }

    /// The values, in the order of their keys.
    pub fn values(&self) -> impl DoubleEndedIterator<Item = &Value> + '_ {
        self.iter().map(|(_, v)| v)
    }
}

/// The pairs of a map, in key order.
pub enum Iter<'a> {
    Small(std::slice::Iter<'a, (Value, Value)>),
    Large(imbl::ordmap::Iter<'a, Value, Value, imbl::shared_ptr::RcK>),
}

impl<'a> Iterator for Iter<'a> {
    type Item = (&'a Value, &'a Value);

    #[inline]
    fn next(&mut self) -> Option<(&'a Value, &'a Value)> {
        match self {
            Iter::Small(it) => it.next().map(|(k, v)| (k, v)),
            Iter::Large(it) => it.next(),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match self {
            Iter::Small(it) => it.size_hint(),
            Iter::Large(it) => it.size_hint(),
        }
    }
}

impl DoubleEndedIterator for Iter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        match self {
            Iter::Small(it) => it.next_back().map(|(k, v)| (k, v)),
            Iter::Large(it) => it.next_back(),
        }
    }
}

impl<'a> IntoIterator for &'a MapData {
    type Item = (&'a Value, &'a Value);
    type IntoIter = Iter<'a>;

    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

impl FromIterator<(Value, Value)> for MapData {
    /// Later pairs win over earlier ones with the same key, as inserting
    /// them one by one would.
    fn from_iter<I: IntoIterator<Item = (Value, Value)>>(iter: I) -> MapData {
        let mut pairs: Vec<(Value, Value)> = iter.into_iter().collect();
        if pairs.len() > SMALL_MAX {
            let mut t = Tree::new();
            for (k, v) in pairs {
                t.insert(k, v);
            }
            return if t.len() > SMALL_MAX {
                MapData(Repr::Large(t))
            } else {
                MapData(Repr::Small(t.into_iter().collect()))
            };
        }
        // Stable, so equal keys stay in arrival order; of each run of
        // equal keys the last value stays (in the first slot, which
        // `dedup_by` keeps). In place: a map literal allocates once.
        pairs.sort_by(|a, b| a.0.cmp(&b.0));
        pairs.dedup_by(|later, kept| {
            let same = later.0.cmp(&kept.0) == Ordering::Equal;
            if same {
                std::mem::swap(&mut later.1, &mut kept.1);
            }
            same
        });
        MapData(Repr::Small(pairs))
    }
}

impl Extend<(Value, Value)> for MapData {
    fn extend<I: IntoIterator<Item = (Value, Value)>>(&mut self, iter: I) {
        for (k, v) in iter {
            self.insert(k, v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn int(i: i64) -> Value {
        Value::Int(i)
    }

    #[test]
    fn small_and_large_agree_on_every_operation() {
        // Grow past SMALL_MAX and shrink again, in a scrambled order,
        // checking against a BTreeMap.
        let mut m = MapData::new();
        let mut model = std::collections::BTreeMap::new();
        for i in 0..100i64 {
            let k = (i * 37) % 101;
            assert_eq!(m.insert(int(k), int(i)), model.insert(k, i).map(int));
            let copy = m.update(int(k + 1000), int(0));
            assert_eq!(copy.len(), m.len() + 1);
            assert_eq!(m.len(), model.len());
            let keys: Vec<i64> = m
                .keys()
                .map(|k| match k {
                    Value::Int(i) => *i,
                    _ => unreachable!(),
                })
                .collect();
            assert_eq!(keys, model.keys().copied().collect::<Vec<_>>());
        }
        for k in 0..101i64 {
            assert_eq!(m.get(&int(k)).cloned(), model.get(&k).copied().map(int));
            let w = m.without(&int(k));
            assert_eq!(w.len(), m.len() - usize::from(model.contains_key(&k)));
        }
    }

    #[test]
    fn from_iter_keeps_the_last_of_equal_keys() {
        let m: MapData = [(int(2), int(1)), (int(1), int(1)), (int(2), int(9))]
            .into_iter()
            .collect();
        assert_eq!(m.len(), 2);
        assert_eq!(m.get(&int(2)), Some(&int(9)));
        let big: MapData = (0..50).chain(0..50).map(|i| (int(i), int(i))).collect();
        assert_eq!(big.len(), 50);
    }
}
