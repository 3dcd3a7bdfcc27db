//! The grammar generator: random programs that are mostly well-formed
//! (built from a small grammar, with names that may or may not be bound).
//! Used by `no_panic.rs` (nothing panics) and `format.rs` (`reef fmt`
//! keeps the AST).

use proptest::prelude::*;

/// Variables: every generated function takes all of them as parameters,
/// so most programs resolve.
pub fn name() -> impl Strategy<Value = String> {
    prop_oneof![Just("x"), Just("y"), Just("acc"), Just("n"), Just("f")].prop_map(String::from)
}

pub fn literal() -> impl Strategy<Value = String> {
    prop_oneof![
        (-5i64..5).prop_map(|i| i.to_string()),
        Just("12345678901234567890123".to_string()),
        Just("1.5".to_string()),
        Just(":ok".to_string()),
        Just(":error".to_string()),
        Just("\"s#{x}\"".to_string()),
        Just("\"text\"".to_string()),
        Just("nil".to_string()),
        Just("[]".to_string()),
        Just("()".to_string()),
    ]
}

pub fn pattern() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        name(),
        Just("_".to_string()),
        literal().prop_filter("no interpolation", |s| !s.contains('#')),
        name().prop_map(|n| format!("^{n}"))
    ];
    leaf.prop_recursive(3, 12, 3, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..3)
                .prop_map(|ps| format!("({})", tuple_items(ps))),
            (
                proptest::collection::vec(inner.clone(), 1..3),
                inner.clone()
            )
                .prop_map(|(ps, t)| format!("[{} | {t}]", ps.join(", "))),
            proptest::collection::vec(inner.clone(), 0..3)
                .prop_map(|ps| format!("[{}]", ps.join(", "))),
            inner.clone().prop_map(|p| format!("#{{:k => {p}}}")),
        ]
    })
}

fn tuple_items(ps: Vec<String>) -> String {
    if ps.len() == 1 {
        format!("{},", ps[0])
    } else {
        ps.join(", ")
    }
}

pub fn expr() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        name(),
        literal(),
        Just("self()".to_string()),
        Just("&g/1".to_string())
    ];
    leaf.prop_recursive(4, 40, 4, |e| {
        let op = prop_oneof![
            Just("+"),
            Just("-"),
            Just("*"),
            Just("/"),
            Just("div"),
            Just("rem"),
            Just("=="),
            Just("<"),
            Just("and"),
            Just("or"),
            Just("++"),
            Just("<>"),
            Just("!")
        ];
        prop_oneof![
            (e.clone(), op, e.clone()).prop_map(|(a, o, b)| format!("({a} {o} {b})")),
            proptest::collection::vec(e.clone(), 0..3)
                .prop_map(|es| format!("({})", tuple_items(es))),
            proptest::collection::vec(e.clone(), 0..3)
                .prop_map(|es| format!("[{}]", es.join(", "))),
            (e.clone(), e.clone()).prop_map(|(k, v)| format!("#{{{k} => {v}}}")),
            (name(), e.clone()).prop_map(|(m, v)| format!("#{{{m} | :a => {v}}}")),
            proptest::collection::vec(e.clone(), 0..3)
                .prop_map(|es| format!("g({})", es.join(", "))),
            proptest::collection::vec(e.clone(), 0..2)
                .prop_map(|es| format!("f({})", es.join(", "))),
            e.clone().prop_map(|a| format!("lists.reverse({a})")),
            (pattern(), e.clone(), e.clone())
                .prop_map(|(p, a, b)| format!("{{\n let {p} = {a}\n {b}\n}}")),
            e.clone().prop_map(|b| format!("fn(x, y) {{ {b} }}")),
            (e.clone(), e.clone(), e.clone())
                .prop_map(|(c, a, b)| format!("if {c} {{ {a} }} else {{ {b} }}")),
            (e.clone(), pattern(), e.clone(), pattern(), e.clone()).prop_map(
                |(s, p1, a, p2, b)| {
                    format!("case {s} {{\n {p1} when is_int(x) => {a}\n {p2} => {b}\n}}")
                }
            ),
            (pattern(), e.clone(), e.clone())
                .prop_map(|(p, a, t)| format!("receive {{ {p} => {a} }} after {t} => :late")),
            (e.clone(), pattern(), e.clone())
                .prop_map(|(b, p, h)| format!("try {{ {b} }} catch {{ (:error, {p}) => {h} }}")),
            e.clone().prop_map(|a| format!("{a} |> g()")),
        ]
    })
}

pub fn program() -> impl Strategy<Value = String> {
    (pattern(), expr(), pattern(), expr(), expr()).prop_map(|(p1, b1, p2, b2, m)| {
        let params = "x, y, acc, n, f";
        format!(
            "fn g() {{ 0 }}\nfn g(a) {{ a }}\nfn g(a, _b) {{ a }}\n\
             pub fn m({params}, {p1}) {{ {b1} }}\n\
             pub fn m({params}, {p2}) when x > 0 {{ {b2} }}\n\
             fn k({params}) {{ {m} }}\n\
             pub fn main() {{ k(1, 2, 3, 4, &g/1) }}\n"
        )
    })
}
