//! What the loader tells the compiler about other modules
//! ([`reef_compiler::KnownModules`]): the exports of a module it can find
//! now, so a call to a function that does not exist is reported before
//! the program runs. A module is known when natives are registered for it,
//! when it is loaded, or when its source is found (beside the file, on the
//! search path, in the stdlib) and parses; any other module may still be
//! loaded later by name, and calls to it are not checked.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Mutex, OnceLock};

use reef_compiler::{KnownModule, KnownModules};

use crate::loader::Source;
use crate::runtime::Runtime;
use crate::value::Atom;

/// The modules `rt` can see from a file in `dir`.
pub struct Known<'a> {
    pub(crate) rt: &'a Runtime,
    pub(crate) dir: Option<&'a Path>,
}

impl KnownModules for Known<'_> {
    fn module(&self, name: &str) -> Option<KnownModule> {
        let atom = Atom::new(name);
        if self.rt.sandbox_hides(atom) {
            // Unknown, so unchecked: the sandbox refuses the call itself.
            return None;
        }
        let mut exports: Vec<(String, usize)> = self
            .rt
            .natives
            .read()
            .expect("natives lock")
            .keys()
            .filter(|m| m.module == atom)
            .map(|m| (m.name.name().to_string(), m.arity as usize))
            .collect();
        let fixed = match self.rt.code.locate(name, self.dir) {
            Some(Source::File(path)) => {
                // A user's module: it may be edited, so only a warning.
                let text = crate::loader::read_source(&path).ok()?;
                exports.extend(reef_compiler::known::exports_of(&text)?);
                false
            }
            Some(Source::Stdlib(text)) => {
                exports.extend(stdlib_exports(name, text)?);
                true
            }
            None => {
                // Natives only (`math`, `kernel`), or a module loaded from
                // a string (the kernel's bytecode half).
                if let Some(m) = self.rt.code.get(atom) {
                    exports.extend(
                        m.functions
                            .iter()
                            .filter(|f| f.is_exported())
                            .map(|f| (f.name.name().to_string(), f.arity as usize)),
                    );
                }
                if exports.is_empty() {
                    return None;
                }
                true
            }
        };
        Some(KnownModule { exports, fixed })
    }
}

/// The exports of an embedded stdlib module, parsed once per process: the
/// sources are part of the binary, so the answer never changes, and each
/// stdlib module that loads asks about the others (about 3 ms a parse in
/// a release build for the larger ones).
fn stdlib_exports(name: &str, text: &'static str) -> Option<Vec<(String, usize)>> {
    type Cache = Mutex<HashMap<String, Option<Vec<(String, usize)>>>>;
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(hit) = cache.lock().ok().and_then(|c| c.get(name).cloned()) {
        return hit;
    }
    let parsed = reef_compiler::known::exports_of(text);
    if let Ok(mut c) = cache.lock() {
        c.insert(name.to_string(), parsed.clone());
    }
    parsed
}
