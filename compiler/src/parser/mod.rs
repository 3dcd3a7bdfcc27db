//! The parser: tokens from the lexer to the AST, with error recovery so one
//! run reports every syntax error. (Placeholder until the parser lands.)

use crate::ast;
use crate::diagnostics::Diagnostic;

/// One entry typed at the REPL: a function clause or an expression
/// (including `let`).
#[derive(Debug, Clone, PartialEq)]
pub enum ReplItem {
    Fn(ast::FnClause),
    Expr(ast::Expr),
}

/// Parses a whole file.
pub fn parse_module(_source: &str) -> (ast::Module, Vec<Diagnostic>) {
    todo!("parser")
}

/// Parses REPL input: function clauses and expressions, separated by
/// newlines or `;`.
pub fn parse_repl(_source: &str) -> (Vec<ReplItem>, Vec<Diagnostic>) {
    todo!("parser")
}

/// True when the input is unfinished (an open bracket or string, a trailing
/// binary operator): the REPL then reads another line.
pub fn is_incomplete(_source: &str) -> bool {
    todo!("parser")
}
