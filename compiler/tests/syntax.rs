//! Rendered syntax diagnostics (color off), one snapshot per error code,
//! plus recovery (several errors in one run) and a no-panic property test.
//! Refresh the snapshots with `UPDATE_EXPECT=1 cargo test`.

use expect_test::{expect, Expect};
use proptest::prelude::*;
use reef_compiler::parser::{is_incomplete, parse_module, parse_repl};
use reef_compiler::render_diagnostics;

/// Parses `src` as a module and renders every diagnostic.
fn check(src: &str, expected: Expect) {
    let (_, diags) = parse_module(src);
    expected.assert_eq(&render_diagnostics(&diags, "test.reef", src, false));
}

/// The codes reported for a module, in order.
fn codes(src: &str) -> Vec<&'static str> {
    parse_module(src).1.iter().map(|d| d.code).collect()
}

#[test]
fn e0101_unexpected_token() {
    check(
        "fn f() { foo(1 2) }",
        expect![[r#"
        [E0101] Error: expected an operator, `,` or `)`, found `2`
           ╭─[ test.reef:1:16 ]
           │
         1 │ fn f() { foo(1 2) }
           │                ┬  
           │                ╰── unexpected `2`
        ───╯
    "#]],
    );
    check(
        "fn f() { x y }",
        expect![[r#"
        [E0101] Error: expected an operator, a newline, `;` or `}`, found `y`
           ╭─[ test.reef:1:12 ]
           │
         1 │ fn f() { x y }
           │            ┬  
           │            ╰── unexpected `y`
        ───╯
    "#]],
    );
}

#[test]
fn e0102_unexpected_eof() {
    check(
        "fn f(x) when x >",
        expect![[r#"
        [E0102] Error: unexpected end of input: expected an expression
           ╭─[ test.reef:1:16 ]
           │
         1 │ fn f(x) when x >
           │                ┬  
           │                ╰── the input ends here
        ───╯
    "#]],
    );
}

#[test]
fn e0103_unknown_char() {
    check(
        "fn f() { 1 @ 2 }",
        expect![[r#"
        [E0103] Error: unknown character `@`
           ╭─[ test.reef:1:12 ]
           │
         1 │ fn f() { 1 @ 2 }
           │            ┬  
           │            ╰── no Reef token starts with this character
        ───╯
    "#]],
    );
}

#[test]
fn e0104_unterminated_string() {
    check(
        "fn f() { \"abc }",
        expect![[r#"
        [E0104] Error: unterminated string
           ╭─[ test.reef:1:10 ]
           │
         1 │ fn f() { "abc }
           │          ┬  
           │          ╰── this string is never closed
           │ 
           │ Help: add a closing `"`
        ───╯
    "#]],
    );
}

#[test]
fn e0105_bad_escape() {
    check(
        r#"fn f() { "a\qb" }"#,
        expect![[r#"
        [E0105] Error: unknown escape sequence `\q`
           ╭─[ test.reef:1:12 ]
           │
         1 │ fn f() { "a\qb" }
           │            ─┬  
           │             ╰── unknown escape
           │ 
           │ Help: valid escapes are \n \t \r \\ \" \0 \e \# and \u{...}
        ───╯
    "#]],
    );
}

#[test]
fn e0106_malformed_number() {
    check(
        "fn f() { 12abc + 0x }",
        expect![[r#"
        [E0106] Error: malformed number `12abc`
           ╭─[ test.reef:1:10 ]
           │
         1 │ fn f() { 12abc + 0x }
           │          ──┬──  
           │            ╰──── a number cannot run into letters
        ───╯
        [E0106] Error: malformed number `0x`
           ╭─[ test.reef:1:18 ]
           │
         1 │ fn f() { 12abc + 0x }
           │                  ─┬  
           │                   ╰── a number cannot run into letters
        ───╯
    "#]],
    );
}

#[test]
fn e0107_uppercase_name() {
    check(
        "fn f() { Foo }",
        expect![[r#"
        [E0107] Error: names start with a lowercase letter, found `Foo`
           ╭─[ test.reef:1:10 ]
           │
         1 │ fn f() { Foo }
           │          ─┬─  
           │           ╰─── uppercase name
           │ 
           │ Help: variables and functions are lowercase; for an atom write `:Foo`
        ───╯
    "#]],
    );
}

#[test]
fn e0108_unclosed_delimiter() {
    check(
        "fn f() {\n  foo(1, 2\n}\n",
        expect![[r#"
        [E0108] Error: unclosed `(`
           ╭─[ test.reef:2:6 ]
           │
         2 │   foo(1, 2
           │      ┬  
           │      ╰── this `(` is never closed
         3 │ }
           │ ┬  
           │ ╰── expected its closing `)` before `}`
        ───╯
    "#]],
    );
    check(
        "fn f() {\n  [1, 2\n",
        expect![[r#"
        [E0108] Error: unclosed `[`
           ╭─[ test.reef:2:3 ]
           │
         2 │   [1, 2
           │   ┬  
           │   ╰── this `[` is never closed
           │
           ├─[ test.reef:2:3 ]
           │
         1 │ fn f() {
           │        ┬  
           │        ╰── this `{` is not closed either
           │ 
           │ Help: add the closing `]`
        ───╯
    "#]],
    );
}

#[test]
fn e0109_unexpected_closer() {
    check(
        "fn f() { 1 + 2) }",
        expect![[r#"
        [E0109] Error: unexpected `)`
           ╭─[ test.reef:1:15 ]
           │
         1 │ fn f() { 1 + 2) }
           │               ┬  
           │               ╰── this `)` closes nothing
        ───╯
    "#]],
    );
}

#[test]
fn e0110_arrow_in_arm() {
    check(
        "fn f(x) {\n  case x {\n    1 -> :one\n  }\n}",
        expect![[r#"
        [E0110] Error: expected `=>` in a case arm, found `->`
           ╭─[ test.reef:3:7 ]
           │
         3 │     1 -> :one
           │       ─┬  
           │        ╰── expected `=>`
           │ 
           │ Help: Reef arms use `=>`
        ───╯
    "#]],
    );
}

#[test]
fn e0111_assign_in_guard() {
    check(
        "fn f(x) when x = 1 { x }",
        expect![[r#"
        [E0111] Error: `=` in a guard: did you mean `==`?
           ╭─[ test.reef:1:16 ]
           │
         1 │ fn f(x) when x = 1 { x }
           │                ┬  
           │                ╰── `=` binds; it cannot be used in a guard
           │ 
           │ Help: compare with `==`
        ───╯
    "#]],
    );
}

#[test]
fn e0112_chained_comparison() {
    check(
        "fn f(a, b, c) { a < b < c }",
        expect![[r#"
        [E0112] Error: comparison operators cannot be chained
           ╭─[ test.reef:1:23 ]
           │
         1 │ fn f(a, b, c) { a < b < c }
           │                 ──┬── ┬  
           │                   │   ╰── second comparison
           │                   │      
           │                   ╰────── first comparison
           │ 
           │ Help: split it with `and`: `a < b and b < c`
        ───╯
    "#]],
    );
}

#[test]
fn e0113_nesting_too_deep() {
    let src = format!("fn f() {{\n{}1{}\n}}\n", "(\n".repeat(250), ")".repeat(250));
    check(
        &src,
        expect![[r#"
            [E0113] Error: nesting too deep (more than 200 levels)
                 ╭─[ test.reef:201:1 ]
                 │
             201 │ (
                 │ ┬  
                 │ ╰── too deeply nested
                 │ 
                 │ Help: split the expression into smaller ones with `let`
            ─────╯
        "#]],
    );
    let src = format!("fn f() {{ x = {}1 }}\n", "- ".repeat(300));
    assert_eq!(codes(&src), vec!["E0113"]);
}

#[test]
fn e0122_chain_too_long() {
    // Chained operators are not nesting: 199 `+` (and 300 functions on
    // one line) are fine; only a chain past 10,000 is refused.
    let src = format!("fn f() {{ {}1 }}\n", "1 + ".repeat(199));
    assert_eq!(codes(&src), Vec::<&str>::new());
    let line: String = (0..300)
        .map(|i| format!("fn f{i}() {{ g({i}) }} "))
        .collect();
    assert_eq!(codes(&line), Vec::<&str>::new());
    let src = format!("fn f() {{\n  {}1\n}}\n", "x + ".repeat(10_001));
    let rendered = render_diagnostics(&parse_module(&src).1, "test.reef", &src, false);
    let first = rendered.lines().next().unwrap_or("");
    expect![[
        r#"[E0122] Error: expression too long (more than 10000 operators or calls in a chain)"#
    ]]
    .assert_eq(first);
    assert!(rendered.contains("Help: split it with `let`"), "{rendered}");
}

#[test]
fn e0114_underscore_value() {
    check(
        "fn f() { g(_) }",
        expect![[r#"
        [E0114] Error: `_` can only be used in patterns
           ╭─[ test.reef:1:12 ]
           │
         1 │ fn f() { g(_) }
           │            ┬  
           │            ╰── `_` is not a value
        ───╯
    "#]],
    );
}

#[test]
fn e0115_expected_item() {
    check(
        "let x = 1\n\nfn f() { x }\n",
        expect![[r#"
        [E0115] Error: expected `fn` or `pub fn`, found `let`
           ╭─[ test.reef:1:1 ]
           │
         1 │ let x = 1
           │ ─┬─  
           │  ╰─── expected a function definition
           │ 
           │ Help: only function definitions may appear at the top level of a module
        ───╯
    "#]],
    );
}

#[test]
fn e0116_bad_map_key() {
    check(
        "fn f(#{k => v}) { v }",
        expect![[r#"
        [E0116] Error: a map pattern key must be a literal or a pinned variable
           ╭─[ test.reef:1:8 ]
           │
         1 │ fn f(#{k => v}) { v }
           │        ┬  
           │        ╰── not a literal
           │ 
           │ Help: to match the value of a variable as key write `^name`
        ───╯
    "#]],
    );
}

#[test]
fn e0117_interpolation_in_pattern() {
    check(
        "fn f(\"a#{b}\") { b }",
        expect![[r#"
        [E0117] Error: string interpolation cannot be used in a pattern
           ╭─[ test.reef:1:6 ]
           │
         1 │ fn f("a#{b}") { b }
           │      ───┬───  
           │         ╰───── interpolated string
        ───╯
    "#]],
    );
}

#[test]
fn e0118_bad_pipe() {
    check(
        "fn f(x) { x |> 42 }",
        expect![[r#"
        [E0118] Error: the right side of `|>` must be a function call
           ╭─[ test.reef:1:16 ]
           │
         1 │ fn f(x) { x |> 42 }
           │                ─┬  
           │                 ╰── not a call
           │ 
           │ Help: `x |> f(y)` means `f(x, y)`
        ───╯
    "#]],
    );
}

#[test]
fn e0119_invalid_arity() {
    check(
        "fn f() { &g/99999999999999999999999 }",
        expect![[r#"
        [E0119] Error: invalid arity `99999999999999999999999`
           ╭─[ test.reef:1:13 ]
           │
         1 │ fn f() { &g/99999999999999999999999 }
           │             ───────────┬───────────  
           │                        ╰───────────── expected a small integer
        ───╯
    "#]],
    );
}

#[test]
fn e0120_remote_without_call() {
    check(
        "fn f() { lists.map }",
        expect![[r#"
        [E0120] Error: expected `(` after `lists.map`
           ╭─[ test.reef:1:10 ]
           │
         1 │ fn f() { lists.map }
           │          ────┬────  
           │              ╰────── a module function must be called
           │ 
           │ Help: call it as `lists.map(...)`; as a value write `&lists.map/arity`
        ───╯
    "#]],
    );
}

#[test]
fn e0121_assign_without_let() {
    check(
        "fn f() {\n  x = 1\n  x\n}",
        expect![[r#"
        [E0121] Error: `=` outside a pattern: did you mean `let` or `==`?
           ╭─[ test.reef:2:5 ]
           │
         2 │   x = 1
           │     ┬  
           │     ╰── `=` only binds in `let`, arms and function heads
           │ 
           │ Help: bind a name with `let x = value`; compare values with `==`
        ───╯
    "#]],
    );
}

#[test]
fn unclosed_brackets_are_one_report() {
    check(
        "fn f() {\n  g([h(1,\n",
        expect![[r#"
        [E0108] Error: unclosed `(`
           ╭─[ test.reef:2:7 ]
           │
         2 │   g([h(1,
           │    ┬┬ ┬  
           │    ││ ╰── this `(` is never closed
           │    ││    
           │    │╰──── this `[` is not closed either
           │    │     
           │    ╰───── this `(` is not closed either
           │
           ├─[ test.reef:2:7 ]
           │
         1 │ fn f() {
           │        ┬  
           │        ╰── this `{` is not closed either
           │ 
           │ Help: add the closing `)`
        ───╯
    "#]],
    );
    check(
        "fn f() { g([h(1, 2) }",
        expect![[r#"
        [E0108] Error: unclosed `[`
           ╭─[ test.reef:1:12 ]
           │
         1 │ fn f() { g([h(1, 2) }
           │           ┬┬        ┬  
           │           │╰─────────── this `[` is never closed
           │           │         │  
           │           ╰──────────── this `(` is not closed either
           │                     │  
           │                     ╰── expected its closing `]` before `}`
        ───╯
    "#]],
    );
}

#[test]
fn three_errors_three_reports() {
    let src = "fn a() {\n  1 +\n}\n\nfn b(x) {\n  case x {\n    1 -> 2\n  }\n}\n\nfn c() {\n  foo(1, 2\n}\n";
    check(
        src,
        expect![[r#"
        [E0101] Error: expected an expression, found `}`
           ╭─[ test.reef:3:1 ]
           │
         3 │ }
           │ ┬  
           │ ╰── unexpected `}`
        ───╯
        [E0110] Error: expected `=>` in a case arm, found `->`
           ╭─[ test.reef:7:7 ]
           │
         7 │     1 -> 2
           │       ─┬  
           │        ╰── expected `=>`
           │ 
           │ Help: Reef arms use `=>`
        ───╯
        [E0108] Error: unclosed `(`
            ╭─[ test.reef:12:6 ]
            │
         12 │   foo(1, 2
            │      ┬  
            │      ╰── this `(` is never closed
         13 │ }
            │ ┬  
            │ ╰── expected its closing `)` before `}`
        ────╯
    "#]],
    );
    assert_eq!(codes(src).len(), 3);
}

#[test]
fn recovery_inside_blocks_and_arguments() {
    // Errors in separate statements and arguments are all reported.
    assert_eq!(
        codes("fn f() {\n  1 + * 2\n  g(, 2)\n  [1 2]\n}"),
        vec!["E0101", "E0101", "E0101"]
    );
    // A newline after an operator continues the expression.
    assert_eq!(
        codes("fn f() {\n  1 +\n  g(, 2)\n  [1 2]\n}"),
        vec!["E0101", "E0101"]
    );
    // A broken clause does not hide the next one.
    let (module, diags) = parse_module("fn f( { }\nfn g() { 1 }\n");
    assert!(!diags.is_empty());
    assert_eq!(module.items.len(), 1);
}

#[test]
fn no_cascade_from_lexical_errors() {
    assert_eq!(codes("fn f() { 1 @ 2; x ` y }"), vec!["E0103", "E0103"]);
    assert_eq!(codes("fn f() { Foo.bar(1) }"), vec!["E0107"]);
}

#[test]
fn repl_errors() {
    let (_, diags) = parse_repl("1 +* 2");
    assert_eq!(diags.len(), 1);
    let (_, diags) = parse_repl("x = 1");
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert_eq!(diags[0].code, "E0121");
}

const PIECES: &[&str] = &[
    "fn", "pub", "let", "case", "receive", "after", "try", "catch", "if", "else", "when", "not",
    "and", "or", "div", "rem", "true", "false", "nil", "x", "foo", "_", "_a", "io", ".", "42",
    "0xff", "1.5", ":ok", "\"s\"", "\"a#{", "}\"", "\"", "#{", "{", "}", "(", ")", "[", "]", ",",
    ";", "\n", "\n", " ", "=", "=>", "->", "|>", "!", "|", "^", "&", "/", "+", "-", "*", "==", "<",
    "<>", "++", "#", "@", "\\",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(src in "\\PC{0,80}") {
        let _ = parse_module(&src);
        let _ = parse_repl(&src);
        let _ = is_incomplete(&src);
    }

    #[test]
    fn token_soup_never_panics(pieces in proptest::collection::vec(0..PIECES.len(), 0..60)) {
        let src: String = pieces.iter().map(|&i| PIECES[i]).collect::<Vec<_>>().join(" ");
        let (_, diags) = parse_module(&src);
        let _ = render_diagnostics(&diags, "soup.reef", &src, false);
        let (_, diags) = parse_repl(&src);
        let _ = render_diagnostics(&diags, "soup.reef", &src, true);
        let _ = is_incomplete(&src);
    }
}
