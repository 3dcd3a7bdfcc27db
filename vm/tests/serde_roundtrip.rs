//! serde round trips through `Term`: `from_term(to_term(x)) == x` for
//! nested structs, enums, options, maps and vectors (proptest), the term
//! shapes of the guide, the errors' paths, and the primitive conversions.
//! Uses only `reef_vm::` root items.

use std::collections::BTreeMap;

use proptest::prelude::*;
use reef_vm::{from_term, term, to_term, Term, TermError};
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
enum Shape {
    Empty,
    Circle(f64),
    Rect(i32, i32),
    Poly {
        points: Vec<(i16, i16)>,
        closed: bool,
    },
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
struct Meters(u32);

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
struct Inner {
    label: String,
    tag: Option<char>,
    big: u64,
    wide: i128,
    #[serde(with = "serde_bytes_like")]
    blob: Vec<u8>,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
struct Outer {
    id: i64,
    #[serde(rename = "kind")]
    shape: Shape,
    inner: Option<Inner>,
    items: Vec<Inner>,
    scores: BTreeMap<String, i8>,
    by_id: BTreeMap<u16, Option<Shape>>,
    pair: (bool, Meters),
    nothing: (),
}

/// `Vec<u8>` as a binary, as the `serde_bytes` crate does.
mod serde_bytes_like {
    use serde::{Deserializer, Serializer};
    pub fn serialize<S: Serializer>(b: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(b)
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Vec<u8>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a binary")
            }
            fn visit_bytes<E>(self, v: &[u8]) -> Result<Vec<u8>, E> {
                Ok(v.to_vec())
            }
        }
        d.deserialize_bytes(V)
    }
}

fn shape() -> impl Strategy<Value = Shape> {
    prop_oneof![
        Just(Shape::Empty),
        (-1e9f64..1e9).prop_map(Shape::Circle),
        (any::<i32>(), any::<i32>()).prop_map(|(a, b)| Shape::Rect(a, b)),
        (
            prop::collection::vec(any::<(i16, i16)>(), 0..4),
            any::<bool>()
        )
            .prop_map(|(points, closed)| Shape::Poly { points, closed }),
    ]
}

fn inner() -> impl Strategy<Value = Inner> {
    (
        ".{0,8}",
        prop::option::of(any::<char>()),
        any::<u64>(),
        any::<i128>(),
        prop::collection::vec(any::<u8>(), 0..6),
    )
        .prop_map(|(label, tag, big, wide, blob)| Inner {
            label,
            tag,
            big,
            wide,
            blob,
        })
}

