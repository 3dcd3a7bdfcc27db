//! Checks for newcomers' traps, run after name resolution on the resolved
//! functions: code that compiles but most likely does not do what its
//! author meant, and calls to functions the caller knows do not exist.
//! Kept apart from `resolve.rs` (which decides what names mean) because
//! none of this changes what the program means; each finding is a
//! [`Diagnostic`] built in [`report`].
//!
//! - W0102: a variable that shadows a function of the module (or a
//!   built-in) is called: the call calls the variable.
//! - W0103: a statement line that starts with `- x`: the minus is a
//!   negation, not a continuation of the line above.
//! - W0104: a statement whose value is discarded and which has no effect.
//! - E0209: `m.f(...)` where `m` is a variable: it names a module `m`.
//! - E0210 / W0105: a call to a function a known module does not export.
//! - W0106: `++` with a string literal on its left (it raises `:badarg`).
//! - E0400: `assert_raise(f, :class)` with a class that no exception has.

mod report;

use std::collections::{HashMap, HashSet};

use crate::ast::*;
use crate::builtins;
use crate::diagnostics::Diagnostic;
use crate::known::{KnownModule, KnownModules};
use crate::resolve::FunDef;

/// Lints every clause of `functions`.
pub fn lint(functions: &[FunDef], source: &str, known: &dyn KnownModules) -> Vec<Diagnostic> {
    let local: HashSet<(&str, usize)> = functions
        .iter()
        .map(|f| (f.name.as_str(), f.arity))
        .collect();
    let mut l = Linter {
        source,
        local,
        known,
        cache: HashMap::new(),
        vars: Vec::new(),
        out: Vec::new(),
    };
    for f in functions {
        for c in &f.clauses {
            l.clause(&c.params, c.guard.as_ref(), &c.body);
        }
    }
    l.out
}

/// A variable in scope.
struct Binding {
    name: String,
    span: Span,
    /// Bound by `let` to a lambda or a function reference: calling it is
    /// plainly meant, so shadowing a function is not a trap.
    fun: bool,
}

struct Linter<'a> {
    source: &'a str,
    local: HashSet<(&'a str, usize)>,
    known: &'a dyn KnownModules,
    /// Modules already asked about (the answer may be costly to build).
    cache: HashMap<String, Option<KnownModule>>,
    /// Variables in scope, innermost last; scopes are marks into it.
    vars: Vec<Binding>,
    out: Vec<Diagnostic>,
}

