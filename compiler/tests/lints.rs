//! The trap lints (`compiler/src/lints/`) on small programs: each fires
//! where it should, and stays quiet on the ordinary code next to it.

use reef_compiler::{compile_module, compile_module_with, KnownModule};

/// The codes reported for `src`, in source order, with a stdlib-like
/// `lists` and a user module `shapes` known.
fn codes(src: &str) -> Vec<&'static str> {
    let known = [
        (
            "lists",
            KnownModule {
                exports: vec![("map".into(), 2), ("reverse".into(), 1)],
                fixed: true,
            },
        ),
        (
            "shapes",
            KnownModule {
                exports: vec![("area".into(), 2)],
                fixed: false,
            },
        ),
    ];
    compile_module_with("t", "t.reef", src, &known)
        .diagnostics
        .iter()
        .map(|d| d.code)
        .collect()
}

#[test]
fn shadowed_function_call() {
    let src = "fn sum([], acc) { acc }\nfn sum([h | t], sum) { sum(t, h + sum) }\npub fn main() { sum([1], 0) }\n";
    assert_eq!(codes(src), ["W0102"]);
    // A variable holding a function on purpose, and a parameter that is
    // only called with another arity than the function's: quiet.
    let src = "fn f(x) { x }\npub fn main() {\n  let f = fn(a, b) { a + b }\n  let g = &f/1\n  f(1, 2) + g(1)\n}\n";
    assert_eq!(codes(src), Vec::<&str>::new());
    let src = "fn run(f, x) { f(x) }\npub fn main() { run(fn(x) { x }, 1) }\n";
    assert_eq!(codes(src), Vec::<&str>::new());
    // A parameter named like a built-in and called.
    let src = "fn count(xs, len) { len(xs) }\npub fn main() { count([], fn(x) { x }) }\n";
    assert_eq!(codes(src), ["W0102"]);
}

#[test]
fn line_starts_with_operator() {
    let src = "pub fn main() {\n  let a = [1]\n  let b = a\n    ++ [2]\n  b\n}\n";
    assert_eq!(codes(src), ["E0123"]);
    for op in ["*", "/", "==", "<>", "and", "or", "div", "!"] {
        let src = format!("pub fn main() {{\n  let a = 1\n  let b = a\n    {op} 2\n  b\n}}\n");
        assert_eq!(codes(&src), ["E0123"], "{op}");
    }
    // `|>` continues a line; an operator that ends a line continues too.
    let src = "pub fn main() {\n  let b = [1] ++\n    [2]\n  b\n    |> lists.reverse()\n}\n";
    assert_eq!(codes(src), Vec::<&str>::new());
}

#[test]
fn leading_minus_and_discarded_values() {
    let src = "pub fn main() {\n  let a = 1\n  let b = a\n    - 2\n  b\n}\n";
    assert_eq!(codes(src), ["W0103"]);
    // `-1` on its own line is a negative value, the block's last: quiet.
    let src = "pub fn main() {\n  io.println(\"x\")\n  -1\n}\n";
    assert_eq!(codes(src), Vec::<&str>::new());
    // Discarded: a literal, a comparison, a tuple; not a call, a send,
    // a `let`, or the last expression.
    let src = "pub fn main() {\n  let x = 1\n  :ok\n  x == 2\n  (x, [x])\n  io.println(\"hi\")\n  self() ! x\n  x + 1\n}\n";
    assert_eq!(codes(src), ["W0104", "W0104", "W0104"]);
}

#[test]
fn module_name_that_is_a_variable() {
    let src = "pub fn main() {\n  let m = :lists\n  m.reverse([1])\n}\n";
    let c = codes(src);
    assert!(c.contains(&"E0209"), "{c:?}");
    // A variable named like a known module does not hide the module.
    let src = "pub fn main() {\n  let lists = [1]\n  lists.reverse(lists)\n}\n";
    assert_eq!(codes(src), Vec::<&str>::new());
}

#[test]
fn unknown_functions_of_known_modules() {
    let src =
        "pub fn main() {\n  lists.mapp([1], fn(x) { x })\n  lists.map([1])\n  &lists.nope/3\n}\n";
    assert_eq!(codes(src), ["E0210", "E0210", "E0210"]);
    let d = compile_module_with(
        "t",
        "t.reef",
        "pub fn main() { lists.mapp([1], fn(x) { x }) }\n",
        &[(
            "lists",
            KnownModule {
                exports: vec![("map".into(), 2)],
                fixed: true,
            },
        )],
    );
    assert_eq!(
        d.diagnostics[0].hint.as_deref(),
        Some("did you mean `lists.map/2`?")
    );
    // A user's module: a warning. An unknown module: nothing.
    let src = "pub fn main() {\n  shapes.areas(1, 2)\n  later.anything(1)\n}\n";
    assert_eq!(codes(src), ["W0105"]);
    // Without a table (the plain API) nothing is checked.
    let plain = compile_module("t", "t.reef", "pub fn main() { lists.mapp(1, 2) }\n");
    assert!(plain.diagnostics.is_empty());
}

#[test]
fn string_on_the_left_of_list_concat() {
    let src = "pub fn main() {\n  let n = \"x\"\n  let a = \"a\" ++ n\n  let b = \"#{n}!\" ++ [1]\n  let c = [1] ++ \"tail\"\n  (a, b, c)\n}\n";
    assert_eq!(codes(src), ["W0106", "W0106"]);
}

#[test]
fn comprehensions_and_after_blocks_are_linted() {
    // A generator's variable shadows a built-in and is called in the
    // body; a discarded value in an `after` block; calls to a missing
    // stdlib function inside a filter.
    let src = "pub fn main(fs) {\n  for len in fs { len(fs) }\n}\n";
    assert_eq!(codes(src), ["W0102"]);
    let src = "pub fn main() {\n  try { 1 } after {\n    2\n    :ok\n  }\n}\n";
    assert_eq!(codes(src), ["W0104"]);
    let src = "pub fn main(xs) {\n  for x in xs, lists.mapp(x, x) { x }\n}\n";
    assert_eq!(codes(src), ["E0210"]);
    // Generator variables are scoped to the comprehension: quiet.
    let src = "pub fn main(xs) {\n  let ys = for x in xs, y in xs, x < y { (x, y) }\n  ys\n}\n";
    assert_eq!(codes(src), Vec::<&str>::new());
}
