//! Compiling REPL input. Each input becomes a fresh module holding every
//! function defined so far in the session plus
//! `__eval(bindings) -> (value, new_bindings)`, where `bindings` is a map
//! from variable name (atom) to value. The session process keeps the map
//! between inputs, so a `let` at the prompt persists. The wrapper is built
//! as AST (not as source text), so diagnostics point into what was typed.

use crate::ast::*;
use crate::diagnostics::Diagnostic;
use crate::parser::{self, ReplItem};
use crate::{codegen, resolve};

/// The name of the entry point of a compiled REPL input.
pub const EVAL_FUNCTION: &str = "__eval";

/// What the session remembers between inputs.
#[derive(Debug, Clone, Default)]
pub struct ReplState {
    /// Function clauses defined so far (a redefinition replaces them).
    pub functions: Vec<FnClause>,
    /// Variables bound so far, in binding order.
    pub bound: Vec<String>,
}

/// One compiled input.
#[derive(Debug)]
pub struct ReplCompiled {
    /// `None` when there were errors.
    pub module: Option<reef_bytecode::Module>,
    pub diagnostics: Vec<Diagnostic>,
    /// Functions this input defined, as `name/arity`.
    pub defined: Vec<String>,
    /// Whether the input had an expression to evaluate (otherwise it only
    /// defined functions).
    pub has_value: bool,
}

fn sp<T>(node: T) -> Spanned<T> {
    Spanned::new(node, 0..0)
}

fn var(name: &str) -> Expr {
    sp(ExprKind::Var(name.to_string()))
}

/// Compiles one REPL input against the session state. On success the state
/// is updated (new functions and bindings); on error it is left unchanged.
pub fn compile_input(input: &str, module_name: &str, state: &mut ReplState) -> ReplCompiled {
    compile_input_with(input, module_name, state, &crate::NoModules)
}

/// [`compile_input`], checking calls to other modules against `known`
/// (the same diagnostics a file gets).
pub fn compile_input_with(
    input: &str,
    module_name: &str,
    state: &mut ReplState,
    known: &dyn crate::KnownModules,
) -> ReplCompiled {
    // A big paste compiles on a big stack, as a big file does.
    crate::with_stack_for(input, || {
        compile_input_here(input, module_name, state, known)
    })
}

