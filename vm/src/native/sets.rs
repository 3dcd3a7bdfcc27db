//! `sets`, the natives (spec 8.15): a set is a map whose keys are its
//! elements and whose values are all `true`, so sets compare with `==`
//! and print as maps; `filter`, `map` and `fold` are Reef
//! (`stdlib/lib/sets.reef`). A set argument that is not a map is
//! `(:badmap, v)`.

use super::{list, map};
use crate::exports::NativeFn;
use crate::value::{MapData, Value};

pub const NATIVES: &[(&str, u32, NativeFn)] = &[
    ("new", 0, |_, _| Ok(Value::map(MapData::new()))),
    ("from_list", 1, |ctx, a| {
        let xs = list(&a[0])?;
        ctx.charge(xs.len() / 4);
        Ok(Value::map(
            xs.into_iter().map(|x| (x, Value::TRUE)).collect(),
        ))
    }),
    ("to_list", 1, |ctx, a| {
        let m = map(&a[0])?;
        ctx.charge(m.len() / 4);
        Ok(Value::list(m.keys().cloned().collect::<Vec<_>>()))
    }),
    ("add", 2, |_, a| {
        Ok(Value::map(map(&a[0])?.update(a[1].clone(), Value::TRUE)))
    }),
    ("delete", 2, |_, a| {
        Ok(Value::map(map(&a[0])?.without(&a[1])))
    }),
    ("member", 2, |_, a| {
        Ok(Value::bool(map(&a[0])?.contains_key(&a[1])))
    }),
    ("size", 1, |_, a| Ok(Value::Int(map(&a[0])?.len() as i64))),
    ("union", 2, |ctx, a| {
        let (x, y) = (map(&a[0])?, map(&a[1])?);
        ctx.charge(x.len().min(y.len()) / 4);
        Ok(Value::map(x.clone().union(y.clone())))
    }),
    ("intersection", 2, |ctx, a| {
        let (x, y) = small_first(map(&a[0])?, map(&a[1])?);
        ctx.charge(x.len() / 4);
        let m: MapData = x
            .keys()
            .filter(|k| y.contains_key(k))
            .map(|k| (k.clone(), Value::TRUE))
            .collect();
        Ok(Value::map(m))
    }),
    ("difference", 2, |ctx, a| {
        let (x, y) = (map(&a[0])?, map(&a[1])?);
        if y.len() < x.len() {
            ctx.charge(y.len() / 4);
            let mut out = x.clone();
            for k in y.keys() {
                out.remove(k);
            }
            return Ok(Value::map(out));
        }
        ctx.charge(x.len() / 4);
        let m: MapData = x
            .keys()
            .filter(|k| !y.contains_key(k))
            .map(|k| (k.clone(), Value::TRUE))
            .collect();
        Ok(Value::map(m))
    }),
    ("is_subset", 2, |ctx, a| {
        let (x, y) = (map(&a[0])?, map(&a[1])?);
        ctx.charge(x.len() / 4);
        Ok(Value::bool(
            x.len() <= y.len() && x.keys().all(|k| y.contains_key(k)),
        ))
    }),
];

fn small_first<'m>(x: &'m MapData, y: &'m MapData) -> (&'m MapData, &'m MapData) {
    if x.len() <= y.len() {
        (x, y)
    } else {
        (y, x)
    }
}
