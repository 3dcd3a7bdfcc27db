//! The codec against a real `erl`: one `erl` run prints
//! `term_to_binary` of a corpus of terms (hex), which must decode to the
//! Reef values we expect, and checks with `=:=` that our encodings of
//! those values read back (`binary_to_term`) as the same terms.

use std::fmt::Write as _;
use std::process::Command;

use num_bigint::BigInt;

use super::tests::{dec, enc};
use super::*;
use crate::value::{MapData, Pid, Value};

/// (Erlang expression, the Reef value it is).
fn corpus() -> Vec<(&'static str, Value)> {
    let int = Value::Int;
    let big = Value::from_bigint;
    let seq = |a: i64, b: i64| Value::list((a..=b).map(Value::Int).collect::<Vec<_>>());
    let map = |pairs: Vec<(Value, Value)>| {
        let mut m = MapData::new();
        for (k, v) in pairs {
            m.insert(k, v);
        }
        Value::map(m)
    };
    vec![
        ("0", int(0)),
        ("255", int(255)),
        ("256", int(256)),
        ("-1", int(-1)),
        ("2147483647", int(2147483647)),
        ("-2147483648", int(-2147483648)),
        ("2147483648", int(2147483648)),
        ("9223372036854775807", int(i64::MAX)),
        ("-9223372036854775808", int(i64::MIN)),
        ("9223372036854775808", big(BigInt::from(1u64 << 63))),
        ("-(1 bsl 200)", big(-(BigInt::from(1) << 200usize))),
        ("1 bsl 2100", big(BigInt::from(1) << 2100usize)),
        ("0.0", Value::Float(0.0)),
        ("1.5", Value::Float(1.5)),
        ("-3.25e-300", Value::Float(-3.25e-300)),
        ("1.0e300", Value::Float(1.0e300)),
        ("0.1", Value::Float(0.1)),
        ("ok", Value::atom("ok")),
        ("nil", Value::NIL_ATOM),
        ("true", Value::TRUE),
        ("false", Value::FALSE),
        ("'hello world'", Value::atom("hello world")),
        ("list_to_atom([104,233,108,108,111])", Value::atom("héllo")),
        ("list_to_atom([26085,26412])", Value::atom("日本")),
        ("<<>>", Value::str("")),
        ("<<\"hello\">>", Value::str("hello")),
        ("<<104,195,169>>", Value::str("hé")),
        ("<<1,2,255>>", Value::binary(vec![1, 2, 255])),
        ("[]", Value::Nil),
        ("[1,2,3]", seq(1, 3)),
        ("\"abc\"", Value::list([97, 98, 99].map(Value::Int))),
        ("lists:seq(1,300)", seq(1, 300)),
        (
            "lists:duplicate(70000, 7)",
            Value::list(vec![int(7); 70000]),
        ),
        ("[1|2]", Value::cons(int(1), int(2))),
        (
            "[a,b|<<\"c\">>]",
            Value::list_with_tail([Value::atom("a"), Value::atom("b")], Value::str("c")),
        ),
        ("{}", Value::tuple(vec![])),
        ("{1,a}", Value::tuple(vec![int(1), Value::atom("a")])),
        (
            "list_to_tuple(lists:seq(1,300))",
            Value::tuple((1..=300).map(Value::Int).collect()),
        ),
        ("#{}", map(vec![])),
        (
            "#{a => 1, <<\"k\">> => [1.0]}",
            map(vec![
                (Value::atom("a"), int(1)),
                (Value::str("k"), Value::list([Value::Float(1.0)])),
            ]),
        ),
        (
            "maps:from_list([{N, N * N} || N <- lists:seq(1, 40)])",
            map((1..=40).map(|n| (int(n), int(n * n))).collect()),
        ),
        (
            "{[#{x => {<<>>, []}}], [a|b], {<<0,200>>, -7}}",
            Value::tuple(vec![
                Value::list([map(vec![(
                    Value::atom("x"),
                    Value::tuple(vec![Value::str(""), Value::Nil]),
                )])]),
                Value::cons(Value::atom("a"), Value::atom("b")),
                Value::tuple(vec![Value::binary(vec![0, 200]), int(-7)]),
            ]),
        ),
        (
            "fun lists:map/2",
            Value::Fun(std::rc::Rc::new(crate::value::Closure::External {
                module: Atom::new("lists"),
                name: Atom::new("map"),
                arity: 2,
            })),
        ),
    ]
}

fn hex(b: &[u8]) -> String {
    b.iter().fold(String::new(), |mut s, x| {
        let _ = write!(s, "{x:02X}");
        s
    })
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex from erl"))
        .collect()
}

