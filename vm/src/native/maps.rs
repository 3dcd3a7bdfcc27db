//! `maps`, the natives: the rest of the module (fold, map, filter) is Reef,
//! in stdlib/lib/maps.reef. A map argument that is not a map is
//! `(:badmap, v)`; a missing key for `get/2` is `(:badkey, k)`.

use super::{list, map, new_map};
use crate::exports::NativeFn;
use crate::interp::Exception;
use crate::value::{Atom, MapData, Value};

pub const NATIVES: &[(&str, u32, NativeFn)] = &[
    ("new", 0, |_, _| Ok(new_map(MapData::new()))),
    ("get", 2, |_, a| {
        map(&a[0])?
            .get(&a[1])
            .cloned()
            .ok_or_else(|| Exception::tagged(Atom::BADKEY, a[1].clone()))
    }),
    ("get", 3, |_, a| {
        Ok(map(&a[0])?
            .get(&a[1])
            .cloned()
            .unwrap_or_else(|| a[2].clone()))
    }),
    ("put", 3, |_, a| {
        Ok(new_map(map(&a[0])?.update(a[1].clone(), a[2].clone())))
    }),
    ("remove", 2, |_, a| Ok(new_map(map(&a[0])?.without(&a[1])))),
    ("has_key", 2, |_, a| {
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
    ("merge", 2, |_, a| {
        let (m1, m2) = (map(&a[0])?, map(&a[1])?);
        Ok(new_map(m2.clone().union(m1.clone())))
    }),
    ("size", 1, |_, a| Ok(Value::Int(map(&a[0])?.len() as i64))),
];
