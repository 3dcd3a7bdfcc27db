//! Where a module's docs come from, for `h(...)` in the REPL and
//! `reef doc`: read from its source when asked (spec 14.4), not kept in
//! the loaded code. A loaded module's docs are those of the file it was
//! loaded from; a stdlib module's are in the binary already (its embedded
//! source); the built-in natives of a module are documented by a
//! declaration file in `stdlib/natives/`, embedded the same way. So a
//! running program pays nothing for docs.

use std::path::Path;

use crate::loader::Source;
use crate::value::Atom;
use crate::Vm;

/// One source that documents a module (read it with
/// `reef_compiler::docs::module_docs`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocSource {
    /// Where it comes from: a file's path, or `stdlib/lib/NAME.reef` and
    /// `stdlib/natives/NAME.reef` for the embedded ones.
    pub file: String,
    /// Its text.
    pub text: String,
}

impl Vm {
    /// The sources that document module `name`: the Reef source it was
    /// loaded from (or, not loaded, the one it would be loaded from), then
    /// the declaration of its built-in natives, if it has any. Empty for
    /// a module with neither.
    pub fn doc_sources(&self, name: &str) -> Vec<DocSource> {
        let mut out = Vec::new();
        let loaded = self
            .rt
            .code
            .get(Atom::new(name))
            .filter(|m| m.dir.is_some())
            .map(|m| Path::new(&*m.file).to_path_buf())
            .filter(|p| p.is_file());
        match loaded
            .map(Source::File)
            .or_else(|| self.rt.code.locate(name, None))
        {
            Some(Source::File(path)) => {
                if let Ok(text) = crate::loader::read_source(&path) {
                    out.push(DocSource {
                        file: path.display().to_string(),
                        text,
                    });
                }
            }
            Some(Source::Stdlib(text)) => out.push(DocSource {
                file: format!("stdlib/lib/{name}.reef"),
                text: text.to_string(),
            }),
            None => {}
        }
        if let Some(text) = reef_stdlib::native_docs(name) {
            out.push(DocSource {
                file: format!("stdlib/natives/{name}.reef"),
                text: text.to_string(),
            });
        }
        out
    }
}

/// The modules of the standard library: those written in Reef and those
/// with built-in natives documented in `stdlib/natives/`, sorted, each
/// once.
pub fn stdlib_modules() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = reef_stdlib::MODULES
        .iter()
        .chain(reef_stdlib::NATIVE_DOCS)
        .map(|(n, _)| *n)
        .collect();
    names.sort_unstable();
    names.dedup();
    names
}
