//! Source-level facts for tools that answer questions about a file as it
//! is being edited (the language server): its functions and their clause
//! heads, every variable binding with the stretch of source that can see
//! it, every use of a variable tied to its binding, and every call. Built
//! from the parser's recovering AST, so a file with syntax errors still
//! has an outline of the parts that parsed. The scoping rules are the
//! resolver's (`resolve.rs`, Elixir's): each block, clause, arm and branch
//! is a scope, and `let` binds for the rest of its block.

use std::collections::HashSet;

use crate::ast::*;

/// What a tool needs to know of one source file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Outline {
    /// The functions, in source order (adjacent clauses of one name and
    /// arity grouped, as the resolver groups them).
    pub functions: Vec<Function>,
    /// Every variable binding.
    pub bindings: Vec<Binding>,
    /// Every occurrence of a bound variable's name (its binding included),
    /// with the binding it refers to.
    pub refs: Vec<VarRef>,
    /// Every call and function reference.
    pub calls: Vec<Call>,
}

/// One function: adjacent clauses of the same name and arity.
#[derive(Debug, Clone, PartialEq)]
pub struct Function {
    pub name: String,
    pub arity: usize,
    pub public: bool,
    pub clauses: Vec<Clause>,
}

/// One clause of a function.
#[derive(Debug, Clone, PartialEq)]
pub struct Clause {
    /// The head as written, whitespace collapsed: `fact(n) when n > 0`.
    pub head: String,
    /// The function's name in the head.
    pub name_span: Span,
    /// The whole clause.
    pub span: Span,
}

/// A variable bound by a pattern.
#[derive(Debug, Clone, PartialEq)]
pub struct Binding {
    pub name: String,
    /// The name where it is bound.
    pub span: Span,
    /// Where a use of the name sees this binding (from after the binding
    /// construct to the end of its scope), unless a later binding of the
    /// same name shadows it.
    pub visible: Span,
}

/// An occurrence of a variable's name: `binding` indexes
/// [`Outline::bindings`].
#[derive(Debug, Clone, PartialEq)]
pub struct VarRef {
    pub span: Span,
    pub binding: usize,
}

/// A call `name(args)` or `module.name(args)`, or a reference
/// `&name/arity`, `&module.name/arity`.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    pub module: Option<String>,
    pub name: String,
    pub arity: usize,
    /// The whole call expression.
    pub span: Span,
}

impl Outline {
    /// The binding that the name at byte `offset` refers to, if the
    /// offset is on (or just after) a variable's name.
    pub fn binding_at(&self, offset: usize) -> Option<usize> {
        self.refs
            .iter()
            .find(|r| r.span.start <= offset && offset <= r.span.end)
            .map(|r| r.binding)
    }

    /// Every occurrence of binding `b` (the binding itself first).
    pub fn occurrences(&self, b: usize) -> Vec<Span> {
        let mut spans: Vec<Span> = self
            .refs
            .iter()
            .filter(|r| r.binding == b)
            .map(|r| r.span.clone())
            .collect();
        spans.sort_by_key(|s| s.start);
        spans.dedup();
        spans
    }

    /// The names of the variables in scope at byte `offset`, innermost
    /// binding of each name once, in the order they were bound. A cursor
    /// at the very end of `let x = ...` is still typing it: `x` is not
    /// in scope there yet.
    pub fn locals_at(&self, offset: usize) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        for b in &self.bindings {
            if b.visible.start < offset
                && offset <= b.visible.end
                && !names.contains(&b.name.as_str())
            {
                names.push(&b.name);
            }
        }
        names
    }

    /// The smallest call of `module.name` (or the local `name`) whose
    /// expression contains `offset`.
    pub fn call_at(&self, module: Option<&str>, name: &str, offset: usize) -> Option<&Call> {
        self.calls
            .iter()
            .filter(|c| c.module.as_deref() == module && c.name == name)
            .filter(|c| c.span.start <= offset && offset <= c.span.end)
            .min_by_key(|c| c.span.end - c.span.start)
    }

    /// The functions named `name`, all arities.
    pub fn functions_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Function> {
        self.functions.iter().filter(move |f| f.name == name)
    }
}

/// The outline of `source`. Never fails: what did not parse is missing.
pub fn outline(source: &str) -> Outline {
    crate::with_stack_for(source, || {
        let (module, _) = crate::parser::parse_module(source);
        let mut w = Walker {
            source,
            out: Outline::default(),
            scope: Vec::new(),
        };
        for Item::Fn(clause) in &module.items {
            w.function_clause(clause);
        }
        w.out
    })
}