fn compile_input_here(
    input: &str,
    module_name: &str,
    state: &mut ReplState,
    known: &dyn crate::KnownModules,
) -> ReplCompiled {
    let (items, mut diagnostics) = parser::parse_repl(input);
    if diagnostics.iter().any(Diagnostic::is_error) {
        return ReplCompiled {
            module: None,
            diagnostics,
            defined: Vec::new(),
            has_value: false,
        };
    }
    let mut functions = state.functions.clone();
    let mut defined = Vec::new();
    let typed: Vec<Span> = items
        .iter()
        .map(|i| match i {
            ReplItem::Fn(c) => c.span.clone(),
            ReplItem::Expr(e) => e.span.clone(),
        })
        .collect();
    let mut exprs = Vec::new();
    for item in items {
        match item {
            ReplItem::Fn(clause) => {
                let key = format!("{}/{}", clause.name, clause.params.len());
                if !defined.contains(&key) {
                    // A new definition replaces the old one entirely.
                    functions.retain(|f: &FnClause| {
                        f.name != clause.name || f.params.len() != clause.params.len()
                    });
                    defined.push(key);
                }
                functions.push(FnClause {
                    public: true,
                    ..clause
                });
            }
            ReplItem::Expr(e) => exprs.push(e),
        }
    }
    // Keep the clauses of each function adjacent, in first-definition order.
    let mut grouped: Vec<FnClause> = Vec::new();
    for f in &functions {
        if grouped
            .iter()
            .any(|g| g.name == f.name && g.params.len() == f.params.len())
        {
            continue;
        }
        grouped.extend(
            functions
                .iter()
                .filter(|g| g.name == f.name && g.params.len() == f.params.len())
                .cloned(),
        );
    }
    let has_value = !exprs.is_empty();

    // Names the input binds at top level.
    let mut new_names: Vec<String> = Vec::new();
    for e in &exprs {
        if let ExprKind::Let(p, _) = &e.node {
            collect_binds(p, &mut new_names);
        }
    }
    let mut body = Vec::new();
    for name in &state.bound {
        let get = sp(ExprKind::RemoteCall {
            module: "maps".into(),
            name: "get".into(),
            args: vec![var("__b"), sp(ExprKind::Atom(name.clone()))],
        });
        body.push(sp(ExprKind::Let(
            sp(PatternKind::Bind(name.clone())),
            Box::new(get),
        )));
    }
    let last = exprs.pop();
    body.extend(exprs);
    match last {
        Some(Spanned {
            node: ExprKind::Let(p, x),
            span,
        }) => {
            body.push(Spanned::new(
                ExprKind::Let(sp(PatternKind::Bind("__v".into())), x),
                span.clone(),
            ));
            body.push(Spanned::new(ExprKind::Let(p, Box::new(var("__v"))), span));
        }
        Some(e) => {
            let span = e.span.clone();
            body.push(Spanned::new(
                ExprKind::Let(sp(PatternKind::Bind("__v".into())), Box::new(e)),
                span,
            ));
        }
        None => body.push(sp(ExprKind::Let(
            sp(PatternKind::Bind("__v".into())),
            Box::new(sp(ExprKind::Atom("ok".into()))),
        ))),
    }
    let bindings = if new_names.is_empty() {
        var("__b")
    } else {
        let pairs = new_names
            .iter()
            .map(|n| (sp(ExprKind::Atom(n.clone())), var(n)))
            .collect();
        sp(ExprKind::MapUpdate(Box::new(var("__b")), pairs))
    };
    body.push(sp(ExprKind::Tuple(vec![var("__v"), bindings])));
    let eval = FnClause {
        public: true,
        name: EVAL_FUNCTION.into(),
        name_span: 0..0,
        params: vec![sp(PatternKind::Bind("__b".into()))],
        guard: None,
        body: Block {
            exprs: body,
            span: 0..0,
        },
        span: 0..0,
    };
    let mut ast = Module {
        items: grouped.iter().cloned().map(Item::Fn).collect(),
    };
    ast.items.push(Item::Fn(eval));

    let (resolved, mut resolve_diags) = resolve::resolve_module(ast, input);
    resolve_diags.extend(crate::lints::lint(&resolved.functions, input, known));
    // Warnings about the session's own bindings (unused fetched variables)
    // or about functions defined earlier are noise: keep only those that
    // point into what was typed now.
    let in_input = |s: &Span| {
        typed
            .iter()
            .any(|t| t.start <= s.start && s.end <= t.end && s.end > 0)
    };
    diagnostics.extend(
        resolve_diags
            .into_iter()
            .filter(|d| d.is_error() || in_input(&d.primary.span)),
    );
    diagnostics.sort_by_key(|d| d.primary.span.start);
    if diagnostics.iter().any(Diagnostic::is_error) {
        return ReplCompiled {
            module: None,
            diagnostics,
            defined,
            has_value,
        };
    }
    let module = match codegen::generate(module_name, "repl", input, &resolved) {
        Ok(module) => module,
        Err(limit) => {
            diagnostics.push(*limit);
            return ReplCompiled {
                module: None,
                diagnostics,
                defined,
                has_value,
            };
        }
    };
    state.functions = grouped;
    for n in new_names {
        if !state.bound.contains(&n) {
            state.bound.push(n);
        }
    }
    ReplCompiled {
        module: Some(module),
        diagnostics,
        defined,
        has_value,
    }
}

fn collect_binds(p: &Pattern, out: &mut Vec<String>) {
    match &p.node {
        PatternKind::Bind(n) if !out.contains(n) => out.push(n.clone()),
        PatternKind::Tuple(ps) => ps.iter().for_each(|q| collect_binds(q, out)),
        PatternKind::List(ps, tail) => {
            ps.iter().for_each(|q| collect_binds(q, out));
            if let Some(t) = tail {
                collect_binds(t, out);
            }
        }
        PatternKind::Map(pairs) => pairs.iter().for_each(|(_, v)| collect_binds(v, out)),
        PatternKind::Alias(a, b) => {
            collect_binds(a, out);
            collect_binds(b, out);
        }
        _ => {}
    }
}
