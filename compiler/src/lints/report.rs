//! The diagnostics of [`super`] (codes W0102..W0106, E0209, E0210, E0400), and
//! the small source-text helpers that find their spans.

use crate::ast::Span;
use crate::diagnostics::Diagnostic;
use crate::known::KnownModule;
use crate::resolve::closest;

pub(super) fn shadowed_call(
    name: &str,
    arity: usize,
    local: bool,
    span: &Span,
    bound: &Span,
) -> Diagnostic {
    let what = if local {
        format!("the function `{name}/{arity}` of this module")
    } else {
        format!("the built-in `{name}/{arity}`")
    };
    let d = Diagnostic::warning(
        "W0102",
        format!("the variable `{name}` shadows {what}, so this calls the variable"),
        span.clone(),
        format!("calls the value of the variable `{name}`"),
    );
    bound_here(d, bound.clone()).with_hint(format!(
        "rename the variable; to call the function while the variable is in scope, write `(&{name}/{arity})(...)`"
    ))
}

/// Points at where the variable was bound, unless that is not in the
/// source (a REPL binding from an earlier input).
fn bound_here(d: Diagnostic, bound: Span) -> Diagnostic {
    if bound.is_empty() {
        d
    } else {
        d.with_secondary(bound, "the variable is bound here")
    }
}

pub(super) fn leading_minus(span: &Span) -> Diagnostic {
    Diagnostic::warning(
        "W0103",
        "this line starts with `-`, so it is a new expression, not a continuation of the previous line",
        span.clone(),
        "a negation standing on its own",
    )
    .with_hint(
        "end the previous line with `-` instead, or wrap the whole expression in parentheses; for a negative value write `-x` without a space",
    )
}

pub(super) fn concat_strings(span: &Span) -> Diagnostic {
    Diagnostic::warning(
        "W0106",
        "`++` joins lists, and its left side is a string: this raises `:badarg`",
        span.clone(),
        "a string on the left of `++`",
    )
    .with_hint("to join strings, use `<>`: `\"a\" <> \"b\"`")
}

pub(super) fn discarded(span: &Span) -> Diagnostic {
    Diagnostic::warning(
        "W0104",
        "this value is discarded",
        span.clone(),
        "computed, then thrown away",
    )
    .with_hint(
        "only the last expression of a block is its value; bind this with `let`, make it the last expression, or remove it",
    )
}

pub(super) fn module_is_variable(
    module: &str,
    name: &str,
    args: &[&str],
    span: Span,
    bound: Span,
) -> Diagnostic {
    let d = Diagnostic::error(
        "E0209",
        format!("`{module}.{name}(...)` calls a module named `{module}`, not the module held by the variable `{module}`"),
        span,
        "a module name, not a variable",
    );
    bound_here(d, bound).with_hint(format!(
        "to call a function of the module the variable holds, write `apply({module}, :{name}, [{}])`",
        args.join(", ")
    ))
}

pub(super) fn unknown_remote(
    module: &str,
    name: &str,
    arity: usize,
    km: &KnownModule,
    span: Span,
) -> Diagnostic {
    let message = format!("`{module}.{name}/{arity}` does not exist");
    let mut arities: Vec<usize> = km
        .exports
        .iter()
        .filter(|(n, _)| n == name)
        .map(|(_, a)| *a)
        .collect();
    arities.sort_unstable();
    arities.dedup();
    let (label, hint) = if !arities.is_empty() {
        let takes: Vec<String> = arities
            .iter()
            .map(|a| format!("{a} argument{}", if *a == 1 { "" } else { "s" }))
            .collect();
        (
            format!(
                "called with {arity} argument{}",
                if arity == 1 { "" } else { "s" }
            ),
            format!("`{module}.{name}` takes {}", takes.join(" or ")),
        )
    } else {
        let names = km.exports.iter().map(|(n, _)| n.as_str());
        let hint = match closest(name, names) {
            Some(c) => {
                let a = km
                    .exports
                    .iter()
                    .filter(|(n, _)| *n == c)
                    .map(|(_, a)| *a)
                    .min_by_key(|a| a.abs_diff(arity))
                    .unwrap_or(arity);
                format!("did you mean `{module}.{c}/{a}`?")
            }
            None => format!(
                "`{module}` exports no function named `{name}` (only a `pub fn` can be called from another module)"
            ),
        };
        (format!("not exported by `{module}`"), hint)
    };
    let d = if km.fixed {
        Diagnostic::error("E0210", message, span, label)
    } else {
        Diagnostic::warning("W0105", message, span, label)
    };
    d.with_hint(hint)
}

/// Does the expression at `span` start its line with `-` followed by
/// blank space (`  - b`)? That is how a continuation is written, while a
/// negative value is written `-b`.
pub(super) fn starts_with_spaced_minus(source: &str, span: &Span) -> bool {
    let bytes = source.as_bytes();
    if span.is_empty() || bytes.get(span.start) != Some(&b'-') {
        return false;
    }
    if !matches!(bytes.get(span.start + 1), Some(b' ' | b'\t')) {
        return false;
    }
    let before = &bytes[..span.start];
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    before[line_start..]
        .iter()
        .all(|&b| b == b' ' || b == b'\t')
}

/// The span of `module` in a remote call or reference at `span`.
pub(super) fn module_span(source: &str, module: &str, span: &Span) -> Span {
    match find_in(source, span, &format!("{module}.")) {
        Some(at) => at..at + module.len(),
        None => span.clone(),
    }
}

/// The span of `name` in `module.name(...)` or `&module.name/n` at `span`.
pub(super) fn name_span(source: &str, module: &str, name: &str, span: &Span) -> Span {
    let Some(at) = find_in(source, span, &format!("{module}.")) else {
        return span.clone();
    };
    let after = at + module.len() + 1;
    match find_in(source, &(after..span.end), name) {
        Some(n) => n..n + name.len(),
        None => span.clone(),
    }
}

fn find_in(source: &str, span: &Span, needle: &str) -> Option<usize> {
    let text = source.get(span.clone())?;
    text.find(needle).map(|i| span.start + i)
}

pub(super) fn assert_raise_class(class: &str, span: &Span) -> Diagnostic {
    let suggestion = closest(class, ["error", "exit", "throw"].into_iter()).map_or_else(
        // `:badarg` is a reason, not a class.
        || {
            format!(
                "; to check the reason, compare what `assert_raise` returns: `assert_eq(assert_raise(f, :error), :{class})`"
            )
        },
        |c| format!("; did you mean `:{c}`?"),
    );
    Diagnostic::error(
        "E0400",
        format!("`assert_raise` expects a class of exception, and `:{class}` is none"),
        span.clone(),
        "not `:error`, `:exit` or `:throw`",
    )
    .with_hint(format!(
        "the class is `:error` (from `error(...)` and runtime errors), `:exit` or `:throw`{suggestion}"
    ))
}
