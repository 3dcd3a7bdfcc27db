//! The ETF serializer and deserializer: the shapes, byte for byte where
//! the shape is the point, round trips for the rest, and refusals.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::etf::tag;
use crate::{from_etf, to_etf, Atom, Binary};

#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct Point {
    x: i64,
    y: i64,
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
#[serde(rename_all = "snake_case")]
enum Shape {
    Empty,
    Circle(f64),
    Rect(i64, i64),
    Named { name: String, at: Point },
}

fn round<T: Serialize + for<'de> Deserialize<'de> + PartialEq + std::fmt::Debug>(v: T) {
    let bytes = to_etf(&v).expect("encodes");
    assert_eq!(from_etf::<T>(&bytes).expect("decodes"), v, "{bytes:?}");
}

#[test]
fn scalars_have_erlangs_encodings() {
    assert_eq!(to_etf(&5u8).unwrap(), [131, tag::SMALL_INTEGER, 5]);
    assert_eq!(
        to_etf(&-1i64).unwrap(),
        [131, tag::INTEGER, 255, 255, 255, 255]
    );
    // Beyond 32 bits: SMALL_BIG, little-endian digits.
    assert_eq!(
        to_etf(&(1u64 << 40)).unwrap(),
        [131, tag::SMALL_BIG, 6, 0, 0, 0, 0, 0, 0, 1]
    );
    assert_eq!(
        to_etf(&true).unwrap(),
        [131, tag::SMALL_ATOM_UTF8, 4, b't', b'r', b'u', b'e']
    );
    assert_eq!(
        to_etf(&()).unwrap(),
        [131, tag::SMALL_ATOM_UTF8, 3, b'n', b'i', b'l']
    );
    assert_eq!(to_etf(&None::<i64>).unwrap(), to_etf(&()).unwrap());
    assert_eq!(
        to_etf("hi").unwrap(),
        [131, tag::BINARY, 0, 0, 0, 2, b'h', b'i']
    );
    assert_eq!(
        to_etf(&Binary(vec![0xff])).unwrap(),
        [131, tag::BINARY, 0, 0, 0, 1, 0xff]
    );
    assert_eq!(to_etf(&Vec::<i64>::new()).unwrap(), [131, tag::NIL]);
    assert_eq!(
        to_etf(&vec![1u8, 2]).unwrap(),
        [
            131,
            tag::LIST,
            0,
            0,
            0,
            2,
            tag::SMALL_INTEGER,
            1,
            tag::SMALL_INTEGER,
            2,
            tag::NIL
        ]
    );
}

#[test]
fn structs_are_maps_with_atom_keys_and_variants_tagged_tuples() {
    let p = to_etf(&Point { x: 1, y: 2 }).unwrap();
    assert_eq!(
        p,
        [
            131,
            tag::MAP,
            0,
            0,
            0,
            2,
            tag::SMALL_ATOM_UTF8,
            1,
            b'x',
            tag::SMALL_INTEGER,
            1,
            tag::SMALL_ATOM_UTF8,
            1,
            b'y',
            tag::SMALL_INTEGER,
            2
        ]
    );
    assert_eq!(
        to_etf(&Shape::Empty).unwrap(),
        [131, tag::SMALL_ATOM_UTF8, 5, b'e', b'm', b'p', b't', b'y']
    );
    let c = to_etf(&Shape::Circle(1.5)).unwrap();
    assert_eq!(&c[..4], [131, tag::SMALL_TUPLE, 2, tag::SMALL_ATOM_UTF8]);
    assert_eq!(c[c.len() - 9], tag::NEW_FLOAT);
    let r = to_etf(&Shape::Rect(3, 4)).unwrap();
    assert_eq!(&r[..3], [131, tag::SMALL_TUPLE, 3]);
}

