//! Rename of a local variable: every occurrence of the binding under the
//! cursor (its uses and repeats in the same pattern), and nothing else: a
//! variable of the same name in another function or another scope, or one
//! that shadows it, keeps its name. Functions are not renamed (other
//! modules may call them).

use std::collections::HashMap;

use lsp_server::ErrorCode;
use lsp_types::{
    PrepareRenameResponse, RenameParams, TextDocumentPositionParams, TextEdit, WorkspaceEdit,
};

use super::cursor::{target_at, Target};
use super::{Failure, Server};

/// The binding under the cursor and the range of its name there.
fn binding_at(
    server: &mut Server,
    p: &TextDocumentPositionParams,
) -> Result<(usize, lsp_types::Range), Failure> {
    let fail = |m: &str| (ErrorCode::RequestFailed, m.to_string());
    let doc = server
        .docs
        .get_mut(&p.text_document.uri)
        .ok_or_else(|| fail("the document is not open"))?;
    let offset = doc.offset(p.position);
    match target_at(doc, offset) {
        Some((Target::Var(b), span)) => Ok((b, doc.range(&span))),
        _ => Err(fail("only a local variable can be renamed")),
    }
}

pub(crate) fn prepare(
    server: &mut Server,
    p: TextDocumentPositionParams,
) -> Result<Option<PrepareRenameResponse>, Failure> {
    Ok(binding_at(server, &p)
        .ok()
        .map(|(_, range)| PrepareRenameResponse::Range(range)))
}

pub(crate) fn rename(server: &mut Server, p: RenameParams) -> Result<WorkspaceEdit, Failure> {
    let new_name = p.new_name.trim();
    if !is_variable_name(new_name) {
        return Err((
            ErrorCode::InvalidParams,
            format!("`{new_name}` is not a variable name (a lowercase letter or `_`, then letters, digits or `_`; not a keyword)"),
        ));
    }
    let pos = p.text_document_position;
    let (b, _) = binding_at(server, &pos)?;
    let uri = pos.text_document.uri;
    let doc = server
        .docs
        .get_mut(&uri)
        .ok_or((ErrorCode::RequestFailed, "the document is not open".into()))?;
    let v = doc.view();
    let edits: Vec<TextEdit> = v
        .outline
        .occurrences(b)
        .iter()
        .map(|span| TextEdit::new(v.range(span), new_name.to_string()))
        .collect();
    Ok(WorkspaceEdit {
        changes: Some(HashMap::from([(uri, edits)])),
        ..WorkspaceEdit::default()
    })
}

fn is_variable_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && name != "_"
        && !super::completion::KEYWORDS.contains(&name)
}

#[cfg(test)]
mod tests {
    #[test]
    fn variable_names() {
        for ok in ["x", "_x", "total_2", "aB"] {
            assert!(super::is_variable_name(ok), "{ok}");
        }
        for bad in ["", "_", "X", "2x", "a-b", "let", "nil", "é"] {
            assert!(!super::is_variable_name(bad), "{bad}");
        }
    }
}
