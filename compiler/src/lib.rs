//! The Reef compiler. Pure: source text in, bytecode and diagnostics out.
//! It never touches the file system; finding modules is the VM's job.
//!
//! Phases: [`lexer`] → [`parser`] → [`resolve`] → [`codegen`]. Each phase
//! reports typed errors that become [`diagnostics::Diagnostic`]s; a file with
//! syntax errors is not resolved, and a file with any error is not compiled.

pub mod ast;
pub mod builtins;
pub mod codegen;
pub mod diagnostics;
pub mod docs;
pub mod format;
pub mod known;
pub mod lexer;
pub mod lints;
pub mod outline;
pub mod parser;
pub mod repl;
pub mod resolve;

pub use diagnostics::{Diagnostic, Severity};
pub use known::{KnownModule, KnownModules, NoModules};
pub use reef_bytecode as bytecode;

/// What compiling one file gives: the module if there were no errors, and
/// every diagnostic (errors and warnings) in source order.
#[derive(Debug)]
pub struct Compiled {
    pub module: Option<reef_bytecode::Module>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Compiled {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Compiles the source of module `module_name` (the file stem); `file_name`
/// is used in diagnostics and stack traces.
pub fn compile_module(module_name: &str, file_name: &str, source: &str) -> Compiled {
    compile_module_with(module_name, file_name, source, &NoModules)
}

/// [`compile_module`], checking calls to other modules against what
/// `known` says they export (see [`known`]).
pub fn compile_module_with(
    module_name: &str,
    file_name: &str,
    source: &str,
    known: &dyn KnownModules,
) -> Compiled {
    with_stack_for(source, || {
        compile_module_here(module_name, file_name, source, known)
    })
}

/// Sources above this size are compiled on a thread of their own with a
/// [`BIG_STACK`] stack: the passes recurse on the AST, and a chain of up
/// to `MAX_CHAIN` operators (which needs at least this much source) is
/// that deep, whichever thread asked (a scheduler thread loading a module
/// on demand has a small stack).
const SMALL_SOURCE: usize = 16 << 10;
/// Virtual size only: pages are touched as the recursion goes.
const BIG_STACK: usize = 256 << 20;

/// Runs `f` here for a small source, else on a thread with a big stack.
pub(crate) fn with_stack_for<T: Send>(source: &str, f: impl FnOnce() -> T + Send) -> T {
    if source.len() <= SMALL_SOURCE {
        return f();
    }
    let job = std::sync::Mutex::new(Some(f));
    let run = || job.lock().ok().and_then(|mut j| j.take()).map(|f| f());
    let on_thread = std::thread::scope(|s| {
        let worker = std::thread::Builder::new()
            .name("reef-compile".into())
            .stack_size(BIG_STACK)
            .spawn_scoped(s, run);
        match worker {
            Ok(handle) => match handle.join() {
                Ok(v) => v,
                Err(panic) => std::panic::resume_unwind(panic),
            },
            // No thread to be had (resources exhausted): compile here.
            Err(_) => None,
        }
    });
    match on_thread {
        Some(v) => v,
        None => run().expect("the job runs exactly once"),
    }
}

fn compile_module_here(
    module_name: &str,
    file_name: &str,
    source: &str,
    known: &dyn KnownModules,
) -> Compiled {
    let (ast, mut diagnostics) = parser::parse_module(source);
    if diagnostics.iter().any(Diagnostic::is_error) {
        return Compiled {
            module: None,
            diagnostics,
        };
    }
    diagnostics.extend(docs::doc_warnings(source, &ast));
    let (resolved, resolve_diags) = resolve::resolve_module(ast, source);
    diagnostics.extend(resolve_diags);
    diagnostics.extend(lints::lint(&resolved.functions, source, known));
    diagnostics.sort_by_key(|d| d.primary.span.start);
    if diagnostics.iter().any(Diagnostic::is_error) {
        return Compiled {
            module: None,
            diagnostics,
        };
    }
    match codegen::generate(module_name, file_name, source, &resolved) {
        Ok(module) => Compiled {
            module: Some(module),
            diagnostics,
        },
        Err(limit) => {
            diagnostics.push(*limit);
            Compiled {
                module: None,
                diagnostics,
            }
        }
    }
}

/// Renders diagnostics as ariadne reports, one after another.
pub fn render_diagnostics(
    diags: &[Diagnostic],
    file_name: &str,
    source: &str,
    color: bool,
) -> String {
    diagnostics::render::render_all(diags, file_name, source, color)
}
