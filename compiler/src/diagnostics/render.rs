//! The one renderer: a [`Diagnostic`] to an ariadne report. (Placeholder.)

use super::Diagnostic;

pub fn render(d: &Diagnostic, file_name: &str, _source: &str, _color: bool) -> String {
    format!("{file_name}: [{}] {}\n", d.code, d.message)
}
