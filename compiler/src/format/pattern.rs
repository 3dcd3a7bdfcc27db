//! Patterns: literals as written, names, pins, collections, aliases.

use super::comments::Trailing;
use super::doc::{concat, text, Doc};
use super::expr::inside;
use super::Fmt;
use crate::ast::{Pattern, PatternKind, Span};

/// The text of a literal pattern without the parentheses a `(1)` keeps in
/// its span.
fn unparen(mut t: &str) -> &str {
    loop {
        t = t.trim();
        match t.strip_prefix('(').and_then(|x| x.strip_suffix(')')) {
            Some(inner) => t = inner,
            None => return t,
        }
    }
}

impl Fmt<'_> {
    pub(crate) fn pattern(&mut self, p: &Pattern) -> Doc {
        match &p.node {
            PatternKind::Wildcard
            | PatternKind::Atom(_)
            | PatternKind::Str(_)
            | PatternKind::Int(_)
            | PatternKind::Float(_) => {
                let t = unparen(self.slice(&p.span));
                match t.strip_prefix('-') {
                    Some(rest) => text(format!("-{}", rest.trim_start())),
                    None => text(t),
                }
            }
            PatternKind::Bind(n) => text(n.as_str()),
            PatternKind::Pin(n) => text(format!("^{n}")),
            PatternKind::Tuple(items) => {
                let docs = self.patterns(items);
                let trailing = if items.len() == 1 {
                    Trailing::Always
                } else {
                    Trailing::IfBroken
                };
                let range = inside(&p.span, 1);
                self.list("(", ")", range, docs, None, trailing)
            }
            PatternKind::List(items, tail) => {
                let docs = self.patterns(items);
                let tail = tail.as_ref().map(|t| (t.span.clone(), self.pattern(t)));
                let range = inside(&p.span, 1);
                self.list("[", "]", range, docs, tail, Trailing::IfBroken)
            }
            PatternKind::Map(entries) => {
                let docs = entries
                    .iter()
                    .map(|(k, v)| {
                        let key = self.let_pattern(k);
                        let value = self.pattern(v);
                        (
                            k.span.start..v.span.end,
                            concat(vec![key, text(" => "), value]),
                        )
                    })
                    .collect();
                let range = inside(&p.span, 2);
                self.list("#{", "}", range, docs, None, Trailing::IfBroken)
            }
            PatternKind::Alias(a, b) => {
                let left = self.pattern(a);
                let right = self.let_pattern(b);
                concat(vec![left, text(" = "), right])
            }
        }
    }

    /// A pattern where an alias needs parentheses (a `let`'s pattern, the
    /// right of an alias, a map key).
    pub(crate) fn let_pattern(&mut self, p: &Pattern) -> Doc {
        let d = self.pattern(p);
        if matches!(p.node, PatternKind::Alias(..)) {
            concat(vec![text("("), d, text(")")])
        } else {
            d
        }
    }

    fn patterns(&mut self, items: &[Pattern]) -> Vec<(Span, Doc)> {
        items
            .iter()
            .map(|x| (x.span.clone(), self.pattern(x)))
            .collect()
    }
}
