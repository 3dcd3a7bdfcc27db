//! The syntax of issue 10 in the front end: comprehensions, `try ...
//! after`, character literals and the shebang line: how they parse and
//! resolve (plain assertions), what their errors say and what code they
//! compile to (snapshots; `UPDATE_EXPECT=1` refreshes them), and that no
//! input made of their tokens panics.

use expect_test::{expect, Expect};
use proptest::prelude::*;
use reef_compiler::ast::*;
use reef_compiler::diagnostics::syntax::SyntaxError;
use reef_compiler::lexer::{lex, Token};
use reef_compiler::parser::{parse_module, parse_repl, ReplItem};
use reef_compiler::render_diagnostics;

fn first_expr(src: &str) -> Expr {
    let (items, diags) = parse_repl(src);
    assert!(diags.is_empty(), "{diags:#?}");
    match items.into_iter().next() {
        Some(ReplItem::Expr(e)) => e,
        other => panic!("expected an expression, got {other:?}"),
    }
}

/// The shape of a comprehension's head: `g` for a generator, `f` for a
/// filter, and the number of expressions in its body.
fn head(src: &str) -> (String, usize) {
    match first_expr(src).node {
        ExprKind::For(quals, body) => (
            quals
                .iter()
                .map(|q| match q {
                    Qualifier::Gen(..) => 'g',
                    Qualifier::Filter(_) => 'f',
                })
                .collect(),
            body.exprs.len(),
        ),
        other => panic!("not a for: {other:?}"),
    }
}

