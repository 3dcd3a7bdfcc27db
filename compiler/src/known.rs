//! What the compiler may know of other modules. The compiler does no IO
//! and does not depend on the VM, so whoever calls it (the VM's loader,
//! `reef check`, the REPL) hands it a [`KnownModules`]: for a module it
//! can vouch for, the functions that module exports now. A module it does
//! not know (not found yet, loaded later by name) is `None`, and calls to
//! it are never checked.

/// The exports of one module, as the caller knows them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct KnownModule {
    /// `(name, arity)` of every function callable as `module.name/arity`.
    pub exports: Vec<(String, usize)>,
    /// The module cannot change under the program (the stdlib, natives):
    /// a call to a missing function is an error (E0210). A user's module
    /// found beside the file may still be edited: a warning (W0105).
    pub fixed: bool,
}

/// A source of [`KnownModule`]s. `Sync` because a big source is compiled
/// on a thread of its own.
pub trait KnownModules: Sync {
    /// The exports of `module`, or `None` when the module is not known.
    fn module(&self, name: &str) -> Option<KnownModule>;
}

/// Knows no module: nothing is checked (the plain `compile_module`).
pub struct NoModules;

impl KnownModules for NoModules {
    fn module(&self, _name: &str) -> Option<KnownModule> {
        None
    }
}

/// A fixed table, for tests and simple hosts.
impl<const N: usize> KnownModules for [(&str, KnownModule); N] {
    fn module(&self, name: &str) -> Option<KnownModule> {
        self.iter()
            .find(|(n, _)| *n == name)
            .map(|(_, m)| m.clone())
    }
}

/// The exported functions of a module's source, `(name, arity)`, or `None`
/// if it does not parse (then nothing about it can be trusted). Parses
/// only: cheap enough to run on a stdlib module before it is loaded.
pub fn exports_of(source: &str) -> Option<Vec<(String, usize)>> {
    let (module, diags) = crate::parser::parse_module(source);
    if diags.iter().any(crate::Diagnostic::is_error) {
        return None;
    }
    let mut out: Vec<(String, usize)> = Vec::new();
    for crate::ast::Item::Fn(c) in &module.items {
        let key = (c.name.clone(), c.params.len());
        if c.public && !out.contains(&key) {
            out.push(key);
        }
    }
    Some(out)
}
