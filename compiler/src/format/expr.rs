//! Expressions: operators with the fewest parentheses that keep the AST,
//! pipes (found by their spans: the parser desugars `x |> f(y)` into
//! `f(x, y)`), calls whose last argument is a lambda kept on the call's
//! line, collections, string interpolation.

use super::comments::Trailing;
use super::doc::{self, concat, group, nest, text, Doc};
use super::Fmt;
use crate::ast::{BinOp, Expr, ExprKind, InterpPart, Span, UnOp};
use crate::lexer::Token;

/// Binding power of what an expression is printed as (higher binds
/// tighter); an operand looser than its operator needs parentheses.
const ATOM: u8 = 11;
const UNARY: u8 = 9;
const PIPE: u8 = 2;
const SEND: u8 = 1;
/// `let` and a `receive ... after t => e`: their right end is an open
/// expression, so as an operand they are always parenthesized.
const OPEN: u8 = 0;

fn op_prec(op: BinOp) -> u8 {
    match op {
        BinOp::Or => 3,
        BinOp::And => 4,
        BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Gt | BinOp::Le | BinOp::Ge => 5,
        BinOp::ListConcat | BinOp::StrConcat => 6,
        BinOp::Add | BinOp::Sub => 7,
        BinOp::Mul | BinOp::Div | BinOp::IntDiv | BinOp::Rem => 8,
    }
}

