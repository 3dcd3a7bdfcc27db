//! Tab completion in the REPL: the session's bindings and functions, the
//! built-ins, module names, `module.` then that module's exported
//! functions, and `:commands`. The candidates come from a [`Names`] the
//! REPL refreshes after each input and from a [`Modules`] source (the
//! running VM, asked through its public API), so the same code is tested
//! on a fixed state.

use std::sync::{Arc, Mutex};

use rustyline::completion::{Completer, Pair};
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::validate::Validator;
use rustyline::{Context, Helper};

/// The REPL's commands, as typed (the docs engineer's `:doc` joins them).
pub const COMMANDS: &[&str] = &[":help", ":load", ":procs", ":quit", ":time", ":top", ":doc"];

/// What the session has defined: refreshed by the REPL after each input.
#[derive(Default, Clone, Debug)]
pub struct Names {
    /// Variables bound by `let`.
    pub bindings: Vec<String>,
    /// Functions defined at the prompt, `(name, arity)`.
    pub functions: Vec<(String, usize)>,
}

/// Where module names and exports come from: the VM, or a fixed table
/// in the tests.
pub trait Modules {
    /// Every module a call can name now.
    fn module_names(&self) -> Vec<String>;
    /// `(name, arity)` of the functions `module` exports.
    fn exports(&self, module: &str) -> Option<Vec<(String, usize)>>;
}

impl Modules for reef_vm::Vm {
    fn module_names(&self) -> Vec<String> {
        reef_vm::Vm::module_names(self)
    }
    fn exports(&self, module: &str) -> Option<Vec<(String, usize)>> {
        self.module_exports(module)
    }
}

/// Is `c` part of a name being completed?
fn name_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '.'
}

/// The candidates for the text before `pos` in `line`: where the
/// replaced word starts, and the candidates (`display` shows
/// `name/arity` for functions; `replacement` is what is inserted).
pub fn candidates(
    line: &str,
    pos: usize,
    names: &Names,
    modules: &dyn Modules,
) -> (usize, Vec<Pair>) {
    let before = &line[..pos];
    // A command: `:` at the start of the input, still the first word.
    let trimmed = before.trim_start();
    if trimmed.starts_with(':') && !trimmed.contains(char::is_whitespace) {
        let start = pos - trimmed.len();
        let found = COMMANDS
            .iter()
            .filter(|c| c.starts_with(trimmed))
            .map(|c| pair(c, c))
            .collect();
        return (start, found);
    }
    // Inside a string literal nothing is completed.
    if before.matches('"').count() % 2 == 1 {
        return (pos, Vec::new());
    }
    let start = before
        .char_indices()
        .rev()
        .take_while(|(_, c)| name_char(*c))
        .last()
        .map_or(pos, |(i, _)| i);
    let word = &before[start..];
    if word.starts_with(|c: char| c.is_ascii_digit()) {
        return (pos, Vec::new());
    }
    if let Some((module, prefix)) = word.rsplit_once('.') {
        // `module.` then that module's functions.
        let Some(exports) = modules.exports(module) else {
            return (pos, Vec::new());
        };
        let found = exports
            .iter()
            .filter(|(n, _)| n.starts_with(prefix))
            .map(|(n, a)| pair(&format!("{n}/{a}"), n))
            .collect();
        return (start + module.len() + 1, found);
    }
    let mut found: Vec<Pair> = Vec::new();
    let mut add = |display: String, replacement: &str| {
        if replacement.starts_with(word) && !found.iter().any(|p| p.display == display) {
            found.push(pair(&display, replacement));
        }
    };
    for b in &names.bindings {
        add(b.clone(), b);
    }
    for (f, a) in &names.functions {
        add(format!("{f}/{a}"), f);
    }
    for (f, a) in modules.exports("kernel").unwrap_or_default() {
        add(format!("{f}/{a}"), &f);
    }
    for m in modules.module_names() {
        add(format!("{m}."), &m);
    }
    found.sort_by(|a, b| a.display.cmp(&b.display));
    (start, found)
}