#[test]
fn values_round_trip() {
    round(Point { x: -7, y: i64::MAX });
    round(Shape::Empty);
    round(Shape::Circle(-0.25));
    round(Shape::Rect(i64::MIN, 0));
    round(Shape::Named {
        name: "ünï".into(),
        at: Point { x: 1, y: 2 },
    });
    round(Some(Some(3u32)));
    round(None::<String>);
    round((1i8, "two".to_string(), Binary(vec![0, 0xff]), true));
    round(vec![vec![1u16], vec![], vec![2, 3]]);
    round(BTreeMap::from([
        ("a".to_string(), 1i64),
        ("b".to_string(), 2),
    ]));
    round(u64::MAX);
    round(i128::MIN);
    round(u128::MAX);
    round('é');
    round(());
}

#[test]
fn a_binary_takes_a_string_too_but_a_string_takes_only_text() {
    let text = to_etf("abc").unwrap();
    assert_eq!(from_etf::<Binary>(&text).unwrap(), Binary(b"abc".to_vec()));
    let bytes = to_etf(&Binary(vec![0xff])).unwrap();
    let e = from_etf::<String>(&bytes).unwrap_err();
    assert!(e.message().contains("not UTF-8"), "{e}");
    let e = from_etf::<String>(&to_etf(&5).unwrap()).unwrap_err();
    assert_eq!(e.message(), "expected a string, got an integer");
}

#[test]
fn bad_bytes_are_errors_not_panics() {
    for bad in [
        &[][..],
        &[130, tag::NIL],
        &[131],
        &[131, tag::BINARY, 0, 0, 0, 9, b'a'],
        &[131, tag::LIST, 255, 255, 255, 255, tag::NIL],
        &[131, tag::SMALL_TUPLE, 2, tag::NIL],
        &[131, 88, 0, 0],
        &[
            131,
            tag::SMALL_BIG,
            20,
            0,
            1,
            1,
            1,
            1,
            1,
            1,
            1,
            1,
            1,
            1,
            1,
            1,
            1,
            1,
            1,
            1,
            1,
            1,
            1,
            1,
        ],
    ] {
        assert!(from_etf::<Vec<i64>>(bad).is_err(), "{bad:?}");
        assert!(from_etf::<(i64, i64)>(bad).is_err(), "{bad:?}");
        assert!(from_etf::<u128>(bad).is_err(), "{bad:?}");
    }
    // Bytes after the term.
    assert!(from_etf::<i64>(&[131, tag::SMALL_INTEGER, 1, 0]).is_err());
    // A tuple of the wrong size, an improper list.
    assert!(from_etf::<(i64, i64)>(&to_etf(&(1, 2, 3)).unwrap()).is_err());
    let improper = [
        131,
        tag::LIST,
        0,
        0,
        0,
        1,
        tag::SMALL_INTEGER,
        1,
        tag::SMALL_INTEGER,
        2,
    ];
    assert!(from_etf::<Vec<i64>>(&improper).is_err());
    // Out of range for the type.
    assert!(from_etf::<u8>(&to_etf(&256).unwrap()).is_err());
    assert!(to_etf(&f64::NAN).is_err());
}

#[test]
fn nesting_is_bounded() {
    // 10,000 nested one-element lists: refused past MAX_DEPTH, no stack
    // overflow.
    let mut b = vec![131];
    for _ in 0..10_000 {
        b.extend_from_slice(&[tag::LIST, 0, 0, 0, 1]);
    }
    b.push(tag::NIL);
    b.extend(std::iter::repeat_n(tag::NIL, 10_000));
    let e = from_etf::<serde::de::IgnoredAny>(&b).unwrap_err();
    assert!(e.message().contains("nested deeper"), "{e}");
}

#[test]
fn atoms_known_at_run_time() {
    let ok = Atom::from("ok");
    assert_eq!(
        to_etf(&ok).unwrap(),
        [131, tag::SMALL_ATOM_UTF8, 2, b'o', b'k']
    );
    round(vec![Atom::from("a"), Atom::from("ünï")]);
    round((Atom::from("x"), "x".to_string()));
    // An atom argument takes an atom, not a string.
    assert!(from_etf::<Atom>(&to_etf("ok").unwrap()).is_err());
    // After an atom, strings are strings again.
    let b = to_etf(&(Atom::from("k"), "v")).unwrap();
    assert_eq!(b[b.len() - 6], tag::BINARY);
}
