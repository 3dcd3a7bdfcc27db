//! The operator table, a Pratt parser over the primaries, loosest first:
//! `!` (right) < `|>` < `or` < `and` < comparisons (no chaining) <
//! `++ <>` (right) < `+ -` < `* / div rem` < unary `- not` < calls.
//! `x |> f(y)` is desugared here into `f(x, y)`; `-` on a number literal
//! gives a negative literal.

use super::common::*;
use crate::ast::{BinOp, Expr, ExprKind, SmolStr, Span, Spanned, UnOp};
use crate::diagnostics::syntax::SyntaxError;
use crate::lexer::Token;
use chumsky::pratt::{infix, left, postfix, prefix, right};
use chumsky::prelude::*;

pub(crate) fn binary(op: BinOp, l: Expr, r: Expr, span: Span) -> Expr {
    Spanned::new(ExprKind::Binary(op, Box::new(l), Box::new(r)), span)
}

fn is_comparison(e: &Expr) -> bool {
    matches!(
        e.node,
        ExprKind::Binary(
            BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Gt | BinOp::Le | BinOp::Ge,
            ..
        )
    )
}

/// `lhs |> rhs`: the left side becomes the first argument of the call.
fn pipe(lhs: Expr, rhs: Expr, span: Span, errors: &mut Vec<SyntaxError>) -> Expr {
    let node = match rhs.node {
        ExprKind::Call {
            name,
            name_span,
            mut args,
        } => {
            args.insert(0, lhs);
            ExprKind::Call {
                name,
                name_span,
                args,
            }
        }
        ExprKind::RemoteCall {
            module,
            name,
            mut args,
        } => {
            args.insert(0, lhs);
            ExprKind::RemoteCall { module, name, args }
        }
        ExprKind::Apply(f, mut args) => {
            args.insert(0, lhs);
            ExprKind::Apply(f, args)
        }
        ExprKind::Var(name) => ExprKind::Call {
            name,
            name_span: rhs.span,
            args: vec![lhs],
        },
        ExprKind::Lambda(_) | ExprKind::FnRef { .. } => ExprKind::Apply(Box::new(rhs), vec![lhs]),
        ExprKind::Error => ExprKind::Error,
        _ => {
            errors.push(SyntaxError::BadPipe { span: rhs.span });
            ExprKind::Error
        }
    };
    Spanned::new(node, span)
}

/// Operators and calls around `atom`; `args` parses `(a, b)`.
pub(crate) fn operators<'a>(atom: P<'a, Expr>, args: P<'a, Vec<Expr>>) -> P<'a, Expr> {
    let bin = |l: Expr, op: BinOp, r: Expr, e: &mut Ex<'a, '_>| binary(op, l, r, sp(e.span()));
    let comparison = select! {
        Token::EqEq => BinOp::Eq,
        Token::NotEq => BinOp::Ne,
        Token::Lt => BinOp::Lt,
        Token::Gt => BinOp::Gt,
        Token::Le => BinOp::Le,
        Token::Ge => BinOp::Ge,
    }
    .map_with(|op, e| (op, sp(e.span())));

    atom.pratt((
        infix(right(1), tk(Token::Bang), |l: Expr, _, r: Expr, e| {
            Spanned::new(ExprKind::Send(Box::new(l), Box::new(r)), sp(e.span()))
        }),
        infix(
            left(2),
            tk(Token::Pipe),
            |l: Expr, _, r: Expr, e: &mut Ex<'a, '_>| {
                let span = sp(e.span());
                pipe(l, r, span, &mut e.state().0)
            },
        ),
        infix(left(3), tk(Token::Or).to(BinOp::Or), bin),
        infix(left(4), tk(Token::And).to(BinOp::And), bin),
        infix(
            left(5),
            comparison,
            |l: Expr, (op, op_span): (BinOp, Span), r: Expr, e: &mut Ex<'a, '_>| {
                let span = sp(e.span());
                if is_comparison(&l) && l.span.start == span.start {
                    e.state().push(SyntaxError::ChainedComparison {
                        first: l.span.clone(),
                        second: op_span,
                    });
                }
                binary(op, l, r, span)
            },
        ),
        infix(
            right(6),
            select! { Token::PlusPlus => BinOp::ListConcat, Token::Diamond => BinOp::StrConcat },
            bin,
        ),
        infix(
            left(7),
            select! { Token::Plus => BinOp::Add, Token::Minus => BinOp::Sub },
            bin,
        ),
        infix(
            left(8),
            select! {
                Token::Star => BinOp::Mul,
                Token::Slash => BinOp::Div,
                Token::Div => BinOp::IntDiv,
                Token::Rem => BinOp::Rem,
            },
            bin,
        ),
        prefix(
            9,
            select! { Token::Minus => UnOp::Neg, Token::Not => UnOp::Not },
            |op, r: Expr, e| {
                let span = sp(e.span());
                let node = match (op, r.node) {
                    (UnOp::Neg, ExprKind::Int(s)) if !s.starts_with('-') => {
                        ExprKind::Int(SmolStr::from(format!("-{s}")))
                    }
                    (UnOp::Neg, ExprKind::Float(f)) => ExprKind::Float(-f),
                    (op, node) => ExprKind::Unary(op, Box::new(Spanned::new(node, r.span))),
                };
                Spanned::new(node, span)
            },
        ),
        postfix(10, args, |f: Expr, args: Vec<Expr>, e: &mut Ex<'a, '_>| {
            let span = sp(e.span());
            match f.node {
                // A parenthesized name, `(f)(x)`, is an `Apply`: its span starts
                // after the span of the whole call.
                ExprKind::Var(name) if f.span.start == span.start => Spanned::new(
                    ExprKind::Call {
                        name,
                        name_span: f.span,
                        args,
                    },
                    span,
                ),
                node => Spanned::new(
                    ExprKind::Apply(Box::new(Spanned::new(node, f.span)), args),
                    span,
                ),
            }
        }),
    ))
    .boxed()
}
