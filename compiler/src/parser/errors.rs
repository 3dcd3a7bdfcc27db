//! Turning chumsky's errors into [`SyntaxError`]s that speak to the person,
//! and dropping cascades (errors that only repeat an earlier mistake).

use super::common::sp;
use crate::ast::Span;
use crate::diagnostics::syntax::SyntaxError;
use crate::lexer::Token;
use chumsky::error::{Rich, RichPattern, RichReason};
use chumsky::span::SimpleSpan;

/// Describes what was expected, most useful first, without listing every
/// operator.
fn expected_list(expected: &[RichPattern<'_, Token>]) -> Vec<String> {
    let mut labels = Vec::new();
    let mut tokens = Vec::new();
    let operators = expected
        .iter()
        .filter(|p| matches!(p, RichPattern::Token(t) if t.is_binary_op()))
        .count();
    // Several operators: the error comes after a complete expression.
    let operator = operators >= 3;
    for p in expected {
        match p {
            // After a complete expression, `=` is only accepted to report it.
            RichPattern::Token(t) if operator && (t.is_binary_op() || **t == Token::Eq) => {}
            // `->` is only accepted to report it.
            RichPattern::Token(t) if **t == Token::Arrow => {}
            RichPattern::Token(t) => tokens.push((**t).clone()),
            RichPattern::Label(l) => labels.push(l.to_string()),
            RichPattern::Identifier(i) => labels.push(format!("`{i}`")),
            RichPattern::EndOfInput => tokens.push(Token::Newline),
            _ => {}
        }
    }
    if operator {
        // After a complete expression: a call `(` or a remote call `.` is
        // implied by "an operator".
        tokens.retain(|t| !matches!(t, Token::LParen | Token::Dot));
    }
    let mut out: Vec<String> = labels;
    if operator {
        out.push("an operator".to_string());
    }
    for t in tokens {
        let d = t.describe();
        if !out.contains(&d) {
            out.push(d);
        }
    }
    out.dedup();
    out
}

/// Where the chunk ends: the token that follows it in the file, if any.
pub(crate) struct ChunkEnd {
    pub next: Option<(Token, Span)>,
    pub eof: usize,
}

/// Converts one chumsky error; `None` when it is a cascade of an error
/// reported elsewhere (an invalid token, a bracket inserted by the layout
/// pass).
pub(crate) fn convert(err: &Rich<'_, Token, SimpleSpan>, end: &ChunkEnd) -> Option<SyntaxError> {
    let span = sp(*err.span());
    match err.reason() {
        RichReason::ExpectedFound { expected, found } => {
            let expected = expected_list(expected);
            match found {
                Some(t) if **t == Token::Error => None,
                // Zero-width tokens were inserted by the layout pass or the
                // lexer for an error already reported.
                Some(_) if span.is_empty() => None,
                Some(t) => Some(SyntaxError::Unexpected {
                    span,
                    expected,
                    found: t.describe(),
                }),
                None => match &end.next {
                    Some((t, next_span)) => Some(SyntaxError::Unexpected {
                        span: next_span.clone(),
                        expected,
                        found: t.describe(),
                    }),
                    None => Some(SyntaxError::UnexpectedEof {
                        span: end.eof..end.eof,
                        expected,
                    }),
                },
            }
        }
        RichReason::Custom(msg) => Some(SyntaxError::Unexpected {
            span,
            expected: vec![],
            found: msg.to_string(),
        }),
    }
}

/// Places where parse errors are known cascades.
#[derive(Default)]
pub(crate) struct Cascades {
    /// From an unclosed opener to the closer inserted for it.
    pub shadowed: Vec<Span>,
    /// Starts of tokens that follow an invalid token.
    pub after_invalid: Vec<usize>,
}

/// Sorts errors by position and drops cascades: a parse error inside a
/// region already explained by an unclosed bracket or right after an
/// invalid token, a bracket left open by a string that never ends, and a
/// second parse error at the same place as another error.
pub(crate) fn tidy(mut errors: Vec<SyntaxError>, cascades: &Cascades) -> Vec<SyntaxError> {
    let is_parse = |e: &SyntaxError| {
        matches!(
            e,
            SyntaxError::Unexpected { .. } | SyntaxError::UnexpectedEof { .. }
        )
    };
    let unterminated = errors
        .iter()
        .filter(|e| matches!(e, SyntaxError::UnterminatedString { .. }))
        .map(|e| e.span().start)
        .min();
    errors.retain(|e| {
        let s = e.span().start;
        if is_parse(e) {
            !cascades.shadowed.iter().any(|r| r.start <= s && s <= r.end)
                && !cascades.after_invalid.contains(&s)
        } else if let SyntaxError::Unclosed { found: None, .. } = e {
            unterminated.is_none_or(|u| s > u)
        } else {
            true
        }
    });
    errors.sort_by_key(|e| (e.span().start, is_parse(e)));
    let mut out: Vec<SyntaxError> = Vec::with_capacity(errors.len());
    for e in errors {
        let dup = out
            .iter()
            .any(|o| *o == e || (is_parse(&e) && o.span().start == e.span().start));
        if !dup {
            out.push(e);
        }
    }
    out
}
