//! Patterns: `_`, names, `^pinned`, literals (negative numbers too), tuples,
//! lists with `|` tails, maps with literal or pinned keys, and aliases
//! `p = q` (not at the top of a `let` pattern).

use super::common::*;
use crate::ast::{Pattern, PatternKind, SmolStr, Span, Spanned};
use crate::diagnostics::syntax::SyntaxError;
use crate::lexer::Token;
use chumsky::prelude::*;

fn wildcard(span: Span) -> Pattern {
    Spanned::new(PatternKind::Wildcard, span)
}

/// A key of a map pattern must be a literal (or built of literals) or pinned.
fn valid_key(p: &Pattern) -> bool {
    match &p.node {
        PatternKind::Int(_)
        | PatternKind::Float(_)
        | PatternKind::Atom(_)
        | PatternKind::Str(_)
        | PatternKind::Pin(_) => true,
        PatternKind::Tuple(items) => items.iter().all(valid_key),
        PatternKind::List(items, tail) => {
            items.iter().all(valid_key) && tail.as_deref().is_none_or(valid_key)
        }
        _ => false,
    }
}

/// Returns `(pattern, let_pattern)`: the full pattern, and the pattern of a
/// `let` (no alias at the top, since `=` ends it).
pub(crate) fn patterns<'a>() -> (P<'a, Pattern>, P<'a, Pattern>) {
    let mut full: Recursive<chumsky::recursive::Indirect<'a, 'a, Inp<'a>, Pattern, Extra<'a>>> =
        Recursive::declare();
    let mut primary: Recursive<chumsky::recursive::Indirect<'a, 'a, Inp<'a>, Pattern, Extra<'a>>> =
        Recursive::declare();

    let number = tk(Token::Minus)
        .or_not()
        .then(select! {
            Token::Int(s) => PatternKind::Int(s),
            Token::Float(f) => PatternKind::Float(f),
        })
        .map(|(neg, k)| match (neg, k) {
            (Some(_), PatternKind::Int(s)) => PatternKind::Int(SmolStr::from(format!("-{s}"))),
            (Some(_), PatternKind::Float(f)) => PatternKind::Float(-f),
            (_, k) => k,
        });

    let simple = select! {
        Token::Underscore => PatternKind::Wildcard,
        Token::Ident(n) => if n.starts_with('_') { PatternKind::Wildcard } else { PatternKind::Bind(n) },
        Token::Atom(a) => PatternKind::Atom(a),
        Token::True => PatternKind::Atom("true".into()),
        Token::False => PatternKind::Atom("false".into()),
        Token::Nil => PatternKind::Atom("nil".into()),
        Token::Str(s) => PatternKind::Str(s),
        Token::Error => PatternKind::Wildcard,
    };

    let pin = tk(Token::Caret)
        .ignore_then(ident())
        .map(|(n, _)| PatternKind::Pin(n));

    let interp = tk(Token::StrStart)
        .then(token_tree().and_is(tk(Token::StrEnd).not()).repeated())
        .then(tk(Token::StrEnd))
        .map_with(|_, e| {
            let span = sp(e.span());
            e.state().push(SyntaxError::InterpInPattern { span });
            PatternKind::Wildcard
        });

    let item = |stops: &[Token]| recovering(full.clone().boxed(), stops, wildcard);

    let tuple = item(&[Token::Comma, Token::RParen])
        .separated_by(tk(Token::Comma))
        .collect::<Vec<_>>()
        .then(tk(Token::Comma).or_not())
        .delimited_by(tk(Token::LParen), tk(Token::RParen))
        .map(|(mut items, trailing)| {
            if items.len() == 1 && trailing.is_none() {
                // `(p)` is just `p`.
                items.pop().map(|p| p.node).unwrap_or(PatternKind::Wildcard)
            } else {
                PatternKind::Tuple(items)
            }
        });

    let list = item(&[Token::Comma, Token::Bar, Token::RBracket])
        .separated_by(tk(Token::Comma))
        .allow_trailing()
        .collect::<Vec<_>>()
        .then(
            tk(Token::Bar)
                .ignore_then(item(&[Token::RBracket]))
                .or_not(),
        )
        .delimited_by(tk(Token::LBracket), tk(Token::RBracket))
        .map(|(items, tail)| PatternKind::List(items, tail.map(Box::new)));

    let key = primary.clone().map_with(|k: Pattern, e| {
        if !valid_key(&k) {
            e.state().push(SyntaxError::BadMapKey {
                span: k.span.clone(),
            });
        }
        k
    });
    let entry = recovering(key.boxed(), &[Token::FatArrow], wildcard)
        .then_ignore(tk(Token::FatArrow))
        .then(item(&[Token::Comma, Token::RBrace]));
    let map = entry
        .separated_by(tk(Token::Comma))
        .allow_trailing()
        .collect::<Vec<_>>()
        .delimited_by(tk(Token::HashBrace), tk(Token::RBrace))
        .map(PatternKind::Map);

    primary.define(
        choice((
            number.boxed(),
            simple.boxed(),
            pin.boxed(),
            interp.boxed(),
            tuple.boxed(),
            list.boxed(),
            map.boxed(),
        ))
        .map_with(|k, e| Spanned::new(k, sp(e.span())))
        .labelled("a pattern"),
    );

    full.define(primary.clone().foldl_with(
        tk(Token::Eq).ignore_then(primary.clone()).repeated(),
        |a, b, e| Spanned::new(PatternKind::Alias(Box::new(a), Box::new(b)), sp(e.span())),
    ));

    (full.boxed(), primary.boxed())
}
