//! Doc comments: `///` lines right before a function's first clause are
//! that function's doc, `//!` lines at the top of a module are the
//! module's (spec 14.4). The lexer skips comments; this module finds them
//! again through [`crate::lexer::trivia`] (as `reef fmt` does), so an
//! ordinary compile pays nothing unless the file has doc comments, and
//! then only the W0410 check ([`doc_warnings`]).
//!
//! Used by `reef doc`, the REPL's `h(...)` and `:doc`, and the language
//! server's hover. [`examples`] reads the `reef>` examples inside a doc.

pub mod examples;

use std::ops::Range;

use crate::ast::{Item, Module, Span};
use crate::diagnostics::Diagnostic;
use crate::lexer::trivia::{self, Comment};
use crate::lexer::{self, Token};
use crate::parser;

/// The docs of one module's source.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ModuleDocs {
    /// The `//!` lines at the top, without their `//!`.
    pub doc: Option<String>,
    /// Every function (public or not), in source order.
    pub functions: Vec<FunctionDoc>,
}

/// One function: all its clauses (adjacent, same name and arity).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionDoc {
    pub name: String,
    pub arity: usize,
    pub public: bool,
    /// Each clause's head as `reef fmt` lays it out: `map(list, f)`,
    /// `fact(n) when n > 0`.
    pub heads: Vec<String>,
    /// The `///` lines before the first clause, without their `///`.
    pub doc: Option<String>,
    /// The byte span of the first clause.
    pub span: Range<usize>,
}

impl ModuleDocs {
    /// The functions named `name` (every arity), in source order.
    pub fn named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a FunctionDoc> + 'a {
        self.functions.iter().filter(move |f| f.name == name)
    }
}

impl FunctionDoc {
    /// The first paragraph of the doc, on one line: the summary `h(module)`
    /// and the index pages show.
    pub fn summary(&self) -> String {
        self.doc.as_deref().map(summary).unwrap_or_default()
    }
}

/// The first paragraph of a doc text, its lines joined by spaces.
pub fn summary(doc: &str) -> String {
    doc.lines()
        .map(str::trim)
        .take_while(|l| !l.is_empty() && !l.starts_with(examples::PROMPT))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The docs of `source`: its module doc and every function with its heads
/// and doc. A source with syntax errors gives those errors.
pub fn module_docs(source: &str) -> Result<ModuleDocs, Vec<Diagnostic>> {
    crate::with_stack_for(source, || {
        let (module, diags) = parser::parse_module(source);
        let errors: Vec<Diagnostic> = diags.into_iter().filter(Diagnostic::is_error).collect();
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(extract(source, &module, true).0)
    })
}

/// Warnings W0410 for the doc comments of `module` (parsed from `source`)
/// that document nothing: a `///` not right before a function's first
/// clause, a `//!` below the top of the file. Cheap when the source has
/// no doc comment at all (the compiler calls it on every module).
pub fn doc_warnings(source: &str, module: &Module) -> Vec<Diagnostic> {
    if !source.contains("///") && !source.contains("//!") {
        return Vec::new();
    }
    extract(source, module, false).1
}

/// A comment's kind, from its first characters (`////` is a plain
/// comment, as in Rust).
fn kind(text: &str) -> Option<&'static str> {
    if text.starts_with("////") {
        None
    } else if text.starts_with("///") {
        Some("///")
    } else if text.starts_with("//!") {
        Some("//!")
    } else {
        None
    }
}

/// A doc comment's text: the marker and one space after it removed.
fn line_text<'s>(src: &'s str, c: &Comment, marker: &str) -> &'s str {
    let t = &c.text(src)[marker.len()..];
    t.strip_prefix(' ').unwrap_or(t)
}

/// Joins doc lines, dropping blank lines at either end.
fn join(lines: &[&str]) -> Option<String> {
    let first = lines.iter().position(|l| !l.trim().is_empty())?;
    let last = lines.iter().rposition(|l| !l.trim().is_empty())?;
    Some(lines[first..=last].join("\n"))
}

/// The docs of `module` and the warnings for doc comments that document
/// nothing; the heads only `with_heads` (laying them out costs a
/// formatter run per clause, which the warnings do not need).
fn extract(src: &str, module: &Module, with_heads: bool) -> (ModuleDocs, Vec<Diagnostic>) {
    let tokens = lexer::lex(src).tokens;
    let comments = trivia::comments(src, &tokens);
    let first_token = tokens
        .iter()
        .find(|(t, _)| *t != Token::Newline)
        .map_or(src.len(), |(_, s)| s.start);
    let mut used = vec![false; comments.len()];
    // The module doc: `//!` lines before any code.
    let mut module_lines = Vec::new();
    for (i, c) in comments.iter().enumerate() {
        if c.span.start < first_token && kind(c.text(src)) == Some("//!") {
            module_lines.push(line_text(src, c, "//!"));
            used[i] = true;
        }
    }
    let mut functions: Vec<FunctionDoc> = Vec::new();
    let mut prev_end = 0;
    let mut last_key: Option<(&str, usize)> = None;
    for Item::Fn(clause) in &module.items {
        let key = (clause.name.as_str(), clause.params.len());
        let head = if with_heads {
            crate::format::clause_head(src, &tokens, clause)
        } else {
            String::new()
        };
        if last_key == Some(key) {
            if let Some(f) = functions.last_mut() {
                f.heads.push(head);
            }
        } else {
            // The `///` lines between the previous item and this one.
            let mut lines = Vec::new();
            for (i, c) in comments.iter().enumerate() {
                if c.span.start >= prev_end
                    && c.span.end <= clause.span.start
                    && kind(c.text(src)) == Some("///")
                {
                    lines.push(line_text(src, c, "///"));
                    used[i] = true;
                }
            }
            functions.push(FunctionDoc {
                name: clause.name.clone(),
                arity: clause.params.len(),
                public: clause.public,
                heads: vec![head],
                doc: join(&lines),
                span: clause.span.clone(),
            });
        }
        last_key = Some(key);
        prev_end = clause.span.end;
    }
    let warnings = comments
        .iter()
        .zip(&used)
        .filter(|(c, used)| !**used && kind(c.text(src)).is_some())
        .map(|(c, _)| stray(src, c))
        .collect();
    let docs = ModuleDocs {
        doc: join(&module_lines),
        functions,
    };
    (docs, warnings)
}

/// W0410 for a doc comment that documents nothing.
fn stray(src: &str, c: &Comment) -> Diagnostic {
    let span: Span = c.span.clone();
    if kind(c.text(src)) == Some("//!") {
        Diagnostic::warning(
            "W0410",
            "this module doc comment is not at the top of the file",
            span,
            "documents nothing here",
        )
        .with_hint("`//!` lines document the module only before its first function; use `//` for a plain comment")
    } else {
        Diagnostic::warning(
            "W0410",
            "this doc comment is not before a function",
            span,
            "documents nothing here",
        )
        .with_hint("`///` lines document the function whose first clause follows them; use `//` for a plain comment")
    }
}

#[cfg(test)]
mod tests;