impl Linter<'_> {
    fn lookup(&self, name: &str) -> Option<&Binding> {
        self.vars.iter().rev().find(|b| b.name == name)
    }

    fn bind_pattern(&mut self, p: &Pattern, fun: bool) {
        match &p.node {
            PatternKind::Bind(name) => self.vars.push(Binding {
                name: name.clone(),
                span: p.span.clone(),
                fun,
            }),
            PatternKind::Tuple(ps) => ps.iter().for_each(|q| self.bind_pattern(q, false)),
            PatternKind::List(ps, tail) => {
                ps.iter().for_each(|q| self.bind_pattern(q, false));
                if let Some(t) = tail {
                    self.bind_pattern(t, false);
                }
            }
            PatternKind::Map(pairs) => pairs.iter().for_each(|(_, v)| self.bind_pattern(v, false)),
            PatternKind::Alias(a, b) => {
                self.bind_pattern(a, fun);
                self.bind_pattern(b, fun);
            }
            PatternKind::Wildcard
            | PatternKind::Pin(_)
            | PatternKind::Int(_)
            | PatternKind::Float(_)
            | PatternKind::Atom(_)
            | PatternKind::Str(_) => {}
        }
    }

    fn clause(&mut self, params: &[Pattern], guard: Option<&Expr>, body: &Block) {
        let mark = self.vars.len();
        params.iter().for_each(|p| self.bind_pattern(p, false));
        if let Some(g) = guard {
            self.expr(g);
        }
        self.block(body);
        self.vars.truncate(mark);
    }

    fn arm(&mut self, arm: &Arm) {
        let mark = self.vars.len();
        self.bind_pattern(&arm.pattern, false);
        if let Some(g) = &arm.guard {
            self.expr(g);
        }
        self.stmt(&arm.body);
        self.vars.truncate(mark);
    }

    fn block(&mut self, b: &Block) {
        let mark = self.vars.len();
        let n = b.exprs.len();
        for (i, e) in b.exprs.iter().enumerate() {
            if i > 0 && report::starts_with_spaced_minus(self.source, &e.span) {
                self.out.push(report::leading_minus(&e.span));
            } else if i + 1 < n && is_pure(e) {
                self.out.push(report::discarded(&e.span));
            }
            self.stmt(e);
        }
        self.vars.truncate(mark);
    }

    fn stmt(&mut self, e: &Expr) {
        match &e.node {
            ExprKind::Let(p, x) => {
                self.expr(x);
                let fun = matches!(x.node, ExprKind::Lambda(_) | ExprKind::FnRef { .. });
                self.bind_pattern(p, fun);
            }
            _ => self.expr(e),
        }
    }

    fn exprs(&mut self, es: &[Expr]) {
        es.iter().for_each(|e| self.expr(e));
    }

    fn expr(&mut self, e: &Expr) {
        match &e.node {
            ExprKind::Interp(parts) => {
                for p in parts {
                    if let InterpPart::Expr(x) = p {
                        self.expr(x);
                    }
                }
            }
            ExprKind::Tuple(es) => self.exprs(es),
            ExprKind::List(es, tail) => {
                self.exprs(es);
                if let Some(t) = tail {
                    self.expr(t);
                }
            }
            ExprKind::Map(pairs) => pairs.iter().for_each(|(k, v)| {
                self.expr(k);
                self.expr(v);
            }),
            ExprKind::MapUpdate(m, pairs) => {
                self.expr(m);
                pairs.iter().for_each(|(k, v)| {
                    self.expr(k);
                    self.expr(v);
                });
            }
            ExprKind::Lambda(clauses) => {
                for c in clauses {
                    self.clause(&c.params, c.guard.as_ref(), &c.body);
                }
            }
            ExprKind::FnRef {
                module: Some(module),
                name,
                arity,
            } => self.remote(module, name, *arity, &e.span),
            ExprKind::FnRef { module: None, .. } => {}
            ExprKind::Call {
                name,
                name_span,
                args,
            } => {
                self.shadowed_call(name, args.len(), name_span);
                self.assert_raise_class(name, args);
                self.exprs(args);
            }
            ExprKind::RemoteCall { module, name, args } => {
                self.module_var(module, name, args, &e.span);
                self.remote(module, name, args.len(), &e.span);
                self.exprs(args);
            }
            ExprKind::Apply(f, args) => {
                self.expr(f);
                self.exprs(args);
            }
            ExprKind::Unary(_, x) => self.expr(x),
            ExprKind::Binary(op, a, b) if is_string_concat_slip(*op, a, b) => {
                self.out.push(report::concat_strings(&e.span));
                self.expr(a);
                self.expr(b);
            }
            ExprKind::Binary(_, a, b) | ExprKind::Send(a, b) => {
                self.expr(a);
                self.expr(b);
            }
            // Out of statement position (an error resolve reports).
            ExprKind::Let(_, x) => self.expr(x),
            ExprKind::Block(b) => self.block(b),
            ExprKind::If(branches, els) => {
                for (c, b) in branches {
                    let mark = self.vars.len();
                    self.expr(c);
                    self.block(b);
                    self.vars.truncate(mark);
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
                    let mark = self.vars.len();
                    self.stmt(&a.body);
                    self.vars.truncate(mark);
                }
            }
            ExprKind::Try(body, arms) => {
                self.block(body);
                arms.iter().for_each(|a| self.arm(a));
            }
            ExprKind::TryAfter(protected, cleanup) => {
                self.expr(protected);
                self.block(cleanup);
            }
            // A generator's pattern binds for the qualifiers after it and
            // the body, as `let` does for the statements after it.
            ExprKind::For(qualifiers, body) => {
                let mark = self.vars.len();
                for q in qualifiers {
                    match q {
                        Qualifier::Gen(p, xs) => {
                            self.expr(xs);
                            self.bind_pattern(p, false);
                        }
                        Qualifier::Filter(x) => self.expr(x),
                    }
                }
                self.block(body);
                self.vars.truncate(mark);
            }
            // Literals, variables, and any construct this pass does not
            // look into (a new syntax is then simply not linted).
            _ => {}
        }
    }

    /// E0400: the built-in `assert_raise(f, :class)` with a literal class
    /// other than `:error`, `:exit` and `:throw`: it could never pass.
    fn assert_raise_class(&mut self, name: &str, args: &[Expr]) {
        if name != "assert_raise"
            || args.len() != 2
            || self.local.contains(&(name, 2))
            || self.lookup(name).is_some()
        {
            return;
        }
        if let ExprKind::Atom(class) = &args[1].node {
            if !matches!(class.as_str(), "error" | "exit" | "throw") {
                self.out
                    .push(report::assert_raise_class(class, &args[1].span));
            }
        }
    }

    /// W0102: `name(args)` calls the variable `name`, which hides a
    /// function of this module or a built-in of the same arity.
    fn shadowed_call(&mut self, name: &str, arity: usize, span: &Span) {
        let Some(b) = self.lookup(name) else { return };
        if b.fun {
            return;
        }
        let local = self.local.contains(&(name, arity));
        if !local && !builtins::is_kernel(name, arity) {
            return;
        }
        let d = report::shadowed_call(name, arity, local, span, &b.span);
        self.out.push(d);
    }

    /// E0209: `m.f(args)` where `m` is a variable in scope and not a
    /// known module: the call names a module `m`, not the variable's value.
    fn module_var(&mut self, module: &str, name: &str, args: &[Expr], span: &Span) {
        let Some(b) = self.lookup(module) else { return };
        let bound_at = b.span.clone();
        if self.known_module(module).is_some() {
            return;
        }
        let args: Vec<&str> = args
            .iter()
            .map(|a| self.source.get(a.span.clone()).unwrap_or("..."))
            .collect();
        let at = report::module_span(self.source, module, span);
        self.out.push(report::module_is_variable(
            module, name, &args, at, bound_at,
        ));
    }

    /// E0210 / W0105: `module.name/arity` where `module` is known and does
    /// not export it.
    fn remote(&mut self, module: &str, name: &str, arity: usize, span: &Span) {
        let source = self.source;
        let Some(km) = self.known_module(module) else {
            return;
        };
        if km.exports.iter().any(|(n, a)| n == name && *a == arity) {
            return;
        }
        let at = report::name_span(source, module, name, span);
        let d = report::unknown_remote(module, name, arity, km, at);
        self.out.push(d);
    }

    fn known_module(&mut self, module: &str) -> Option<&KnownModule> {
        if !self.cache.contains_key(module) {
            let m = self.known.module(module);
            self.cache.insert(module.to_string(), m);
        }
        self.cache.get(module).and_then(Option::as_ref)
    }
}

