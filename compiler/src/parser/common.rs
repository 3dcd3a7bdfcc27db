//! Shared pieces of the grammar: the input and parser types, token helpers,
//! and the balanced token skipping that error recovery uses.

use crate::ast::{Expr, ExprKind, Span, Spanned};
use crate::diagnostics::syntax::SyntaxError;
use crate::lexer::Token;
use chumsky::input::MappedInput;
use chumsky::inspector::TruncateState;
use chumsky::prelude::*;

/// The token input: a slice of tokens with their spans.
pub(crate) type Inp<'a> = MappedInput<'a, Token, SimpleSpan, &'a [(Token, SimpleSpan)]>;
/// Chumsky's own errors are `Rich`; errors we recognise ourselves (`->` in
/// an arm, ...) go into the state, which is truncated on backtracking.
pub(crate) type Extra<'a> =
    extra::Full<Rich<'a, Token, SimpleSpan>, TruncateState<SyntaxError>, ()>;
/// What `map_with` closures and Pratt folds receive.
pub(crate) type Ex<'a, 'b> = chumsky::input::MapExtra<'a, 'b, Inp<'a>, Extra<'a>>;
pub(crate) type P<'a, O> = Boxed<'a, 'a, Inp<'a>, O, Extra<'a>>;

pub(crate) const OPENERS: [Token; 5] = [
    Token::LParen,
    Token::LBracket,
    Token::LBrace,
    Token::HashBrace,
    Token::InterpOpen,
];
pub(crate) const CLOSERS: [Token; 4] = [
    Token::RParen,
    Token::RBracket,
    Token::RBrace,
    Token::InterpClose,
];

pub(crate) fn sp(s: SimpleSpan) -> Span {
    s.start..s.end
}

pub(crate) fn error_expr(span: Span) -> Expr {
    Spanned::new(ExprKind::Error, span)
}

/// Exactly the token `t`.
pub(crate) fn tk<'a>(t: Token) -> chumsky::primitive::Just<Token, Inp<'a>, Extra<'a>> {
    just(t)
}

/// A name with its span.
pub(crate) fn ident<'a>() -> P<'a, (String, Span)> {
    select! { Token::Ident(n) = e => (n, sp(e.span())) }
        .labelled("a name")
        .boxed()
}

/// One balanced token tree: a non-bracket token, or a bracket group with
/// everything inside. (The layout pass guarantees balanced brackets.)
pub(crate) fn token_tree<'a>() -> P<'a, ()> {
    // `filter` rather than `one_of`: a failed skip must not add brackets to
    // the tokens an error message says were expected.
    recursive(|tt| {
        let group = any()
            .filter(|t: &Token| OPENERS.contains(t))
            .then(tt.repeated())
            .then(any().filter(|t: &Token| CLOSERS.contains(t)))
            .ignored();
        let plain = any()
            .filter(|t: &Token| !OPENERS.contains(t) && !CLOSERS.contains(t))
            .ignored();
        choice((group, plain))
    })
    .boxed()
}

/// Skips at least one balanced token tree, stopping before any of `stops`
/// or a closing bracket. Used to recover from an error up to the next
/// separator.
pub(crate) fn skip_to<'a>(stops: &[Token]) -> P<'a, ()> {
    token_tree()
        .and_is(one_of(stops.to_vec()).not())
        .repeated()
        .at_least(1)
        .boxed()
}

/// `p`, which must be followed by one of `stops` (which name the closing
/// bracket expected); when it fails, the tokens up to the next stop or
/// closing bracket are skipped and `fallback` stands in for them (the error
/// is reported).
pub(crate) fn recovering<'a, T: 'a>(
    p: P<'a, T>,
    stops: &[Token],
    fallback: fn(Span) -> T,
) -> P<'a, T> {
    p.then_ignore(one_of(stops.to_vec()).rewind())
        .recover_with(via_parser(
            skip_to(stops).map_with(move |_, e| fallback(sp(e.span()))),
        ))
        .boxed()
}
