//! Name resolution: groups clauses into functions, checks every variable,
//! local call and function reference, reports unused variables, validates
//! guards, and records which variables each lambda captures (the code
//! generator needs that list before it compiles the lambda's body).

use std::collections::{HashMap, HashSet};

use crate::ast::*;
use crate::builtins;
use crate::diagnostics::Diagnostic;

/// One function: adjacent clauses with the same name and arity.
#[derive(Debug, Clone)]
pub struct FunDef {
    pub name: String,
    pub arity: usize,
    pub exported: bool,
    pub clauses: Vec<FnClause>,
}

/// The resolver's output, consumed by the code generator.
#[derive(Debug, Clone, Default)]
pub struct Resolved {
    pub functions: Vec<FunDef>,
    /// The variables each lambda captures, in capture order, keyed by the
    /// lambda expression's span.
    pub captures: HashMap<(usize, usize), Vec<String>>,
}

impl Resolved {
    pub fn has_function(&self, name: &str, arity: usize) -> bool {
        self.functions
            .iter()
            .any(|f| f.name == name && f.arity == arity)
    }

    pub fn captures_of(&self, span: &Span) -> &[String] {
        self.captures
            .get(&(span.start, span.end))
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }
}

/// A resolution error, as data. Converted to a [`Diagnostic`] by
/// [`ResolveError::to_diagnostic`].
#[derive(Debug, Clone, PartialEq)]
pub enum ResolveError {
    UnboundVariable {
        name: String,
        span: Span,
        suggestion: Option<String>,
    },
    UndefinedFunction {
        name: String,
        arity: usize,
        span: Span,
        suggestion: Option<String>,
    },
    WrongArity {
        name: String,
        arity: usize,
        defined: Vec<usize>,
        span: Span,
    },
    DuplicateFunction {
        name: String,
        arity: usize,
        span: Span,
        first: Span,
    },
    NotAllowedInGuard {
        what: String,
        span: Span,
    },
    UnusedVariable {
        name: String,
        span: Span,
    },
    BadMapKeyPattern {
        span: Span,
    },
    PinUnbound {
        name: String,
        span: Span,
    },
    LetNotStatement {
        span: Span,
    },
}

