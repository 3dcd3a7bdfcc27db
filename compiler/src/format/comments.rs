//! Where comments go. Comments are not in the AST: each is placed by its
//! span. A comment between two statements (items, arms, elements of a
//! broken list) goes on its own line before the next one; a comment on the
//! same line after one stays at the end of that line; a comment inside an
//! expression that has no place of its own (between two operands) moves to
//! the line before that statement. Nothing is ever dropped: `verify`
//! checks that the output has the same comments.
//!
//! Blank lines between statements and items are kept, at most one.

use super::doc::{concat, group, if_break, nest, text, Doc};
use super::{blank_line, Fmt};
use crate::ast::Span;

/// How a bracketed list ends when broken over lines.
#[derive(Clone, Copy, PartialEq)]
pub(crate) enum Trailing {
    /// A comma after the last element when broken (`[a, b]`).
    IfBroken,
    /// Always a comma after the last element (a one-tuple `(a,)`).
    Always,
}

impl Fmt<'_> {
    /// True if a comment not yet printed starts in `lo..hi`.
    pub(crate) fn pending_in(&self, lo: usize, hi: usize) -> bool {
        self.comments
            .iter()
            .zip(&self.used)
            .any(|(c, u)| !u && c.span.start >= lo && c.span.start < hi)
    }

    /// The comments not yet printed that start in `lo..hi`, now printed.
    fn take_in(&mut self, lo: usize, hi: usize) -> Vec<Span> {
        let mut out = Vec::new();
        for (c, u) in self.comments.iter().zip(self.used.iter_mut()) {
            if !*u && c.span.start >= lo && c.span.start < hi {
                *u = true;
                out.push(c.span.clone());
            }
        }
        out
    }

    /// A comment after `end` on the same line (only white space, commas,
    /// semicolons and closing parentheses between), before `limit`.
    fn trailing(&mut self, end: usize, limit: usize) -> Option<Span> {
        let i = self.comments.iter().zip(&self.used).position(|(c, u)| {
            !u && c.span.start >= end
                && c.span.start < limit
                && self.src[end..c.span.start]
                    .chars()
                    .all(|ch| matches!(ch, ' ' | '\t' | ',' | ';' | ')'))
        })?;
        self.used[i] = true;
        Some(self.comments[i].span.clone())
    }

    /// Lines of statements (or items, arms, list elements): each element is
    /// `(span, doc, separator)`, already formatted. Comments left in
    /// `open..close` are placed around them; blank lines are kept. The
    /// parts are joined by hard lines, with none before the first or after
    /// the last.
    pub(crate) fn seq(
        &mut self,
        items: Vec<(Span, Doc, Doc)>,
        open: usize,
        close: usize,
    ) -> Vec<Doc> {
        let mut parts = Vec::new();
        let mut prev: Option<usize> = None;
        let line = |parts: &mut Vec<Doc>, prev: &mut Option<usize>, src: &str, next: usize| {
            if let Some(p) = *prev {
                parts.push(Doc::HardLine);
                if p <= next && blank_line(&src[p..next]) {
                    parts.push(Doc::HardLine);
                }
            }
            *prev = Some(next);
        };
        let mut at = open;
        for (span, doc, sep) in items {
            for c in self.take_in(at, span.start) {
                line(&mut parts, &mut prev, self.src, c.start);
                parts.push(text(self.slice(&c).trim_end()));
                prev = Some(c.end);
            }
            // Comments inside the element that found no place in it.
            for c in self.take_in(span.start, span.end) {
                line(&mut parts, &mut prev, self.src, c.start);
                parts.push(text(self.slice(&c).trim_end()));
                prev = Some(c.end);
            }
            line(&mut parts, &mut prev, self.src, span.start);
            parts.push(doc);
            parts.push(sep);
            prev = Some(span.end);
            at = span.end;
            if let Some(c) = self.trailing(span.end, close) {
                parts.push(text(format!(" {}", self.slice(&c).trim_end())));
                prev = Some(c.end);
                at = c.end;
            }
        }
        for c in self.take_in(at, close) {
            line(&mut parts, &mut prev, self.src, c.start);
            parts.push(text(self.slice(&c).trim_end()));
            prev = Some(c.end);
        }
        parts
    }

    /// A bracketed, comma-separated list (arguments, a tuple, a list, a
    /// map, parameters): flat if it fits, else one element a line with a
    /// trailing comma; always broken when a comment sits between elements.
    /// `tail` is a list's `| rest`.
    pub(crate) fn list(
        &mut self,
        open_text: &str,
        close_text: &str,
        (open, close): (usize, usize),
        items: Vec<(Span, Doc)>,
        tail: Option<(Span, Doc)>,
        trailing: Trailing,
    ) -> Doc {
        if items.is_empty() && tail.is_none() && !self.pending_in(open, close) {
            return text(format!("{open_text}{close_text}"));
        }
        if self.pending_in(open, close) {
            let n = items.len();
            let mut elems: Vec<(Span, Doc, Doc)> = items
                .into_iter()
                .enumerate()
                .map(|(i, (s, d))| {
                    let sep = if i + 1 < n || tail.is_none() {
                        text(",")
                    } else {
                        Doc::Nil
                    };
                    (s, d, sep)
                })
                .collect();
            if let Some((s, d)) = tail {
                elems.push((s, concat(vec![text("| "), d]), Doc::Nil));
            }
            let parts = self.seq(elems, open, close);
            return concat(vec![
                text(open_text),
                nest(concat(vec![Doc::HardLine, concat(parts)])),
                Doc::HardLine,
                text(close_text),
            ]);
        }
        let mut inner = vec![Doc::SoftLine];
        for (i, (_, d)) in items.into_iter().enumerate() {
            if i > 0 {
                inner.push(text(","));
                inner.push(Doc::Line);
            }
            inner.push(d);
        }
        match tail {
            Some((_, d)) => {
                inner.push(Doc::Line);
                inner.push(text("| "));
                inner.push(d);
            }
            None if trailing == Trailing::Always => inner.push(text(",")),
            None => inner.push(if_break(text(","), Doc::Nil)),
        }
        group(concat(vec![
            text(open_text),
            nest(concat(inner)),
            Doc::SoftLine,
            text(close_text),
        ]))
    }
}
