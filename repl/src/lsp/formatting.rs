//! Formatting: the whole document through `reef fmt`'s formatter
//! (`reef_compiler::format::format_source`), as one edit. A document with
//! syntax errors is left alone (no edits: the diagnostics already say
//! why).

use lsp_types::{Position, Range, TextEdit, Uri};
use reef_vm::compiler::format::format_source;

use super::Server;

pub(crate) fn format(server: &mut Server, uri: &Uri) -> Option<Vec<TextEdit>> {
    let doc = server.docs.get_mut(uri)?;
    let formatted = format_source(&doc.text).ok()?;
    if formatted == doc.text {
        return Some(Vec::new());
    }
    let end = doc.lines.position(&doc.text, doc.text.len());
    Some(vec![TextEdit::new(
        Range::new(Position::new(0, 0), end),
        formatted,
    )])
}
