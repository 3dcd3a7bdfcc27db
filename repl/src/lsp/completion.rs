//! Completion. After `module.`: that module's exported functions (natives
//! and Reef functions, stdlib or a file on the search path). Elsewhere:
//! the variables in scope at the cursor, the module's functions, the
//! built-ins, the modules a program can call (the stdlib's, the files
//! beside the document and on the search path), and the keywords.

use std::path::Path;

use lsp_types::{
    CompletionItem, CompletionItemKind, CompletionResponse, TextDocumentPositionParams,
};
use reef_vm::compiler::builtins;

use super::{file_of, Server};

/// The lexer's keywords (`compiler/src/lexer`).
pub(crate) const KEYWORDS: [&str; 21] = [
    "fn", "pub", "let", "case", "receive", "after", "try", "for", "in", "catch", "if", "else",
    "when", "not", "and", "or", "div", "rem", "true", "false", "nil",
];

pub(crate) fn completion(
    server: &mut Server,
    p: TextDocumentPositionParams,
) -> Option<CompletionResponse> {
    let uri = p.text_document.uri;
    let (_, dir) = file_of(&uri);
    let doc = server.docs.get_mut(&uri)?;
    let offset = doc.offset(p.position);
    let before = &doc.text[..offset];
    let line = &before[before.rfind('\n').map_or(0, |i| i + 1)..];
    if in_comment_or_string(line) {
        return None;
    }
    if let Some(module) = module_before(before) {
        let exports = server.checker.exports(module, Some(&dir))?;
        let items = exports
            .into_iter()
            .filter(|(name, _)| !name.starts_with("__"))
            .map(|(name, arity)| {
                item(
                    &name,
                    CompletionItemKind::FUNCTION,
                    format!("{module}.{name}/{arity}"),
                )
            })
            .collect();
        return Some(CompletionResponse::Array(items));
    }
    let mut items: Vec<CompletionItem> = Vec::new();
    let outline = doc.outline();
    for name in outline.locals_at(offset) {
        items.push(item(
            name,
            CompletionItemKind::VARIABLE,
            "local variable".into(),
        ));
    }
    for f in &outline.functions {
        items.push(item(
            &f.name,
            CompletionItemKind::FUNCTION,
            format!("{}/{}", f.name, f.arity),
        ));
    }
    for (name, arity) in builtins::KERNEL {
        if !name.starts_with("__") {
            items.push(item(
                name,
                CompletionItemKind::FUNCTION,
                format!("built-in {name}/{arity}"),
            ));
        }
    }
    for module in modules(server, &dir) {
        items.push(item(&module, CompletionItemKind::MODULE, "module".into()));
    }
    for k in KEYWORDS {
        items.push(item(k, CompletionItemKind::KEYWORD, "keyword".into()));
    }
    Some(CompletionResponse::Array(items))
}

fn item(label: &str, kind: CompletionItemKind, detail: String) -> CompletionItem {
    CompletionItem {
        label: label.to_string(),
        kind: Some(kind),
        detail: Some(detail),
        ..CompletionItem::default()
    }
}

/// `m` when the text before the cursor ends in `m.` or `m.partial`.
fn module_before(before: &str) -> Option<&str> {
    let is_ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let word = before.trim_end_matches(is_ident);
    let word = word.strip_suffix('.')?;
    let start = word.trim_end_matches(is_ident).len();
    let module = &word[start..];
    module
        .starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
        .then_some(module)
}

/// Whether the cursor, at the end of `line`, is in a `//` comment or in
/// the text of a string (inside a `#{...}` interpolation is code).
fn in_comment_or_string(line: &str) -> bool {
    /// Where the scan is: code (with the depth of `{` inside an
    /// interpolation) or a string's text.
    enum At {
        Code(usize),
        Text,
    }
    let mut stack = vec![At::Code(0)];
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        let nested = stack.len() > 1;
        match (stack.last_mut(), c) {
            (Some(At::Text), '\\') => {
                chars.next();
            }
            (Some(At::Text), '"') => {
                stack.pop();
            }
            (Some(At::Text), '#') if chars.peek() == Some(&'{') => {
                chars.next();
                stack.push(At::Code(0));
            }
            (Some(At::Code(_)), '"') => stack.push(At::Text),
            (Some(At::Code(_)), '/') if chars.peek() == Some(&'/') => return true,
            (Some(At::Code(depth)), '{') => *depth += 1,
            (Some(At::Code(0)), '}') if nested => {
                stack.pop();
            }
            (Some(At::Code(depth)), '}') => *depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    matches!(stack.last(), Some(At::Text))
}

/// The modules a file in `dir` can call: the stdlib's, and the files
/// beside it and on the search path.
fn modules(server: &Server, dir: &Path) -> Vec<String> {
    let mut names = server.checker.stdlib_modules();
    for d in std::iter::once(dir).chain(server.search.iter().map(|p| p.as_path())) {
        let Ok(entries) = std::fs::read_dir(d) else {
            continue;
        };
        for e in entries.flatten() {
            let name = e.file_name();
            let Some(stem) = name.to_str().and_then(|n| n.strip_suffix(".reef")) else {
                continue;
            };
            if stem.starts_with(|c: char| c.is_ascii_lowercase() || c == '_') {
                names.push(stem.to_string());
            }
        }
    }
    names.sort();
    names.dedup();
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_module_before_a_dot() {
        assert_eq!(module_before("  lists."), Some("lists"));
        assert_eq!(module_before("x |> lists.ma"), Some("lists"));
        assert_eq!(module_before("  lis"), None);
        assert_eq!(module_before("1."), None);
        assert_eq!(module_before("."), None);
    }

    #[test]
    fn comments_and_strings_are_not_completed() {
        assert!(in_comment_or_string("  x // lists."));
        assert!(in_comment_or_string("  io.println(\"a.b"));
        assert!(!in_comment_or_string("  io.println(\"a\\\"\", lists."));
        assert!(!in_comment_or_string("  x / y"));
        // Inside an interpolation is code, and after it the text again.
        assert!(!in_comment_or_string("  \"n = #{lists."));
        assert!(!in_comment_or_string("  \"n = #{#{:a => 1} |> maps."));
        assert!(in_comment_or_string("  \"n = #{x} and "));
        assert!(in_comment_or_string("  \"a #{\"b // c"));
    }
}
