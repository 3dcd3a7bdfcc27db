//! Hover: a function's clause heads as written (`fact(n) when n > 0`),
//! then its doc comment (`doc_of`); for a built-in or a native function
//! its name and arity; for a variable where it is bound.

use lsp_types::{Hover, HoverContents, MarkupContent, MarkupKind, TextDocumentPositionParams};
use reef_vm::compiler::builtins;
use reef_vm::compiler::docs::module_docs;
use reef_vm::compiler::outline::{outline, Function};

use super::cursor::{target_at, Target};
use super::definition::matching;
use super::Server;

/// The doc comment of `name/arity` in the module whose source is
/// `source` (`///` lines, spec 14.4), as `reef doc` and `h` read it.
pub(crate) fn doc_of(source: &str, name: &str, arity: usize) -> Option<String> {
    module_docs(source)
        .ok()?
        .functions
        .into_iter()
        .find(|f| f.name == name && f.arity == arity)?
        .doc
}

pub(crate) fn hover(server: &mut Server, p: TextDocumentPositionParams) -> Option<Hover> {
    let uri = p.text_document.uri;
    let doc = server.docs.get_mut(&uri)?;
    let offset = doc.offset(p.position);
    let (target, span) = target_at(doc, offset)?;
    let range = doc.range(&span);
    let markdown = match target {
        Target::Var(b) => {
            let v = doc.view();
            let binding = v.outline.bindings.get(b)?;
            let line = v.lines.position(v.text, binding.span.start).line + 1;
            format!(
                "```reef\n{}\n```\nvariable, bound on line {line}",
                binding.name
            )
        }
        Target::Local { name, arity } => {
            let v = doc.view();
            let found = matching(v.outline, &name, arity, false);
            if found.is_empty() {
                builtin(&name, arity)?
            } else {
                describe(&found, None, v.text)
            }
        }
        Target::Remote {
            module,
            name,
            arity,
        } => {
            let text = server.module_text(&module, &uri);
            let described = text.as_ref().and_then(|text| {
                let o = outline(text);
                let found = matching(&o, &name, arity, true);
                (!found.is_empty()).then(|| describe(&found, Some(&module), text))
            });
            match described {
                Some(text) => text,
                None => native(server, &uri, &module, &name, arity)?,
            }
        }
        Target::Module(module) => {
            let (_, dir) = super::file_of(&uri);
            let exports = server.checker.exports(&module, Some(&dir))?;
            format!(
                "```reef\n{module}\n```\nmodule, {} exported function{}",
                exports.len(),
                if exports.len() == 1 { "" } else { "s" }
            )
        }
    };
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: markdown,
        }),
        range: Some(range),
    })
}

/// The heads of each function's clauses in one code block, then each
/// function's doc comment.
fn describe(functions: &[&Function], module: Option<&str>, source: &str) -> String {
    let mut code = String::new();
    let mut docs = Vec::new();
    for f in functions {
        for c in &f.clauses {
            match module {
                Some(m) => code.push_str(&format!("{m}.{}\n", c.head)),
                None if f.public => code.push_str(&format!("pub fn {}\n", c.head)),
                None => code.push_str(&format!("fn {}\n", c.head)),
            }
        }
        docs.extend(doc_of(source, &f.name, f.arity));
    }
    let mut out = format!("```reef\n{code}```");
    for d in docs {
        out.push_str("\n\n");
        out.push_str(&d);
    }
    out
}

/// A built-in called without a module (`spawn/1`).
fn builtin(name: &str, arity: Option<usize>) -> Option<String> {
    let arities: Vec<u32> = builtins::kernel_arities(name)
        .into_iter()
        .filter(|&a| arity.is_none_or(|n| n == a as usize))
        .collect();
    if arities.is_empty() {
        return None;
    }
    let names: Vec<String> = arities.iter().map(|a| format!("{name}/{a}")).collect();
    Some(format!("```reef\n{}\n```\nbuilt-in", names.join("\n")))
}

/// A function of a module with no Reef source for it (a native).
fn native(
    server: &Server,
    uri: &lsp_types::Uri,
    module: &str,
    name: &str,
    arity: Option<usize>,
) -> Option<String> {
    let (_, dir) = super::file_of(uri);
    let exports = server.checker.exports(module, Some(&dir))?;
    let found: Vec<&(String, usize)> = exports
        .iter()
        .filter(|(n, a)| n == name && arity.is_none_or(|k| k == *a))
        .collect();
    if found.is_empty() {
        return None;
    }
    let names: Vec<String> = found
        .iter()
        .map(|(n, a)| format!("{module}.{n}/{a}"))
        .collect();
    let mut out = format!("```reef\n{}\n```\nnative function", names.join("\n"));
    // The natives' docs are declared in `stdlib/natives/` (spec 14.4).
    if let Some(decl) = reef_vm::native_docs(module) {
        for (n, a) in found {
            if let Some(d) = doc_of(decl, n, *a) {
                out.push_str("\n\n");
                out.push_str(&d);
            }
        }
    }
    Some(out)
}
