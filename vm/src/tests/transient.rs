//! REPL inputs as transient modules: each is freed when nothing refers to
//! it any more, and kept while a closure made by it exists or a process
//! runs it (even after the closure that entered it is gone).

use std::time::{Duration, Instant};

use crate::code::transient_live;
use crate::compiler::repl::{compile_input, ReplState, EVAL_FUNCTION};
use crate::{Session, Vm};

struct Repl {
    session: Session,
    state: ReplState,
    n: usize,
}

impl Repl {
    fn eval(&mut self, input: &str) -> String {
        self.n += 1;
        let compiled = compile_input(input, &format!("__repl_{}", self.n), &mut self.state);
        let module = compiled
            .module
            .unwrap_or_else(|| panic!("{input}: {:?}", compiled.diagnostics));
        match self.session.eval_module(module, EVAL_FUNCTION) {
            Ok(out) => out.text,
            Err(e) => format!("{e}"),
        }
    }
}

/// Waits (a little) for the live count to become `n`.
fn live_becomes(n: usize) -> usize {
    let deadline = Instant::now() + Duration::from_secs(5);
    while transient_live() != n && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(2));
    }
    transient_live()
}

// One test: the live count is global to the test binary, and no other
// test makes transient modules.
#[test]
fn repl_code_is_freed_when_nothing_refers_to_it() {
    let vm = Vm::builder().stdout(std::io::sink()).build();
    let mut r = Repl {
        session: vm.session(),
        state: ReplState::default(),
        n: 0,
    };
    for i in 0..50 {
        assert_eq!(r.eval(&format!("{i} + 1")), (i + 1).to_string());
    }
    assert_eq!(live_becomes(0), 0, "inputs without closures are freed");

    // A closure kept in a binding keeps its input's code.
    assert_eq!(r.eval("let f = fn(x) { x * 2 }"), "#Fn<__repl_51.fn/1>");
    assert_eq!(live_becomes(1), 1);
    assert_eq!(r.eval("f(21)"), "42");
    assert_eq!(live_becomes(1), 1);
    assert_eq!(r.eval("let f = 0"), "0");
    assert_eq!(live_becomes(0), 0, "rebinding f drops the last closure");

    // A process that entered an input's code through a closure keeps it,
    // though the closure is gone (it was moved into the process's frame).
    r.eval("fn count(n) { if n == 0 { :done } else { count(n - 1) } }");
    r.eval("let me = self()");
    r.eval("let p = spawn(fn() { receive { :go => me ! count(1000) } })");
    assert_eq!(r.eval("let p2 = p"), r.eval("p"));
    r.eval("let junk = [1, 2, 3]");
    assert!(live_becomes(1) >= 1, "the waiting process pins its code");
    assert_eq!(r.eval("p ! :go"), ":go");
    assert_eq!(r.eval("receive { x => x } after 5000 => :timeout"), ":done");
    assert_eq!(live_becomes(0), 0, "the process ended: its code is freed");
}
