//! `reef fmt`: one canonical layout for Reef source, with no options (as
//! gofmt and `gleam format`). The rules are in spec chapter 13 ("Tools").
//!
//! The formatter prints the AST back through a Wadler-style document
//! ([`doc`]), taking the text of literals from the source (so `0xff`,
//! `1_000`, `?a`, escapes and `:"quoted"` atoms stay as written) and
//! finding pipes and comments by their spans ([`comments`]). It never
//! changes what a program means: [`format_source`] parses its own output
//! and refuses (an error, the file left alone) if the AST differs from
//! the input's with spans stripped, or if a comment went missing.

mod comments;
pub mod doc;
mod expr;
mod items;
mod pattern;

use crate::ast::Span;
use crate::diagnostics::Diagnostic;
use crate::lexer::trivia::{self, Comment};
use crate::lexer::{self, Token};
use crate::parser;
use doc::Doc;

/// What formatting a file with errors gives: its syntax errors.
pub type Diagnostics = Vec<Diagnostic>;

/// Formats a whole source file. A file with syntax errors is refused with
/// those errors (as `reef check` reports them).
pub fn format_source(src: &str) -> Result<String, Diagnostics> {
    crate::with_stack_for(src, || format_here(src))
}

fn format_here(src: &str) -> Result<String, Diagnostics> {
    let (module, diags) = parser::parse_module(src);
    let errors: Vec<Diagnostic> = diags.into_iter().filter(Diagnostic::is_error).collect();
    if !errors.is_empty() {
        return Err(errors);
    }
    let tokens = lexer::lex(src).tokens;
    let comments = trivia::comments(src, &tokens);
    let mut f = Fmt::new(src, &tokens, comments);
    let body = f.module(&module);
    let mut out = String::new();
    if src.starts_with("#!") {
        let line = src.lines().next().unwrap_or("");
        out.push_str(line.trim_end());
        out.push('\n');
        if !body.is_empty() {
            let after = &src[line.len()..];
            if blank_line(
                after
                    .split(|c: char| !c.is_whitespace())
                    .next()
                    .unwrap_or(""),
            ) {
                out.push('\n');
            }
        }
    }
    out.push_str(&body);
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    verify(src, &module, &out)?;
    Ok(out)
}

/// The head of clause `c` of `src` (`map(list, f)`, `fact(n) when n > 0`)
/// as `reef fmt` lays it out, comments inside it left out: what the docs
/// show (`crate::docs`). `tokens` are `src`'s.
pub(crate) fn clause_head(src: &str, tokens: &[(Token, Span)], c: &crate::ast::FnClause) -> String {
    let mut f = Fmt::new(src, tokens, Vec::new());
    let head = f.clause_head(c);
    doc::render(&head, doc::WIDTH)
}

/// The safety net: the output must parse to the same AST (spans aside)
/// and hold the same comments.
fn verify(src: &str, module: &crate::ast::Module, out: &str) -> Result<(), Diagnostics> {
    let (again, diags) = parser::parse_module(out);
    let same_ast = !diags.iter().any(Diagnostic::is_error)
        && strip_spans(&format!("{module:?}")) == strip_spans(&format!("{again:?}"));
    let texts = |s: &str| -> Vec<String> {
        trivia::comments(s, &lexer::lex(s).tokens)
            .iter()
            .map(|c| c.text(s).to_string())
            .collect()
    };
    if same_ast && texts(src) == texts(out) {
        Ok(())
    } else {
        Err(vec![Diagnostic::error(
            "E0390",
            "`reef fmt` could not lay this file out without changing it",
            0..0,
            "the file is left as it was",
        )
        .with_hint(
            "this is a bug in the formatter: please report it with the file",
        )])
    }
}

/// The `Debug` text of an AST with every `span: a..b` (and `name_span`)
/// removed, so two parses of differently laid out text compare equal.
pub fn strip_spans(debug: &str) -> String {
    let mut out = String::with_capacity(debug.len());
    let mut rest = debug;
    while let Some(i) = rest.find("span: ") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 6..];
        let len = after
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(after.len());
        rest = &after[len..];
    }
    out.push_str(rest);
    out
}

/// True if `gap` (text between two tokens) holds an empty line.
fn blank_line(gap: &str) -> bool {
    let mut lines = gap.split('\n');
    lines.next();
    let n = gap.matches('\n').count();
    n >= 2 && lines.take(n - 1).any(|l| l.trim().is_empty())
}

/// The formatter's state: the source, its tokens, and which comments have
/// been printed.
pub(crate) struct Fmt<'s> {
    src: &'s str,
    tokens: &'s [(Token, Span)],
    comments: Vec<Comment>,
    used: Vec<bool>,
}

impl<'s> Fmt<'s> {
    fn new(src: &'s str, tokens: &'s [(Token, Span)], comments: Vec<Comment>) -> Self {
        let used = vec![false; comments.len()];
        Fmt {
            src,
            tokens,
            comments,
            used,
        }
    }

    fn module(&mut self, m: &crate::ast::Module) -> String {
        let crate::ast::Module { items } = m;
        let docs: Vec<(Span, Doc, Doc)> = items
            .iter()
            .map(|crate::ast::Item::Fn(c)| (c.span.clone(), self.clause(c), Doc::Nil))
            .collect();
        let start = if self.src.starts_with("#!") {
            self.src.find('\n').unwrap_or(self.src.len())
        } else {
            0
        };
        let parts = self.seq(docs, start, self.src.len());
        doc::render(&doc::concat(parts), doc::WIDTH)
    }

    /// The source text of a span.
    fn slice(&self, span: &Span) -> &'s str {
        &self.src[span.clone()]
    }

    /// Position just after the opening delimiter `open` found at or after
    /// `pos`, and the start of its matching closer.
    fn delims(&self, pos: usize, open: Token) -> Option<(usize, usize)> {
        let first = self.tokens.partition_point(|(_, s)| s.start < pos);
        let i = first + self.tokens[first..].iter().position(|(t, _)| *t == open)?;
        let mut depth = 0usize;
        for (t, s) in &self.tokens[i..] {
            match t {
                Token::LParen | Token::LBracket | Token::LBrace | Token::HashBrace => depth += 1,
                Token::RParen | Token::RBracket | Token::RBrace => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return Some((self.tokens[i].1.end, s.start));
                    }
                }
                _ => {}
            }
        }
        None
    }
}