fn outer() -> impl Strategy<Value = Outer> {
    (
        any::<i64>(),
        shape(),
        prop::option::of(inner()),
        prop::collection::vec(inner(), 0..3),
        prop::collection::btree_map(".{0,4}", any::<i8>(), 0..4),
        prop::collection::btree_map(any::<u16>(), prop::option::of(shape()), 0..4),
        (any::<bool>(), any::<u32>()),
    )
        .prop_map(|(id, shape, inner, items, scores, by_id, (b, m))| Outer {
            id,
            shape,
            inner,
            items,
            scores,
            by_id,
            pair: (b, Meters(m)),
            nothing: (),
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn nested_values_round_trip(x in outer()) {
        let t = to_term(&x).unwrap();
        let back: Outer = from_term(&t).unwrap();
        prop_assert_eq!(&back, &x);
        // Through a process value and back, too (what a call does).
        let t2 = Term::map(t.pairs().unwrap().to_vec());
        prop_assert_eq!(from_term::<Outer>(&t2).unwrap(), x);
    }

    #[test]
    fn vectors_of_enums_round_trip(v in prop::collection::vec(prop::option::of(shape()), 0..8)) {
        let t = to_term(&v).unwrap();
        prop_assert_eq!(t.items().map(<[Term]>::len), Some(v.len()));
        prop_assert_eq!(from_term::<Vec<Option<Shape>>>(&t).unwrap(), v);
    }

    #[test]
    fn integers_of_every_width_round_trip(a in any::<i128>(), b in any::<u128>(), c in any::<u64>()) {
        prop_assert_eq!(from_term::<i128>(&to_term(&a).unwrap()).unwrap(), a);
        prop_assert_eq!(from_term::<u128>(&to_term(&b).unwrap()).unwrap(), b);
        let t = to_term(&c).unwrap();
        prop_assert_eq!(matches!(t, Term::BigInt(_)), c > i64::MAX as u64);
        prop_assert_eq!(u64::try_from(&t).unwrap(), c);
    }
}

#[test]
fn the_shapes_of_the_guide() {
    #[derive(Serialize)]
    struct Tup(i32, bool);
    assert_eq!(to_term(&Shape::Empty).unwrap(), term!(:Empty));
    assert_eq!(to_term(&Shape::Circle(1.5)).unwrap(), term!((:Circle, 1.5)));
    assert_eq!(to_term(&Shape::Rect(1, 2)).unwrap(), term!((:Rect, 1, 2)));
    assert_eq!(
        to_term(&Shape::Poly {
            points: vec![(1, 2)],
            closed: true
        })
        .unwrap(),
        term!((:Poly, #{points: [(1, 2)], closed: true}))
    );
    assert_eq!(to_term(&None::<i32>).unwrap(), term!(nil));
    assert_eq!(to_term(&Some(3)).unwrap(), term!(3));
    assert_eq!(to_term(&()).unwrap(), term!(nil));
    assert_eq!(to_term(&Meters(7)).unwrap(), term!(7));
    assert_eq!(to_term(&Tup(1, false)).unwrap(), term!((1, false)));
    assert_eq!(to_term(&'x').unwrap(), term!("x"));
    assert_eq!(to_term(&vec![1, 2]).unwrap(), term!([1, 2]));
    let m: BTreeMap<&str, i32> = [("b", 2), ("a", 1)].into();
    assert_eq!(to_term(&m).unwrap(), term!(#{"a" => 1, "b" => 2}));
    assert_eq!(
        to_term(&u64::MAX).unwrap().to_string(),
        "18446744073709551615"
    );
    // A Term inside a struct keeps its atoms.
    #[derive(Serialize)]
    struct Wrap {
        t: Term,
    }
    let w = Wrap {
        t: term!((:ok, [:a, "b"], #{x: nil})),
    };
    assert_eq!(
        to_term(&w).unwrap(),
        term!(#{t: (:ok, [:a, "b"], #{x: nil})})
    );
}

#[test]
fn errors_say_what_where_and_what_was_found() {
    #[derive(Deserialize, Debug)]
    #[allow(dead_code)]
    struct Player {
        name: String,
        score: u8,
    }
    #[derive(Deserialize, Debug)]
    #[allow(dead_code)]
    struct Game {
        players: Vec<Player>,
    }
    let t = term!(#{players: [
        #{name: "a", score: 1},
        #{name: "b", score: 2},
        #{name: :c, score: 3},
    ]});
    let e: TermError = from_term::<Game>(&t).unwrap_err();
    assert_eq!(e.path, ".players[2].name");
    assert_eq!(e.expected, "a string");
    assert_eq!(e.found, ":c");
    assert_eq!(
        e.to_string(),
        "expected a string, found :c at .players[2].name"
    );

    let t = term!(#{players: [#{name: "a", score: 300}]});
    let e = from_term::<Game>(&t).unwrap_err();
    assert_eq!(e.path, ".players[0].score");
    assert_eq!(e.expected, "u8");

    let e = from_term::<Game>(&term!(#{players: [#{name: "a"}]})).unwrap_err();
    assert_eq!(e.path, ".players[0]");
    assert!(e.expected.contains("missing field `score`"), "{e}");

    let e = from_term::<Shape>(&term!((:Hexagon, 1))).unwrap_err();
    assert!(e.expected.contains("unknown variant `Hexagon`"), "{e}");
    let e = from_term::<Shape>(&term!(42)).unwrap_err();
    assert_eq!(e.found, "42");
    let e = from_term::<(i32, i32)>(&term!((1, "x"))).unwrap_err();
    assert_eq!((e.path.as_str(), e.found.as_str()), ("[1]", r#""x""#));
}

#[test]
fn primitives_convert_both_ways() {
    assert_eq!(i64::try_from(term!(-5)).unwrap(), -5);
    assert_eq!(u8::try_from(&term!(255)).unwrap(), 255);
    assert!(u8::try_from(&term!(256)).is_err());
    assert!(i32::try_from(&term!("1")).is_err());
    assert_eq!(f64::try_from(&term!(2.5)).unwrap(), 2.5);
    assert!(bool::try_from(&term!(true)).unwrap());
    assert!(bool::try_from(&term!(:yes)).is_err());
    assert_eq!(String::try_from(term!("hé")).unwrap(), "hé");
    assert_eq!(
        Vec::<u8>::try_from(&Term::from(vec![0xff, 0])).unwrap(),
        vec![0xff, 0]
    );
    assert_eq!(Vec::<u8>::try_from(&term!("ab")).unwrap(), b"ab".to_vec());
    assert_eq!(Term::from(Some(1u8)), term!(1));
    assert_eq!(Term::from(None::<u8>), term!(nil));
    assert_eq!(Term::from(u128::MAX).to_string(), u128::MAX.to_string());
}

#[test]
fn accessors_read_nested_terms() {
    let t = term!((:ok, #{name: "x", n: 3, f: 1.5, on: false, tags: [:a, :b]}));
    let [tag, body] = t.elements().unwrap() else {
        panic!("a pair")
    };
    assert_eq!(tag.as_atom(), Some("ok"));
    assert_eq!(body.get("name").and_then(Term::as_str), Some("x"));
    assert_eq!(body.get("n").and_then(Term::as_int), Some(3));
    assert_eq!(body.get("f").and_then(Term::as_float), Some(1.5));
    assert_eq!(body.get("on").and_then(Term::as_bool), Some(false));
    let tags = body.get("tags").and_then(Term::items).unwrap();
    assert_eq!(
        tags.iter().filter_map(Term::as_atom).collect::<Vec<_>>(),
        ["a", "b"]
    );
    assert!(body.get("name").unwrap().as_int().is_none());
    assert!(t.get("name").is_none());
    assert!(term!(nil).is_nil());
    assert_eq!(term!(:"two words").to_string(), r#":"two words""#);
}
