//! Diagnostics as data: what the compiler reported, with the line and
//! column a host shows its user, converted from the compiler's own
//! `Diagnostic` (which holds byte spans only). `LoadError::Compile` carries
//! them; a successful load returns its warnings in [`Loaded`].

use std::ops::Range;
use std::sync::Arc;

use crate::VmBuilder;

/// How bad a [`Diagnostic`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Severity {
    /// The module does not load.
    Error,
    /// The module loads; something is probably wrong.
    Warning,
}

/// A place in a source file with a short message (a secondary label: where
/// a name was first defined, ...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    /// The message printed under the span.
    pub message: String,
    /// 1-based line of the span's start.
    pub line: u32,
    /// 1-based column (in characters) of the span's start.
    pub column: u32,
    /// Byte offsets into the source.
    pub span: Range<usize>,
}

/// One compiler report as data: a host can show it in its own editor or
/// log without parsing the rendered text.
///
/// # Examples
///
/// ```
/// let vm = reef_vm::Vm::builder().build();
/// let err = vm.load_source("bad", "bad.reef", "pub fn f() {\n  x + 1\n}\n").unwrap_err();
/// let d = &err.diagnostics()[0];
/// assert_eq!(d.code, "E0201"); // unbound variable
/// assert_eq!((d.line, d.column), (2, 3));
/// assert_eq!(d.severity, reef_vm::Severity::Error);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The stable code (`E0201`, `W0101`, ...), listed in `spec/README.md`.
    pub code: String,
    /// Error or warning.
    pub severity: Severity,
    /// The headline.
    pub message: String,
    /// The module being compiled.
    pub module: String,
    /// The file name the source was loaded as.
    pub file: String,
    /// 1-based line of the primary span's start.
    pub line: u32,
    /// 1-based column (in characters) of the primary span's start.
    pub column: u32,
    /// The primary span, byte offsets into the source.
    pub span: Range<usize>,
    /// The primary span's own short message.
    pub label: String,
    /// Other related places.
    pub labels: Vec<Label>,
    /// A suggestion, if there is one.
    pub hint: Option<String>,
}

impl std::fmt::Display for Diagnostic {
    /// `file:line:column: severity[code]: message`, one line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(
            f,
            "{}:{}:{}: {sev}[{}]: {}",
            self.file, self.line, self.column, self.code, self.message
        )
    }
}

/// The 1-based line and column (in characters) of byte `at` of `source`.
fn line_column(source: &str, at: usize) -> (u32, u32) {
    let mut at = at.min(source.len());
    while !source.is_char_boundary(at) {
        at -= 1;
    }
    let before = &source[..at];
    let line = before.matches('\n').count() + 1;
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[start..].chars().count() + 1;
    (
        u32::try_from(line).unwrap_or(u32::MAX),
        u32::try_from(column).unwrap_or(u32::MAX),
    )
}

/// Converts the compiler's diagnostics of one source.
pub(crate) fn convert(
    ds: &[reef_compiler::Diagnostic],
    module: &str,
    file: &str,
    source: &str,
) -> Vec<Diagnostic> {
    ds.iter()
        .map(|d| {
            let (line, column) = line_column(source, d.primary.span.start);
            Diagnostic {
                code: d.code.to_string(),
                severity: if d.is_error() {
                    Severity::Error
                } else {
                    Severity::Warning
                },
                message: d.message.clone(),
                module: module.to_string(),
                file: file.to_string(),
                line,
                column,
                span: d.primary.span.clone(),
                label: d.primary.message.clone(),
                labels: d
                    .secondary
                    .iter()
                    .map(|l| {
                        let (line, column) = line_column(source, l.span.start);
                        Label {
                            message: l.message.clone(),
                            line,
                            column,
                            span: l.span.clone(),
                        }
                    })
                    .collect(),
                hint: d.hint.clone(),
            }
        })
        .collect()
}

/// A callback that receives each warning of a module that loads.
pub(crate) type WarningFn = Arc<dyn Fn(&Diagnostic) + Send + Sync>;

/// The warnings of one compiled module: as data and rendered.
#[derive(Debug, Clone, Default)]
pub(crate) struct Warnings {
    pub(crate) diagnostics: Vec<Diagnostic>,
    pub(crate) rendered: String,
}

/// What a successful load returns: the module's name and the warnings
/// of every module the load compiled. It reads as the name (`Deref` to
/// `str`, `Display`, `==` with a `&str`), so code that only wants the
/// name keeps working.
///
/// # Examples
///
/// ```
/// let vm = reef_vm::Vm::builder().on_warning(|_| {}).build();
/// let loaded = vm.load_source("m", "m.reef", "pub fn f(x) { 1 }\n").unwrap();
/// assert_eq!(loaded, "m");
/// assert_eq!(loaded.warnings[0].code, "W0101"); // unused variable `x`
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loaded {
    /// The module's name.
    pub name: String,
    /// The warnings of this load (the module and the modules it loaded
    /// with it), in the order compiled. They were also sent to the
    /// warning sink.
    pub warnings: Vec<Diagnostic>,
}

impl std::ops::Deref for Loaded {
    type Target = str;
    fn deref(&self) -> &str {
        &self.name
    }
}

impl AsRef<str> for Loaded {
    fn as_ref(&self) -> &str {
        &self.name
    }
}

impl std::fmt::Display for Loaded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name)
    }
}

impl PartialEq<&str> for Loaded {
    fn eq(&self, other: &&str) -> bool {
        self.name == *other
    }
}

impl PartialEq<str> for Loaded {
    fn eq(&self, other: &str) -> bool {
        self.name == other
    }
}

impl VmBuilder {
    /// Sends each warning of a module that loads to `f`, as data, instead
    /// of rendering it to the error sink ([`VmBuilder::stderr`]). Warnings
    /// never go to the process's stderr unless that is the sink.
    pub fn on_warning(mut self, f: impl Fn(&Diagnostic) + Send + Sync + 'static) -> VmBuilder {
        self.code.on_warning = Some(Arc::new(f));
        self
    }
}

impl crate::runtime::Runtime {
    /// Reports the warnings of a module that loaded: to the host's
    /// callback if it set one, else rendered to the error sink.
    pub(crate) fn report_warnings(&self, w: &Warnings) {
        if w.diagnostics.is_empty() {
            return;
        }
        match &self.code_config.on_warning {
            Some(f) => w.diagnostics.iter().for_each(|d| f(d)),
            None => self.write_err(&w.rendered),
        }
    }
}

impl crate::LoadError {
    /// The diagnostics of a compile error as data (empty for the other
    /// kinds of error).
    pub fn diagnostics(&self) -> &[Diagnostic] {
        match self {
            crate::LoadError::Compile { diagnostics, .. } => diagnostics,
            _ => &[],
        }
    }
}

#[cfg(doctest)]
#[doc = include_str!("../../../docs/embedding/diagnostics.md")]
pub struct GuideDiagnostics;

#[cfg(test)]
mod tests {
    #[test]
    fn line_and_column_count_characters() {
        let s = "ab\né x\n";
        assert_eq!(super::line_column(s, 0), (1, 1));
        assert_eq!(super::line_column(s, 3), (2, 1));
        // `x` is after a two-byte character: column 3, not 4.
        assert_eq!(super::line_column(s, 6), (2, 3));
        assert_eq!(super::line_column(s, 100), (3, 1));
    }
}
