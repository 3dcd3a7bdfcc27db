//! Document symbols: each function as `name/arity`, its range from its
//! first clause to its last, its heads as the detail.

use lsp_types::{DocumentSymbol, DocumentSymbolResponse, SymbolKind, Uri};

use super::Server;

pub(crate) fn document_symbols(server: &mut Server, uri: &Uri) -> Option<DocumentSymbolResponse> {
    let doc = server.docs.get_mut(uri)?;
    let v = doc.view();
    let symbols = v
        .outline
        .functions
        .iter()
        .filter_map(|f| {
            let first = f.clauses.first()?;
            let last = f.clauses.last()?;
            let heads: Vec<&str> = f.clauses.iter().map(|c| c.head.as_str()).collect();
            let visibility = if f.public { "pub fn" } else { "fn" };
            #[allow(deprecated)] // `deprecated` must be named to build one
            Some(DocumentSymbol {
                name: format!("{}/{}", f.name, f.arity),
                detail: Some(format!("{visibility} {}", heads.join("; "))),
                kind: SymbolKind::FUNCTION,
                tags: None,
                deprecated: None,
                range: v.range(&(first.span.start..last.span.end)),
                selection_range: v.range(&first.name_span),
                children: None,
            })
        })
        .collect();
    Some(DocumentSymbolResponse::Nested(symbols))
}
