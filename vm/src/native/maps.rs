//! `maps`, the natives: the rest of the module (fold, map, filter) is Reef,
//! in stdlib/lib/maps.reef. A map argument that is not a map is
//! `(:badmap, v)`; a missing key for `get/2` is `(:badkey, k)`.

use super::{list, map, new_map};
use crate::exports::{NativeFn, OwningFn};
use crate::interp::Exception;
use crate::value::{Atom, MapData, Value};

pub const NATIVES: &[(&str, u32, NativeFn)] = &[
    ("new", 0, |_, _| Ok(new_map(MapData::new()))),
    ("get", 2, |_, a| {
        first_map(a, "get/2", "maps.get(m, k)")?;
        map(&a[0])?
            .get(&a[1])
            .cloned()
            .ok_or_else(|| Exception::tagged(Atom::BADKEY, a[1].clone()))
    }),
    ("get", 3, |_, a| {
        first_map(a, "get/3", "maps.get(m, k, default)")?;
        Ok(map(&a[0])?
            .get(&a[1])
            .cloned()
            .unwrap_or_else(|| a[2].clone()))
    }),
    ("has_key", 2, |_, a| {
        first_map(a, "has_key/2", "maps.has_key(m, k)")?;
        Ok(Value::bool(map(&a[0])?.contains_key(&a[1])))
    }),
    ("keys", 1, |_, a| {
        Ok(Value::list(map(&a[0])?.keys().cloned().collect::<Vec<_>>()))
    }),
    ("values", 1, |_, a| {
        Ok(Value::list(
            map(&a[0])?.values().cloned().collect::<Vec<_>>(),
        ))
    }),
    ("to_list", 1, |_, a| {
        let pairs: Vec<Value> = map(&a[0])?
            .iter()
            .map(|(k, v)| Value::tuple(vec![k.clone(), v.clone()]))
            .collect();
        Ok(Value::list(pairs))
    }),
    ("from_list", 1, |_, a| {
        let mut m = MapData::new();
        for pair in list(&a[0])? {
            match pair.as_tuple() {
                Some([k, v]) => {
                    m.insert(k.clone(), v.clone());
                }
                _ => return Err(Exception::badarg()),
            }
        }
        Ok(new_map(m))
    }),
    ("size", 1, |_, a| Ok(Value::Int(map(&a[0])?.len() as i64))),
    ("find", 2, |_, a| {
        Ok(match map(&a[0])?.get(&a[1]) {
            Some(v) => Value::tuple(vec![Value::OK, v.clone()]),
            None => Value::Atom(Atom::ERROR),
        })
    }),
    ("take", 2, |ctx, a| {
        // Elixir's `Map.take`: the entries of the keys that are present.
        let (m, keys) = (map(&a[0])?, list(&a[1])?);
        ctx.charge(keys.len() / 4);
        let mut out = MapData::new();
        for k in keys {
            if let Some(v) = m.get(&k) {
                out.insert(k, v.clone());
            }
        }
        Ok(new_map(out))
    }),
];

/// The natives that update a map (`put`, `update`, `merge`, `remove`):
/// given the map at its last use (moved, count 1) they change it in
/// place; a map still referenced elsewhere is copied, so no other
/// reference ever sees the change.
pub const OWNING: &[(&str, u32, OwningFn)] = &[
    ("put", 3, |ctx, a| {
        first_map(a, "put/3", "maps.put(m, k, v)")?;
        if let [Value::Map(m), k, v] = a {
            if let Some(data) = m.get_mut() {
                let old = data.insert(std::mem::take(k), std::mem::take(v));
                ctx.allocated = Some(if old.is_none() { 4 } else { 0 });
                return Ok(std::mem::take(&mut a[0]));
            }
        }
        Ok(new_map(map(&a[0])?.update(a[1].clone(), a[2].clone())))
    }),
    ("update", 3, |ctx, a| {
        if !map(&a[0])?.contains_key(&a[1]) {
            return Err(Exception::tagged(Atom::BADKEY, std::mem::take(&mut a[1])));
        }
        if let [Value::Map(m), k, v] = a {
            if let Some(data) = m.get_mut() {
                data.insert(std::mem::take(k), std::mem::take(v));
                ctx.allocated = Some(0);
                return Ok(std::mem::take(&mut a[0]));
            }
        }
        Ok(new_map(map(&a[0])?.update(a[1].clone(), a[2].clone())))
    }),
    // `merge(m1, m2)`: m2's value wins for a key in both. A unique m1
    // takes m2's entries in place (a small m2 into a big m1 costs m2's
    // size, not m1's).
    ("merge", 2, |ctx, a| {
        map(&a[0])?;
        map(&a[1])?;
        if let [Value::Map(m1), Value::Map(m2)] = a {
            if let Some(data) = m1.get_mut() {
                let before = data.len();
                for (k, v) in m2.iter() {
                    data.insert(k.clone(), v.clone());
                }
                ctx.allocated = Some(4 * (data.len() - before));
                ctx.charge(m2.len() / 16);
                return Ok(std::mem::take(&mut a[0]));
            }
        }
        let (m1, m2) = (map(&a[0])?, map(&a[1])?);
        Ok(new_map(m2.clone().union(m1.clone())))
    }),
    ("remove", 2, |ctx, a| {
        first_map(a, "remove/2", "maps.remove(m, k)")?;
        if let [Value::Map(m), k] = a {
            if let Some(data) = m.get_mut() {
                data.remove(k);
                ctx.allocated = Some(0);
                return Ok(std::mem::take(&mut a[0]));
            }
        }
        Ok(new_map(map(&a[0])?.without(&a[1])))
    }),
];

/// Erlang's order (`maps.get(k, m)`): the map is not first but later.
/// Raises `(:badarg, "maps.get/2: the map comes first: maps.get(m, k)")`
/// (spec 8.4), not the `(:badmap, k)` that would blame the key.
fn first_map(a: &[Value], name: &str, usage: &str) -> Result<(), Exception> {
    let later_map = a.iter().skip(1).any(|v| matches!(v, Value::Map(_)));
    if matches!(a[0], Value::Map(_)) || !later_map {
        return Ok(());
    }
    Err(Exception::tagged(
        Atom::BADARG,
        Value::str(format!("maps.{name}: the map comes first: {usage}")),
    ))
}
