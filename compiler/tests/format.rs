//! `reef fmt` (`reef_compiler::format`): snapshots of the layout of every
//! construct, and properties: formatting keeps the AST (spans aside) and
//! the comments, and formatting twice changes nothing, for every Reef file
//! of the repository and for random programs from the grammar generator.

use expect_test::{expect, Expect};
use proptest::prelude::*;
use reef_compiler::format::{format_source, strip_spans};
use reef_compiler::parser::parse_module;

mod common;

fn check(src: &str, expected: Expect) {
    let out = format_source(src).unwrap_or_else(|d| panic!("{d:?}"));
    expected.assert_eq(&out);
    assert_eq!(
        format_source(&out).as_deref(),
        Ok(out.as_str()),
        "not idempotent"
    );
}

/// The AST of `src` with its spans stripped.
fn ast(src: &str) -> String {
    strip_spans(&format!("{:?}", parse_module(src).0))
}

/// Formats `src` and checks the three properties; returns the output.
fn holds(src: &str, name: &str) -> String {
    let out = format_source(src).unwrap_or_else(|d| panic!("{name}: {d:?}"));
    assert_eq!(ast(src), ast(&out), "{name}: the AST changed:\n{out}");
    let again = format_source(&out).unwrap_or_else(|d| panic!("{name}, second pass: {d:?}"));
    assert_eq!(out, again, "{name}: a second format changed it");
    out
}

