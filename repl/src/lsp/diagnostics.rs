//! Diagnostics as you type: the document's text is compiled as `reef
//! check` compiles the file (the same `Checker`, so the same codes, hints
//! and checks of calls to other modules), and each compiler diagnostic
//! becomes an LSP one: its byte spans turned into UTF-16 positions, its
//! hint after the message, its secondary labels as related information.

use lsp_server::Notification;
use lsp_types::notification::{Notification as _, PublishDiagnostics};
use lsp_types::{
    Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, DiagnosticTag, Location,
    NumberOrString, Position, PublishDiagnosticsParams, Range, Uri,
};
use reef_vm::compiler::{self, Severity};

use super::documents::Document;
use super::file_of;

/// The diagnostics of an open document.
pub(crate) fn of_document(
    checker: &reef_vm::Checker,
    uri: &Uri,
    doc: &Document,
) -> Vec<Diagnostic> {
    let (path, _) = file_of(uri);
    match checker.check(&path, &doc.text) {
        Ok(diags) => diags.iter().map(|d| convert(uri, doc, d)).collect(),
        // Not a module's file name, or a compiler panic: one diagnostic at
        // the top says why nothing else is known.
        Err(e) => vec![Diagnostic {
            range: Range::new(Position::new(0, 0), Position::new(0, 0)),
            severity: Some(DiagnosticSeverity::ERROR),
            source: Some("reef".into()),
            message: e.to_string(),
            ..Diagnostic::default()
        }],
    }
}

fn convert(uri: &Uri, doc: &Document, d: &compiler::Diagnostic) -> Diagnostic {
    let mut message = d.message.clone();
    if let Some(hint) = &d.hint {
        message.push_str("\nhint: ");
        message.push_str(hint);
    }
    let related: Vec<DiagnosticRelatedInformation> = d
        .secondary
        .iter()
        .map(|l| DiagnosticRelatedInformation {
            location: Location::new(uri.clone(), doc.range(&l.span)),
            message: l.message.clone(),
        })
        .collect();
    Diagnostic {
        range: doc.range(&d.primary.span),
        severity: Some(match d.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
        }),
        code: Some(NumberOrString::String(d.code.to_string())),
        source: Some("reef".into()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        // An unused variable is shown faded.
        tags: (d.code == "W0101").then(|| vec![DiagnosticTag::UNNECESSARY]),
        ..Diagnostic::default()
    }
}

/// The `textDocument/publishDiagnostics` notification.
pub(crate) fn notification(
    uri: Uri,
    diagnostics: Vec<Diagnostic>,
    version: Option<i32>,
) -> Notification {
    Notification::new(
        PublishDiagnostics::METHOD.to_string(),
        PublishDiagnosticsParams {
            uri,
            diagnostics,
            version,
        },
    )
}
