//! Go to definition: a variable's binding, a function's first clause in
//! this module, `module.name` in another module on the search path (the
//! file's own directory first, as `reef run` finds modules) or in the
//! stdlib (its source written to a cache directory, `stdlib.rs`), and a
//! module's file.

use lsp_types::{
    GotoDefinitionResponse, Location, Position, Range, TextDocumentPositionParams, Uri,
};
use reef_vm::compiler::outline::{outline, Function, Outline};
use reef_vm::ModuleSource;

use super::cursor::{target_at, Target};
use super::documents::{path_to_uri, LineIndex};
use super::{file_of, stdlib, Server};

/// Another module's source, as a file.
pub(crate) struct ModuleFile {
    pub(crate) uri: Uri,
    pub(crate) text: String,
}

impl ModuleFile {
    /// The location of a byte span of this file.
    pub(crate) fn location(&self, span: &std::ops::Range<usize>) -> Location {
        let lines = LineIndex::new(&self.text);
        Location::new(
            self.uri.clone(),
            Range::new(
                lines.position(&self.text, span.start),
                lines.position(&self.text, span.end),
            ),
        )
    }
}

impl Server {
    /// The text of `module` as seen from the document `from` (the
    /// editor's text if it has the file open), without writing anything.
    pub(crate) fn module_text(&self, module: &str, from: &Uri) -> Option<String> {
        let (_, dir) = file_of(from);
        match self.checker.locate(module, Some(&dir))? {
            ModuleSource::File(path) => self.docs.text_of(&path),
            ModuleSource::Stdlib(text) => Some(text.to_string()),
        }
    }

    /// The source of `module` as seen from the document `from`, as a
    /// file an editor can open (a stdlib module is written to the cache
    /// directory).
    pub(crate) fn module_file(&self, module: &str, from: &Uri) -> Option<ModuleFile> {
        let (_, dir) = file_of(from);
        let (path, text) = match self.checker.locate(module, Some(&dir))? {
            ModuleSource::File(path) => {
                let text = self.docs.text_of(&path)?;
                (path, text)
            }
            ModuleSource::Stdlib(text) => (
                stdlib::materialise(&self.stdlib_dir, module, text)?,
                text.to_string(),
            ),
        };
        let path = std::fs::canonicalize(&path).unwrap_or(path);
        Some(ModuleFile {
            uri: path_to_uri(&path)?,
            text,
        })
    }
}

/// The functions of `outline` named `name` with `arity` (any arity when
/// unknown or when none has it); only exported ones if `public_only`.
pub(crate) fn matching<'a>(
    outline: &'a Outline,
    name: &'a str,
    arity: Option<usize>,
    public_only: bool,
) -> Vec<&'a Function> {
    let named: Vec<&Function> = outline
        .functions_named(name)
        .filter(|f| f.public || !public_only)
        .collect();
    match arity {
        Some(n) if named.iter().any(|f| f.arity == n) => {
            named.into_iter().filter(|f| f.arity == n).collect()
        }
        _ => named,
    }
}

pub(crate) fn definition(
    server: &mut Server,
    p: TextDocumentPositionParams,
) -> Option<GotoDefinitionResponse> {
    let uri = p.text_document.uri;
    let doc = server.docs.get_mut(&uri)?;
    let offset = doc.offset(p.position);
    let (target, _) = target_at(doc, offset)?;
    let locations: Vec<Location> = match target {
        Target::Var(b) => {
            let v = doc.view();
            vec![Location::new(
                uri,
                v.range(&v.outline.bindings.get(b)?.span),
            )]
        }
        Target::Local { name, arity } => {
            let v = doc.view();
            matching(v.outline, &name, arity, false)
                .iter()
                .map(|f| Location::new(uri.clone(), v.range(&f.clauses[0].name_span)))
                .collect()
        }
        Target::Remote {
            module,
            name,
            arity,
        } => {
            let file = server.module_file(&module, &uri)?;
            let outline = outline(&file.text);
            matching(&outline, &name, arity, true)
                .iter()
                .map(|f| file.location(&f.clauses[0].name_span))
                .collect()
        }
        Target::Module(module) => {
            let file = server.module_file(&module, &uri)?;
            let start = Position::new(0, 0);
            vec![Location::new(file.uri, Range::new(start, start))]
        }
    };
    match locations.len() {
        0 => None,
        1 => locations
            .into_iter()
            .next()
            .map(GotoDefinitionResponse::Scalar),
        _ => Some(GotoDefinitionResponse::Array(locations)),
    }
}
