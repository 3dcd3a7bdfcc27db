//! What modules a VM can name and what they export, for tools that
//! complete names (the REPL's Tab) or list a module: [`Vm::module_names`]
//! and [`Vm::module_exports`].

use reef_compiler::KnownModules;

use crate::value::Atom;
use crate::Vm;

impl Vm {
    /// The modules a program on this VM can call now without naming a
    /// file: the loaded ones, those with natives (`math`, `process`), and
    /// the standard library's (loaded on first call). Sorted, without the
    /// internal ones (names starting with `__`, such as REPL inputs) and
    /// without those a sandbox hides.
    pub fn module_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .rt
            .code
            .loaded_names()
            .into_iter()
            .chain(
                self.rt
                    .natives
                    .read()
                    .expect("natives lock")
                    .keys()
                    .map(|m| m.module),
            )
            .filter(|a| !self.rt.sandbox_hides(*a))
            .map(|a| a.name().to_string())
            .chain(
                reef_stdlib::MODULES
                    .iter()
                    .filter(|(n, _)| !self.rt.sandbox_hides(Atom::new(n)))
                    .map(|(n, _)| n.to_string()),
            )
            .filter(|n| !n.starts_with("__") && n != "kernel")
            .collect();
        names.sort();
        names.dedup();
        names
    }

    /// `(name, arity)` of every function callable as `module.name(...)`
    /// (natives and exported Reef functions), sorted; `None` when this VM
    /// cannot find the module. Internal helpers (names starting with
    /// `__`) are left out.
    pub fn module_exports(&self, module: &str) -> Option<Vec<(String, usize)>> {
        let known = self.known_modules().module(module)?;
        let mut exports: Vec<(String, usize)> = known
            .exports
            .into_iter()
            .filter(|(n, _)| !n.starts_with("__"))
            .collect();
        exports.sort();
        exports.dedup();
        Some(exports)
    }
}
