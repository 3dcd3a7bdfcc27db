//! The parser: tokens from the lexer to the AST, with error recovery so one
//! run reports every syntax error.
//!
//! Pipeline: [`lexer::lex`] → [`layout::split_chunks`] (one chunk per
//! top-level function clause) → [`layout::layout`] (significant newlines,
//! bracket repair, depth limit) → the chumsky grammar in [`items`],
//! [`expr`] and [`pattern`] → [`errors::tidy`].

mod common;
mod errors;
mod expr;
mod items;
pub mod layout;
mod operators;
mod pattern;

use crate::ast;
use crate::diagnostics::syntax::SyntaxError;
use crate::diagnostics::Diagnostic;
use crate::lexer::{self, Token};
use chumsky::inspector::TruncateState;
use chumsky::prelude::*;
use errors::ChunkEnd;

/// One entry typed at the REPL: a function clause or an expression
/// (including `let`).
#[derive(Debug, Clone, PartialEq)]
pub enum ReplItem {
    Fn(ast::FnClause),
    Expr(ast::Expr),
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Module,
    Repl,
}

thread_local! {
    /// The grammar, built once per thread. Building it per parse leaked
    /// it: its mutually recursive parsers (`Recursive::declare`) hold each
    /// other in an `Rc` cycle, about 12 KB a grammar, which made the REPL
    /// (two parses per input) grow by 25 KB per input.
    static GRAMMAR: std::rc::Rc<items::Grammar<'static>> = std::rc::Rc::new(items::grammar());
}

/// Lexes, lays out and parses `source`; returns REPL items (function clauses
/// only, in module mode) and the syntax errors in source order.
fn run(source: &str, mode: Mode) -> (Vec<ReplItem>, Vec<SyntaxError>) {
    let lexed = lexer::lex(source);
    let mut errors = lexed.errors;
    // Laid out in place: the lexer's vector becomes the grammar's input.
    let laid = layout::layout_file(source, lexed.tokens);
    // In place again (a `Span` and a `SimpleSpan` have the same layout, so
    // `collect` reuses the allocation): one vector of tokens from the lexer
    // to the grammar.
    let input: Vec<(Token, SimpleSpan)> = laid
        .tokens
        .into_iter()
        .map(|(t, s)| (t, SimpleSpan::from(s)))
        .collect();

    let cached = GRAMMAR.with(std::rc::Rc::clone);
    let mut out = Vec::new();
    let mut cascades = errors::Cascades::default();
    for chunk in laid.chunks {
        let end = ChunkEnd {
            next: chunk.next,
            eof: source.len(),
        };
        let input = &input[chunk.range];
        errors.extend(chunk.errors);
        cascades.shadowed.extend(chunk.shadowed);
        cascades.after_invalid.extend(
            input
                .windows(2)
                .filter(|w| w[0].0 == Token::Error)
                .map(|w| w[1].1.start),
        );
        if chunk.too_deep || input.is_empty() {
            continue;
        }
        let chunk_end = input.last().map_or(0, |(_, s)| s.end);
        let eoi = SimpleSpan::from(chunk_end..chunk_end);
        // SAFETY: the grammar is built from nothing (it borrows no input), and
        // its parsers keep nothing they see: outputs, errors and state are
        // owned values returned to the caller or put in the per-parse state,
        // and the only interior mutability (each `Recursive`'s cell) is set
        // once while the grammar is built. So the input lifetime `'static`
        // that it was built with is only a type parameter, and using it on
        // shorter-lived input reads nothing that outlives that input.
        let grammar: &items::Grammar<'_> = unsafe {
            std::mem::transmute::<&items::Grammar<'static>, &items::Grammar<'_>>(&*cached)
        };
        let mut state = TruncateState(Vec::new());
        let tokens = input.split_token_span(eoi);
        let (output, errs) = match mode {
            Mode::Module => {
                let (o, e) = grammar
                    .module
                    .parse_with_state(tokens, &mut state)
                    .into_output_errors();
                (
                    o.map(|items| {
                        items
                            .into_iter()
                            .flatten()
                            .map(ReplItem::Fn)
                            .collect::<Vec<_>>()
                    }),
                    e,
                )
            }
            Mode::Repl => {
                let (o, e) = grammar
                    .repl
                    .parse_with_state(tokens, &mut state)
                    .into_output_errors();
                (
                    o.map(|items| items.into_iter().flatten().collect::<Vec<_>>()),
                    e,
                )
            }
        };
        errors.extend(errs.iter().filter_map(|e| errors::convert(e, &end)));
        errors.extend(state.0);
        out.extend(output.unwrap_or_default());
    }
    (out, errors::tidy(errors, &cascades))
}

/// Parses a whole file.
pub fn parse_module(source: &str) -> (ast::Module, Vec<Diagnostic>) {
    let (items, errors) = run(source, Mode::Module);
    let items = items
        .into_iter()
        .filter_map(|i| match i {
            ReplItem::Fn(f) => Some(ast::Item::Fn(f)),
            ReplItem::Expr(_) => None,
        })
        .collect();
    (
        ast::Module { items },
        errors.iter().map(SyntaxError::to_diagnostic).collect(),
    )
}

/// Parses REPL input: function clauses and expressions, separated by
/// newlines or `;`.
pub fn parse_repl(source: &str) -> (Vec<ReplItem>, Vec<Diagnostic>) {
    let (items, errors) = run(source, Mode::Repl);
    (
        items,
        errors.iter().map(SyntaxError::to_diagnostic).collect(),
    )
}

/// The syntax errors of REPL input, as data.
pub fn repl_syntax_errors(source: &str) -> Vec<SyntaxError> {
    run(source, Mode::Repl).1
}

/// True when the input is unfinished (an open bracket or string, a trailing
/// binary operator): the REPL then reads another line.
pub fn is_incomplete(source: &str) -> bool {
    let errors = repl_syntax_errors(source);
    !errors.is_empty() && errors.iter().all(SyntaxError::is_at_eof)
}
