//! The interactive REPL: `reef` with no arguments. Reads input with
//! rustyline (history kept in a file, multi-line input continues while an
//! expression is unfinished), compiles each input into a fresh module and
//! evaluates it in one long-lived Reef process (a [`Session`]), so `let`
//! bindings, `fn` definitions, `self()` and the mailbox persist.

mod commands;
pub mod complete;
mod help;
mod timing;

use std::io::IsTerminal;
use std::path::PathBuf;

use reef_vm::compiler::repl::{compile_input_with, ReplState, EVAL_FUNCTION};
use reef_vm::compiler::{parser, render_diagnostics};
use reef_vm::{EvalError, Session, Vm};
use rustyline::error::ReadlineError;
use rustyline::history::FileHistory;
use rustyline::{CompletionType, Config, Editor};

const PROMPT: &str = "reef> ";
const CONTINUE: &str = "  ... ";

/// The REPL's state: the VM, the session process, what was defined.
pub struct Repl<'vm> {
    vm: &'vm Vm,
    session: Session,
    state: ReplState,
    counter: usize,
    color: bool,
    /// What Tab completes from: refreshed after each input.
    names: std::sync::Arc<std::sync::Mutex<complete::Names>>,
}

/// What to do after an input.
pub enum Next {
    Continue,
    Quit,
}

impl<'vm> Repl<'vm> {
    pub fn new(vm: &'vm Vm, color: bool) -> Self {
        Repl {
            vm,
            session: vm.session(),
            state: ReplState::default(),
            counter: 0,
            color,
            names: Default::default(),
        }
    }

    /// Evaluates one complete input (code or a `:command`), printing what
    /// it gives.
    pub fn input(&mut self, input: &str) -> Next {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Next::Continue;
        }
        if let Some(cmd) = trimmed.strip_prefix(':') {
            return commands::run(self, cmd);
        }
        if let Some(q) = help::query(trimmed) {
            help::show(self, &q);
            return Next::Continue;
        }
        self.eval(input);
        self.refresh_names();
        Next::Continue
    }

    /// Tells the completer what the session has defined now.
    fn refresh_names(&self) {
        let names = complete::Names {
            bindings: self.state.bound.clone(),
            functions: self
                .state
                .functions
                .iter()
                .map(|f| (f.name.clone(), f.params.len()))
                .collect(),
        };
        if let Ok(mut n) = self.names.lock() {
            *n = names;
        }
    }

    fn eval(&mut self, input: &str) {
        self.counter += 1;
        let module = format!("__repl_{}", self.counter);
        let before = self.state.clone();
        let known = self.vm.known_modules();
        let compiled = compile_input_with(input, &module, &mut self.state, &known);
        if !compiled.diagnostics.is_empty() {
            err!(
                "{}",
                render_diagnostics(&compiled.diagnostics, "repl", input, self.color)
            );
        }
        let Some(code) = compiled.module else { return };
        // Not installed: the input's code is freed once nothing runs it
        // and no closure it made is left.
        match self.session.eval_module(code, EVAL_FUNCTION) {
            Ok(out) if compiled.has_value => outln!("{}", out.text),
            Ok(_) => outln!("defined {}", compiled.defined.join(", ")),
            Err(e) => {
                // The bindings of a failed input never happened.
                self.state = before;
                match e {
                    EvalError::Crashed(c) => err!("{}", c.report),
                    other => errln!("{other}"),
                }
            }
        }
        self.vm.flush();
    }
}

fn history_path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("REEF_HISTORY") {
        return Some(PathBuf::from(p));
    }
    std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".reef_history"))
}

/// Runs the interactive loop until `:quit` or end of input. Returns the
/// exit status.
pub fn run(vm: &std::sync::Arc<Vm>, color: bool) -> i32 {
    // Tab completes as bash does: the common prefix, then a second Tab
    // lists the candidates. Ctrl-R searches the history (rustyline's
    // default Emacs bindings).
    let config = Config::builder()
        .auto_add_history(false)
        .max_history_size(10_000)
        .map(|b| b.completion_type(CompletionType::List).build());
    let mut editor: Editor<complete::ReplHelper, FileHistory> =
        match config.and_then(Editor::with_config) {
            Ok(e) => e,
            Err(e) => {
                errln!("reef: cannot start the line editor: {e}");
                return 1;
            }
        };
    let history = history_path();
    if let Some(h) = &history {
        let _ = editor.load_history(h);
    }
    outln!(
        "Reef {} (:help for help, :quit to leave)",
        env!("CARGO_PKG_VERSION")
    );
    let mut repl = Repl::new(vm, color);
    editor.set_helper(Some(complete::ReplHelper {
        names: repl.names.clone(),
        modules: vm.clone(),
    }));
    // Ctrl-C while an input is evaluated stops that evaluation (at the
    // prompt the line editor reads it as a key instead). With no
    // evaluation running and no terminal to edit on, it ends the REPL, as
    // SIGTERM always does.
    let interrupter = repl.session.interrupter();
    let interactive = std::io::stdin().is_terminal();
    let on_signal = vm.clone();
    crate::signals::watch(
        &[crate::signals::SIGINT, crate::signals::SIGTERM],
        move |sig| {
            if sig == crate::signals::SIGINT && (interrupter.interrupt() || interactive) {
                return;
            }
            crate::exit_after_flush(&on_signal, 128 + sig)
        },
    );
    // A REPL that is a node shows its name, as erl's `(a@host)1>`.
    let node = vm.node_name();
    let (main_prompt, cont_prompt) = if node == "nonode@nohost" {
        (PROMPT.to_string(), CONTINUE.to_string())
    } else {
        let p = format!("reef({node})> ");
        let c = format!("{}... ", " ".repeat(p.len() - 4));
        (p, c)
    };
    let mut buffer = String::new();
    loop {
        let prompt = if buffer.is_empty() {
            main_prompt.as_str()
        } else {
            cont_prompt.as_str()
        };
        match editor.readline(prompt) {
            Ok(line) => {
                if !buffer.is_empty() {
                    buffer.push('\n');
                }
                buffer.push_str(&line);
                let is_command = buffer.trim_start().starts_with(':');
                if !is_command && parser::is_incomplete(&buffer) {
                    continue;
                }
                let input = std::mem::take(&mut buffer);
                if !input.trim().is_empty() {
                    let _ = editor.add_history_entry(input.as_str());
                }
                if let Next::Quit = repl.input(&input) {
                    break;
                }
                if vm.exit_status().is_some() {
                    break; // the output was closed: nothing can be shown
                }
            }
            Err(ReadlineError::Interrupted) => {
                // Ctrl-C drops the unfinished input.
                if buffer.is_empty() {
                    outln!("(use :quit or Ctrl-D to leave)");
                }
                buffer.clear();
            }
            Err(ReadlineError::Eof) => break,
            Err(e) => {
                errln!("reef: {e}");
                break;
            }
        }
    }
    if let Some(h) = &history {
        if let Some(dir) = h.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        let _ = editor.save_history(h);
    }
    vm.exit_status().unwrap_or(0)
}
