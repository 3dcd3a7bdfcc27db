//! The one renderer: a [`Diagnostic`] to an ariadne report, as a string.
//! Spans are byte offsets; they are clamped to the source and to character
//! boundaries so that no diagnostic can make rendering fail.

use super::{Diagnostic, Severity};
use crate::ast::Span;
use ariadne::{Color, Config, IndexType, Label, Report, ReportKind, Source};

/// Makes `span` valid for `source`: inside it, on char boundaries, and at
/// least one character wide where the source allows it (so the underline
/// shows).
fn clamp(span: &Span, source: &str) -> Span {
    let len = source.len();
    let mut start = span.start.min(len);
    while !source.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = span.end.clamp(start, len);
    while !source.is_char_boundary(end) {
        end += 1;
    }
    if end == start {
        if let Some(c) = source[start..].chars().next() {
            end = start + c.len_utf8();
        } else if let Some(c) = source[..start].chars().next_back() {
            // At the very end: point at the last character.
            start -= c.len_utf8();
        }
    }
    start..end
}

/// Renders one diagnostic. With `color` false the output is plain text
/// (for tests and non-terminals). The header line names `file:line:col`.
pub fn render(d: &Diagnostic, file_name: &str, source: &str, color: bool) -> String {
    render_in(d, file_name, source, &Source::from(source), color)
}

/// Renders every diagnostic, one after another. The line index of the
/// source is built once, not once per diagnostic: 10,000 unused-variable
/// warnings on a big file were quadratic.
/// At most [`MAX_RENDERED`] are shown, errors first (a generated file
/// with 100,000 unused parameters on one long line gave gigabytes of
/// warnings); a last line says how many more there are.
pub fn render_all(diags: &[Diagnostic], file_name: &str, source: &str, color: bool) -> String {
    let lines = Source::from(source);
    let shown: Vec<&Diagnostic> = diags
        .iter()
        .filter(|d| d.is_error())
        .chain(diags.iter().filter(|d| !d.is_error()))
        .take(MAX_RENDERED)
        .collect();
    // Keep source order among those shown.
    let mut shown = shown;
    shown.sort_by_key(|d| d.primary.span.start);
    let mut out: String = shown
        .iter()
        .map(|d| render_in(d, file_name, source, &lines, color))
        .collect();
    if diags.len() > MAX_RENDERED {
        out.push_str(&format!(
            "{file_name}: {} more diagnostics not shown\n",
            diags.len() - MAX_RENDERED
        ));
    }
    out
}

/// The most diagnostics rendered for one file.
pub const MAX_RENDERED: usize = 200;

fn render_in(
    d: &Diagnostic,
    file_name: &str,
    source: &str,
    lines: &Source<&str>,
    color: bool,
) -> String {
    let kind = match d.severity {
        Severity::Error => ReportKind::Error,
        Severity::Warning => ReportKind::Warning,
    };
    let (primary_color, secondary_color) = match d.severity {
        Severity::Error => (Color::Red, Color::Blue),
        Severity::Warning => (Color::Yellow, Color::Blue),
    };
    let primary = clamp(&d.primary.span, source);
    let mut report = Report::build(kind, (file_name, primary.clone()))
        .with_config(
            Config::default()
                .with_color(color)
                .with_index_type(IndexType::Byte),
        )
        .with_code(d.code)
        .with_message(&d.message)
        .with_label(
            Label::new((file_name, primary))
                .with_message(&d.primary.message)
                .with_color(primary_color)
                .with_order(0),
        );
    for (i, label) in d.secondary.iter().enumerate() {
        report = report.with_label(
            Label::new((file_name, clamp(&label.span, source)))
                .with_message(&label.message)
                .with_color(secondary_color)
                .with_order(i as i32 + 1),
        );
    }
    if let Some(hint) = &d.hint {
        report = report.with_help(hint);
    }
    let mut buf = Vec::new();
    if report.finish().write((file_name, lines), &mut buf).is_err() {
        // Writing to a Vec cannot fail; keep a plain fallback all the same.
        return format!("{file_name}: [{}] {}\n", d.code, d.message);
    }
    String::from_utf8_lossy(&buf).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_location_code_message_label_and_hint() {
        let src = "fn main() {\n  foo(1 -> 2)\n}\n";
        let d = Diagnostic::error("E0199", "something is off", 20..22, "here")
            .with_hint("try this")
            .with_secondary(12..15, "related");
        let out = render(&d, "main.reef", src, false);
        assert!(out.contains("main.reef:2:9"), "{out}");
        assert!(out.contains("[E0199]"), "{out}");
        assert!(out.contains("something is off"), "{out}");
        assert!(out.contains("here"), "{out}");
        assert!(out.contains("related"), "{out}");
        assert!(out.contains("try this"), "{out}");
        assert!(!out.contains('\u{1b}'), "{out}");
    }

    #[test]
    fn odd_spans_do_not_panic() {
        let src = "é\nx";
        for span in [
            0..0,
            1..1,
            0..100,
            50..60,
            3..3,
            4..4,
            Span { start: 2, end: 1 },
        ] {
            let d = Diagnostic::error("E0199", "m", span, "l");
            let _ = render(&d, "f.reef", src, true);
        }
        let d = Diagnostic::error("E0199", "m", 0..0, "l");
        let _ = render(&d, "f.reef", "", false);
    }
}
