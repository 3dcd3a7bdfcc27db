//! What the tools that read sources without running them (`reef check`,
//! the language server) ask the VM: the diagnostics of a source as the
//! loader would report them, the modules a file can see, their exports and
//! where their source is. A [`Checker`] is a runtime that runs nothing:
//! its natives, search path and embedded stdlib answer, so the tools see
//! exactly what `reef run` would.

use std::path::{Path, PathBuf};

use crate::known::Known;
use crate::loader::{self, LoadError, Source};
use crate::runtime::Runtime;

/// Where the source of a module is: a file (beside the asking file or on
/// the search path), or the text of an embedded stdlib module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModuleSource {
    /// A file on disk.
    File(PathBuf),
    /// A stdlib module embedded in the binary (`stdlib/lib/NAME.reef`).
    Stdlib(&'static str),
}

/// Answers questions about sources and modules without running anything.
///
/// # Examples
///
/// ```
/// let checker = reef_vm::Checker::new(&[]);
/// let diags = checker.check(std::path::Path::new("m.reef"), "pub fn f() { lists.nope(1) }\n");
/// assert_eq!(diags.unwrap()[0].code, "E0210"); // lists has no nope/1
/// assert!(checker.exports("lists", None).unwrap().contains(&("map".to_string(), 2)));
/// ```
pub struct Checker {
    rt: Runtime,
}

impl Checker {
    /// A checker whose search path is `search_path`, then `REEF_PATH` (as
    /// `reef --path DIR` builds a VM).
    pub fn new(search_path: &[PathBuf]) -> Checker {
        let mut search = search_path.to_vec();
        if let Some(env) = std::env::var_os("REEF_PATH") {
            search.extend(std::env::split_paths(&env).filter(|p| !p.as_os_str().is_empty()));
        }
        Checker {
            rt: Runtime::new(
                search,
                Box::new(std::io::sink()),
                false,
                Box::new(std::io::sink()),
                false,
            ),
        }
    }

    /// The compiler's diagnostics of `source`, the text of the file at
    /// `path` (which need not exist: its name is the module's, its
    /// directory where other modules are looked for first), in source
    /// order: what `reef check` reports. A compiler panic is an `Internal`
    /// error.
    pub fn check(
        &self,
        path: &Path,
        source: &str,
    ) -> Result<Vec<reef_compiler::Diagnostic>, LoadError> {
        let name = loader::module_name(path)?;
        let file_name = path.display().to_string();
        let dir = directory_of(path);
        let known = Known {
            rt: &self.rt,
            dir: Some(dir),
        };
        let compiled = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            reef_compiler::compile_module_with(&name, &file_name, source, &known)
        }))
        .map_err(|e| LoadError::Internal {
            module: name.clone(),
            message: loader::panic_message(&e),
        })?;
        Ok(compiled.diagnostics)
    }

    /// `(name, arity)` of every function `module` exports (natives and
    /// Reef functions), as seen from a file in `dir`; `None` when the
    /// module is not found or its source does not parse.
    pub fn exports(&self, module: &str, dir: Option<&Path>) -> Option<Vec<(String, usize)>> {
        use reef_compiler::KnownModules;
        let mut exports = Known { rt: &self.rt, dir }.module(module)?.exports;
        exports.sort();
        exports.dedup();
        Some(exports)
    }

    /// Where the source of `module` is, as the loader looks for it from a
    /// file in `dir`: beside it, on the search path, in the stdlib.
    /// `None` for a module of natives only (`strings`) or none at all.
    pub fn locate(&self, module: &str, dir: Option<&Path>) -> Option<ModuleSource> {
        match self.rt.code.locate(module, dir)? {
            Source::File(p) => Some(ModuleSource::File(p)),
            Source::Stdlib(text) => Some(ModuleSource::Stdlib(text)),
        }
    }

    /// The names of the modules every program can call: those of the
    /// natives and of the embedded stdlib (not `kernel`, whose functions
    /// are called without a prefix), sorted.
    pub fn stdlib_modules(&self) -> Vec<String> {
        let kernel = crate::value::Atom::new("kernel");
        let mut names: Vec<String> = self
            .rt
            .natives
            .read()
            .expect("natives lock")
            .keys()
            .filter(|m| m.module != kernel)
            .map(|m| m.module.name().to_string())
            .chain(reef_stdlib::MODULES.iter().map(|(n, _)| n.to_string()))
            .collect();
        names.sort();
        names.dedup();
        names
    }
}

/// The directory modules are looked for in first: the file's own (`.` for
/// a bare file name).
fn directory_of(path: &Path) -> &Path {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}
