//! `reef doc [PATH|MODULE...] [--out DIR] [--format md|html] [--test]
//! [--stdlib]`: the docs written in `///` and `//!` comments
//! (`reef_compiler::docs`) as pages, one per module and an index; with
//! `--test`, the examples in them run as doctests instead. A PATH is a
//! `.reef` file or a directory (every `*.reef` inside; no PATH means the
//! current directory); a bare word is a module the VM can find (beside
//! the current directory, on the search path, in the stdlib); `--stdlib`
//! means every stdlib module. Spec 14.4.

mod doctest;
pub(crate) mod lookup;
mod render;

use std::ffi::OsString;

use lexopt::ValueExt as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use reef_vm::{DocSource, Vm};

use render::Format;

/// `reef doc`'s arguments.
pub(crate) struct Args {
    targets: Vec<OsString>,
    out: PathBuf,
    format: Format,
    test: bool,
    stdlib: bool,
}

impl Default for Args {
    fn default() -> Args {
        Args {
            targets: Vec::new(),
            out: PathBuf::from("doc"),
            format: Format::Markdown,
            test: false,
            stdlib: false,
        }
    }
}

impl Args {
    /// Is `flag` one of `reef doc`'s?
    pub(crate) fn takes(flag: &str) -> bool {
        matches!(flag, "out" | "format" | "test" | "stdlib")
    }

    /// Reads `--flag` (and its value from `parser`).
    pub(crate) fn set(
        &mut self,
        flag: &str,
        parser: &mut lexopt::Parser,
    ) -> Result<(), lexopt::Error> {
        match flag {
            "out" => self.out = parser.value()?.into(),
            "format" => {
                self.format = match parser.value()?.string()?.as_str() {
                    "md" | "markdown" => Format::Markdown,
                    "html" => Format::Html,
                    other => return Err(format!("--format is md or html, not `{other}`").into()),
                }
            }
            "test" => self.test = true,
            _ => self.stdlib = true,
        }
        Ok(())
    }

    /// A PATH or MODULE.
    pub(crate) fn target(&mut self, v: OsString) {
        self.targets.push(v);
    }
}

/// One module to document: its name and sources, and the file to load
/// before its doctests run (a user's module).
struct Unit {
    name: String,
    sources: Vec<DocSource>,
    load: Option<PathBuf>,
}

pub(crate) fn run(args: &Args, vm: &Vm, color: bool) -> ExitCode {
    let mut failed = false;
    let mut units = Vec::new();
    if args.stdlib {
        for name in reef_vm::stdlib_modules() {
            units.push(Unit {
                name: name.to_string(),
                sources: vm.doc_sources(name),
                load: None,
            });
        }
    }
    let mut targets: Vec<OsString> = args.targets.clone();
    if targets.is_empty() && !args.stdlib {
        targets.push(".".into());
    }
    for t in &targets {
        let path = Path::new(t);
        let word = t.to_str().filter(|s| is_module_name(s) && !path.exists());
        if let Some(name) = word {
            let sources = vm.doc_sources(name);
            if sources.is_empty() {
                errln!("reef doc: no module `{name}` (not a file, nor a module on the search path or in the stdlib)");
                failed = true;
            }
            units.push(Unit {
                name: name.to_string(),
                sources,
                load: None,
            });
            continue;
        }
        let mut files = Vec::new();
        if path.is_dir() {
            crate::fmt::collect(path, &mut files);
        } else if path.is_file() {
            files.push(path.to_path_buf());
        } else {
            errln!("reef doc: {}: no such file or directory", path.display());
            failed = true;
        }
        for file in files {
            match std::fs::read_to_string(&file) {
                Ok(text) => units.push(Unit {
                    name: module_of(&file),
                    sources: vec![DocSource {
                        file: file.display().to_string(),
                        text,
                    }],
                    load: Some(file),
                }),
                Err(e) => {
                    errln!("reef doc: {}: {e}", file.display());
                    failed = true;
                }
            }
        }
    }
    let mut all = Vec::new();
    for u in units {
        match lookup::gather(&u.name, &u.sources, color) {
            Ok(d) => all.push((d, u.load)),
            Err(rendered) => {
                err!("{rendered}");
                failed = true;
            }
        }
    }
    if args.test {
        let mut tally = doctest::Tally::default();
        for (docs, load) in &all {
            if let Some(file) = load {
                if let Err(e) = vm.load_file(file) {
                    errln!("{e}");
                    failed = true;
                    continue;
                }
            }
            doctest::run(vm, docs, &mut tally, color);
        }
        outln!("{} passed, {} failed", tally.passed, tally.failed);
        failed |= tally.failed > 0;
    } else {
        let docs: Vec<_> = all.into_iter().map(|(d, _)| d).collect();
        if let Err(e) = write_pages(&args.out, args.format, &docs) {
            errln!("reef doc: {}: {e}", args.out.display());
            failed = true;
        } else {
            outln!("wrote {} pages to {}", docs.len() + 1, args.out.display());
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn write_pages(out: &Path, format: Format, docs: &[lookup::Docs]) -> std::io::Result<()> {
    std::fs::create_dir_all(out)?;
    for d in docs {
        let page = match format {
            Format::Markdown => render::markdown(d),
            Format::Html => render::html(d),
        };
        std::fs::write(out.join(format!("{}.{}", d.name, format.ext())), page)?;
    }
    std::fs::write(
        out.join(format!("index.{}", format.ext())),
        render::index(docs, format),
    )
}

/// A module name: lower-case letters, digits and `_`, not starting with
/// a digit (a bare word on the command line that is not a path).
fn is_module_name(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with(|c: char| c.is_ascii_digit())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// The module of a file: its stem.
fn module_of(file: &Path) -> String {
    file.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}
