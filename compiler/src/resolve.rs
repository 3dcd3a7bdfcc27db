//! Name resolution (placeholder).
use crate::ast;
use crate::diagnostics::Diagnostic;

pub struct Resolved;

pub fn resolve_module(_m: &ast::Module, _source: &str) -> (Resolved, Vec<Diagnostic>) {
    todo!()
}