#[test]
fn comprehension_heads() {
    assert_eq!(head("for x in xs { x }"), ("g".into(), 1));
    assert_eq!(
        head("for x in xs, y in ys, x < y { (x, y) }"),
        ("ggf".into(), 1)
    );
    assert_eq!(head("for (k, v) in m, f(k) { v; k }"), ("gf".into(), 2));
    assert_eq!(head("for true { 1 }"), ("f".into(), 1));
    // Patterns with brackets, maps and pins; a filter calling a lambda.
    assert_eq!(
        head("for #{:a => ^p} in ms, [h | _] in ls { h }"),
        ("gg".into(), 1)
    );
    assert_eq!(
        head("for x in xs, lists.any(x, fn(y) { y }) { x }"),
        ("gf".into(), 1)
    );
    // Newlines after a comma and before the body; a trailing comma.
    let (m, diags) =
        parse_module("fn f(xs, ys) {\n  for x in xs,\n    y in ys\n  {\n    x\n  }\n}\n");
    assert!(diags.is_empty(), "{diags:#?}");
    let Item::Fn(f) = &m.items[0];
    assert!(
        matches!(&f.body.exprs[..], [e] if matches!(&e.node, ExprKind::For(q, _) if q.len() == 2))
    );
    assert_eq!(head("for x in xs, { x }"), ("g".into(), 1));
    // The generator's expression is a whole expression.
    match first_expr("for x in a ++ b |> f() { x }").node {
        ExprKind::For(quals, _) => match &quals[0] {
            Qualifier::Gen(p, e) => {
                assert_eq!(p.node, PatternKind::Bind("x".into()));
                assert!(matches!(e.node, ExprKind::Call { ref name, .. } if name == "f"));
            }
            other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    }
}

#[test]
fn try_forms() {
    let kind = |src: &str| match first_expr(src).node {
        ExprKind::Try(_, arms) => format!("try/{}", arms.len()),
        ExprKind::TryAfter(inner, cleanup) => match inner.node {
            ExprKind::Try(_, arms) => format!("try/{}+after/{}", arms.len(), cleanup.exprs.len()),
            ExprKind::Block(_) => format!("after/{}", cleanup.exprs.len()),
            other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    };
    assert_eq!(kind("try { a } catch { _ => b }"), "try/1");
    assert_eq!(
        kind("try { a } catch { _ => b } after { c; d }"),
        "try/1+after/2"
    );
    assert_eq!(kind("try { a } after { c }"), "after/1");
    assert_eq!(
        kind("try {\n  a\n}\ncatch {\n  _ => b\n}\nafter {\n  c\n}"),
        "try/1+after/1"
    );
    let (_, diags) = parse_repl("try { a }");
    assert_eq!(diags.len(), 1);
}

fn toks(src: &str) -> Vec<Token> {
    let l = lex(src);
    assert!(l.errors.is_empty(), "{:?}", l.errors);
    l.tokens.into_iter().map(|(t, _)| t).collect()
}

#[test]
fn character_tokens() {
    use Token::*;
    let ints = |v: &[u32]| {
        v.iter()
            .map(|c| Int(c.to_string().into()))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        toks(r#"?a ?\n ?\t ?\\ ?\s ?é ?😀 ?\u{1F600} ?\" ??"#),
        ints(&[97, 10, 9, 92, 32, 233, 0x1F600, 0x1F600, 34, 63])
    );
    // Spans cover the whole literal.
    let l = lex("?\\n+?é");
    assert_eq!(l.tokens[0].1, 0..3);
    assert_eq!(l.tokens[2].1, 4..7);
    for src in ["?", "x = ? ", "?\n", "?\\"] {
        let l = lex(src);
        assert!(
            matches!(l.errors[..], [SyntaxError::BadChar { .. }]),
            "{src}: {:?}",
            l.errors
        );
    }
    let l = lex(r"?\q");
    assert!(matches!(l.errors[..], [SyntaxError::BadEscape { .. }]));
}

#[test]
fn shebang_and_keyword_tokens() {
    use Token::*;
    let l = lex("#!/usr/bin/env reef\nfn");
    assert!(l.errors.is_empty());
    assert_eq!(l.tokens, vec![(Newline, 19..20), (Fn, 20..22)]);
    // Only at byte 0: elsewhere `#!` is two tokens (which no grammar rule
    // accepts).
    assert_eq!(toks(" #!x"), vec![Hash, Bang, Ident("x".into())]);
    assert_eq!(toks("x\n#!y")[2..], [Hash, Bang, Ident("y".into())]);
    assert_eq!(
        toks("for x in xs"),
        vec![For, Ident("x".into()), In, Ident("xs".into())]
    );
}

#[test]
fn characters_are_integers_everywhere() {
    assert_eq!(first_expr("?a").node, ExprKind::Int("97".into()));
    assert_eq!(first_expr("?\\n").node, ExprKind::Int("10".into()));
    let (m, diags) = parse_module("fn f(?x) when ?y > 0 { -?z }");
    assert!(diags.is_empty(), "{diags:#?}");
    let Item::Fn(f) = &m.items[0];
    assert_eq!(f.params[0].node, PatternKind::Int("120".into()));
}

#[test]
fn a_shebang_line_keeps_line_numbers() {
    let src = "#!/usr/bin/env reef\npub fn main() {\n  x\n}\n";
    let out = reef_compiler::compile_module("t", "t.reef", src);
    let text = render_diagnostics(&out.diagnostics, "t.reef", src, false);
    assert!(text.contains("t.reef:3:3"), "{text}");
}

/// Compiles a module and renders every diagnostic.
fn diagnose(src: &str, expected: Expect) {
    let out = reef_compiler::compile_module("t", "t.reef", src);
    expected.assert_eq(&render_diagnostics(&out.diagnostics, "t.reef", src, false));
}

#[test]
fn e0130_lone_question_mark() {
    diagnose(
        "pub fn f() { ? }",
        expect![[r#"
            [E0130] Error: `?` must be followed by a character
               ╭─[ t.reef:1:14 ]
               │
             1 │ pub fn f() { ? }
               │              ┬  
               │              ╰── no character after `?`
               │ 
               │ Help: `?a` is the code point of `a`; write `?\s` for a space, `?\n` for a newline
            ───╯
        "#]],
    );
    diagnose(
        "pub fn f() { ?",
        expect![[r#"
            [E0108] Error: unclosed `{`
               ╭─[ t.reef:1:12 ]
               │
             1 │ pub fn f() { ?
               │            ┬  
               │            ╰── this `{` is never closed
               │ 
               │ Help: add the closing `}`
            ───╯
            [E0130] Error: `?` must be followed by a character
               ╭─[ t.reef:1:14 ]
               │
             1 │ pub fn f() { ?
               │              ┬  
               │              ╰── no character after `?`
               │ 
               │ Help: `?a` is the code point of `a`; write `?\s` for a space, `?\n` for a newline
            ───╯
        "#]],
    );
}

#[test]
fn comprehension_scoping_and_warnings() {
    // Names bound in the head are unknown after it; unused ones are warned
    // about; a later generator sees an earlier one.
    diagnose(
        "pub fn f(xs) {\n  let ys = for x in xs, y in x, z in [1] { y }\n  x\n}\n",
        expect![[r#"
            [W0101] Warning: unused variable `ys`
               ╭─[ t.reef:2:7 ]
               │
             2 │   let ys = for x in xs, y in x, z in [1] { y }
               │       ─┬  
               │        ╰── bound here but never used
               │ 
               │ Help: if this is intentional, name it `_ys`
            ───╯
            [W0101] Warning: unused variable `z`
               ╭─[ t.reef:2:33 ]
               │
             2 │   let ys = for x in xs, y in x, z in [1] { y }
               │                                 ┬  
               │                                 ╰── bound here but never used
               │ 
               │ Help: if this is intentional, name it `_z`
            ───╯
            [E0201] Error: unbound variable `x`
               ╭─[ t.reef:3:3 ]
               │
             3 │   x
               │   ┬  
               │   ╰── not bound here
               │ 
               │ Help: did you mean `xs`?
            ───╯
        "#]],
    );
}

fn disasm(src: &str, expected: Expect) {
    let out = reef_compiler::compile_module("t", "t.reef", src);
    let errors: Vec<_> = out.diagnostics.iter().filter(|d| d.is_error()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let module = out.module.expect("compiled");
    reef_bytecode::encode::validate(&module).expect("valid bytecode");
    expected.assert_eq(&reef_bytecode::disasm::disassemble(&module));
}

#[test]
fn comprehension_code() {
    // Loops of jumps in the function itself: the backward `Jump` of each
    // generator is where a long comprehension yields; the filter is a
    // compare-and-branch; the result is reversed by a tail call.
    disasm(
        "pub fn pairs(xs) { for x in xs, (:ok, y) in x, y > 1 { y } }\n",
        expect![[r#"
            module t (t.reef)

            pub fn pairs/1 (F0) regs=7
                 L1    0  LoadNil         dst=R1
                       1  MoveLast        dst=R2 src=R0
                       2  TestMap         src=R2 fail=@6
                       3  MoveLast        dst=R3 src=R2
                       4  CallExt         base=R3 import=maps.to_list/1
                       5  MoveLast        dst=R2 src=R3
                       6  TestCons        src=R2 fail=@29
                       7  GetHeadTake     dst=R3 src=R2
                       8  GetTail         dst=R2 src=R2
                       9  MoveLast        dst=R4 src=R3
                      10  TestMap         src=R4 fail=@14
                      11  MoveLast        dst=R5 src=R4
                      12  CallExt         base=R5 import=maps.to_list/1
                      13  MoveLast        dst=R4 src=R5
                      14  TestCons        src=R4 fail=@22
                      15  GetHeadTake     dst=R5 src=R4
                      16  GetTail         dst=R4 src=R4
                      17  TestTagged      src=R5 arity=2 atom=:ok fail=@21
                      18  GetElemLast     dst=R6 src=R5 index=1
                      19  TestGtInt       src=R6 val=1 fail=@21
                      20  MakeConsOwn     dst=R1 head=R6 tail=R1 moves=3
                      21  Jump            target=@14
                      22  TestNil         src=R4 fail=@24
                      23  Jump            target=@28
                      24  MoveLast        dst=R5 src=R4
                      25  LoadAtom        dst=R4 atom=:bad_generator
                      26  MakeTupleLast   dst=R4 start=R4 count=2
                      27  Raise           class=0 reason=R4
                      28  Jump            target=@6
                      29  TestNil         src=R2 fail=@31
                      30  Jump            target=@35
                      31  MoveLast        dst=R3 src=R2
                      32  LoadAtom        dst=R2 atom=:bad_generator
                      33  MakeTupleLast   dst=R2 start=R2 count=2
                      34  Raise           class=0 reason=R2
                      35  MoveLast        dst=R2 src=R1
                      36  LoadNil         dst=R1
                      37  TailCallExt     base=R2 import=lists.reverse/1
                      38  FunctionClause  
        "#]],
    );
    // A filter that is not a comparison is tested for `true`, then
    // `false`; anything else raises (:bad_filter, v).
    disasm(
        "pub fn f(xs, p) { for x in xs, p(x) { x } }\n",
        expect![[r#"
            module t (t.reef)

            pub fn f/2 (F0) regs=7
                 L1    0  LoadNil         dst=R2
                       1  MoveLast        dst=R3 src=R0
                       2  TestMap         src=R3 fail=@6
                       3  MoveLast        dst=R4 src=R3
                       4  CallExt         base=R4 import=maps.to_list/1
                       5  MoveLast        dst=R3 src=R4
                       6  TestCons        src=R3 fail=@15
                       7  GetHeadTake     dst=R4 src=R3
                       8  GetTail         dst=R3 src=R3
                       9  Move            dst=R5 src=R1
                      10  Move            dst=R6 src=R4
                      11  CallFun         base=R5 argc=1
                      12  TestEqAtom      src=R5 atom=:true fail=@22
                      13  MakeConsOwn     dst=R2 head=R4 tail=R2 moves=3
                      14  Jump            target=@6
                      15  TestNil         src=R3 fail=@17
                      16  Jump            target=@21
                      17  MoveLast        dst=R4 src=R3
                      18  LoadAtom        dst=R3 atom=:bad_generator
                      19  MakeTupleLast   dst=R3 start=R3 count=2
                      20  Raise           class=0 reason=R3
                      21  Jump            target=@28
                      22  TestEqAtom      src=R5 atom=:false fail=@24
                      23  Jump            target=@14
                      24  MoveLast        dst=R4 src=R5
                      25  LoadAtom        dst=R3 atom=:bad_filter
                      26  MakeTupleLast   dst=R3 start=R3 count=2
                      27  Raise           class=0 reason=R3
                      28  MoveLast        dst=R3 src=R2
                      29  LoadNil         dst=R2
                      30  TailCallExt     base=R3 import=lists.reverse/1
                      31  FunctionClause  
        "#]],
    );
}

#[test]
fn try_after_code() {
    // One copy of the cleanup: the normal path marks the class register
    // `nil` and falls into the handler; a real class is raised again.
    disasm(
        "pub fn f(g) { try { g() } catch { (:throw, v) => v } after { g() } }\n",
        expect![[r#"
            module t (t.reef)

            pub fn f/1 (F0) regs=9
                 L1    0  TryBegin        dst=R2 handler=@14
                       1  TryBegin        dst=R5 handler=@7
                       2  Move            dst=R8 src=R0
                       3  CallFun         base=R8 argc=0
                       4  MoveLast        dst=R1 src=R8
                       5  TryEnd          
                       6  Jump            target=@12
                       7  TestEqAtom      src=R5 atom=:throw fail=@11
                       8  Drop            src=R7
                       9  MoveLast        dst=R1 src=R6
                      10  Jump            target=@12
                      11  Reraise         src=R5
                      12  TryEnd          
                      13  LoadAtom        dst=R2 atom=:nil
                      14  Move            dst=R5 src=R0
                      15  CallFun         base=R5 argc=0
                      16  Drop            src=R5
                      17  TestEqAtom      src=R2 atom=:nil fail=@20
                      18  Return          src=R1
                      19  FunctionClause  
                      20  Reraise         src=R2
        "#]],
    );
}

const PIECES: &[&str] = &[
    "for", "in", "try", "catch", "after", "?", "?a", "?\\", "?\\n", "?\\u{", "#!", "x", "xs", ",",
    "{", "}", "(", ")", "[", "]", "|", "\n", " ", "=>", "_", "1", ":ok", "<", "fn", "let", "=",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn token_soup_never_panics(pieces in proptest::collection::vec(0..PIECES.len(), 0..40)) {
        let body: String = pieces.iter().map(|&i| PIECES[i]).collect::<Vec<_>>().join(" ");
        for src in [body.clone(), format!("pub fn f(xs) {{ {body} }}")] {
            let out = reef_compiler::compile_module("t", "t.reef", &src);
            let _ = render_diagnostics(&out.diagnostics, "t.reef", &src, false);
            if let Some(m) = out.module {
                reef_bytecode::encode::validate(&m).expect("valid bytecode");
            }
        }
    }
}

#[test]
fn a_head_with_many_qualifiers_compiles_without_recursion() {
    // Qualifiers are compiled in one pass (not one Rust frame each): a
    // head of 50,000 filters, and one of 2,000 nested generators, compile.
    let filters = ", x > 0".repeat(50_000);
    let src = format!("pub fn f(xs) {{ for x in xs{filters} {{ x }} }}\n");
    let out = reef_compiler::compile_module("t", "t.reef", &src);
    assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics.first());
    reef_bytecode::encode::validate(&out.module.expect("compiled")).expect("valid");
    let gens: String = (0..2_000).map(|i| format!(", y{i} in [x]")).collect();
    let uses: String = (0..2_000).map(|i| format!(" + y{i}")).collect();
    let src = format!("pub fn f(xs) {{ for x in xs{gens} {{ x{uses} }} }}\n");
    let out = reef_compiler::compile_module("t", "t.reef", &src);
    let errors: Vec<_> = out.diagnostics.iter().filter(|d| d.is_error()).collect();
    assert!(errors.is_empty(), "{:?}", errors.first());
    reef_bytecode::encode::validate(&out.module.expect("compiled")).expect("valid");
}