/// The head of a clause as written: from its name to its body's `{`.
fn head_text(source: &str, c: &FnClause) -> String {
    let text = if c.body.span.start > c.name_span.start {
        source.get(c.name_span.start..c.body.span.start)
    } else {
        None
    };
    match text {
        Some(t) => t.split_whitespace().collect::<Vec<_>>().join(" "),
        None => c.name.clone(),
    }
}

struct Walker<'s> {
    source: &'s str,
    out: Outline,
    /// The bindings in scope, innermost last: indexes into `out.bindings`.
    scope: Vec<usize>,
}

impl Walker<'_> {
    fn function_clause(&mut self, c: &FnClause) {
        let clause = Clause {
            head: head_text(self.source, c),
            name_span: c.name_span.clone(),
            span: c.span.clone(),
        };
        let arity = c.params.len();
        match self.out.functions.last_mut() {
            Some(f) if f.name == c.name && f.arity == arity => f.clauses.push(clause),
            _ => self.out.functions.push(Function {
                name: c.name.clone(),
                arity,
                public: c.public,
                clauses: vec![clause],
            }),
        }
        self.clause(&c.params, c.guard.as_ref(), c.span.end, |w| {
            w.block(&c.body)
        });
    }

    /// Runs `f` in a new scope that ends at byte `end`: the bindings made
    /// inside are visible up to there.
    fn scope(&mut self, end: usize, f: impl FnOnce(&mut Self)) {
        let mark = self.scope.len();
        f(self);
        for b in self.scope.drain(mark..) {
            let v = &mut self.out.bindings[b].visible;
            v.end = end.max(v.start);
        }
    }

    fn lookup(&mut self, name: &str, span: Span) {
        let found = self
            .scope
            .iter()
            .rev()
            .find(|&&b| self.out.bindings[b].name == name);
        if let Some(&binding) = found {
            self.out.refs.push(VarRef { span, binding });
        }
    }

    fn bind(&mut self, name: &str, span: Span) {
        let binding = self.out.bindings.len();
        self.out.bindings.push(Binding {
            name: name.to_string(),
            span: span.clone(),
            // Made visible by `visible_from` once the construct ends.
            visible: usize::MAX..usize::MAX,
        });
        self.out.refs.push(VarRef { span, binding });
        self.scope.push(binding);
    }

    /// The bindings made since `mark` are visible from byte `at` on.
    fn visible_from(&mut self, mark: usize, at: usize) {
        for &b in &self.scope[mark..] {
            let v = &mut self.out.bindings[b].visible;
            if v.start == usize::MAX {
                *v = at..at;
            }
        }
    }

    fn clause(
        &mut self,
        params: &[Pattern],
        guard: Option<&Expr>,
        end: usize,
        body: impl FnOnce(&mut Self),
    ) {
        self.scope(end, |w| {
            let mark = w.scope.len();
            let mut bound = HashSet::new();
            for p in params {
                w.pattern(p, &mut bound);
            }
            let after = params.last().map_or(0, |p| p.span.end);
            w.visible_from(mark, after);
            if let Some(g) = guard {
                w.expr(g);
            }
            body(w);
        });
    }

    fn arm(&mut self, arm: &Arm) {
        self.clause(
            std::slice::from_ref(&arm.pattern),
            arm.guard.as_ref(),
            arm.span.end,
            |w| w.stmt(&arm.body),
        );
    }

    fn stmt(&mut self, e: &Expr) {
        match &e.node {
            ExprKind::Let(p, x) => {
                self.expr(x);
                let mark = self.scope.len();
                self.pattern(p, &mut HashSet::new());
                self.visible_from(mark, e.span.end);
            }
            _ => self.expr(e),
        }
    }

    /// The span of the name at the end of `span` (a pin `^ name` ends with
    /// it), clamped to the source.
    fn name_at_end(&self, span: &Span, name: &str) -> Span {
        let start = span.end.saturating_sub(name.len()).max(span.start);
        if self.source.get(start..span.end) == Some(name) {
            start..span.end
        } else {
            span.clone()
        }
    }

    fn pattern(&mut self, p: &Pattern, bound: &mut HashSet<String>) {
        match &p.node {
            PatternKind::Wildcard
            | PatternKind::Int(_)
            | PatternKind::Float(_)
            | PatternKind::Atom(_)
            | PatternKind::Str(_) => {}
            PatternKind::Bind(name) => {
                let span = self.name_at_end(&p.span, name);
                if bound.contains(name) {
                    self.lookup(name, span);
                } else {
                    bound.insert(name.clone());
                    self.bind(name, span);
                }
            }
            PatternKind::Pin(name) => {
                let span = self.name_at_end(&p.span, name);
                self.lookup(name, span);
            }
            PatternKind::Tuple(ps) => ps.iter().for_each(|q| self.pattern(q, bound)),
            PatternKind::List(ps, tail) => {
                ps.iter().for_each(|q| self.pattern(q, bound));
                if let Some(t) = tail {
                    self.pattern(t, bound);
                }
            }
            PatternKind::Map(pairs) => {
                for (k, v) in pairs {
                    if let PatternKind::Pin(_) = k.node {
                        self.pattern(k, bound);
                    }
                    self.pattern(v, bound);
                }
            }
            PatternKind::Alias(a, b) => {
                self.pattern(a, bound);
                self.pattern(b, bound);
            }
        }
    }

    fn block(&mut self, b: &Block) {
        self.scope(b.span.end, |w| {
            for e in &b.exprs {
                w.stmt(e);
            }
        });
    }

    fn exprs(&mut self, es: &[Expr]) {
        for e in es {
            self.expr(e);
        }
    }

    fn call(&mut self, module: Option<&str>, name: &str, arity: usize, span: &Span) {
        self.out.calls.push(Call {
            module: module.map(str::to_string),
            name: name.to_string(),
            arity,
            span: span.clone(),
        });
    }

    fn expr(&mut self, e: &Expr) {
        match &e.node {
            ExprKind::Int(_)
            | ExprKind::Float(_)
            | ExprKind::Atom(_)
            | ExprKind::Str(_)
            | ExprKind::Error => {}
            ExprKind::Interp(parts) => {
                for p in parts {
                    if let InterpPart::Expr(x) = p {
                        self.expr(x);
                    }
                }
            }
            ExprKind::Var(name) => {
                let span = self.name_at_end(&e.span, name);
                self.lookup(name, span);
            }
            ExprKind::Tuple(es) => self.exprs(es),
            ExprKind::List(es, tail) => {
                self.exprs(es);
                if let Some(t) = tail {
                    self.expr(t);
                }
            }
            ExprKind::Map(pairs) => {
                for (k, v) in pairs {
                    self.expr(k);
                    self.expr(v);
                }
            }
            ExprKind::MapUpdate(m, pairs) => {
                self.expr(m);
                for (k, v) in pairs {
                    self.expr(k);
                    self.expr(v);
                }
            }
            ExprKind::Lambda(clauses) => {
                for c in clauses {
                    self.clause(&c.params, c.guard.as_ref(), c.span.end, |w| {
                        w.block(&c.body)
                    });
                }
            }
            ExprKind::FnRef {
                module,
                name,
                arity,
            } => self.call(module.as_deref(), name, *arity, &e.span),
            ExprKind::Call {
                name,
                name_span,
                args,
            } => {
                let is_var = self
                    .scope
                    .iter()
                    .any(|&b| self.out.bindings[b].name == *name);
                if is_var {
                    self.lookup(name, name_span.clone());
                } else {
                    self.call(None, name, args.len(), &e.span);
                }
                self.exprs(args);
            }
            ExprKind::RemoteCall { module, name, args } => {
                self.call(Some(module), name, args.len(), &e.span);
                self.exprs(args);
            }
            ExprKind::Apply(f, args) => {
                self.expr(f);
                self.exprs(args);
            }
            ExprKind::Unary(_, x) => self.expr(x),
            ExprKind::Binary(_, a, b) | ExprKind::Send(a, b) => {
                self.expr(a);
                self.expr(b);
            }
            ExprKind::Let(..) => self.scope(e.span.end, |w| w.stmt(e)),
            ExprKind::Block(b) => self.block(b),
            ExprKind::If(branches, els) => {
                for (c, b) in branches {
                    self.scope(b.span.end, |w| {
                        w.expr(c);
                        w.block(b);
                    });
                }
                if let Some(b) = els {
                    self.block(b);
                }
            }
            ExprKind::Case(x, arms) => {
                self.expr(x);
                arms.iter().for_each(|a| self.arm(a));
            }
            ExprKind::Receive(arms, after) => {
                arms.iter().for_each(|a| self.arm(a));
                if let Some(a) = after {
                    self.expr(&a.timeout);
                    self.scope(a.span.end, |w| w.stmt(&a.body));
                }
            }
            ExprKind::Try(body, arms) => {
                self.block(body);
                arms.iter().for_each(|a| self.arm(a));
            }
            ExprKind::TryAfter(inner, cleanup) => {
                self.expr(inner);
                self.block(cleanup);
            }
            ExprKind::For(quals, body) => self.scope(e.span.end, |w| {
                for q in quals {
                    match q {
                        Qualifier::Gen(p, x) => {
                            w.expr(x);
                            let mark = w.scope.len();
                            w.pattern(p, &mut HashSet::new());
                            w.visible_from(mark, x.span.end.max(p.span.end));
                        }
                        Qualifier::Filter(f) => w.expr(f),
                    }
                }
                w.block(body);
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SRC: &str = "\
pub fn fact(0) { 1 }
pub fn fact(n) when n > 0 { n * fact(n - 1) }

fn walk(xs, acc) {
  let total = lists.foldl(xs, acc, fn(x, a) { x + a })
  let total = total + 1
  case total {
    (:ok, v) => v,
    other => other,
  }
}

fn other(total) { total }
";

    fn at(src: &str, needle: &str, nth: usize) -> usize {
        src.match_indices(needle).nth(nth).expect("needle").0
    }

    #[test]
    fn functions_group_clauses_and_keep_heads() {
        let o = outline(SRC);
        let names: Vec<_> = o
            .functions
            .iter()
            .map(|f| (f.name.as_str(), f.arity, f.public, f.clauses.len()))
            .collect();
        assert_eq!(
            names,
            [
                ("fact", 1, true, 2),
                ("walk", 2, false, 1),
                ("other", 1, false, 1)
            ]
        );
        let heads: Vec<_> = o.functions[0].clauses.iter().map(|c| &c.head).collect();
        assert_eq!(heads, ["fact(0)", "fact(n) when n > 0"]);
    }

    #[test]
    fn shadowing_ties_each_use_to_its_own_binding() {
        let o = outline(SRC);
        // The `total` on the right of the second `let` is the first one.
        let first = o.binding_at(at(SRC, "total", 0)).unwrap();
        let use_ = o.binding_at(at(SRC, "total", 2)).unwrap();
        assert_eq!(first, use_);
        let second = o.binding_at(at(SRC, "total", 1)).unwrap();
        assert_ne!(first, second);
        // `case total` sees the second; `other(total)` is another function's.
        assert_eq!(o.binding_at(at(SRC, "total", 3)), Some(second));
        let spans = o.occurrences(second);
        assert_eq!(spans.len(), 2, "{spans:?}");
        let in_other = o.binding_at(at(SRC, "total", 4)).unwrap();
        assert_ne!(in_other, second);
        assert_eq!(o.occurrences(in_other).len(), 2);
    }

    #[test]
    fn locals_in_scope_follow_blocks_and_arms() {
        let o = outline(SRC);
        let in_arm = at(SRC, "v,", 0);
        assert_eq!(o.locals_at(in_arm), ["xs", "acc", "total", "v"]);
        // Inside the lambda: its parameters and what the function bound
        // before (not `total`, whose `let` has not ended).
        let in_lambda = at(SRC, "x + a", 0);
        assert_eq!(o.locals_at(in_lambda), ["xs", "acc", "x", "a"]);
        assert_eq!(o.locals_at(at(SRC, "total }", 0)), ["total"]);
        // Typing the right side of a `let`: its name is not yet bound.
        let src = "fn f(a) {\n  let b = a\n}\n";
        let o = outline(src);
        assert_eq!(o.locals_at(at(src, "a\n}", 0) + 1), ["a"]);
        assert_eq!(o.locals_at(at(src, "\n}", 0) + 1), ["a", "b"]);
    }

    #[test]
    fn calls_know_their_arity_even_through_a_pipe() {
        let src = "fn f(xs) { xs |> lists.map(g) }\nfn g(x) { x }\n";
        let o = outline(src);
        let c = o.call_at(Some("lists"), "map", at(src, "map", 0)).unwrap();
        assert_eq!(c.arity, 2);
    }

    #[test]
    fn a_file_with_a_syntax_error_still_has_the_rest() {
        let src = "fn broken( { \nfn ok(a) { a }\n";
        let o = outline(src);
        assert!(o.functions.iter().any(|f| f.name == "ok" && f.arity == 1));
    }
}
