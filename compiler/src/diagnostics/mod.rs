//! Diagnostics as data. Each phase has its own typed error enum holding only
//! data (spans, names); each converts into a [`Diagnostic`], and
//! [`render`](render::render) is the one place that turns a diagnostic into
//! an ariadne report. Codes are stable: tests and docs refer to them.
//!
//! Code ranges: `E01xx` lexical and syntax errors, `E02xx` name resolution
//! and arity errors (E0209, E0210 from `lints/`), `E03xx` other compile
//! errors, `W01xx` warnings (W0102..W0105 from `lints/`), W0410 (a doc comment
//! that documents nothing, from `docs`). Every code is
//! listed, with its meaning, in `spec/README.md` ("Diagnostic codes").

pub mod render;
pub mod syntax;

use crate::ast::Span;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

/// A span with a message, underlined in the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

/// One report: what went wrong, where, and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Stable code such as `E0101`.
    pub code: &'static str,
    pub severity: Severity,
    /// The headline: what was expected and what was found.
    pub message: String,
    /// The main span, underlined, with its own short message.
    pub primary: Label,
    /// Other related places (where a name was first defined, ...).
    pub secondary: Vec<Label>,
    /// A suggestion that helps, if there is one.
    pub hint: Option<String>,
}

impl Diagnostic {
    pub fn error(
        code: &'static str,
        message: impl Into<String>,
        span: Span,
        label: impl Into<String>,
    ) -> Self {
        Diagnostic {
            code,
            severity: Severity::Error,
            message: message.into(),
            primary: Label {
                span,
                message: label.into(),
            },
            secondary: Vec::new(),
            hint: None,
        }
    }

    pub fn warning(
        code: &'static str,
        message: impl Into<String>,
        span: Span,
        label: impl Into<String>,
    ) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, message, span, label)
        }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn with_secondary(mut self, span: Span, message: impl Into<String>) -> Self {
        self.secondary.push(Label {
            span,
            message: message.into(),
        });
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}