impl ResolveError {
    pub fn to_diagnostic(&self) -> Diagnostic {
        match self {
            ResolveError::UnboundVariable { name, span, suggestion } => {
                let d = Diagnostic::error(
                    "E0201",
                    format!("unbound variable `{name}`"),
                    span.clone(),
                    "not bound here",
                );
                match suggestion {
                    Some(s) => d.with_hint(format!("did you mean `{s}`?")),
                    None => d.with_hint(format!("bind it first, e.g. `let {name} = ...`")),
                }
            }
            ResolveError::UndefinedFunction { name, arity, span, suggestion } => {
                let d = Diagnostic::error(
                    "E0202",
                    format!("undefined function `{name}/{arity}`"),
                    span.clone(),
                    "no local function or built-in with this name",
                );
                match suggestion {
                    Some(s) => d.with_hint(format!("did you mean `{s}`?")),
                    None => d.with_hint(
                        "define it in this module, or call another module's function as `module.name(...)`",
                    ),
                }
            }
            ResolveError::WrongArity { name, arity, defined, span } => {
                let list: Vec<String> = defined.iter().map(|a| format!("`{name}/{a}`")).collect();
                Diagnostic::error(
                    "E0203",
                    format!("`{name}` takes {}, not {arity}", arity_words(defined)),
                    span.clone(),
                    format!("called with {arity} argument{}", plural(*arity)),
                )
                .with_hint(format!("defined as {}", list.join(", ")))
            }
            ResolveError::DuplicateFunction { name, arity, span, first } => Diagnostic::error(
                "E0204",
                format!("`{name}/{arity}` is defined again here"),
                span.clone(),
                "redefined here",
            )
            .with_secondary(first.clone(), "first defined here")
            .with_hint("clauses of one function must be adjacent; rename one of them or move the clauses together"),
            ResolveError::NotAllowedInGuard { what, span } => Diagnostic::error(
                "E0205",
                format!("{what} is not allowed in a guard"),
                span.clone(),
                "not allowed here",
            )
            .with_hint(
                "guards may use comparisons, arithmetic, `and`/`or`/`not`, the `is_*` type tests, `len`, `tuple_size` and `map_size`",
            ),
            ResolveError::UnusedVariable { name, span } => Diagnostic::warning(
                "W0101",
                format!("unused variable `{name}`"),
                span.clone(),
                "bound here but never used",
            )
            .with_hint(format!("if this is intentional, name it `_{name}`")),
            ResolveError::BadMapKeyPattern { span } => Diagnostic::error(
                "E0206",
                "a map key in a pattern must be a literal or a pinned variable",
                span.clone(),
                "not a literal",
            )
            .with_hint("write `#{:key => value}` or `#{^k => value}`"),
            ResolveError::PinUnbound { name, span } => Diagnostic::error(
                "E0207",
                format!("`^{name}` pins a variable that is not bound"),
                span.clone(),
                "nothing to pin",
            )
            .with_hint(format!("to bind a new variable, write `{name}` without `^`")),
            ResolveError::LetNotStatement { span } => Diagnostic::error(
                "E0208",
                "`let` must stand on its own line in a block",
                span.clone(),
                "`let` used as a value here",
            )
            .with_hint("bind first with `let`, then use the variable"),
        }
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn arity_words(defined: &[usize]) -> String {
    let parts: Vec<String> = defined
        .iter()
        .map(|a| format!("{a} argument{}", plural(*a)))
        .collect();
    parts.join(" or ")
}

/// Resolves a parsed module. `source` is unused today but kept so that
/// future diagnostics can quote it. The module is taken by value: its
/// clauses move into the [`FunDef`]s (a copy of a big file's AST was a
/// fifth of the front end's peak memory).
pub fn resolve_module(m: Module, _source: &str) -> (Resolved, Vec<Diagnostic>) {
    let mut errors = Vec::new();
    let mut functions: Vec<FunDef> = Vec::new();
    let mut first_span: HashMap<(String, usize), Span> = HashMap::new();
    for Item::Fn(clause) in m.items {
        if let Some(last) = functions.last_mut() {
            if last.name == clause.name && last.arity == clause.params.len() {
                last.clauses.push(clause);
                continue;
            }
        }
        let key = (clause.name.clone(), clause.params.len());
        if let Some(first) = first_span.get(&key) {
            errors.push(ResolveError::DuplicateFunction {
                name: clause.name.clone(),
                arity: clause.params.len(),
                span: clause.name_span.clone(),
                first: first.clone(),
            });
            continue;
        }
        first_span.insert(key, clause.name_span.clone());
        functions.push(FunDef {
            name: clause.name.clone(),
            arity: clause.params.len(),
            exported: clause.public,
            clauses: vec![clause],
        });
    }
    let mut resolved = Resolved {
        functions,
        captures: HashMap::new(),
    };
    let local: Vec<(String, usize)> = resolved
        .functions
        .iter()
        .map(|f| (f.name.clone(), f.arity))
        .collect();
    let mut r = Resolver {
        local: &local,
        vars: Vec::new(),
        lambdas: Vec::new(),
        captures: HashMap::new(),
        errors,
    };
    for f in &resolved.functions {
        for clause in &f.clauses {
            r.clause(&clause.params, clause.guard.as_ref(), |r| {
                r.block(&clause.body)
            });
        }
    }
    resolved.captures = r.captures;
    let diags = r.errors.iter().map(ResolveError::to_diagnostic).collect();
    (resolved, diags)
}

struct Var {
    name: String,
    span: Span,
    used: bool,
}

struct Resolver<'a> {
    local: &'a [(String, usize)],
    /// All variables in scope, innermost last. Scopes are marks into it.
    vars: Vec<Var>,
    /// For each lambda being resolved: where its own variables start in
    /// `vars`, and its span key.
    lambdas: Vec<(usize, (usize, usize))>,
    captures: HashMap<(usize, usize), Vec<String>>,
    errors: Vec<ResolveError>,
}

impl Resolver<'_> {
    fn scope<T>(&mut self, f: impl FnOnce(&mut Self) -> T) -> T {
        let mark = self.vars.len();
        let out = f(self);
        self.end_scope(mark);
        out
    }

    fn end_scope(&mut self, mark: usize) {
        for v in self.vars.drain(mark..) {
            if !v.used && !v.name.starts_with('_') {
                self.errors.push(ResolveError::UnusedVariable {
                    name: v.name,
                    span: v.span,
                });
            }
        }
    }

    fn lookup(&mut self, name: &str) -> bool {
        let Some(i) = self.vars.iter().rposition(|v| v.name == name) else {
            return false;
        };
        self.vars[i].used = true;
        for &(base, key) in self.lambdas.iter().rev() {
            if i >= base {
                break;
            }
            let list = self.captures.entry(key).or_default();
            if !list.iter().any(|n| n == name) {
                list.push(name.to_string());
            }
        }
        true
    }

    fn suggest_var(&self, name: &str) -> Option<String> {
        closest(name, self.vars.iter().map(|v| v.name.as_str()))
    }