#[test]
fn functions_with_several_clauses_and_guards() {
    check(
        "pub fn fact(0)   {1}\npub fn fact(n) when n>0 { n*fact(n-1) }\n\n\n\nfn other(  ) {\n  :ok\n}\nfn empty() {   }\n",
        expect![[r#"
            pub fn fact(0) { 1 }
            pub fn fact(n) when n > 0 { n * fact(n - 1) }

            fn other() {
              :ok
            }
            fn empty() {}
        "#]],
    );
}

#[test]
fn case_receive_and_after() {
    check(
        "fn f(x) {\n  case x { 1 => :one\n (a, b) when a > b => { a }\n _ => :many }\n  receive { (:add, k) => k\n :stop => :ok } after 1000 => io.println(\"timed out\")\n  receive {} after 0 => :empty\n  receive { :only => 1 }\n}\n",
        expect![[r#"
            fn f(x) {
              case x {
                1 => :one,
                (a, b) when a > b => { a }
                _ => :many,
              }
              receive {
                (:add, k) => k,
                :stop => :ok,
              } after 1000 => io.println("timed out")
              receive {} after 0 => :empty
              receive { :only => 1 }
            }
        "#]],
    );
}

/// An arm whose body does not fit and is not a block goes below its
/// pattern, whether its lines break softly (a `catch` written on one line)
/// or hard (the same `catch` once formatted): the second format keeps the
/// first's layout. (A random program found the layout flipping.)
#[test]
fn an_arm_body_over_several_lines_goes_below_its_pattern() {
    check(
        "fn m() {\n  case :ok {\n    [_] => #{ try { 12345678901234567890123 } catch { (:error, [#{:k => _}, -1 | #{:k => 1.5}]) => 1.5 } => 12345678901234567890123 },\n  }\n}\n",
        expect![[r#"
            fn m() {
              case :ok {
                [_] =>
                  #{
                    try { 12345678901234567890123 } catch {
                      (:error, [#{:k => _}, -1 | #{:k => 1.5}]) => 1.5,
                    } => 12345678901234567890123,
                  },
              }
            }
        "#]],
    );
}

#[test]
fn try_catch_after() {
    check(
        "fn f() {\n  let r = try { risky() } catch { (:error, e) => e\n (:throw, v) => v }\n  try { a(); b() } after { cleanup() }\n  try { a() } catch { (c, r) => r } after { done() }\n}\n",
        expect![[r#"
            fn f() {
              let r = try { risky() } catch {
                (:error, e) => e,
                (:throw, v) => v,
              }
              try {
                a()
                b()
              } after { cleanup() }
              try { a() } catch { (c, r) => r } after { done() }
            }
        "#]],
    );
}

#[test]
fn comprehensions_maps_and_binaries() {
    check(
        "fn f(xs, m) {\n  let ps = for x in xs,y in xs,x<y {(x,y)}\n  let n = #{:a=>1,\"b\"=>[2]}\n  let u = #{m|:a=>2}\n  let b = bytes.from_list( [1,2,255] )\n  for (k, v) in m { k }\n}\n",
        expect![[r#"
            fn f(xs, m) {
              let ps = for x in xs, y in xs, x < y { (x, y) }
              let n = #{:a => 1, "b" => [2]}
              let u = #{m | :a => 2}
              let b = bytes.from_list([1, 2, 255])
              for (k, v) in m { k }
            }
        "#]],
    );
}

#[test]
fn literals_stay_as_written() {
    check(
        "fn f() {\n  [0xff, 1_000, ?a, ?\\n, 1.5e3, - 7, :\"two words\", \"tab\\there #{1+2} \\\"q\\\"\", true, nil, (1,), ()]\n}\n",
        expect![[r#"
            fn f() {
              [0xff, 1_000, ?a, ?\n, 1.5e3, -7, :"two words", "tab\there #{1 + 2} \"q\"", true, nil, (1,), ()]
            }
        "#]],
    );
}

#[test]
fn operators_get_the_fewest_parentheses_that_keep_the_tree() {
    check(
        "fn f(a, b, c) {\n  (a + b) * c\n  a - (b - c)\n  (a - b) - c\n  a ++ (b ++ c)\n  (a ++ b) ++ c\n  not (a and b)\n  -(-a)\n  (a == b) == c\n  pid ! (:msg, a)\n  (let x = 1) + x\n  (f)(a)\n  make(1)(2)\n}\n",
        expect![[r#"
            fn f(a, b, c) {
              (a + b) * c
              a - (b - c)
              a - b - c
              a ++ b ++ c
              (a ++ b) ++ c
              not (a and b)
              -(-a)
              (a == b) == c
              pid ! (:msg, a)
              (let x = 1) + x
              (f)(a)
              make(1)(2)
            }
        "#]],
    );
}

#[test]
fn pipes_and_lambdas() {
    check(
        "fn f(xs) {\n  xs |> lists.map(fn(x) { x * 2 }) |> lists.sum()\n  xs\n  |> lists.reverse()\n  |> show\n  let add = fn(a, b) when is_int(a) { a + b }\n  lists.map(xs, &double/1)\n}\n",
        expect![[r#"
            fn f(xs) {
              xs |> lists.map(fn(x) { x * 2 }) |> lists.sum()
              xs
              |> lists.reverse()
              |> show
              let add = fn(a, b) when is_int(a) { a + b }
              lists.map(xs, &double/1)
            }
        "#]],
    );
}

#[test]
fn long_calls_break_outermost_first() {
    check(
        "fn f() {\n  supervisor.start_link(#{:strategy => :one_for_one, :intensity => 5, :period => 10}, children(), [(:name, :sup)])\n  lists.each(lists.enumerate(names), fn((i, name)) { spawn(fn() { me ! (:teller_done, i, teller(i, name, names)) }) })\n  let s = some_function_name(first_argument, second_argument) <> another_function(third_argument, fourth)\n  io.println(\"a string so long that the call around it would not fit in a hundred columns, but is left on its line\")\n}\n",
        expect![[r#"
            fn f() {
              supervisor.start_link(
                #{:strategy => :one_for_one, :intensity => 5, :period => 10},
                children(),
                [(:name, :sup)],
              )
              lists.each(lists.enumerate(names), fn((i, name)) {
                spawn(fn() { me ! (:teller_done, i, teller(i, name, names)) })
              })
              let s = some_function_name(first_argument, second_argument) <>
                another_function(third_argument, fourth)
              io.println("a string so long that the call around it would not fit in a hundred columns, but is left on its line")
            }
        "#]],
    );
}

#[test]
fn comments_stay_where_they_were() {
    check(
        "//! The module's doc.\n\n/// Doubles.\npub fn double(x) { // trailing\n  // before\n  let y = x  // after y\n\n\n  // alone\n  y * 2\n  // at the end\n}\n// between\nfn g(a, // the a\n  b) { [1, // one\n 2] }\n// last\n",
        expect![[r#"
            //! The module's doc.

            /// Doubles.
            pub fn double(x) {
              // trailing
              // before
              let y = x // after y

              // alone
              y * 2
              // at the end
            }
            // between
            fn g(
              a, // the a
              b,
            ) {
              [
                1, // one
                2,
              ]
            }
            // last
        "#]],
    );
}

#[test]
fn a_shebang_line_is_kept() {
    check(
        "#!/usr/bin/env reef\n\npub fn main() { io.println(\"hi\") }\n",
        expect![[r#"
            #!/usr/bin/env reef

            pub fn main() { io.println("hi") }
        "#]],
    );
}

#[test]
fn a_file_with_a_syntax_error_is_refused_with_its_diagnostics() {
    let errors = format_source("fn f() { let = }\n").unwrap_err();
    assert!(!errors.is_empty());
    assert!(
        errors.iter().all(|d| d.code.starts_with("E01")),
        "{errors:?}"
    );
}

/// Every Reef file of the repository that parses: examples, the stdlib,
/// the conformance cases, the test and bench programs.
#[test]
fn every_reef_file_of_the_repository_keeps_its_ast_and_is_stable() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    // (Not `tests/hostile/`: inputs at the limits, each tested on its own.)
    for dir in ["examples", "stdlib", "spec", "tests/dist", "bench"] {
        collect(&root.join(dir), &mut files);
    }
    assert!(files.len() > 300, "found only {} files", files.len());
    let mut formatted = 0;
    for f in &files {
        let src = std::fs::read_to_string(f).unwrap();
        if src.len() > 64 << 10 || parse_module(&src).1.iter().any(|d| d.is_error()) {
            continue; // the hostile inputs, and the cases of syntax errors
        }
        holds(&src, &f.display().to_string());
        formatted += 1;
    }
    assert!(formatted > 300, "formatted only {formatted}");
}

fn collect(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            collect(&p, out);
        } else if p.extension().is_some_and(|x| x == "reef") {
            out.push(p);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_programs_keep_their_ast_and_are_stable(src in common::gen::program()) {
        prop_assume!(!parse_module(&src).1.iter().any(|d| d.is_error()));
        holds(&src, "a generated program");
    }

    #[test]
    fn arbitrary_text_never_panics(src in "\\PC{0,80}") {
        let _ = format_source(&src);
    }
}
