//! Lexical and syntax errors (`E01xx`) as typed data, and their conversion
//! into [`Diagnostic`]s. The codes are stable: tests and docs refer to them.

use super::Diagnostic;
use crate::ast::Span;

/// Everything the lexer and the parser can report. Only data: spans and
/// short descriptions of tokens (already quoted, like "`)`" or "a newline").
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyntaxError {
    /// E0101: a token that does not fit here.
    Unexpected {
        span: Span,
        expected: Vec<String>,
        found: String,
    },
    /// E0102: the input ended where more was needed.
    UnexpectedEof { span: Span, expected: Vec<String> },
    /// E0103: a character that starts no token.
    UnknownChar { span: Span, ch: char },
    /// E0104: a string (or quoted atom) without its closing quote; `span`
    /// is the opening quote.
    UnterminatedString { span: Span, atom: bool },
    /// E0105: an unknown escape sequence such as `\q`.
    BadEscape { span: Span, text: String },
    /// E0106: a number that is not well formed (`0x`, `12abc`, `1e999`).
    MalformedNumber {
        span: Span,
        text: String,
        reason: &'static str,
    },
    /// E0107: a name that starts with an uppercase letter.
    UppercaseName { span: Span, name: String },
    /// E0108: an opening delimiter that is never closed. `found` is the
    /// token met instead of the closer, or `None` at the end of input;
    /// `also` lists enclosing delimiters left open at the same place.
    Unclosed {
        open: Span,
        delim: &'static str,
        found: Option<(Span, String)>,
        also: Vec<(Span, &'static str)>,
    },
    /// E0109: a closing delimiter that closes nothing.
    UnexpectedCloser { span: Span, delim: &'static str },
    /// E0110: `->` where a case/receive/catch arm needs `=>`.
    ArrowInArm { span: Span },
    /// E0111: `=` in a guard.
    AssignInGuard { span: Span },
    /// E0112: `a < b < c`: comparisons do not chain.
    ChainedComparison { first: Span, second: Span },
    /// E0113: brackets or prefix operators nested deeper than the parser
    /// allows.
    NestingTooDeep { span: Span, limit: usize },
    /// E0122: more binary operators or calls chained in one expression
    /// than the compiler's recursive passes allow.
    ChainTooLong { span: Span, limit: usize },
    /// E0114: `_` used as a value.
    UnderscoreExpr { span: Span },
    /// E0115: something other than a function definition at the top level
    /// of a module.
    ExpectedItem { span: Span, found: String },
    /// E0116: a map pattern key that is neither a literal nor `^pinned`.
    BadMapKey { span: Span },
    /// E0117: an interpolated string in a pattern.
    InterpInPattern { span: Span },
    /// E0118: the right side of `|>` is not something that can be called.
    BadPipe { span: Span },
    /// E0119: the arity of `&name/arity` is not a small integer.
    InvalidArity { span: Span, text: String },
    /// E0120: `module.name` without a call.
    RemoteWithoutCall {
        span: Span,
        module: String,
        name: String,
    },
    /// E0121: `x = 1` as a statement: `=` binds only in `let` (and patterns).
    AssignWithoutLet { span: Span },
    /// E0123: a line that starts with a binary operator (`++`, `*`, `and`,
    /// ...) after a line that was a complete expression: the newline ended
    /// that expression, so the operator has no left operand.
    LineStartsWithOperator { span: Span, op: &'static str },
    /// E0130: `?` with no character after it.
    BadChar { span: Span },
    /// E0131: `for { ... }` without a generator or filter.
    ForWithoutQualifier { span: Span },
}

/// Joins descriptions as "a", "a or b", "a, b or c".
pub fn one_of(items: &[String]) -> String {
    match items {
        [] => "something else".to_string(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {}", init.join(", "), last),
    }
}

impl SyntaxError {
    /// The stable code of this error.
    pub fn code(&self) -> &'static str {
        use SyntaxError::*;
        match self {
            Unexpected { .. } => "E0101",
            UnexpectedEof { .. } => "E0102",
            UnknownChar { .. } => "E0103",
            UnterminatedString { .. } => "E0104",
            BadEscape { .. } => "E0105",
            MalformedNumber { .. } => "E0106",
            UppercaseName { .. } => "E0107",
            Unclosed { .. } => "E0108",
            UnexpectedCloser { .. } => "E0109",
            ArrowInArm { .. } => "E0110",
            AssignInGuard { .. } => "E0111",
            ChainedComparison { .. } => "E0112",
            NestingTooDeep { .. } => "E0113",
            ChainTooLong { .. } => "E0122",
            UnderscoreExpr { .. } => "E0114",
            ExpectedItem { .. } => "E0115",
            BadMapKey { .. } => "E0116",
            InterpInPattern { .. } => "E0117",
            BadPipe { .. } => "E0118",
            InvalidArity { .. } => "E0119",
            RemoteWithoutCall { .. } => "E0120",
            AssignWithoutLet { .. } => "E0121",
            LineStartsWithOperator { .. } => "E0123",
            BadChar { .. } => "E0130",
            ForWithoutQualifier { .. } => "E0131",
        }
    }

    /// The main span of the error (where the report points).
    pub fn span(&self) -> Span {
        use SyntaxError::*;
        match self {
            Unexpected { span, .. }
            | UnexpectedEof { span, .. }
            | UnknownChar { span, .. }
            | UnterminatedString { span, .. }
            | BadEscape { span, .. }
            | MalformedNumber { span, .. }
            | UppercaseName { span, .. }
            | UnexpectedCloser { span, .. }
            | ArrowInArm { span }
            | AssignWithoutLet { span }
            | BadChar { span }
            | ForWithoutQualifier { span }
            | AssignInGuard { span }
            | NestingTooDeep { span, .. }
            | ChainTooLong { span, .. }
            | UnderscoreExpr { span }
            | ExpectedItem { span, .. }
            | BadMapKey { span }
            | InterpInPattern { span }
            | BadPipe { span }
            | LineStartsWithOperator { span, .. }
            | InvalidArity { span, .. }
            | RemoteWithoutCall { span, .. } => span.clone(),
            Unclosed { open, .. } => open.clone(),
            ChainedComparison { second, .. } => second.clone(),
        }
    }

    /// True when the error only says that the input stopped too early: more
    /// input could fix it (the REPL then reads another line).
    pub fn is_at_eof(&self) -> bool {
        matches!(
            self,
            SyntaxError::UnexpectedEof { .. }
                | SyntaxError::UnterminatedString { .. }
                | SyntaxError::Unclosed { found: None, .. }
        )
    }

    pub fn to_diagnostic(&self) -> Diagnostic {
        use SyntaxError::*;
        let code = self.code();
        match self {
            Unexpected {
                span,
                expected,
                found,
            } => Diagnostic::error(
                code,
                format!("expected {}, found {found}", one_of(expected)),
                span.clone(),
                format!("unexpected {found}"),
            ),
            UnexpectedEof { span, expected } => Diagnostic::error(
                code,
                format!("unexpected end of input: expected {}", one_of(expected)),
                span.clone(),
                "the input ends here",
            ),
            UnknownChar { span, ch } => {
                let d = Diagnostic::error(
                    code,
                    format!("unknown character `{}`", ch.escape_debug()),
                    span.clone(),
                    "no Reef token starts with this character",
                );
                match ch {
                    '\'' => d.with_hint("strings use double quotes: \"text\""),
                    ':' => d.with_hint("an atom is written `:name` or `:\"any text\"`"),
                    _ => d,
                }
            }
            UnterminatedString { span, atom } => {
                let what = if *atom { "quoted atom" } else { "string" };
                Diagnostic::error(
                    code,
                    format!("unterminated {what}"),
                    span.clone(),
                    format!("this {what} is never closed"),
                )
                .with_hint("add a closing `\"`")
            }
            BadEscape { span, text } => Diagnostic::error(
                code,
                format!("unknown escape sequence `{text}`"),
                span.clone(),
                "unknown escape",
            )
            .with_hint("valid escapes are \\n \\t \\r \\\\ \\\" \\0 \\e \\# and \\u{...}"),
            MalformedNumber { span, text, reason } => Diagnostic::error(
                code,
                format!("malformed number `{text}`"),
                span.clone(),
                reason.to_string(),
            ),
            UppercaseName { span, name } => Diagnostic::error(
                code,
                format!("names start with a lowercase letter, found `{name}`"),
                span.clone(),
                "uppercase name",
            )
            .with_hint(format!(
                "variables and functions are lowercase; for an atom write `:{name}`"
            )),
            Unclosed {
                open,
                delim,
                found,
                also,
            } => {
                let mut d = Diagnostic::error(
                    code,
                    format!("unclosed `{delim}`"),
                    open.clone(),
                    format!("this `{delim}` is never closed"),
                );
                for (span, outer) in also.iter().take(3) {
                    d = d.with_secondary(
                        span.clone(),
                        format!("this `{outer}` is not closed either"),
                    );
                }
                match found {
                    Some((span, tok)) => d.with_secondary(
                        span.clone(),
                        format!("expected its closing `{}` before {tok}", closer_of(delim)),
                    ),
                    None => d.with_hint(format!("add the closing `{}`", closer_of(delim))),
                }
            }
            UnexpectedCloser { span, delim } => Diagnostic::error(
                code,
                format!("unexpected `{delim}`"),
                span.clone(),
                format!("this `{delim}` closes nothing"),
            ),
            ArrowInArm { span } => Diagnostic::error(
                code,
                "expected `=>` in a case arm, found `->`",
                span.clone(),
                "expected `=>`",
            )
            .with_hint("Reef arms use `=>`"),
            AssignInGuard { span } => Diagnostic::error(
                code,
                "`=` in a guard: did you mean `==`?",
                span.clone(),
                "`=` binds; it cannot be used in a guard",
            )
            .with_hint("compare with `==`"),
            ChainedComparison { first, second } => Diagnostic::error(
                code,
                "comparison operators cannot be chained",
                second.clone(),
                "second comparison",
            )
            .with_secondary(first.clone(), "first comparison")
            .with_hint("split it with `and`: `a < b and b < c`"),
            ChainTooLong { span, limit } => Diagnostic::error(
                code,
                format!("expression too long (more than {limit} operators or calls in a chain)"),
                span.clone(),
                "the chain is too long here",
            )
            .with_hint(
                "split it with `let`, or build the value with a list and `lists.sum`/`lists.foldl`",
            ),
            NestingTooDeep { span, limit } => Diagnostic::error(
                code,
                format!("nesting too deep (more than {limit} levels)"),
                span.clone(),
                "too deeply nested",
            )
            .with_hint("split the expression into smaller ones with `let`"),
            UnderscoreExpr { span } => Diagnostic::error(
                code,
                "`_` can only be used in patterns",
                span.clone(),
                "`_` is not a value",
            ),
            ExpectedItem { span, found } => Diagnostic::error(
                code,
                format!("expected `fn` or `pub fn`, found {found}"),
                span.clone(),
                "expected a function definition",
            )
            .with_hint("only function definitions may appear at the top level of a module"),
            BadMapKey { span } => Diagnostic::error(
                code,
                "a map pattern key must be a literal or a pinned variable",
                span.clone(),
                "not a literal",
            )
            .with_hint("to match the value of a variable as key write `^name`"),
            InterpInPattern { span } => Diagnostic::error(
                code,
                "string interpolation cannot be used in a pattern",
                span.clone(),
                "interpolated string",
            ),
            LineStartsWithOperator { span, op } => Diagnostic::error(
                code,
                format!("this line starts with `{op}`, so it is a new expression, not a continuation of the previous line"),
                span.clone(),
                "the previous line already ended the expression",
            )
            .with_hint(format!(
                "end the previous line with `{op}` instead, or wrap the whole expression in parentheses"
            )),
            BadPipe { span } => Diagnostic::error(
                code,
                "the right side of `|>` must be a function call",
                span.clone(),
                "not a call",
            )
            .with_hint("`x |> f(y)` means `f(x, y)`"),
            InvalidArity { span, text } => Diagnostic::error(
                code,
                format!("invalid arity `{text}`"),
                span.clone(),
                "expected a small integer",
            ),
            AssignWithoutLet { span } => Diagnostic::error(
                code,
                "`=` outside a pattern: did you mean `let` or `==`?",
                span.clone(),
                "`=` only binds in `let`, arms and function heads",
            )
            .with_hint("bind a name with `let x = value`; compare values with `==`"),
            BadChar { span } => Diagnostic::error(
                code,
                "`?` must be followed by a character",
                span.clone(),
                "no character after `?`",
            )
            .with_hint("`?a` is the code point of `a`; write `?\\s` for a space, `?\\n` for a newline"),
            ForWithoutQualifier { span } => Diagnostic::error(
                code,
                "a `for` needs a generator before its body",
                span.clone(),
                "nothing to iterate over",
            )
            .with_hint("write `for x in list { ... }`, with filters after the generators: `for x in xs, x > 0 { x }`"),
            RemoteWithoutCall { span, module, name } => Diagnostic::error(
                code,
                format!("expected `(` after `{module}.{name}`"),
                span.clone(),
                "a module function must be called",
            )
            .with_hint(format!(
                "call it as `{module}.{name}(...)`; as a value write `&{module}.{name}/arity`"
            )),
        }
    }
}

/// The closing delimiter of an opening one.
pub fn closer_of(delim: &str) -> &'static str {
    match delim {
        "(" => ")",
        "[" => "]",
        "#{" | "{" => "}",
        _ => "}",
    }
}