    fn bind(&mut self, name: &str, span: &Span) {
        self.vars.push(Var {
            name: name.to_string(),
            span: span.clone(),
            used: false,
        });
    }

    /// A clause: patterns bind in a new scope, then the guard, then the body.
    fn clause(&mut self, params: &[Pattern], guard: Option<&Expr>, body: impl FnOnce(&mut Self)) {
        self.scope(|r| {
            let mut bound = HashSet::new();
            for p in params {
                r.pattern(p, &mut bound);
            }
            if let Some(g) = guard {
                r.guard(g);
            }
            body(r);
        });
    }

    fn arm(&mut self, arm: &Arm) {
        self.clause(
            std::slice::from_ref(&arm.pattern),
            arm.guard.as_ref(),
            |r| r.stmt(&arm.body),
        );
    }

    /// A block statement or an arm body: the only places `let` may stand.
    fn stmt(&mut self, e: &Expr) {
        match &e.node {
            ExprKind::Let(p, x) => {
                // The right side sees the old bindings; the pattern's
                // names are in scope for the rest of the enclosing block.
                self.expr(x);
                let mut bound = HashSet::new();
                self.pattern(p, &mut bound);
            }
            _ => self.expr(e),
        }
    }

    /// Binds the names of a pattern. `bound` holds names already bound by
    /// this same pattern (a repeated name must be equal, so it is a use).
    fn pattern(&mut self, p: &Pattern, bound: &mut HashSet<String>) {
        match &p.node {
            PatternKind::Wildcard
            | PatternKind::Int(_)
            | PatternKind::Float(_)
            | PatternKind::Atom(_)
            | PatternKind::Str(_) => {}
            PatternKind::Bind(name) => {
                if bound.contains(name) {
                    self.lookup(name);
                } else {
                    bound.insert(name.clone());
                    self.bind(name, &p.span);
                }
            }
            PatternKind::Pin(name) => {
                if !self.lookup(name) {
                    self.errors.push(ResolveError::PinUnbound {
                        name: name.clone(),
                        span: p.span.clone(),
                    });
                }
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
                    match &k.node {
                        PatternKind::Pin(_) => self.pattern(k, bound),
                        _ if is_literal_pattern(k) => {}
                        _ => self.errors.push(ResolveError::BadMapKeyPattern {
                            span: k.span.clone(),
                        }),
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

    fn guard(&mut self, g: &Expr) {
        self.check_guard(g);
        self.expr(g);
    }

    /// Only side-effect-free expressions may appear in a guard.
    fn check_guard(&mut self, g: &Expr) {
        let bad = |what: &str| ResolveError::NotAllowedInGuard {
            what: what.to_string(),
            span: g.span.clone(),
        };
        match &g.node {
            ExprKind::Int(_)
            | ExprKind::Float(_)
            | ExprKind::Atom(_)
            | ExprKind::Str(_)
            | ExprKind::Var(_)
            | ExprKind::Error => {}
            ExprKind::Tuple(es) => es.iter().for_each(|e| self.check_guard(e)),
            ExprKind::List(es, tail) => {
                es.iter().for_each(|e| self.check_guard(e));
                if let Some(t) = tail {
                    self.check_guard(t);
                }
            }
            ExprKind::Unary(_, e) => self.check_guard(e),
            ExprKind::Binary(_, a, b) => {
                self.check_guard(a);
                self.check_guard(b);
            }
            ExprKind::Call { name, args, .. } => {
                if builtins::GUARD_SAFE.contains(&name.as_str())
                    && builtins::is_kernel(name, args.len())
                {
                    args.iter().for_each(|e| self.check_guard(e));
                } else {
                    self.errors.push(bad(&format!("calling `{name}`")));
                }
            }
            ExprKind::RemoteCall { module, name, .. } => {
                self.errors.push(bad(&format!("calling `{module}.{name}`")))
            }
            ExprKind::Send(..) => self.errors.push(bad("sending a message")),
            ExprKind::Let(..) => self.errors.push(bad("`let`")),
            ExprKind::Receive(..) => self.errors.push(bad("`receive`")),
            _ => self.errors.push(bad("this expression")),
        }
    }

    fn block(&mut self, b: &Block) {
        self.scope(|r| {
            for e in &b.exprs {
                r.stmt(e);
            }
        });
    }

    fn exprs(&mut self, es: &[Expr]) {
        for e in es {
            self.expr(e);
        }
    }

    fn call(&mut self, name: &str, arity: usize, span: &Span) {
        if self.local.iter().any(|(n, a)| n == name && *a == arity)
            || builtins::is_kernel(name, arity)
        {
            return;
        }
        let mut defined: Vec<usize> = self
            .local
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, a)| *a)
            .collect();
        if defined.is_empty() {
            defined = builtins::kernel_arities(name)
                .into_iter()
                .map(|a| a as usize)
                .collect();
        }
        if !defined.is_empty() {
            defined.sort_unstable();
            self.errors.push(ResolveError::WrongArity {
                name: name.to_string(),
                arity,
                defined,
                span: span.clone(),
            });
            return;
        }
        let candidates = self
            .local
            .iter()
            .map(|(n, _)| n.as_str())
            .chain(builtins::KERNEL.iter().map(|(n, _)| *n));
        let suggestion = closest(name, candidates);
        self.errors.push(ResolveError::UndefinedFunction {
            name: name.to_string(),
            arity,
            span: span.clone(),
            suggestion,
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
                if !self.lookup(name) {
                    let suggestion = self.suggest_var(name);
                    self.errors.push(ResolveError::UnboundVariable {
                        name: name.clone(),
                        span: e.span.clone(),
                        suggestion,
                    });
                }
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
                let key = (e.span.start, e.span.end);
                self.captures.entry(key).or_default();
                self.lambdas.push((self.vars.len(), key));
                for c in clauses {
                    self.clause(&c.params, c.guard.as_ref(), |r| r.block(&c.body));
                }
                self.lambdas.pop();
            }
            ExprKind::FnRef {
                module: None,
                name,
                arity,
            } => self.call(name, *arity, &e.span),
            ExprKind::FnRef { .. } => {}
            ExprKind::Call {
                name,
                name_span,
                args,
            } => {
                if self.vars.iter().any(|v| v.name == *name) {
                    self.lookup(name);
                } else {
                    self.call(name, args.len(), name_span);
                }
                self.exprs(args);
            }
            ExprKind::RemoteCall { args, .. } => self.exprs(args),
            ExprKind::Apply(f, args) => {
                self.expr(f);
                self.exprs(args);
            }
            ExprKind::Unary(_, x) => self.expr(x),
            ExprKind::Binary(_, a, b) | ExprKind::Send(a, b) => {
                self.expr(a);
                self.expr(b);
            }
            ExprKind::Let(..) => {
                self.errors.push(ResolveError::LetNotStatement {
                    span: e.span.clone(),
                });
                self.scope(|r| r.stmt(e));
            }
            ExprKind::Block(b) => self.block(b),
            ExprKind::If(branches, els) => {
                for (c, b) in branches {
                    self.scope(|r| {
                        r.expr(c);
                        r.block(b);
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
                    self.scope(|r| r.stmt(&a.body));
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
            ExprKind::For(quals, body) => self.comprehension(quals, body),
        }
    }

    /// A comprehension is one scope: each generator's expression sees the
    /// names bound before it, then its pattern binds; filters and the body
    /// see everything bound so far; nothing leaks out (unused names are
    /// warned about when the scope ends).
    fn comprehension(&mut self, quals: &[Qualifier], body: &Block) {
        self.scope(|r| {
            for q in quals {
                match q {
                    Qualifier::Gen(p, x) => {
                        r.expr(x);
                        r.pattern(p, &mut HashSet::new());
                    }
                    Qualifier::Filter(f) => r.expr(f),
                }
            }
            r.block(body);
        });
    }
}

/// Is this pattern a literal term (a scalar, or a tuple or proper list of
/// literals)? Such patterns can be map keys.
pub fn is_literal_pattern(p: &Pattern) -> bool {
    match &p.node {
        PatternKind::Int(_)
        | PatternKind::Float(_)
        | PatternKind::Atom(_)
        | PatternKind::Str(_) => true,
        PatternKind::Tuple(ps) | PatternKind::List(ps, None) => ps.iter().all(is_literal_pattern),
        _ => false,
    }
}

/// The candidate closest to `name` by edit distance, if close enough to be
/// a plausible typo; failing that, one that begins or ends the name or is
/// begun or ended by it (`lenght` → `len`, `foreach` → `each`), shortest
/// difference first. Names starting with `__` are internal: never offered.
pub(crate) fn closest<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Option<String> {
    let limit = (name.chars().count() / 3).max(1);
    let part_of = |c: &str| {
        let (short, long) = if c.len() < name.len() {
            (c, name)
        } else {
            (name, c)
        };
        short.len() >= 3 && (long.starts_with(short) || long.ends_with(short))
    };
    candidates
        .filter(|c| *c != name && !c.starts_with("__"))
        .filter_map(|c| match edit_distance(name, c) {
            d if d <= limit => Some((d, c)),
            _ if part_of(c) => Some((limit + 1 + c.len().abs_diff(name.len()), c)),
            _ => None,
        })
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c.to_string())
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = if ca == *cb { 0 } else { 1 };
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}
