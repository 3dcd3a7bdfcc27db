//! Doctests: the `reef>` examples of every public function's doc run in a
//! REPL session (one per function, so a `let` in one example is seen by
//! the next ones of the same doc) and each result's inspect form is
//! compared with the expected text. A function's examples stop at its
//! first failure. Each example has [`PATIENCE`] to finish; past it, it is
//! interrupted and fails.

use std::sync::mpsc;
use std::time::Duration;

use reef_vm::compiler::docs::examples::{examples, Example, PROMPT};
use reef_vm::compiler::render_diagnostics;
use reef_vm::compiler::repl::{compile_input_with, ReplState, EVAL_FUNCTION};
use reef_vm::{EvalError, Vm};

use super::lookup::{Docs, Entry};

/// How long one example may run.
const PATIENCE: Duration = Duration::from_secs(10);

/// What running doctests gave.
#[derive(Default)]
pub(crate) struct Tally {
    pub passed: usize,
    pub failed: usize,
}

/// Runs the examples of every public function of `docs`, printing a
/// report for each failure on stdout.
pub(crate) fn run(vm: &Vm, docs: &Docs, tally: &mut Tally, color: bool) {
    let mut counter = 0;
    for e in docs.public() {
        let Some(doc) = &e.func.doc else { continue };
        let exs = examples(doc);
        if exs.is_empty() {
            continue;
        }
        let mut session = vm.session();
        let mut state = ReplState::default();
        for (i, ex) in exs.iter().enumerate() {
            counter += 1;
            let module = format!("__doctest_{counter}");
            match run_one(vm, &mut session, &mut state, &module, ex, color) {
                Ok(()) => tally.passed += 1,
                Err(why) => {
                    tally.failed += 1;
                    report(docs, e, i, ex, &why);
                    break;
                }
            }
        }
        vm.flush();
    }
}

fn report(docs: &Docs, e: &Entry, i: usize, ex: &Example, why: &str) {
    let line = e.example_lines.get(i).copied().unwrap_or(0);
    let mut text = format!(
        "FAILED {}.{}/{} example {} ({}:{line})\n",
        docs.name,
        e.func.name,
        e.func.arity,
        i + 1,
        e.file
    );
    for (n, l) in ex.input.lines().enumerate() {
        let p = if n == 0 { PROMPT } else { "...> " };
        text.push_str(&format!("  {p}{l}\n"));
    }
    for l in why.lines() {
        text.push_str(&format!("  {l}\n"));
    }
    out!("{text}");
}

/// Runs one example; the reason it failed, if it did.
fn run_one(
    vm: &Vm,
    session: &mut reef_vm::Session,
    state: &mut ReplState,
    module: &str,
    ex: &Example,
    color: bool,
) -> Result<(), String> {
    let known = vm.known_modules();
    let compiled = compile_input_with(&ex.input, module, state, &known);
    if compiled.diagnostics.iter().any(|d| d.is_error()) {
        return Err(format!(
            "does not compile:\n{}",
            render_diagnostics(&compiled.diagnostics, "example", &ex.input, color).trim_end()
        ));
    }
    let Some(code) = compiled.module else {
        return Err("does not compile".into());
    };
    // A watchdog interrupts an example that runs too long.
    let (done, wait) = mpsc::channel::<()>();
    let interrupter = session.interrupter();
    let watchdog = std::thread::spawn(move || {
        if wait.recv_timeout(PATIENCE) == Err(mpsc::RecvTimeoutError::Timeout) {
            interrupter.interrupt();
        }
    });
    let result = session.eval_module(code, EVAL_FUNCTION);
    let _ = done.send(());
    let _ = watchdog.join();
    match result {
        Ok(out) => match &ex.expected {
            Some(want) if compiled.has_value && out.text != *want => {
                Err(format!("expected: {want}\n     got: {}", out.text))
            }
            Some(want) if !compiled.has_value => Err(format!(
                "expected: {want}\n     got: no value (a definition)"
            )),
            _ => Ok(()),
        },
        Err(EvalError::Interrupted) => Err(format!(
            "did not finish in {} s (interrupted)",
            PATIENCE.as_secs()
        )),
        Err(EvalError::Crashed(c)) => Err(format!("raised:\n{}", c.report.trim_end())),
        Err(other) => Err(other.to_string()),
    }
}
