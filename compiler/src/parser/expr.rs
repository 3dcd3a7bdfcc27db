//! Expressions and blocks: literals, collections, lambdas, control flow
//! (`if`, `case`, `receive`, `try`), guards and arms. The operators that
//! combine them are in [`super::operators`].

use super::common::*;
use super::operators::{binary, operators};
use crate::ast::{
    After, Arm, BinOp, Block, Expr, ExprKind, InterpPart, LambdaClause, Pattern, Qualifier, Spanned,
};
use crate::diagnostics::syntax::SyntaxError;
use crate::lexer::Token;
use chumsky::prelude::*;

/// The largest arity `&name/arity` accepts.
pub const MAX_ARITY: usize = 255;

/// The parsers the item grammar needs.
pub(crate) struct ExprParsers<'a> {
    /// An expression statement (catches `x = 1`).
    pub stmt: P<'a, Expr>,
    pub block: P<'a, Block>,
    pub guard: P<'a, Expr>,
    pub params: P<'a, Vec<Pattern>>,
}

pub(crate) fn expr_parsers<'a>(
    pattern: P<'a, Pattern>,
    let_pattern: P<'a, Pattern>,
) -> ExprParsers<'a> {
    let mut expr: Recursive<chumsky::recursive::Indirect<'a, 'a, Inp<'a>, Expr, Extra<'a>>> =
        Recursive::declare();
    let mut block: Recursive<chumsky::recursive::Indirect<'a, 'a, Inp<'a>, Block, Extra<'a>>> =
        Recursive::declare();
    let expr_b: P<'a, Expr> = expr.clone().boxed();

    let nl = tk(Token::Newline).or_not().ignored();
    let item = |stops: &[Token]| recovering(expr_b.clone(), stops, error_expr);

    // ---- blocks: `{ e1; e2 \n e3 }` ----
    // A statement; `x = 1` gets a friendly error (`=` binds only in `let`).
    let stmt_expr = expr_b
        .clone()
        .then(
            tk(Token::Eq)
                .map_with(|_, e| sp(e.span()))
                .then(expr_b.clone())
                .or_not(),
        )
        .map_with(|(lhs, eq), e| match eq {
            None => lhs,
            Some((eq_span, _)) => {
                e.state()
                    .push(SyntaxError::AssignWithoutLet { span: eq_span });
                error_expr(sp(e.span()))
            }
        })
        .boxed();
    let stmt = recovering(
        stmt_expr.clone(),
        &[Token::Newline, Token::Semi, Token::RBrace],
        error_expr,
    )
    .boxed();
    block.define(
        stmt.separated_by(one_of([Token::Newline, Token::Semi]).repeated().at_least(1))
            .allow_leading()
            .allow_trailing()
            .collect::<Vec<_>>()
            .delimited_by(tk(Token::LBrace), tk(Token::RBrace))
            .map_with(|exprs, e| Block {
                exprs,
                span: sp(e.span()),
            }),
    );
    let block_b: P<'a, Block> = block.clone().boxed();

    // ---- guards: `when e`, with a friendly error for `=` ----
    let guard = expr_b
        .clone()
        .then(
            tk(Token::Eq)
                .map_with(|_, e| sp(e.span()))
                .then(expr_b.clone())
                .or_not(),
        )
        .map_with(|(lhs, eq), e| match eq {
            None => lhs,
            Some((eq_span, rhs)) => {
                e.state().push(SyntaxError::AssignInGuard { span: eq_span });
                binary(BinOp::Eq, lhs, rhs, sp(e.span()))
            }
        })
        .boxed();
    let when = tk(Token::When).ignore_then(guard.clone()).or_not();

    // ---- arms: `pattern when guard => expr`, separated by `,` or newlines ----
    let fat_arrow = choice((
        tk(Token::FatArrow).ignored(),
        tk(Token::Arrow).map_with(|_, e| {
            let span = sp(e.span());
            e.state().push(SyntaxError::ArrowInArm { span });
        }),
    ));
    let arm = pattern
        .clone()
        .then(when.clone())
        // Kept in the output: an ignored parser runs without its side effects.
        .then(fat_arrow.clone())
        .then(expr_b.clone())
        .then_ignore(one_of([Token::Comma, Token::Newline, Token::RBrace]).rewind())
        .map_with(|(((pattern, guard), ()), body), e| {
            Some(Arm {
                pattern,
                guard,
                body,
                span: sp(e.span()),
            })
        })
        .recover_with(via_parser(
            skip_to(&[Token::Comma, Token::Newline]).to(None),
        ))
        .boxed();
    let arms = arm
        .separated_by(
            one_of([Token::Comma, Token::Newline])
                .repeated()
                .at_least(1),
        )
        .allow_leading()
        .allow_trailing()
        .collect::<Vec<Option<Arm>>>()
        .delimited_by(tk(Token::LBrace), tk(Token::RBrace))
        .map(|arms| arms.into_iter().flatten().collect::<Vec<Arm>>())
        .boxed();

    // ---- parameters `(p, q)` ----
    let params = recovering(pattern.clone(), &[Token::Comma, Token::RParen], |s| {
        Spanned::new(crate::ast::PatternKind::Wildcard, s)
    })
    .separated_by(tk(Token::Comma))
    .allow_trailing()
    .collect::<Vec<_>>()
    .delimited_by(tk(Token::LParen), tk(Token::RParen))
    .boxed();

    // ---- primaries ----
    let literal = select! {
        Token::Int(s) => ExprKind::Int(s),
        Token::Float(f) => ExprKind::Float(f),
        Token::Atom(a) => ExprKind::Atom(a),
        Token::True => ExprKind::Atom("true".into()),
        Token::False => ExprKind::Atom("false".into()),
        Token::Nil => ExprKind::Atom("nil".into()),
        Token::Str(s) => ExprKind::Str(s),
        Token::Error => ExprKind::Error,
    }
    .map_with(|k, e| Spanned::new(k, sp(e.span())));

    let interp_part = choice((
        select! { Token::StrPart(s) => InterpPart::Lit(s) },
        recovering(expr_b.clone(), &[Token::InterpClose], error_expr)
            .delimited_by(tk(Token::InterpOpen), tk(Token::InterpClose))
            .map(InterpPart::Expr),
    ))
    .boxed();
    let interp = interp_part
        .repeated()
        .collect::<Vec<_>>()
        .delimited_by(tk(Token::StrStart), tk(Token::StrEnd))
        .map_with(|parts, e| Spanned::new(ExprKind::Interp(parts), sp(e.span())));

    let args = item(&[Token::Comma, Token::RParen])
        .separated_by(tk(Token::Comma))
        .allow_trailing()
        .collect::<Vec<_>>()
        .delimited_by(tk(Token::LParen), tk(Token::RParen))
        .boxed();

    let remote = ident()
        .then_ignore(tk(Token::Dot))
        .then(ident())
        .then(args.clone().or_not())
        .map_with(|(((module, _), (name, _)), args), e| {
            let span = sp(e.span());
            match args {
                Some(args) => Spanned::new(ExprKind::RemoteCall { module, name, args }, span),
                None => {
                    e.state().push(SyntaxError::RemoteWithoutCall {
                        span: span.clone(),
                        module,
                        name,
                    });
                    error_expr(span)
                }
            }
        });
    let var = ident().map(|(n, s)| Spanned::new(ExprKind::Var(n), s));
    let underscore = tk(Token::Underscore).map_with(|_, e| {
        let span = sp(e.span());
        e.state()
            .push(SyntaxError::UnderscoreExpr { span: span.clone() });
        error_expr(span)
    });

    // `()`, `(e)`, `(e,)`, `(a, b)`
    let paren = tk(Token::LParen)
        .ignore_then(choice((
            tk(Token::RParen).to(None),
            item(&[Token::Comma, Token::RParen])
                .then(
                    tk(Token::Comma)
                        .ignore_then(
                            item(&[Token::Comma, Token::RParen])
                                .separated_by(tk(Token::Comma))
                                .allow_trailing()
                                .collect::<Vec<_>>(),
                        )
                        .or_not(),
                )
                .then_ignore(tk(Token::RParen))
                .map(Some),
        )))
        .map_with(|x, e| match x {
            None => Spanned::new(ExprKind::Tuple(vec![]), sp(e.span())),
            Some((inner, None)) => inner,
            Some((first, Some(mut rest))) => {
                rest.insert(0, first);
                Spanned::new(ExprKind::Tuple(rest), sp(e.span()))
            }
        });

    // `[a, b | t]`
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
        .map_with(|(items, tail), e| {
            Spanned::new(ExprKind::List(items, tail.map(Box::new)), sp(e.span()))
        });

    // `#{k => v, ...}` and `#{m | k => v, ...}`. A broken entry is skipped
    // up to the next `,`; the first key (or the map being updated) is not
    // recovered, so that its error names what was expected after it.
    let key = |stops: &[Token]| expr_b.clone().then_ignore(one_of(stops.to_vec()).rewind());
    let entry = key(&[Token::FatArrow])
        .then_ignore(tk(Token::FatArrow))
        .then(item(&[Token::Comma, Token::RBrace]))
        .map(Some)
        .recover_with(via_parser(skip_to(&[Token::Comma, Token::RBrace]).to(None)))
        .boxed();
    let entries = entry
        .separated_by(tk(Token::Comma))
        .allow_trailing()
        .collect::<Vec<_>>()
        .map(|es| es.into_iter().flatten().collect::<Vec<_>>())
        .boxed();
    let map = tk(Token::HashBrace)
        .ignore_then(choice((
            tk(Token::RBrace).to(ExprKind::Map(vec![])),
            key(&[Token::FatArrow, Token::Bar])
                .then(choice((
                    tk(Token::Bar)
                        .ignore_then(entries.clone())
                        .map(|es| (None, es)),
                    tk(Token::FatArrow)
                        .ignore_then(item(&[Token::Comma, Token::RBrace]))
                        .then(tk(Token::Comma).ignore_then(entries.clone()).or_not())
                        .map(|(v, rest)| (Some(v), rest.unwrap_or_default())),
                )))
                .then_ignore(tk(Token::RBrace))
                .map(|(first, (value, mut rest))| match value {
                    None => ExprKind::MapUpdate(Box::new(first), rest),
                    Some(v) => {
                        rest.insert(0, (first, v));
                        ExprKind::Map(rest)
                    }
                }),
        )))
        .map_with(|k, e| Spanned::new(k, sp(e.span())));

    // `fn(params) when guard { body }`
    let lambda = tk(Token::Fn)
        .ignore_then(params.clone())
        .then(when.clone())
        .then_ignore(nl.clone())
        .then(block_b.clone())
        .map_with(|((params, guard), body), e| {
            let span = sp(e.span());
            Spanned::new(
                ExprKind::Lambda(vec![LambdaClause {
                    params,
                    guard,
                    body,
                    span: span.clone(),
                }]),
                span,
            )
        });

    // `&name/arity`, `&module.name/arity`
    let fn_ref = tk(Token::Amp)
        .ignore_then(ident())
        .then(tk(Token::Dot).ignore_then(ident()).or_not())
        .then_ignore(tk(Token::Slash))
        .then(select! { Token::Int(s) = e => (s, sp(e.span())) }.labelled("an arity"))
        .map_with(|((first, second), (arity_text, arity_span)), e| {
            let arity = match arity_text.parse::<usize>() {
                Ok(n) if n <= MAX_ARITY => n,
                _ => {
                    e.state().push(SyntaxError::InvalidArity {
                        span: arity_span,
                        text: arity_text.to_string(),
                    });
                    0
                }
            };
            let (module, name) = match second {
                Some((name, _)) => (Some(first.0), name),
                None => (None, first.0),
            };
            Spanned::new(
                ExprKind::FnRef {
                    module,
                    name,
                    arity,
                },
                sp(e.span()),
            )
        });

    let let_ = tk(Token::Let)
        .ignore_then(let_pattern)
        .then_ignore(tk(Token::Eq))
        .then(expr_b.clone())
        .map_with(|(p, v), e| Spanned::new(ExprKind::Let(p, Box::new(v)), sp(e.span())));

    let cond_block = expr_b
        .clone()
        .then_ignore(nl.clone())
        .then(block_b.clone())
        .boxed();
    let if_ = tk(Token::If)
        .ignore_then(cond_block.clone())
        .then(
            tk(Token::Else)
                .then(tk(Token::If))
                .ignore_then(cond_block)
                .repeated()
                .collect::<Vec<_>>(),
        )
        .then(tk(Token::Else).ignore_then(block_b.clone()).or_not())
        .map_with(|((first, mut rest), otherwise), e| {
            rest.insert(0, first);
            Spanned::new(ExprKind::If(rest, otherwise), sp(e.span()))
        });

    let case = tk(Token::Case)
        .ignore_then(expr_b.clone())
        .then_ignore(nl.clone())
        .then(arms.clone())
        .map_with(|(subject, arms), e| {
            Spanned::new(ExprKind::Case(Box::new(subject), arms), sp(e.span()))
        });

    let after = tk(Token::After)
        .ignore_then(expr_b.clone())
        .then(fat_arrow)
        .then(expr_b.clone())
        .map_with(|((timeout, ()), body), e| After {
            timeout: Box::new(timeout),
            body: Box::new(body),
            span: sp(e.span()),
        })
        .boxed();
    let receive = tk(Token::Receive)
        .ignore_then(arms.clone())
        .then(after.or_not())
        .map_with(|(arms, after), e| Spanned::new(ExprKind::Receive(arms, after), sp(e.span())));

    // `try { } catch { }`, `try { } catch { } after { }`, `try { } after { }`
    let cleanup = tk(Token::After).ignore_then(block_b.clone()).boxed();
    let try_ = tk(Token::Try)
        .ignore_then(block_b.clone())
        .then(choice((
            tk(Token::Catch)
                .ignore_then(arms)
                .then(cleanup.clone().or_not())
                .map(|(arms, after)| (Some(arms), after)),
            cleanup.map(|after| (None, Some(after))),
        )))
        .map_with(|(body, (arms, after)), e| {
            let span = sp(e.span());
            let inner = match arms {
                Some(arms) => {
                    let end = arms.last().map_or(body.span.end, |a| a.span.end);
                    Spanned::new(ExprKind::Try(body, arms), span.start..end)
                }
                None => {
                    let s = body.span.clone();
                    Spanned::new(ExprKind::Block(body), s)
                }
            };
            match after {
                Some(after) => Spanned::new(ExprKind::TryAfter(Box::new(inner), after), span),
                None => Spanned::new(inner.node, span),
            }
        });

    // `for pattern in xs, filter, ... { body }`: a qualifier is a generator
    // when an `in` comes before the next `,` or `{` at its own level.
    let is_generator = token_tree()
        .and_is(one_of([Token::In, Token::Comma, Token::LBrace]).not())
        .repeated()
        .then(tk(Token::In))
        .rewind();
    let qualifier = choice((
        is_generator
            .ignore_then(pattern.clone())
            .then_ignore(tk(Token::In))
            .then(
                tk(Token::LBrace)
                    .not()
                    .ignore_then(expr_b.clone())
                    .labelled("the list or map to go through"),
            )
            .map(|(p, x)| Qualifier::Gen(p, x)),
        // A `{` starts the body (after a trailing comma too), never a
        // block as a filter.
        tk(Token::LBrace)
            .not()
            .ignore_then(expr_b.clone())
            .map(Qualifier::Filter),
    ))
    .boxed();
    let for_ = tk(Token::For)
        .ignore_then(
            qualifier
                .separated_by(tk(Token::Comma))
                .allow_trailing()
                .collect::<Vec<_>>(),
        )
        .then_ignore(nl.clone())
        .then(block_b.clone())
        .map_with(|(quals, body), e| {
            let span = sp(e.span());
            if quals.is_empty() {
                e.state().push(SyntaxError::ForWithoutQualifier {
                    span: span.start..span.start + 3,
                });
            }
            Spanned::new(ExprKind::For(quals, body), span)
        });

    let block_expr = block_b.clone().map(|b| {
        let span = b.span.clone();
        Spanned::new(ExprKind::Block(b), span)
    });

    let (literal, interp, remote, var, underscore, paren, list, map) = (
        literal.boxed(),
        interp.boxed(),
        remote.boxed(),
        var.boxed(),
        underscore.boxed(),
        paren.boxed(),
        list.boxed(),
        map.boxed(),
    );
    let (lambda, fn_ref, let_, if_, case, receive, try_, for_, block_expr) = (
        lambda.boxed(),
        fn_ref.boxed(),
        let_.boxed(),
        if_.boxed(),
        case.boxed(),
        receive.boxed(),
        try_.boxed(),
        for_.boxed(),
        block_expr.boxed(),
    );
    let atom = choice((
        literal, interp, remote, var, underscore, paren, list, map, lambda, fn_ref, let_, if_,
        case, receive, try_, for_, block_expr,
    ))
    .labelled("an expression")
    .boxed();

    expr.define(operators(atom, args));

    ExprParsers {
        stmt: stmt_expr,
        block: block.boxed(),
        guard,
        params,
    }
}
