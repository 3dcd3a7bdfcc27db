//! REPL commands: `:help`, `:load FILE`, `:procs`, `:time EXPR`, `:top`,
//! `:quit`.

use super::{Next, Repl};

const HELP: &str = "\
Type an expression to evaluate it; its value is printed as `inspect` writes it.
  let x = 42            bind a variable for the rest of the session
  fn sq(n) { n * n }    define a function (redefining replaces it)
  lists.map([1, 2], fn(x) { x * 2 })
An unfinished expression (an open bracket, a trailing operator) continues on
the next line. Ctrl-C stops an evaluation that runs too long (the bindings
stay) or drops the current input; Ctrl-D or :quit leaves.
The REPL is a process: spawn, send and receive work here, and flush() prints
and drops the messages sent to it.

Commands:
  :help          this text
  :load FILE     compile and load FILE (its module is then callable)
  :doc NAME      the docs of a module or function, as h(NAME): h(lists), h(lists.map)
  :procs         list the processes (the REPL is one: self() is its pid)
  :time EXPR     evaluate EXPR, then print the wall time and reductions it took
  :top           watch this node's processes live (as `reef top`; q leaves)
  :quit          leave the REPL
Tab completes names (bindings, functions, modules, `module.` then its
functions, commands); a second Tab lists the choices. Ctrl-R searches the
history (kept in ~/.reef_history, or REEF_HISTORY).";

pub(super) fn run(repl: &mut Repl, cmd: &str) -> Next {
    let (name, arg) = match cmd.split_once(char::is_whitespace) {
        Some((n, a)) => (n, a.trim()),
        None => (cmd, ""),
    };
    match name {
        "help" | "h" | "?" => outln!("{HELP}"),
        "quit" | "q" | "exit" => return Next::Quit,
        "load" | "l" => {
            if arg.is_empty() {
                errln!("usage: :load FILE");
            } else {
                match repl.vm.load_file(arg) {
                    Ok(module) => outln!("loaded module {module}"),
                    Err(e) => err!("{e}"),
                }
            }
        }
        "doc" => super::help::doc_command(repl, arg),
        "procs" | "ps" => out!("{}", procs_table(&repl.vm.processes())),
        "time" | "t" => super::timing::time(repl, arg),
        "top" => {
            let _ = crate::top::run_local(repl.vm);
        }
        _ => errln!("unknown command :{name} (try :help)"),
    }
    Next::Continue
}

/// `:procs`: one line per process.
pub(super) fn procs_table(procs: &[reef_vm::ProcInfo]) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<14} {:<12} {:<28} {:>10} {:>6} {:>9}",
        "pid", "name", "current function", "reds", "queue", "memory"
    );
    for p in procs {
        let name = p.registered_name.map_or(String::new(), |a| a.to_string());
        let current = p
            .current_function
            .map_or(String::from("-"), |(m, f, a)| format!("{m}.{f}/{a}"));
        let _ = writeln!(
            out,
            "{:<14} {:<12} {:<28} {:>10} {:>6} {:>9}",
            reef_vm::Term::Pid(p.pid.0).to_string(),
            name,
            current,
            p.reductions,
            p.message_queue_len,
            p.memory
        );
    }
    let _ = writeln!(out, "{} processes", procs.len());
    out
}
