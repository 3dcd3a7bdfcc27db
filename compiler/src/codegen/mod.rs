//! Code generation: the resolved AST of one module to a bytecode
//! [`Module`]. The module-level tables (atoms, literals, imports,
//! functions) live in [`ModuleBuilder`]; each function body is compiled by a
//! [`function::FnBuilder`]. Lambdas are queued and compiled after the
//! function that creates them, each as a function of its own.

mod call;
mod comprehension;
mod cond;
mod expr;
mod function;
mod operators;
mod ownership;
mod pattern;
mod peephole;
mod receive;
mod tail_args;
mod try_after;

use std::collections::HashMap;

use reef_bytecode::{Const, FunKind, Function, Import, Module};

use crate::ast::{LambdaClause, Span};
use crate::diagnostics::Diagnostic;
use crate::resolve::Resolved;

/// Module-level tables shared by every function being compiled.
pub(crate) struct ModuleBuilder<'a> {
    pub resolved: &'a Resolved,
    pub atoms: Vec<String>,
    atom_index: HashMap<String, u32>,
    pub literals: Vec<Const>,
    literal_index: HashMap<LitKey, u32>,
    pub imports: Vec<Import>,
    import_index: HashMap<Import, u32>,
    /// Functions in final order: named ones first, lambdas appended.
    pub functions: Vec<Option<Function>>,
    /// Named functions' indices by (name, arity).
    pub named: HashMap<(String, usize), u32>,
    /// Lambdas waiting to be compiled.
    pub pending: Vec<PendingLambda>,
    /// Byte offset of the start of each line, for line numbers.
    line_starts: Vec<usize>,
    /// The module's source and file name: an assertion built-in carries
    /// its own source text and location (see `builtins::ASSERTIONS`).
    pub source: &'a str,
    pub file_name: &'a str,
    /// Where a function first needed more registers than a frame has
    /// (see `FnBuilder::out_of_registers`): the module is not produced.
    pub register_limit: Option<usize>,
}

/// A lambda found while compiling a function, compiled later.
pub(crate) struct PendingLambda {
    pub index: u32,
    pub name: String,
    pub clauses: Vec<LambdaClause>,
    pub captures: Vec<String>,
}

#[derive(PartialEq, Eq, Hash)]
enum LitKey {
    Int(i64),
    Big(String),
    Float(u64),
    Str(String),
}

impl<'a> ModuleBuilder<'a> {
    pub fn atom(&mut self, name: &str) -> u32 {
        if let Some(&i) = self.atom_index.get(name) {
            return i;
        }
        let i = self.atoms.len() as u32;
        self.atoms.push(name.to_string());
        self.atom_index.insert(name.to_string(), i);
        i
    }

    pub fn literal(&mut self, c: Const) -> u32 {
        let key = match &c {
            Const::Int(i) => LitKey::Int(*i),
            Const::BigInt(s) => LitKey::Big(s.clone()),
            Const::Float(f) => LitKey::Float(f.to_bits()),
            Const::Str(s) => LitKey::Str(s.clone()),
            Const::Atom(a) => return self.literal_atom(a),
        };
        if let Some(&i) = self.literal_index.get(&key) {
            return i;
        }
        let i = self.literals.len() as u32;
        self.literals.push(c);
        self.literal_index.insert(key, i);
        i
    }

    fn literal_atom(&mut self, a: &str) -> u32 {
        let i = self.literals.len() as u32;
        self.literals.push(Const::Atom(a.to_string()));
        i
    }

    pub fn import(&mut self, module: &str, name: &str, arity: usize) -> u32 {
        let imp = Import {
            module: module.to_string(),
            name: name.to_string(),
            arity: arity as u32,
        };
        if let Some(&i) = self.import_index.get(&imp) {
            return i;
        }
        let i = self.imports.len() as u32;
        self.imports.push(imp.clone());
        self.import_index.insert(imp, i);
        i
    }

    /// Reserves a function slot for a lambda and queues its body.
    /// The lambda's name is given when it is compiled (see [`generate`]).
    pub fn lambda(&mut self, clauses: &[LambdaClause], span: &Span) -> u32 {
        let index = self.functions.len() as u32;
        self.functions.push(None);
        let captures = self.resolved.captures_of(span).to_vec();
        self.pending.push(PendingLambda {
            index,
            name: String::new(),
            clauses: clauses.to_vec(),
            captures,
        });
        index
    }

    /// The 1-based line of a byte offset.
    pub fn line_of(&self, offset: usize) -> u32 {
        self.line_starts.partition_point(|&s| s <= offset) as u32
    }
}

/// Generates the bytecode module. The resolved AST must be free of errors.
pub fn generate(
    module_name: &str,
    file_name: &str,
    source: &str,
    resolved: &Resolved,
) -> Result<Module, Box<Diagnostic>> {
    let mut line_starts = vec![0];
    line_starts.extend(source.match_indices('\n').map(|(i, _)| i + 1));
    let mut mb = ModuleBuilder {
        resolved,
        atoms: Vec::new(),
        atom_index: HashMap::new(),
        literals: Vec::new(),
        literal_index: HashMap::new(),
        imports: Vec::new(),
        import_index: HashMap::new(),
        functions: Vec::new(),
        named: HashMap::new(),
        pending: Vec::new(),
        line_starts,
        source,
        file_name,
        register_limit: None,
    };
    for (i, f) in resolved.functions.iter().enumerate() {
        mb.named.insert((f.name.clone(), f.arity), i as u32);
        mb.functions.push(None);
    }
    let mut lambda_counter = 0;
    for (i, f) in resolved.functions.iter().enumerate() {
        let compiled = function::compile_named(&mut mb, f);
        mb.functions[i] = Some(compiled);
        // Lambdas created by this function (and lambdas inside them).
        while !mb.pending.is_empty() {
            let mut p = mb.pending.remove(0);
            p.name = format!("-{}/{}-fun-{lambda_counter}-", f.name, f.arity);
            lambda_counter += 1;
            let index = p.index as usize;
            let compiled = function::compile_lambda(&mut mb, &p);
            mb.functions[index] = Some(compiled);
        }
    }
    if let Some(at) = mb.register_limit {
        return Err(Box::new(register_limit(source, at)));
    }
    Ok(Module {
        name: module_name.to_string(),
        file: file_name.to_string(),
        atoms: mb.atoms,
        literals: mb.literals,
        imports: mb.imports,
        functions: mb
            .functions
            .into_iter()
            .map(|f| f.expect("every function compiled"))
            .collect(),
    })
}

/// E0301: a function needs more registers at once than a frame holds
/// (65,535, the width of a register operand). Large list and map literals
/// are built in chunks and never hit it; what remains is a tuple literal,
/// a call's arguments or the variables in scope at one point, each above
/// about 65,000.
fn register_limit(source: &str, at: usize) -> Diagnostic {
    let end = source[at..]
        .char_indices()
        .nth(1)
        .map_or(source.len(), |(i, _)| at + i);
    Diagnostic::error(
        "E0301",
        "this function needs more than 65535 registers",
        at..end,
        "the limit is reached in this expression",
    )
    .with_hint(
        "a tuple literal or a call can have at most about 65,000 elements or \
         arguments, and at most about 65,000 variables can be in scope at once: \
         use a list, or split the function into smaller ones",
    )
}

/// The function kind for a named function.
pub(crate) fn named_kind(exported: bool) -> FunKind {
    FunKind::Named { exported }
}
