//! Top-level grammar: function clauses, the chunks of a module (each chunk
//! holds one function clause, see `layout::split_chunks`), and REPL input.

use super::common::*;
use super::expr::expr_parsers;
use super::pattern::patterns;
use super::ReplItem;
use crate::ast::FnClause;
use crate::diagnostics::syntax::SyntaxError;
use crate::lexer::Token;
use chumsky::prelude::*;

pub(crate) struct Grammar<'a> {
    /// A module chunk: function clauses (`None` where one was skipped).
    pub module: P<'a, Vec<Option<FnClause>>>,
    /// A REPL chunk: function clauses and expressions.
    pub repl: P<'a, Vec<Option<ReplItem>>>,
}

pub(crate) fn grammar<'a>() -> Grammar<'a> {
    let (pattern, let_pattern) = patterns();
    let ex = expr_parsers(pattern, let_pattern);

    let fn_clause = tk(Token::Pub)
        .or_not()
        .then_ignore(tk(Token::Fn))
        .then(ident())
        .then(ex.params.clone())
        .then(tk(Token::When).ignore_then(ex.guard.clone()).or_not())
        .then_ignore(tk(Token::Newline).or_not())
        .then(ex.block.clone())
        .map_with(
            |((((public, (name, name_span)), params), guard), body), e| FnClause {
                public: public.is_some(),
                name,
                name_span,
                params,
                guard,
                body,
                span: sp(e.span()),
            },
        )
        .boxed();

    // When a clause header is broken, the rest of the chunk is skipped.
    let item = fn_clause
        .clone()
        .map(Some)
        .recover_with(via_parser(any().repeated().at_least(1).to(None)))
        .boxed();
    let item_start = choice((
        tk(Token::Pub).ignored(),
        tk(Token::Fn).then(ident()).ignored(),
    ))
    .rewind();

    let seps = one_of([Token::Newline, Token::Semi]).repeated();

    // Anything else at the top level of a module: one error, rest skipped.
    let junk = any::<Inp<'a>, Extra<'a>>()
        .map_with(|t: Token, e| (t, sp(e.span())))
        .then_ignore(any().repeated())
        .map_with(|(t, span), e| {
            e.state().push(SyntaxError::ExpectedItem {
                span,
                found: t.describe(),
            });
            None
        });
    let module = seps
        .clone()
        .ignore_then(
            choice((item_start.clone().ignore_then(item.clone()), junk))
                .then_ignore(seps.clone())
                .repeated()
                .collect(),
        )
        .then_ignore(end())
        .boxed();

    let stmt_end = choice((one_of([Token::Newline, Token::Semi]).ignored(), end())).rewind();
    let stmt = ex
        .stmt
        .clone()
        .then_ignore(stmt_end)
        .map(|e| Some(ReplItem::Expr(e)))
        .recover_with(via_parser(skip_to(&[Token::Newline, Token::Semi]).to(None)));
    let repl_entry = choice((
        item_start.ignore_then(item.map(|c| c.map(ReplItem::Fn))),
        stmt,
    ));
    let repl = seps
        .clone()
        .ignore_then(repl_entry.then_ignore(seps).repeated().collect())
        .then_ignore(end())
        .boxed();

    Grammar { module, repl }
}