#[test]
fn erl_agrees_with_our_codec() {
    let nodes = NodeTable::new();
    // Not erl's `nonode@nohost`: erl's own pids and references must come
    // out as another node's.
    nodes.set_local(Atom::new("reef@host"), 1);
    let corpus = corpus();
    // A remote pid of ours: erl must see a pid of that node.
    let other = nodes.intern(Atom::new("other@host"), 3).unwrap();
    let pid = enc(&Value::Pid(Pid::remote(other, 77, 4)), &nodes);
    // A Reef lambda: erl takes it as a fun of arity 1 and sends it back
    // (inside a tuple of its own pid, reference, port and fun).
    let module = super::tests::loaded("pub fn make(x) { fn(y) { x + y } }\n");
    let func = module
        .functions
        .iter()
        .position(|f| f.captured() == 1)
        .unwrap() as u32;
    let lambda = Value::Fun(std::rc::Rc::new(crate::value::Closure::Local {
        module: module.clone(),
        func,
        captured: Box::new([Value::str("captured")]),
    }));
    let mut program = String::from("Cases = [");
    for (i, (expr, value)) in corpus.iter().enumerate() {
        if i > 0 {
            program.push(',');
        }
        let _ = write!(
            program,
            "{{{i}, {expr}, <<\"{}\">>}}",
            hex(&enc(value, &nodes))
        );
    }
    let _ = write!(
        program,
        "], lists:foreach(fun({{N, T, H}}) -> \
           Ours = binary_to_term(binary:decode_hex(H)), \
           io:format(\"~w ~s ~w~n\", [N, binary:encode_hex(term_to_binary(T)), Ours =:= T]) \
         end, Cases), \
         P = binary_to_term(binary:decode_hex(<<\"{}\">>)), \
         io:format(\"pid ~w ~w~n\", [node(P), is_pid(P)]), \
         L = binary_to_term(binary:decode_hex(<<\"{}\">>)), \
         io:format(\"foreign ~s ~w~n\", [binary:encode_hex(term_to_binary( \
           {{self(), make_ref(), hd(erlang:ports()), fun(X) -> X end, L}}, [{{minor_version, 2}}])), \
           is_function(L, 1)]).",
        hex(&pid),
        hex(&enc(&lambda, &nodes))
    );
    // The program goes in a file (our hex is too long for one argument),
    // which `file:script` evaluates.
    let path = std::env::temp_dir().join(format!("reef-etf-{}.escript", std::process::id()));
    std::fs::write(&path, &program).expect("write the erl program");
    let eval = format!(
        "case file:script(\"{}\") of {{ok, _}} -> ok; E -> io:format(\"error ~p~n\", [E]) end.",
        path.display()
    );
    let out = Command::new("erl")
        .args(["-noshell", "-eval", &eval, "-s", "init", "stop"])
        .output();
    let _ = std::fs::remove_file(&path);
    let out = match out {
        Ok(out) => out,
        Err(e) => panic!(
            "this test needs Erlang/OTP's `erl` on PATH ({e}): apt-get install -y erlang-base"
        ),
    };
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "erl failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut seen = 0;
    for line in stdout.lines() {
        let parts: Vec<&str> = line.split(' ').collect();
        if parts[0] == "foreign" {
            assert_eq!(
                parts.get(2),
                Some(&"true"),
                "erl took our lambda for a fun/1"
            );
            let theirs = unhex(parts[1]);
            let m = module.clone();
            let v =
                super::tests::dec_with(&theirs, &nodes, &move |a| (a == m.name).then(|| m.clone()))
                    .unwrap();
            let t = v.as_tuple().expect("a tuple");
            assert!(
                matches!(t[0], Value::Pid(p) if !p.is_local()),
                "erl's pid: {}",
                t[0]
            );
            assert!(
                matches!(&t[1], Value::Foreign(f) if f.is_ref()),
                "erl's ref: {}",
                t[1]
            );
            assert!(
                matches!(&t[2], Value::Foreign(f) if matches!(**f, crate::value::Foreign::Port { .. })),
                "erl's port: {}",
                t[2]
            );
            assert!(
                matches!(&t[3], Value::Foreign(f) if f.is_fun()),
                "erl's fun: {}",
                t[3]
            );
            assert_eq!(t[4], lambda, "our lambda came back as itself");
            // Everything we cannot look into goes back exactly as it came
            // (with UTF-8 atoms, as the distribution sends them: OTP 25's
            // `term_to_binary` uses Latin-1 atoms unless asked).
            assert_eq!(hex(&enc(&v, &nodes)), parts[1]);
            seen += 1;
            continue;
        }
        if parts[0] == "pid" {
            assert_eq!(parts[1..], ["other@host", "true"], "{line}");
            seen += 1;
            continue;
        }
        let (i, theirs, accepted) = match parts[..] {
            [i, h, a] => (i.parse::<usize>().expect("case number"), unhex(h), a),
            _ => panic!("unexpected erl output: {line}"),
        };
        let (expr, expected) = &corpus[i];
        let decoded = dec(&theirs, &nodes)
            .unwrap_or_else(|e| panic!("{expr}: erl's encoding did not decode: {e}"));
        assert_eq!(
            &decoded, expected,
            "{expr}: erl's encoding decoded to another term"
        );
        assert_eq!(
            accepted, "true",
            "{expr}: erl read our encoding as another term"
        );
        seen += 1;
    }
    assert_eq!(seen, corpus.len() + 2, "erl printed every case:\n{stdout}");
}