impl Fmt<'_> {
    /// The binding power of `e` as it will be printed.
    pub(crate) fn prec(&self, e: &Expr) -> u8 {
        match &e.node {
            ExprKind::Send(..) => SEND,
            ExprKind::Binary(op, ..) => op_prec(*op),
            ExprKind::Unary(..) => UNARY,
            ExprKind::Int(s) if s.starts_with('-') => UNARY,
            ExprKind::Float(_) if self.slice(&e.span).starts_with('-') => UNARY,
            ExprKind::Let(..) | ExprKind::Receive(_, Some(_)) => OPEN,
            ExprKind::Call { .. } | ExprKind::RemoteCall { .. } | ExprKind::Apply(..)
                if self.pipe_at(e).is_some() =>
            {
                PIPE
            }
            _ => ATOM,
        }
    }

    /// `e`, in parentheses if it binds looser than `min`.
    fn operand(&mut self, e: &Expr, min: u8) -> Doc {
        let d = self.expr(e);
        if self.prec(e) < min {
            concat(vec![text("("), d, text(")")])
        } else {
            d
        }
    }

    /// If `e` is a call written as a pipe (`first |> f(rest)`), the
    /// position of its `|>`: after the first argument there is nothing but
    /// closing parentheses, white space and comments before it.
    pub(crate) fn pipe_at(&self, e: &Expr) -> Option<usize> {
        let first = match &e.node {
            ExprKind::Call { args, .. }
            | ExprKind::RemoteCall { args, .. }
            | ExprKind::Apply(_, args) => args.first()?,
            _ => return None,
        };
        let bytes = self.src.as_bytes();
        let mut i = first.span.end;
        while i < e.span.end {
            match bytes[i] {
                b' ' | b'\t' | b'\r' | b'\n' | b')' => i += 1,
                b'/' if bytes.get(i + 1) == Some(&b'/') => {
                    i += self.src[i..].find('\n').unwrap_or(self.src.len() - i)
                }
                _ => break,
            }
        }
        self.src[i..e.span.end].starts_with("|>").then_some(i)
    }

    pub(crate) fn expr(&mut self, e: &Expr) -> Doc {
        match &e.node {
            ExprKind::Int(_) | ExprKind::Float(_) => {
                let t = self.slice(&e.span);
                match t.strip_prefix('-') {
                    Some(rest) => text(format!("-{}", rest.trim_start())),
                    None => text(t),
                }
            }
            ExprKind::Atom(_) | ExprKind::Str(_) | ExprKind::Error => text(self.slice(&e.span)),
            ExprKind::Interp(parts) => self.interp(e, parts),
            ExprKind::Var(name) => text(name.as_str()),
            ExprKind::FnRef {
                module,
                name,
                arity,
            } => match module {
                Some(m) => text(format!("&{m}.{name}/{arity}")),
                None => text(format!("&{name}/{arity}")),
            },
            ExprKind::Tuple(items) if items.len() > 1 => {
                let range = inside(&e.span, 1);
                self.args(items, range).0
            }
            ExprKind::Tuple(items) => {
                let docs = items
                    .iter()
                    .map(|x| (x.span.clone(), self.expr(x)))
                    .collect();
                let trailing = if items.len() == 1 {
                    Trailing::Always
                } else {
                    Trailing::IfBroken
                };
                self.list("(", ")", inside(&e.span, 1), docs, None, trailing)
            }
            ExprKind::List(items, tail) => {
                let docs = items
                    .iter()
                    .map(|x| (x.span.clone(), self.expr(x)))
                    .collect();
                let tail = tail.as_ref().map(|t| (t.span.clone(), self.expr(t)));
                self.list("[", "]", inside(&e.span, 1), docs, tail, Trailing::IfBroken)
            }
            ExprKind::Map(entries) => {
                let docs = self.entries(entries);
                self.list(
                    "#{",
                    "}",
                    inside(&e.span, 2),
                    docs,
                    None,
                    Trailing::IfBroken,
                )
            }
            ExprKind::MapUpdate(base, entries) => {
                let head = self.expr(base);
                let docs = self.entries(entries);
                let at = base.span.end;
                let open = self.tokens[self.tokens.partition_point(|(_, s)| s.start < at)..]
                    .iter()
                    .find(|(t, _)| *t == Token::Bar)
                    .map_or(at, |(_, s)| s.end);
                let list = self.list(
                    "",
                    "}",
                    (open, e.span.end - 1),
                    docs,
                    None,
                    Trailing::IfBroken,
                );
                concat(vec![text("#{"), head, text(" |"), list_after_bar(list)])
            }
            ExprKind::Lambda(clauses) => {
                let docs: Vec<Doc> = clauses.iter().map(|c| self.lambda(c, false).0).collect();
                concat(docs)
            }
            ExprKind::Call { .. } | ExprKind::RemoteCall { .. } | ExprKind::Apply(..) => {
                match self.pipe_at(e) {
                    Some(_) => self.pipe_chain(e),
                    None => self.call(e, false),
                }
            }
            ExprKind::Unary(op, x) => {
                let inner = self.operand(x, UNARY);
                let inner = if matches!(op, UnOp::Neg) && self.prec(x) == UNARY {
                    concat(vec![text("("), self.expr(x), text(")")])
                } else {
                    inner
                };
                match op {
                    UnOp::Neg => concat(vec![text("-"), inner]),
                    UnOp::Not => concat(vec![text("not "), inner]),
                }
            }
            ExprKind::Binary(op, l, r) => self.binary(*op, l, r),
            ExprKind::Send(l, r) => {
                let left = self.operand(l, SEND + 1);
                let right = self.operand(r, SEND);
                group(concat(vec![
                    left,
                    text(" !"),
                    nest(concat(vec![Doc::Line, right])),
                ]))
            }
            ExprKind::Let(p, v) => {
                let pat = self.let_pattern(p);
                let value = self.expr(v);
                concat(vec![text("let "), pat, text(" = "), value])
            }
            ExprKind::Block(b) => {
                let (inner, hard) = self.block_parts(b, false);
                wrap_block(inner, hard)
            }
            ExprKind::If(branches, otherwise) => self.if_(branches, otherwise.as_ref()),
            ExprKind::Case(subject, arms) => {
                let s = self.expr(subject);
                let arms = self.arms(subject.span.end, arms);
                concat(vec![text("case "), s, text(" "), arms])
            }
            ExprKind::Receive(arms, after) => {
                let arms = self.arms(e.span.start, arms);
                let mut parts = vec![text("receive "), arms];
                if let Some(a) = after {
                    let t = self.operand(&a.timeout, ATOM);
                    let body = self.expr(&a.body);
                    parts.extend([text(" after "), t, text(" => "), body]);
                }
                concat(parts)
            }
            ExprKind::Try(body, arms) => {
                let (inner, hard) = self.block_parts(body, false);
                let arms = self.arms(body.span.end, arms);
                concat(vec![
                    text("try "),
                    wrap_block(inner, hard),
                    text(" catch "),
                    arms,
                ])
            }
            ExprKind::TryAfter(inner, cleanup) => {
                let protected = match &inner.node {
                    ExprKind::Block(b) => {
                        let (d, hard) = self.block_parts(b, false);
                        concat(vec![text("try "), wrap_block(d, hard)])
                    }
                    _ => self.expr(inner),
                };
                let (d, hard) = self.block_parts(cleanup, false);
                concat(vec![protected, text(" after "), wrap_block(d, hard)])
            }
            ExprKind::For(quals, body) => self.for_(quals, body),
        }
    }

    fn entries(&mut self, entries: &[(Expr, Expr)]) -> Vec<(Span, Doc)> {
        entries
            .iter()
            .map(|(k, v)| {
                let key = self.expr(k);
                let value = self.expr(v);
                (
                    k.span.start..v.span.end,
                    concat(vec![key, text(" => "), value]),
                )
            })
            .collect()
    }

    /// `"text #{expr} text"`: the literal parts as written (escapes kept),
    /// each interpolated expression formatted on one line.
    fn interp(&mut self, e: &Expr, parts: &[InterpPart]) -> Doc {
        let mut exprs = parts.iter().filter_map(|p| match p {
            InterpPart::Expr(x) => Some(x),
            InterpPart::Lit(_) => None,
        });
        let first = self.tokens.partition_point(|(_, s)| s.start < e.span.start);
        let mut out = String::from("\"");
        let mut depth = 0usize;
        let tokens = self.tokens;
        for (t, s) in tokens.get(first + 1..).unwrap_or(&[]) {
            match t {
                Token::InterpOpen => {
                    if depth == 0 {
                        out.push_str("#{");
                        if let Some(x) = exprs.next() {
                            let d = self.expr(x);
                            out.push_str(&doc::render(&d, usize::MAX / 4));
                        }
                    }
                    depth += 1;
                }
                Token::InterpClose => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        out.push('}');
                    }
                }
                Token::StrPart(_) if depth == 0 => out.push_str(self.slice(s)),
                Token::StrEnd if depth == 0 => {
                    out.push('"');
                    break;
                }
                _ => {}
            }
        }
        text(out)
    }

    /// A chain of one operator's precedence, flattened: `a + b - c` is one
    /// group that breaks after each operator, the rest indented.
    fn binary(&mut self, op: BinOp, l: &Expr, r: &Expr) -> Doc {
        let p = op_prec(op);
        let comparison = p == 5;
        let right_assoc = p == 6;
        // (operator, operand) pairs after the head.
        let mut tail: Vec<(BinOp, &Expr)> = Vec::new();
        let head: &Expr;
        if comparison {
            head = l;
            tail.push((op, r));
        } else if right_assoc {
            // a ++ (b ++ c): the right spine.
            let mut lefts = vec![l];
            let mut ops = vec![op];
            let mut cur = r;
            while let ExprKind::Binary(op2, l2, r2) = &cur.node {
                if op_prec(*op2) != p {
                    break;
                }
                lefts.push(l2);
                ops.push(*op2);
                cur = r2;
            }
            head = lefts[0];
            for i in 1..lefts.len() {
                tail.push((ops[i - 1], lefts[i]));
            }
            tail.push((ops[ops.len() - 1], cur));
        } else {
            let mut cur = l;
            tail.push((op, r));
            while let ExprKind::Binary(op2, l2, r2) = &cur.node {
                if op_prec(*op2) != p {
                    break;
                }
                tail.push((*op2, r2));
                cur = l2;
            }
            tail.reverse();
            head = cur;
        }
        let n = tail.len();
        let head_min = if comparison || right_assoc { p + 1 } else { p };
        let first = self.operand(head, head_min);
        let mut rest = Vec::new();
        for (i, (o, x)) in tail.into_iter().enumerate() {
            let min = if right_assoc && i + 1 == n { p } else { p + 1 };
            let d = self.operand(x, min);
            rest.push(text(format!(" {}", o.symbol())));
            rest.push(Doc::Line);
            rest.push(d);
        }
        group(concat(vec![first, nest(concat(rest))]))
    }

    /// `a |> f(x) |> g()`: one group that breaks before each `|>` (always,
    /// when the source had a line starting with `|>`).
    fn pipe_chain(&mut self, e: &Expr) -> Doc {
        let mut calls = vec![e];
        let mut head = e;
        while self.pipe_at(head).is_some() {
            head = match &head.node {
                ExprKind::Call { args, .. }
                | ExprKind::RemoteCall { args, .. }
                | ExprKind::Apply(_, args) => &args[0],
                _ => break,
            };
            if self.pipe_at(head).is_some() {
                calls.push(head);
            }
        }
        let first = self.operand(head, PIPE);
        // A chain written one `|>` a line stays so.
        let written_broken = self
            .slice(&(head.span.end..e.span.end))
            .lines()
            .skip(1)
            .any(|l| l.trim_start().starts_with("|>"));
        let line = if written_broken {
            Doc::HardLine
        } else {
            Doc::Line
        };
        let mut rest = Vec::new();
        for c in calls.into_iter().rev() {
            let d = self.call(c, true);
            rest.push(line.clone());
            rest.push(text("|> "));
            rest.push(d);
        }
        group(concat(vec![first, concat(rest)]))
    }

    /// A call; with `piped`, the first argument is left out (it came from
    /// the left of a `|>`).
    fn call(&mut self, e: &Expr, piped: bool) -> Doc {
        self.call_parts(e, piped).0
    }

    /// A call, and (when its last argument can be broken on the call's own
    /// line) that layout.
    fn call_parts(&mut self, e: &Expr, piped: bool) -> (Doc, Option<Doc>) {
        let skip = usize::from(piped);
        let (callee, args, after): (Doc, &[Expr], usize) = match &e.node {
            ExprKind::Call {
                name,
                name_span,
                args,
            } => {
                if piped && args.len() == 1 && name_span.end == e.span.end {
                    // `x |> f`
                    return (text(name.as_str()), None);
                }
                (text(name.as_str()), args, name_span.end)
            }
            ExprKind::RemoteCall { module, name, args } => {
                let after = if piped {
                    self.pipe_at(e).unwrap_or(e.span.start)
                } else {
                    e.span.start
                };
                (text(format!("{module}.{name}")), args, after)
            }
            ExprKind::Apply(f, args) => {
                let bare = matches!(f.node, ExprKind::Lambda(_) | ExprKind::FnRef { .. });
                if piped && args.len() == 1 && bare && f.span.end == e.span.end {
                    // `x |> fn(y) { ... }`
                    return (self.expr(f), None);
                }
                let plain_call = matches!(
                    f.node,
                    ExprKind::Call { .. } | ExprKind::RemoteCall { .. } | ExprKind::Apply(..)
                ) && self.pipe_at(f).is_none();
                let d = self.expr(f);
                let d = if plain_call {
                    d
                } else {
                    concat(vec![text("("), d, text(")")])
                };
                (d, args, f.span.end)
            }
            _ => return (self.expr(e), None),
        };
        let range = self
            .delims(after, Token::LParen)
            .unwrap_or((e.span.end, e.span.end));
        let (args_doc, hugged) = self.args(&args[skip.min(args.len())..], range);
        let hugged = hugged.map(|h| concat(vec![callee.clone(), h]));
        (concat(vec![callee, args_doc]), hugged)
    }

    /// An expression as the last of a list of arguments: its doc, and the
    /// doc of it broken over lines from its first line (a lambda's body, a
    /// collection's elements, a call's own last argument), if it has one.
    fn huggable(&mut self, e: &Expr) -> (Doc, Option<Doc>) {
        match &e.node {
            ExprKind::Lambda(clauses) if clauses.len() == 1 => {
                let (d, h) = self.lambda(&clauses[0], true);
                (d, Some(h))
            }
            ExprKind::Call { .. } | ExprKind::RemoteCall { .. } | ExprKind::Apply(..)
                if self.pipe_at(e).is_none() =>
            {
                self.call_parts(e, false)
            }
            // A collection of one element is not worth a hug.
            ExprKind::List(items, _) if items.len() > 1 => {
                let d = self.expr(e);
                let h = force_break(&d);
                (d, h)
            }
            ExprKind::Map(entries) | ExprKind::MapUpdate(_, entries) if entries.len() > 1 => {
                let d = self.expr(e);
                let h = force_break(&d);
                (d, h)
            }
            _ => (self.expr(e), None),
        }
    }

    /// `(a, b, fn(x) { ... })`: flat; or with the last argument broken on
    /// the call's line (`f(a, fn(x) {` ... `})`, `f(a, [` ... `])`); or one
    /// argument a line. A lone string argument never breaks. Also returns
    /// the second layout, for a call that is itself a last argument.
    fn args(&mut self, args: &[Expr], range: (usize, usize)) -> (Doc, Option<Doc>) {
        if let [only] = args {
            if matches!(only.node, ExprKind::Str(_) | ExprKind::Interp(_))
                && !self.pending_in(range.0, range.1)
            {
                let d = self.expr(only);
                return (concat(vec![text("("), d, text(")")]), None);
            }
        }
        let Some((last, others)) = args.split_last() else {
            return (
                self.list("(", ")", range, vec![], None, Trailing::IfBroken),
                None,
            );
        };
        let mut docs: Vec<(Span, Doc)> = others
            .iter()
            .map(|x| (x.span.clone(), self.expr(x)))
            .collect();
        let between = self.pending_between(args, range);
        let (last_doc, last_hugged) = self.huggable(last);
        // Two of a kind at the end (`f([a], [b])`) are not hugged (as
        // Prettier): the last would look unlike its twin.
        let twin = others
            .last()
            .is_some_and(|p| std::mem::discriminant(&p.node) == std::mem::discriminant(&last.node));
        let others_hard = docs.iter().any(|(_, d)| d.has_hard());
        let hugged = match last_hugged {
            Some(h) if !between && !others_hard && !twin => {
                let mut parts = vec![text("(")];
                for (_, d) in &docs {
                    parts.push(d.clone());
                    parts.push(text(", "));
                }
                parts.push(h);
                parts.push(text(")"));
                Some(concat(parts))
            }
            _ => None,
        };
        docs.push((last.span.clone(), last_doc));
        let plain = self.list("(", ")", range, docs, None, Trailing::IfBroken);
        let Some(hugged) = hugged else {
            return (plain, None);
        };
        let mut options = Vec::new();
        if !plain.has_hard() {
            options.push(plain.clone());
        }
        options.push(hugged.clone());
        options.push(plain);
        (Doc::Choice(options), Some(hugged))
    }

    /// True if a comment not yet printed sits between the arguments (not
    /// inside one), which forces the list to break.
    fn pending_between(&self, args: &[Expr], (open, close): (usize, usize)) -> bool {
        let mut at = open;
        for a in args {
            if self.pending_in(at, a.span.start) {
                return true;
            }
            at = a.span.end;
        }
        self.pending_in(at, close)
    }
}

/// The range inside a delimited span: `open` bytes at its start, one at
/// its end.
pub(crate) fn inside(span: &Span, open: usize) -> (usize, usize) {
    (
        span.start + open,
        span.end.saturating_sub(1).max(span.start + open),
    )
}

/// The same group, always broken (`None` if `d` is not a group).
fn force_break(d: &Doc) -> Option<Doc> {
    match d {
        Doc::Group(inner, _) => Some(Doc::Group(inner.clone(), true)),
        _ => None,
    }
}

/// A map update's entries: `#{m |` then the entries as a list whose
/// opening text is empty.
fn list_after_bar(list: Doc) -> Doc {
    concat(vec![text(" "), list])
}

/// A block's inside with its braces: a group when it may be flat.
pub(crate) fn wrap_block(inner: Doc, hard: bool) -> Doc {
    if matches!(inner, Doc::Nil) {
        text("{}")
    } else if hard {
        concat(vec![
            text("{"),
            nest(concat(vec![Doc::HardLine, inner])),
            Doc::HardLine,
            text("}"),
        ])
    } else {
        group(concat(vec![
            text("{"),
            nest(concat(vec![Doc::Line, inner])),
            Doc::Line,
            text("}"),
        ]))
    }
}
