//! AST shape tests for the parser: precedence, newline rules, strings,
//! patterns, control flow, spans, and the example program of LANGUAGE.md.
//! ASTs are printed as compact S-expressions to keep the tests readable.

use reef_compiler::ast::*;
use reef_compiler::parser::{is_incomplete, parse_module, parse_repl, ReplItem};

fn pat(p: &Pattern) -> String {
    match &p.node {
        PatternKind::Wildcard => "_".into(),
        PatternKind::Bind(n) => n.clone(),
        PatternKind::Pin(n) => format!("^{n}"),
        PatternKind::Int(s) => s.to_string(),
        PatternKind::Float(f) => format!("{f:?}"),
        PatternKind::Atom(a) => format!(":{a}"),
        PatternKind::Str(s) => format!("{s:?}"),
        PatternKind::Tuple(items) => format!(
            "(tuple{})",
            items
                .iter()
                .map(|p| format!(" {}", pat(p)))
                .collect::<String>()
        ),
        PatternKind::List(items, tail) => format!(
            "[{}{}]",
            items.iter().map(pat).collect::<Vec<_>>().join(" "),
            tail.as_ref()
                .map(|t| format!(" | {}", pat(t)))
                .unwrap_or_default()
        ),
        PatternKind::Map(entries) => {
            format!(
                "#{{{}}}",
                entries
                    .iter()
                    .map(|(k, v)| format!("{} => {}", pat(k), pat(v)))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
        PatternKind::Alias(a, b) => format!("(= {} {})", pat(a), pat(b)),
    }
}

fn list(es: &[Expr]) -> String {
    es.iter().map(|e| format!(" {}", ex(e))).collect()
}

fn block(b: &Block) -> String {
    format!(
        "{{{}}}",
        b.exprs.iter().map(ex).collect::<Vec<_>>().join("; ")
    )
}

fn arm(a: &Arm) -> String {
    format!(
        "({}{} => {})",
        pat(&a.pattern),
        a.guard
            .as_ref()
            .map(|g| format!(" when {}", ex(g)))
            .unwrap_or_default(),
        ex(&a.body)
    )
}

fn ex(e: &Expr) -> String {
    match &e.node {
        ExprKind::Int(s) => s.to_string(),
        ExprKind::Float(f) => format!("{f:?}"),
        ExprKind::Atom(a) => format!(":{a}"),
        ExprKind::Str(s) => format!("{s:?}"),
        ExprKind::Interp(parts) => format!(
            "(interp{})",
            parts
                .iter()
                .map(|p| match p {
                    InterpPart::Lit(s) => format!(" {s:?}"),
                    InterpPart::Expr(e) => format!(" {}", ex(e)),
                })
                .collect::<String>()
        ),
        ExprKind::Var(n) => n.clone(),
        ExprKind::Tuple(items) => format!("(tuple{})", list(items)),
        ExprKind::List(items, tail) => format!(
            "[{}{}]",
            items.iter().map(ex).collect::<Vec<_>>().join(" "),
            tail.as_ref()
                .map(|t| format!(" | {}", ex(t)))
                .unwrap_or_default()
        ),
        ExprKind::Map(entries) => {
            format!(
                "#{{{}}}",
                entries
                    .iter()
                    .map(|(k, v)| format!("{} => {}", ex(k), ex(v)))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
        ExprKind::MapUpdate(m, entries) => format!(
            "#{{{} | {}}}",
            ex(m),
            entries
                .iter()
                .map(|(k, v)| format!("{} => {}", ex(k), ex(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        ExprKind::Lambda(clauses) => clauses
            .iter()
            .map(|c| {
                format!(
                    "(fn ({}){} {})",
                    c.params.iter().map(pat).collect::<Vec<_>>().join(" "),
                    c.guard
                        .as_ref()
                        .map(|g| format!(" when {}", ex(g)))
                        .unwrap_or_default(),
                    block(&c.body)
                )
            })
            .collect(),
        ExprKind::FnRef {
            module,
            name,
            arity,
        } => {
            format!(
                "&{}{name}/{arity}",
                module.as_ref().map(|m| format!("{m}.")).unwrap_or_default()
            )
        }
        ExprKind::Call { name, args, .. } => format!("({name}{})", list(args)),
        ExprKind::RemoteCall { module, name, args } => format!("({module}.{name}{})", list(args)),
        ExprKind::Apply(f, args) => format!("(apply {}{})", ex(f), list(args)),
        ExprKind::Unary(UnOp::Neg, e) => format!("(neg {})", ex(e)),
        ExprKind::Unary(UnOp::Not, e) => format!("(not {})", ex(e)),
        ExprKind::Binary(op, l, r) => format!("({} {} {})", op.symbol(), ex(l), ex(r)),
        ExprKind::Send(d, m) => format!("(! {} {})", ex(d), ex(m)),
        ExprKind::Let(p, v) => format!("(let {} {})", pat(p), ex(v)),
        ExprKind::Block(b) => block(b),
        ExprKind::If(branches, otherwise) => format!(
            "(if{}{})",
            branches
                .iter()
                .map(|(c, b)| format!(" {} {}", ex(c), block(b)))
                .collect::<String>(),
            otherwise
                .as_ref()
                .map(|b| format!(" else {}", block(b)))
                .unwrap_or_default()
        ),
        ExprKind::Case(subject, arms) => {
            format!(
                "(case {}{})",
                ex(subject),
                arms.iter()
                    .map(|a| format!(" {}", arm(a)))
                    .collect::<String>()
            )
        }
        ExprKind::Receive(arms, after) => format!(
            "(receive{}{})",
            arms.iter()
                .map(|a| format!(" {}", arm(a)))
                .collect::<String>(),
            after
                .as_ref()
                .map(|a| format!(" after {} => {}", ex(&a.timeout), ex(&a.body)))
                .unwrap_or_default()
        ),
        ExprKind::Try(body, arms) => {
            format!(
                "(try {} catch{})",
                block(body),
                arms.iter()
                    .map(|a| format!(" {}", arm(a)))
                    .collect::<String>()
            )
        }
        ExprKind::TryAfter(inner, cleanup) => {
            format!("(try-after {} {})", ex(inner), block(cleanup))
        }
        ExprKind::For(quals, body) => format!(
            "(for{} {})",
            quals
                .iter()
                .map(|q| match q {
                    Qualifier::Gen(p, x) => format!(" (in {} {})", pat(p), ex(x)),
                    Qualifier::Filter(f) => format!(" {}", ex(f)),
                })
                .collect::<String>(),
            block(body)
        ),
        ExprKind::Error => "<error>".into(),
    }
}

fn clause(f: &FnClause) -> String {
    format!(
        "({}fn {}({}){} {})",
        if f.public { "pub " } else { "" },
        f.name,
        f.params.iter().map(pat).collect::<Vec<_>>().join(" "),
        f.guard
            .as_ref()
            .map(|g| format!(" when {}", ex(g)))
            .unwrap_or_default(),
        block(&f.body)
    )
}

/// Parses REPL input without errors and prints it, one item per line.
fn p(src: &str) -> String {
    let (items, diags) = parse_repl(src);
    assert!(
        diags.is_empty(),
        "unexpected errors for {src:?}: {diags:#?}"
    );
    items
        .iter()
        .map(|i| match i {
            ReplItem::Fn(f) => clause(f),
            ReplItem::Expr(e) => ex(e),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Parses a module without errors and prints its clauses.
fn m(src: &str) -> String {
    let (module, diags) = parse_module(src);
    assert!(
        diags.is_empty(),
        "unexpected errors for {src:?}: {diags:#?}"
    );
    module
        .items
        .iter()
        .map(|Item::Fn(f)| clause(f))
        .collect::<Vec<_>>()
        .join("\n")
}

fn first_expr(src: &str) -> Expr {
    let (items, diags) = parse_repl(src);
    assert!(diags.is_empty(), "{diags:#?}");
    match items.into_iter().next() {
        Some(ReplItem::Expr(e)) => e,
        other => panic!("expected an expression, got {other:?}"),
    }
}

#[test]
fn literals() {
    assert_eq!(p("42"), "42");
    assert_eq!(p("1_000_000"), "1000000");
    assert_eq!(p("0xff"), "255");
    assert_eq!(p("3.25"), "3.25");
    assert_eq!(p("1.0e-9"), "1e-9");
    assert_eq!(p(":ok"), ":ok");
    assert_eq!(p(":\"two words\""), ":two words");
    assert_eq!(p("true; false; nil"), ":true\n:false\n:nil");
    assert_eq!(p(r#""line\n""#), r#""line\n""#);
    assert_eq!(p("-1"), "-1");
    assert_eq!(p("-2.5"), "-2.5");
}

#[test]
fn precedence() {
    assert_eq!(p("1 + 2 * 3"), "(+ 1 (* 2 3))");
    assert_eq!(p("1 * 2 + 3"), "(+ (* 1 2) 3)");
    assert_eq!(p("1 - 2 - 3"), "(- (- 1 2) 3)");
    assert_eq!(p("a / b div c rem d"), "(rem (div (/ a b) c) d)");
    assert_eq!(p("(1 + 2) * 3"), "(* (+ 1 2) 3)");
    assert_eq!(p("a ++ b ++ c"), "(++ a (++ b c))");
    assert_eq!(p("a <> b <> c"), "(<> a (<> b c))");
    assert_eq!(p("a ++ b + c"), "(++ a (+ b c))");
    assert_eq!(p("a == b + 1"), "(== a (+ b 1))");
    assert_eq!(
        p("a < b and c >= d or e != f"),
        "(or (and (< a b) (>= c d)) (!= e f))"
    );
    assert_eq!(p("a or b and c"), "(or a (and b c))");
    assert_eq!(p("not a and b"), "(and (not a) b)");
    assert_eq!(p("-x * y"), "(* (neg x) y)");
    assert_eq!(p("-f(x)"), "(neg (f x))");
    assert_eq!(p("- - x"), "(neg (neg x))");
    assert_eq!(p("a - -1"), "(- a -1)");
    assert_eq!(p("2 * -3"), "(* 2 -3)");
    assert_eq!(p("a ! b ! c"), "(! a (! b c))");
    assert_eq!(p("pid ! x + 1"), "(! pid (+ x 1))");
    assert_eq!(p("pid ! x |> f()"), "(! pid (f x))");
    assert_eq!(p("(a < b) == c"), "(== (< a b) c)");
}

#[test]
fn calls() {
    assert_eq!(p("f()"), "(f)");
    assert_eq!(p("f(1, 2,)"), "(f 1 2)");
    assert_eq!(p("io.println(x)"), "(io.println x)");
    assert_eq!(p("make_adder(1)(2)"), "(apply (make_adder 1) 2)");
    assert_eq!(p("(f)(x)"), "(apply f x)");
    assert_eq!(p("lists.map(xs, f)(y)"), "(apply (lists.map xs f) y)");
    assert_eq!(p("fn(x) { x }(1)"), "(apply (fn (x) {x}) 1)");
    assert_eq!(p("&fact/1"), "&fact/1");
    assert_eq!(p("&lists.map/2"), "&lists.map/2");
    let e = first_expr("foo(1)");
    match e.node {
        ExprKind::Call { name_span, .. } => assert_eq!(name_span, 0..3),
        other => panic!("{other:?}"),
    }
}

#[test]
fn pipes() {
    assert_eq!(p("x |> f(y)"), "(f x y)");
    assert_eq!(p("x |> f"), "(f x)");
    assert_eq!(p("x |> m.f(y)"), "(m.f x y)");
    assert_eq!(p("x |> f(1) |> g()"), "(g (f x 1))");
    assert_eq!(p("x |> make(1)(2)"), "(apply (make 1) x 2)");
    assert_eq!(p("a + b |> f()"), "(f (+ a b))");
    assert_eq!(p("x |> fn(y) { y }"), "(apply (fn (y) {y}) x)");
    assert_eq!(p("x\n|> f()\n|> g(1)"), "(g (f x) 1)");
    assert_eq!(p("x |>\n  f()"), "(f x)");
}

#[test]
fn collections() {
    assert_eq!(p("()"), "(tuple)");
    assert_eq!(p("(a,)"), "(tuple a)");
    assert_eq!(p("(a)"), "a");
    assert_eq!(p("(a, b, c)"), "(tuple a b c)");
    assert_eq!(p("[]"), "[]");
    assert_eq!(p("[1, 2, 3,]"), "[1 2 3]");
    assert_eq!(p("[h | t]"), "[h | t]");
    assert_eq!(p("[a, b | rest]"), "[a b | rest]");
    assert_eq!(p("#{}"), "#{}");
    assert_eq!(p("#{:name => \"x\", 1 => 2}"), "#{:name => \"x\", 1 => 2}");
    assert_eq!(p("#{m | :name => \"y\"}"), "#{m | :name => \"y\"}");
    assert_eq!(p("#{#{} => #{1 => 2}}"), "#{#{} => #{1 => 2}}");
}

#[test]
fn newlines() {
    // A newline ends an expression only where it could end.
    assert_eq!(p("a\nb"), "a\nb");
    assert_eq!(p("a +\nb"), "(+ a b)");
    assert_eq!(p("let x =\n  1"), "(let x 1)");
    assert_eq!(p("f(1,\n  2\n)"), "(f 1 2)");
    assert_eq!(p("[\n  1,\n  2\n]"), "[1 2]");
    assert_eq!(
        p("#{\n  :a => 1,\n  :b =>\n    2\n}"),
        "#{:a => 1, :b => 2}"
    );
    assert_eq!(p("(1\n + 2)"), "(+ 1 2)");
    assert_eq!(p("a !\n b"), "(! a b)");
    // A block inside parentheses is newline-separated again.
    assert_eq!(p("spawn(fn() {\n  a\n  b\n})"), "(spawn (fn () {a; b}))");
    assert_eq!(p("{ a; b\n c\n\n\n d; }"), "{a; b; c; d}");
    assert_eq!(p("{}"), "{}");
    assert_eq!(p("if a {\n 1\n}\nelse {\n 2\n}"), "(if a {1} else {2})");
}

#[test]
fn strings() {
    assert_eq!(p(r#""n = #{n + 1}""#), r#"(interp "n = " (+ n 1))"#);
    assert_eq!(p(r##""#{a}#{b}""##), "(interp a b)");
    assert_eq!(
        p(r#""total: #{f("x #{y}", #{1 => 2})}!""#),
        r#"(interp "total: " (f (interp "x " y) #{1 => 2}) "!")"#
    );
    assert_eq!(
        p(r##""\#{not interpolated}""##),
        r##""#{not interpolated}""##
    );
    // Spans of interpolated parts are absolute.
    let src = r#""ab #{foo + 1} c""#;
    let e = first_expr(src);
    assert_eq!(e.span, 0..src.len());
    let ExprKind::Interp(parts) = e.node else {
        panic!()
    };
    let InterpPart::Expr(inner) = &parts[1] else {
        panic!()
    };
    assert_eq!(&src[inner.span.clone()], "foo + 1");
    let ExprKind::Binary(_, l, _) = &inner.node else {
        panic!()
    };
    assert_eq!(&src[l.span.clone()], "foo");
}

#[test]
fn patterns() {
    assert_eq!(
        p("case x { _ => 1, _y => 2, y => 3, ^z => 4, -1 => 5, 2.5 => 6, :a => 7, \"s\" => 8, nil => 9 }"),
        "(case x (_ => 1) (_ => 2) (y => 3) (^z => 4) (-1 => 5) (2.5 => 6) (:a => 7) (\"s\" => 8) (:nil => 9))"
    );
    assert_eq!(
        p("case x { (a, b) => 1, () => 2, (a,) => 3, [h | t] => 4, [a, b | _] => 5, [] => 6 }"),
        "(case x ((tuple a b) => 1) ((tuple) => 2) ((tuple a) => 3) ([h | t] => 4) ([a b | _] => 5) ([] => 6))"
    );
    assert_eq!(
        p("case x { #{:k => v, ^key => w, 1 => _} => 1 }"),
        "(case x (#{:k => v, ^key => w, 1 => _} => 1))"
    );
    assert_eq!(
        p("case x { (a, _) = whole => 1, y = [_ | _] => 2 }"),
        "(case x ((= (tuple a _) whole) => 1) ((= y [_ | _]) => 2))"
    );
    assert_eq!(p("let (a, [b | c]) = f()"), "(let (tuple a [b | c]) (f))");
    assert_eq!(
        p("fn f(a = (b, c), [x | _] = l) { a }"),
        "(fn f((= a (tuple b c)) (= [x | _] l)) {a})"
    );
}

#[test]
fn control_flow() {
    assert_eq!(p("if a { 1 }"), "(if a {1})");
    assert_eq!(
        p("if a { 1 } else if b { 2 } else if c { 3 } else { 4 }"),
        "(if a {1} b {2} c {3} else {4})"
    );
    assert_eq!(
        p("case f(x) {\n  1 => :one\n  n when n > 1 => :many,\n}"),
        "(case (f x) (1 => :one) (n when (> n 1) => :many))"
    );
    assert_eq!(
        p("case x {\n  :a => {\n    1\n    2\n  }\n  :b => 3\n}"),
        "(case x (:a => {1; 2}) (:b => 3))"
    );
    assert_eq!(p("receive { x => x }"), "(receive (x => x))");
    assert_eq!(
        p("receive {\n  x => x\n} after 100 => :timeout"),
        "(receive (x => x) after 100 => :timeout)"
    );
    assert_eq!(
        p("receive { } after t => { :late }"),
        "(receive after t => {:late})"
    );
    assert_eq!(
        p("try { risky() } catch {\n  (:error, r) => r\n  (:throw, v) when is_atom(v) => v\n}"),
        "(try {(risky)} catch ((tuple :error r) => r) ((tuple :throw v) when (is_atom v) => v))"
    );
    assert_eq!(p("let x = case y { _ => 1 }"), "(let x (case y (_ => 1)))");
    assert_eq!(
        p("fn(x, y) when x > y { x + y }"),
        "(fn (x y) when (> x y) {(+ x y)})"
    );
    assert_eq!(p("{ let a = 1; a }"), "{(let a 1); a}");
}

#[test]
fn function_clauses() {
    assert_eq!(
        m("pub fn fact(0) { 1 }\npub fn fact(n) when n > 0 { n * fact(n - 1) }\nfn helper() {}"),
        "(pub fn fact(0) {1})\n(pub fn fact(n) when (> n 0) {(* n (fact (- n 1)))})\n(fn helper() {})"
    );
    assert_eq!(
        m("fn f(x)\n  when x > 0\n{\n  x\n}"),
        "(fn f(x) when (> x 0) {x})"
    );
    assert_eq!(m("// only a comment\n\n"), "");
    assert_eq!(m(""), "");
    let src = "fn   foo(a) { a }\n";
    let (module, _) = parse_module(src);
    let Item::Fn(f) = &module.items[0];
    assert_eq!(&src[f.name_span.clone()], "foo");
    assert_eq!(&src[f.span.clone()], "fn   foo(a) { a }");
    assert_eq!(&src[f.body.span.clone()], "{ a }");
    let src = "pub fn bar() { 1 }";
    let (module, _) = parse_module(src);
    let Item::Fn(f) = &module.items[0];
    assert_eq!(f.span, 0..src.len());
}

#[test]
fn repl_items() {
    assert_eq!(
        p("fn double(x) { x * 2 }\ndouble(21)"),
        "(fn double(x) {(* x 2)})\n(double 21)"
    );
    assert_eq!(p("let x = 1; x + 1"), "(let x 1)\n(+ x 1)");
    assert_eq!(p("\n\n1\n\n"), "1");
}

#[test]
fn card_example_parses() {
    let src = r#"// a line comment
pub fn main(args) {
  let counter = spawn(fn() { count(0) })
  counter ! (:add, 5)
  counter ! (:get, self())
  receive {
    (:total, n) => io.println("total: #{n}"),
  } after 1000 => io.println("timed out")
}

fn count(n) {
  receive {
    (:add, k) when is_int(k) => count(n + k),
    (:get, from) => {
      from ! (:total, n)
      count(n)
    }
    :stop => :ok,
  }
}

pub fn fact(0) { 1 }
pub fn fact(n) when n > 0 { n * fact(n - 1) }
"#;
    assert_eq!(
        m(src),
        [
            r#"(pub fn main(args) {(let counter (spawn (fn () {(count 0)}))); (! counter (tuple :add 5)); (! counter (tuple :get (self))); (receive ((tuple :total n) => (io.println (interp "total: " n))) after 1000 => (io.println "timed out"))})"#,
            "(fn count(n) {(receive ((tuple :add k) when (is_int k) => (count (+ n k))) ((tuple :get from) => {(! from (tuple :total n)); (count n)}) (:stop => :ok))})",
            "(pub fn fact(0) {1})",
            "(pub fn fact(n) when (> n 0) {(* n (fact (- n 1)))})",
        ]
        .join("\n")
    );
}

#[test]
fn spans() {
    let src = "a + b * c";
    let e = first_expr(src);
    assert_eq!(e.span, 0..9);
    let ExprKind::Binary(_, l, r) = &e.node else {
        panic!()
    };
    assert_eq!(l.span, 0..1);
    assert_eq!(r.span, 4..9);
    let src = "(1, [2 | t], #{3 => 4})";
    let e = first_expr(src);
    assert_eq!(e.span, 0..src.len());
    let ExprKind::Tuple(items) = &e.node else {
        panic!()
    };
    assert_eq!(&src[items[1].span.clone()], "[2 | t]");
    assert_eq!(&src[items[2].span.clone()], "#{3 => 4}");
    let src = "case x { (a, b) when a > b => a }";
    let ExprKind::Case(_, arms) = first_expr(src).node else {
        panic!()
    };
    assert_eq!(&src[arms[0].span.clone()], "(a, b) when a > b => a");
    assert_eq!(&src[arms[0].pattern.span.clone()], "(a, b)");
}

#[test]
fn incomplete_input() {
    for src in [
        "1 +",
        "foo(",
        "foo(1,",
        "[1, 2",
        "#{:a => ",
        "\"abc",
        "\"a #{b",
        "let x =",
        "fn foo(x)",
        "fn foo(x) when",
        "fn foo(x) {",
        "fn foo(x) {\n  bar(x)\n",
        "case x {",
        "case x {\n  1 => 2\n",
        "x |>",
        "pid !",
        "if x { 1 } else",
        "receive { x => x } after",
        "(a,\n b",
    ] {
        assert!(is_incomplete(src), "should be incomplete: {src:?}");
    }
    for src in [
        "",
        "1 + 2",
        "foo()",
        "fn foo(x) { x }",
        "1 + )",
        "foo(1]",
        "x @ y",
        "case x { 1 -> 2 }",
        "\"abc\"",
        "1 2",
    ] {
        assert!(!is_incomplete(src), "should not be incomplete: {src:?}");
    }
}

#[test]
fn deep_nesting_does_not_overflow() {
    for src in [
        "(".repeat(10_000),
        format!("{}1{}", "(".repeat(10_000), ")".repeat(10_000)),
        format!("{}1{}", "[".repeat(5_000), "]".repeat(5_000)),
        format!("x = {}1", "-".repeat(10_000)),
        format!("{}x", "not ".repeat(10_000)),
        // Chains are not nesting, but past 10,000 they are refused too.
        (0..10_002)
            .map(|i| format!("a{i}"))
            .collect::<Vec<_>>()
            .join(" ! "),
        (0..10_002)
            .map(|i| format!("a{i}"))
            .collect::<Vec<_>>()
            .join(" + "),
        format!("f{}", "(1)".repeat(10_002)),
        "{".repeat(10_000),
        "let x = ".repeat(10_000),
        "\"#{".repeat(10_000),
        "fn f() { ".repeat(10_000),
    ] {
        let (_, diags) = parse_module(&src);
        assert!(!diags.is_empty());
        let (_, diags) = parse_repl(&src);
        assert!(
            diags
                .iter()
                .any(|d| ["E0113", "E0108", "E0122"].contains(&d.code)),
            "{:?}",
            diags.first()
        );
        let _ = is_incomplete(&src);
    }
    // Moderately deep nesting is fine.
    let src = format!("{}1{}", "(".repeat(150), ")".repeat(150));
    assert_eq!(p(&src), "1");
}
