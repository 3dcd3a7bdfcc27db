//! Code generation (placeholder).
use crate::resolve::Resolved;

pub fn generate(_name: &str, _file: &str, _source: &str, _r: &Resolved) -> reef_bytecode::Module {
    todo!()
}
