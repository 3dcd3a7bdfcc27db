//! The JSON codec on its own: round trips (proptest), depth, errors, the
//! pretty layout.

use super::decode::decode;
use super::encode::{encode, EncodeError};
use crate::value::{print, Atom, MapData, Value};
use proptest::prelude::*;

fn enc(v: &Value) -> String {
    match encode(v, false, usize::MAX) {
        Ok((s, _)) => s,
        Err(_) => panic!("not encodable: {}", print::inspect(v)),
    }
}

/// A JSON-able term and what decoding its text must give: atom keys and
/// atoms other than nil/true/false come back as strings.
fn jsonable() -> impl Strategy<Value = (Value, Value)> {
    let leaf = prop_oneof![
        any::<i64>().prop_map(|i| (Value::Int(i), Value::Int(i))),
        "[0-9]{19,40}".prop_map(|d| {
            let v = crate::value::number::parse_int(&d).unwrap();
            (v.clone(), v)
        }),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| (Value::Float(f), Value::Float(f))),
        "\\PC{0,8}".prop_map(|s| (Value::str(s.as_str()), Value::str(s.as_str()))),
        "[a-z]{1,6}".prop_map(|s| (Value::atom(&s), atom_back(&s))),
        Just((Value::NIL_ATOM, Value::NIL_ATOM)),
        any::<bool>().prop_map(|b| (Value::bool(b), Value::bool(b))),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(|xs| {
                let (a, b): (Vec<_>, Vec<_>) = xs.into_iter().unzip();
                (Value::list(a), Value::list(b))
            }),
            prop::collection::vec(("[a-z]{0,4}", any::<bool>(), inner), 0..6).prop_map(|es| {
                let (mut m, mut back) = (MapData::new(), MapData::new());
                for (k, as_atom, (v, vb)) in es {
                    let key = if as_atom && !k.is_empty() {
                        Value::atom(&k)
                    } else {
                        Value::str(k.as_str())
                    };
                    // An atom key and a string key of the same text would
                    // be one JSON key twice: keep the first.
                    if back.contains_key(&Value::str(k.as_str())) {
                        continue;
                    }
                    m.insert(key, v);
                    back.insert(Value::str(k.as_str()), vb);
                }
                (Value::map(m), Value::map(back))
            }),
        ]
    })
}

fn atom_back(s: &str) -> Value {
    match s {
        "nil" | "true" | "false" => Value::atom(s),
        _ => Value::str(s),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn decode_of_encode_gives_the_term_back((t, back) in jsonable(), pretty in any::<bool>()) {
        let (text, _) = encode(&t, pretty, usize::MAX).ok().unwrap();
        let got = decode(text.as_bytes()).unwrap();
        prop_assert!(got == back, "{} -> {} -> {}", print::inspect(&t), text, print::inspect(&got));
    }
}

#[test]
fn a_list_a_million_deep_encodes_on_a_small_stack() {
    let mut deep = Value::Nil;
    for _ in 0..1_000_000 {
        deep = Value::cons(deep, Value::Nil);
    }
    let (text, nodes) = encode(&deep, false, usize::MAX).ok().unwrap();
    assert_eq!(text.len(), 2_000_002);
    assert_eq!(nodes, 1_000_001);
    assert!(text.starts_with("[[[") && text.ends_with("]]]"));
    // And the budget stops an inline encode early.
    assert!(matches!(
        encode(&deep, false, 1000),
        Err(EncodeError::TooBig)
    ));
}

#[test]
fn deep_text_is_an_error_not_a_crash() {
    let text = "[".repeat(100_000);
    let e = decode(text.as_bytes()).unwrap_err();
    assert_eq!(
        print::inspect(&e),
        "((:syntax, \"recursion limit exceeded\"), 1, 128)"
    );
}

#[test]
fn what_json_cannot_hold_is_unsupported() {
    let t = Value::tuple(vec![Value::Int(1)]);
    let in_list = Value::list(vec![Value::Int(1), t]);
    match encode(&in_list, false, usize::MAX) {
        Err(EncodeError::Unsupported(v)) => assert_eq!(print::inspect(&v), "(1,)"),
        _ => panic!("a tuple encoded"),
    }
    let mut m = MapData::new();
    m.insert(Value::Int(1), Value::Int(2));
    assert!(matches!(
        encode(&Value::map(m), false, usize::MAX),
        Err(EncodeError::Unsupported(Value::Int(1)))
    ));
    let improper = Value::cons(Value::Int(1), Value::Int(2));
    assert!(matches!(
        encode(&improper, false, usize::MAX),
        Err(EncodeError::Unsupported(Value::Int(2)))
    ));
    assert!(matches!(
        encode(&Value::binary(vec![255]), false, usize::MAX),
        Err(EncodeError::Unsupported(_))
    ));
}

#[test]
fn pretty_layout_and_errors() {
    let mut m = MapData::new();
    m.insert(
        Value::atom("b"),
        Value::list(vec![Value::Int(1), Value::map(MapData::new())]),
    );
    m.insert(Value::str("a"), Value::Nil);
    let v = Value::map(m);
    assert_eq!(enc(&v), "{\"b\":[1,{}],\"a\":[]}");
    let (pretty, _) = encode(&v, true, usize::MAX).ok().unwrap();
    assert_eq!(
        pretty,
        "{\n  \"b\": [\n    1,\n    {}\n  ],\n  \"a\": []\n}"
    );
    assert_eq!(enc(&Value::str("é\"\n\u{1}")), "\"é\\\"\\n\\u0001\"");
    assert_eq!(enc(&Value::Atom(Atom::NIL)), "null");
    let e = decode(b"{\"a\": 1,}").unwrap_err();
    assert_eq!(print::inspect(&e), "((:syntax, \"trailing comma\"), 1, 9)");
    let e = decode(b"[1, 2").unwrap_err();
    assert_eq!(
        print::inspect(&e),
        "((:eof, \"EOF while parsing a list\"), 1, 5)"
    );
    let e = decode(b"1e999").unwrap_err();
    assert!(
        print::inspect(&e).starts_with("((:data, "),
        "{}",
        print::inspect(&e)
    );
    assert_eq!(
        print::inspect(&decode(b" 12345678901234567890123 ").unwrap()),
        "12345678901234567890123"
    );
    assert_eq!(print::inspect(&decode(b"-0.5e-3").unwrap()), "-0.0005");
}
