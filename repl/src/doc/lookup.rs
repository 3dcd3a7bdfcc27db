//! A module's docs gathered from every source that documents it (its Reef
//! source and the declaration of its natives: `Vm::doc_sources`), for
//! `reef doc`, its doctests and the REPL's `h(...)`.

use reef_vm::compiler::docs::{examples, module_docs, FunctionDoc};
use reef_vm::compiler::render_diagnostics;
use reef_vm::DocSource;

/// One function and where it is documented.
pub(crate) struct Entry {
    pub func: FunctionDoc,
    /// The file that documents it.
    pub file: String,
    /// The source line (1-based) of each of its doc's examples.
    pub example_lines: Vec<usize>,
}

/// A module's docs.
pub(crate) struct Docs {
    pub name: String,
    pub doc: Option<String>,
    /// Every function, public or not, sorted by name then arity.
    pub functions: Vec<Entry>,
}

impl Docs {
    /// The public functions, but for the internal ones: a name that
    /// starts with `__` is public only so that compiled code can call it
    /// (`assertions.__assert_eq`, the natives' halves), and is not shown.
    pub fn public(&self) -> impl Iterator<Item = &Entry> {
        self.functions
            .iter()
            .filter(|e| e.func.public && !e.func.name.starts_with("__"))
    }
}

/// The docs of module `name` from `sources`; a source with syntax errors
/// is an error, rendered.
pub(crate) fn gather(name: &str, sources: &[DocSource], color: bool) -> Result<Docs, String> {
    let mut docs = Docs {
        name: name.to_string(),
        doc: None,
        functions: Vec::new(),
    };
    for source in sources {
        let m = module_docs(&source.text)
            .map_err(|d| render_diagnostics(&d, &source.file, &source.text, color))?;
        docs.doc = docs.doc.or(m.doc);
        for func in m.functions {
            // The first source that documents a name and arity wins.
            if docs
                .functions
                .iter()
                .any(|e| e.func.name == func.name && e.func.arity == func.arity)
            {
                continue;
            }
            let example_lines = example_lines(&source.text, &func);
            docs.functions.push(Entry {
                func,
                file: source.file.clone(),
                example_lines,
            });
        }
    }
    docs.functions
        .sort_by(|a, b| (&a.func.name, a.func.arity).cmp(&(&b.func.name, b.func.arity)));
    Ok(docs)
}

/// The line of each example of `func`'s doc in `src`: its `reef>` line
/// is the last one with that text before the function.
fn example_lines(src: &str, func: &FunctionDoc) -> Vec<usize> {
    let Some(doc) = &func.doc else {
        return Vec::new();
    };
    let before = &src[..func.span.start.min(src.len())];
    let mut lines: Vec<usize> = examples::examples(doc)
        .iter()
        .rev()
        .scan(before.len(), |end, ex| {
            let first = ex.input.lines().next().unwrap_or("");
            let needle = format!("{}{first}", examples::PROMPT);
            let at = before[..*end].rfind(&needle).unwrap_or(0);
            *end = at;
            Some(before[..at].matches('\n').count() + 1)
        })
        .collect();
    lines.reverse();
    lines
}