fn pair(display: &str, replacement: &str) -> Pair {
    Pair {
        display: display.to_string(),
        replacement: replacement.to_string(),
    }
}

/// The line editor's helper: completion only (no hints, no colours).
pub struct ReplHelper {
    pub names: Arc<Mutex<Names>>,
    pub modules: Arc<reef_vm::Vm>,
}

impl Completer for ReplHelper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let names = self.names.lock().map(|n| n.clone()).unwrap_or_default();
        Ok(candidates(line, pos, &names, &*self.modules))
    }
}

impl Hinter for ReplHelper {
    type Hint = String;
}

impl Highlighter for ReplHelper {}

impl Validator for ReplHelper {}

impl Helper for ReplHelper {}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fixed;

    impl Modules for Fixed {
        fn module_names(&self) -> Vec<String> {
            ["lists", "maps", "greet", "process"]
                .map(String::from)
                .to_vec()
        }
        fn exports(&self, module: &str) -> Option<Vec<(String, usize)>> {
            let e: &[(&str, usize)] = match module {
                "lists" => &[("map", 2), ("max", 1), ("foldl", 3), ("reverse", 1)],
                "greet" => &[("hello", 1)],
                "kernel" => &[("len", 1), ("link", 1), ("spawn", 1)],
                _ => return None,
            };
            Some(e.iter().map(|(n, a)| (n.to_string(), *a)).collect())
        }
    }

    fn names() -> Names {
        Names {
            bindings: vec!["lim".into(), "total".into()],
            functions: vec![("sq".into(), 1), ("square_all".into(), 1)],
        }
    }

    /// `display -> replacement` of each candidate, and where they start.
    fn complete(line: &str) -> (usize, Vec<String>) {
        let (start, c) = candidates(line, line.len(), &names(), &Fixed);
        (
            start,
            c.iter()
                .map(|p| format!("{} -> {}", p.display, p.replacement))
                .collect(),
        )
    }

    #[test]
    fn a_word_completes_to_bindings_builtins_functions_and_modules() {
        assert_eq!(
            complete("li"),
            (
                0,
                vec![
                    "lim -> lim".into(),
                    "link/1 -> link".into(),
                    "lists. -> lists".into()
                ]
            )
        );
        assert_eq!(complete("x = tot"), (4, vec!["total -> total".into()]));
        assert_eq!(
            complete("sq"),
            (
                0,
                vec!["sq/1 -> sq".into(), "square_all/1 -> square_all".into()]
            )
        );
        assert_eq!(complete("gr"), (0, vec!["greet. -> greet".into()]));
    }

    #[test]
    fn module_dot_completes_to_its_functions() {
        assert_eq!(
            complete("lists.ma"),
            (6, vec!["map/2 -> map".into(), "max/1 -> max".into()])
        );
        assert_eq!(complete("f(greet.h"), (8, vec!["hello/1 -> hello".into()]));
        assert_eq!(complete("lists.").1.len(), 4);
        assert_eq!(complete("nosuch.x"), (8, vec![]));
    }

    #[test]
    fn commands_complete_at_the_start_only() {
        assert_eq!(complete(":he"), (0, vec![":help -> :help".into()]));
        assert_eq!(
            complete("  :t"),
            (2, vec![":time -> :time".into(), ":top -> :top".into()])
        );
        // After the command, the rest is code.
        assert_eq!(
            complete(":time lists.re"),
            (12, vec!["reverse/1 -> reverse".into()])
        );
    }

    #[test]
    fn nothing_inside_strings_or_numbers() {
        assert_eq!(complete("\"li").1, Vec::<String>::new());
        assert_eq!(complete("12").1, Vec::<String>::new());
        assert_eq!(complete("").1.len(), 3 + 4 + 2 + 2); // everything
    }
}
