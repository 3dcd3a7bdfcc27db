//! Function clauses, lambdas, blocks, `if`, arms (`case`, `receive`,
//! `catch`) and comprehensions: the constructs with braces.

use super::doc::{concat, group, nest, text, Doc};
use super::expr::wrap_block;
use super::Fmt;
use crate::ast::{Arm, Block, Expr, ExprKind, FnClause, LambdaClause, Pattern, Qualifier};
use crate::lexer::Token;

impl Fmt<'_> {
    /// `pub fn name(params) when guard { body }`
    pub(crate) fn clause(&mut self, c: &FnClause) -> Doc {
        let mut parts = vec![
            text(if c.public { "pub fn " } else { "fn " }),
            text(c.name.as_str()),
        ];
        parts.push(self.params(&c.params, c.name_span.end));
        if let Some(g) = &c.guard {
            parts.push(text(" when "));
            parts.push(self.expr(g));
        }
        parts.push(text(" "));
        let (inner, hard) = self.block_parts(&c.body, false);
        parts.push(wrap_block(inner, hard));
        concat(parts)
    }

    /// `name(params) when guard`: a clause's head, for the docs
    /// (`crate::docs`), laid out as in the clause.
    pub(crate) fn clause_head(&mut self, c: &FnClause) -> Doc {
        let mut parts = vec![text(c.name.as_str())];
        parts.push(self.params(&c.params, c.name_span.end));
        if let Some(g) = &c.guard {
            parts.push(text(" when "));
            parts.push(self.expr(g));
        }
        concat(parts)
    }

    fn params(&mut self, params: &[Pattern], after: usize) -> Doc {
        let range = self.delims(after, Token::LParen).unwrap_or((after, after));
        let docs = params
            .iter()
            .map(|p| (p.span.clone(), self.pattern(p)))
            .collect();
        self.list(
            "(",
            ")",
            range,
            docs,
            None,
            super::comments::Trailing::IfBroken,
        )
    }

    /// A lambda, and the same lambda with its body broken over lines (for
    /// a call that keeps `f(a, fn(x) {` on its first line).
    pub(crate) fn lambda(&mut self, c: &LambdaClause, hugged: bool) -> (Doc, Doc) {
        let mut head = vec![text("fn")];
        head.push(self.params(&c.params, c.span.start));
        if let Some(g) = &c.guard {
            head.push(text(" when "));
            head.push(self.expr(g));
        }
        head.push(text(" "));
        let (inner, hard) = self.block_parts(&c.body, false);
        let broken = if hugged {
            concat(vec![concat(head.clone()), wrap_block(inner.clone(), true)])
        } else {
            Doc::Nil
        };
        (concat(vec![concat(head), wrap_block(inner, hard)]), broken)
    }

    /// A block's statements (without braces), and whether it must be
    /// broken over lines: two statements or more, a comment, or a single
    /// statement that was written on its own line (a one-statement block
    /// written on one line stays on one line if it fits).
    pub(crate) fn block_parts(&mut self, b: &Block, force: bool) -> (Doc, bool) {
        let (open, close) = (
            b.span.start + 1,
            b.span.end.saturating_sub(1).max(b.span.start + 1),
        );
        let docs: Vec<(crate::ast::Span, Doc, Doc)> = b
            .exprs
            .iter()
            .map(|x| (x.span.clone(), self.expr(x), Doc::Nil))
            .collect();
        let comments = self.pending_in(open, close);
        if docs.is_empty() && !comments {
            return (Doc::Nil, false);
        }
        let written_broken = b
            .exprs
            .first()
            .is_some_and(|f| self.src[open..f.span.start.max(open)].contains('\n'));
        let hard = force || docs.len() > 1 || comments || written_broken;
        let parts = self.seq(docs, open, close);
        (concat(parts), hard)
    }

    /// `if c { a } else if d { b } else { c }`: one group, so every branch
    /// is on one line or every branch is broken.
    pub(crate) fn if_(&mut self, branches: &[(Expr, Block)], otherwise: Option<&Block>) -> Doc {
        let mut parts = Vec::new();
        for (i, (cond, body)) in branches.iter().enumerate() {
            parts.push(text(if i == 0 { "if " } else { " else if " }));
            parts.push(self.expr(cond));
            parts.push(text(" "));
            parts.push(self.branch(body));
        }
        if let Some(b) = otherwise {
            parts.push(text(" else "));
            parts.push(self.branch(b));
        }
        group(concat(parts))
    }

    /// One block of an `if`: its lines belong to the `if`'s group.
    fn branch(&mut self, b: &Block) -> Doc {
        let (inner, hard) = self.block_parts(b, false);
        if matches!(inner, Doc::Nil) {
            return text("{}");
        }
        let line = if hard { Doc::HardLine } else { Doc::Line };
        concat(vec![
            text("{"),
            nest(concat(vec![line.clone(), inner])),
            line,
            text("}"),
        ])
    }

    /// `{ arm, ... }` of a `case`, `receive` or `catch` whose `{` comes at or
    /// after `after`: always one arm a line; an arm whose body is not a
    /// block ends with a comma.
    pub(crate) fn arms(&mut self, after: usize, arms: &[Arm]) -> Doc {
        let (open, close) = self.delims(after, Token::LBrace).unwrap_or((after, after));
        let docs: Vec<_> = arms
            .iter()
            .map(|a| {
                let mut parts = vec![self.pattern(&a.pattern)];
                if let Some(g) = &a.guard {
                    parts.push(text(" when "));
                    parts.push(self.expr(g));
                }
                let body = self.expr(&a.body);
                let braced = matches!(
                    a.body.node,
                    ExprKind::Block(_)
                        | ExprKind::Case(..)
                        | ExprKind::Receive(..)
                        | ExprKind::If(..)
                        | ExprKind::Try(..)
                        | ExprKind::TryAfter(..)
                        | ExprKind::For(..)
                        | ExprKind::Lambda(_)
                );
                // A braced body opens on the arm's line. Any other goes on
                // the next line when the arm does not fit on one, also
                // when it holds hard lines: deciding by those would flip
                // the layout between a first format (a `catch` written on
                // one line, broken softly) and a second (the same `catch`
                // now written broken, so hard).
                let arm = if braced {
                    parts.push(text(" => "));
                    parts.push(body);
                    concat(parts)
                } else {
                    parts.push(text(" =>"));
                    parts.push(nest(concat(vec![Doc::Line, body])));
                    group(concat(parts))
                };
                let sep = if matches!(a.body.node, ExprKind::Block(_)) {
                    Doc::Nil
                } else {
                    text(",")
                };
                (a.span.clone(), arm, sep)
            })
            .collect();
        if docs.is_empty() && !self.pending_in(open, close) {
            return text("{}");
        }
        // One arm written on the `{`'s line stays there if it fits.
        let one_line = docs.len() == 1
            && !self.pending_in(open, close)
            && !self.src[open..docs[0].0.start].contains('\n')
            && !docs[0].1.has_hard();
        if one_line {
            let (_, arm, sep) = docs.into_iter().next().expect("one arm");
            let sep = if matches!(sep, Doc::Nil) {
                Doc::Nil
            } else {
                super::doc::if_break(text(","), Doc::Nil)
            };
            return group(concat(vec![
                text("{"),
                nest(concat(vec![Doc::Line, arm, sep])),
                Doc::Line,
                text("}"),
            ]));
        }
        let parts = self.seq(docs, open, close);
        concat(vec![
            text("{"),
            nest(concat(vec![Doc::HardLine, concat(parts)])),
            Doc::HardLine,
            text("}"),
        ])
    }

    /// `for x in xs, y in ys, x < y { body }`
    pub(crate) fn for_(&mut self, quals: &[Qualifier], body: &Block) -> Doc {
        let mut head = Vec::new();
        for (i, q) in quals.iter().enumerate() {
            if i > 0 {
                head.push(text(","));
                head.push(Doc::Line);
            }
            let parts = &mut head;
            match q {
                Qualifier::Gen(p, x) => {
                    parts.push(self.pattern(p));
                    parts.push(text(" in "));
                    parts.push(self.expr(x));
                }
                Qualifier::Filter(x) => parts.push(self.expr(x)),
            }
        }
        let mut parts = vec![text("for "), group(nest(concat(head)))];
        parts.push(text(" "));
        let (inner, hard) = self.block_parts(body, false);
        parts.push(wrap_block(inner, hard));
        concat(parts)
    }
}