/// Has evaluating `e` no effect at all (no call, send, receive, binding)?
/// Such a statement before the last one of a block computes a value that
/// is thrown away.
fn is_pure(e: &Expr) -> bool {
    match &e.node {
        ExprKind::Int(_)
        | ExprKind::Float(_)
        | ExprKind::Atom(_)
        | ExprKind::Str(_)
        | ExprKind::Var(_)
        | ExprKind::FnRef { .. }
        | ExprKind::Lambda(_) => true,
        ExprKind::Interp(parts) => parts.iter().all(|p| match p {
            InterpPart::Lit(_) => true,
            InterpPart::Expr(x) => is_pure(x),
        }),
        ExprKind::Tuple(es) => es.iter().all(is_pure),
        ExprKind::List(es, tail) => es.iter().all(is_pure) && tail.as_deref().is_none_or(is_pure),
        ExprKind::Map(pairs) => pairs.iter().all(|(k, v)| is_pure(k) && is_pure(v)),
        ExprKind::MapUpdate(m, pairs) => {
            is_pure(m) && pairs.iter().all(|(k, v)| is_pure(k) && is_pure(v))
        }
        ExprKind::Unary(_, x) => is_pure(x),
        ExprKind::Binary(_, a, b) => is_pure(a) && is_pure(b),
        _ => false,
    }
}

/// `"a" ++ x` or `"#{x}" ++ y`: `++` joins lists, so a string literal on
/// its left always raises `:badarg` (the right side may be anything).
fn is_string_concat_slip(op: BinOp, a: &Expr, _b: &Expr) -> bool {
    op == BinOp::ListConcat && matches!(a.node, ExprKind::Str(_) | ExprKind::Interp(_))
}
