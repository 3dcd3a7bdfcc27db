//! REPL commands: `:help`, `:load FILE`, `:quit`.

use super::{Next, Repl};

const HELP: &str = "\
Type an expression to evaluate it; its value is printed as `inspect` writes it.
  let x = 42            bind a variable for the rest of the session
  fn sq(n) { n * n }    define a function (redefining replaces it)
  lists.map([1, 2], fn(x) { x * 2 })
An unfinished expression (an open bracket, a trailing operator) continues on
the next line. Ctrl-C drops the current input; Ctrl-D or :quit leaves.

Commands:
  :help          this text
  :load FILE     compile and load FILE (its module is then callable)
  :quit          leave the REPL";

pub(super) fn run(repl: &mut Repl, cmd: &str) -> Next {
    let (name, arg) = match cmd.split_once(char::is_whitespace) {
        Some((n, a)) => (n, a.trim()),
        None => (cmd, ""),
    };
    match name {
        "help" | "h" | "?" => println!("{HELP}"),
        "quit" | "q" | "exit" => return Next::Quit,
        "load" | "l" => {
            if arg.is_empty() {
                eprintln!("usage: :load FILE");
            } else {
                match repl.vm.load_file(arg) {
                    Ok(module) => println!("loaded module {module}"),
                    Err(e) => eprint!("{e}"),
                }
            }
        }
        _ => eprintln!("unknown command :{name} (try :help)"),
    }
    Next::Continue
}
