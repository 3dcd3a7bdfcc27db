//! Interpreter tests on hand-assembled modules (they do not need the
//! compiler), and natives called through the embedding API.

use reef_bytecode::{Const, FunKind, Function, Import, Instr, LineEntry, Module};

use crate::interp::{self, Outcome};
use crate::process::{Process, Start};
use crate::scheduler::BUDGET;
use crate::{native, Term, Value, Vm};

use Instr::*;

pub(crate) fn fun(name: &str, arity: u32, num_regs: u32, code: Vec<Instr>) -> Function {
    let lines = (0..code.len() as u32)
        .map(|pc| LineEntry { pc, line: pc + 1 })
        .collect();
    Function {
        name: name.into(),
        arity,
        kind: FunKind::Named { exported: true },
        num_regs,
        code,
        lines,
    }
}

pub(crate) fn lambda(
    name: &str,
    arity: u32,
    captured: u32,
    num_regs: u32,
    code: Vec<Instr>,
) -> Function {
    Function {
        kind: FunKind::Lambda { captured },
        ..fun(name, arity, num_regs, code)
    }
}

pub(crate) fn module(
    name: &str,
    atoms: &[&str],
    imports: &[(&str, &str, u32)],
    functions: Vec<Function>,
) -> Module {
    Module {
        name: name.into(),
        file: format!("{name}.reef"),
        atoms: atoms.iter().map(|a| a.to_string()).collect(),
        literals: vec![
            Const::Str("lit".into()),
            Const::BigInt("123456789012345678901234567890".into()),
        ],
        imports: imports
            .iter()
            .map(|(m, n, a)| Import {
                module: m.to_string(),
                name: n.to_string(),
                arity: *a,
            })
            .collect(),
        functions,
    }
}

fn quiet_vm() -> Vm {
    Vm::builder()
        .env_path(false)
        .stdout(std::io::sink())
        .build()
}

fn int(i: i64) -> Term {
    Term::Int(i)
}

/// fib(n) = n < 2 ? n : fib(n - 1) + fib(n - 2)
pub(crate) fn fib_module() -> Module {
    module(
        "fibm",
        &[],
        &[],
        vec![fun(
            "fib",
            1,
            3,
            vec![
                LoadInt { dst: 1, val: 2 },
                Lt { dst: 2, a: 0, b: 1 },
                JumpIfFalse { cond: 2, target: 4 },
                Return { src: 0 },
                AddInt {
                    dst: 1,
                    a: 0,
                    val: -1,
                },
                Call { base: 1, func: 0 },
                AddInt {
                    dst: 2,
                    a: 0,
                    val: -2,
                },
                Call { base: 2, func: 0 },
                Add { dst: 0, a: 1, b: 2 },
                Return { src: 0 },
            ],
        )],
    )
}

/// count(n, acc): a tail-recursive loop.
fn loop_module() -> Module {
    module(
        "loopm",
        &[],
        &[],
        vec![
            fun(
                "count",
                2,
                2,
                vec![
                    TestEqInt {
                        src: 0,
                        val: 0,
                        fail: 2,
                    },
                    Return { src: 1 },
                    AddInt {
                        dst: 0,
                        a: 0,
                        val: -1,
                    },
                    AddInt {
                        dst: 1,
                        a: 1,
                        val: 1,
                    },
                    TailCall { base: 0, func: 0 },
                ],
            ),
            // sum(n) = n == 0 ? 0 : n + sum(n - 1), body recursive
            fun(
                "sum",
                1,
                2,
                vec![
                    TestEqInt {
                        src: 0,
                        val: 0,
                        fail: 2,
                    },
                    Return { src: 0 },
                    AddInt {
                        dst: 1,
                        a: 0,
                        val: -1,
                    },
                    Call { base: 1, func: 1 },
                    Add { dst: 0, a: 0, b: 1 },
                    Return { src: 0 },
                ],
            ),
            // fact(n) = n == 0 ? 1 : n * fact(n - 1)
            fun(
                "fact",
                1,
                2,
                vec![
                    TestEqInt {
                        src: 0,
                        val: 0,
                        fail: 3,
                    },
                    LoadInt { dst: 0, val: 1 },
                    Return { src: 0 },
                    AddInt {
                        dst: 1,
                        a: 0,
                        val: -1,
                    },
                    Call { base: 1, func: 2 },
                    Mul { dst: 0, a: 0, b: 1 },
                    Return { src: 0 },
                ],
            ),
        ],
    )
}

#[test]
fn fib_runs() {
    let vm = quiet_vm();
    vm.load_module(fib_module()).unwrap();
    assert_eq!(vm.call("fibm", "fib", vec![int(20)]).unwrap(), int(6765));
}

#[test]
fn fact_30_overflows_into_a_big_integer() {
    let vm = quiet_vm();
    vm.load_module(loop_module()).unwrap();
    let r = vm.call("loopm", "fact", vec![int(30)]).unwrap();
    assert_eq!(r.to_string(), "265252859812191058636308480000000");
    assert_eq!(
        vm.call("loopm", "fact", vec![int(20)]).unwrap(),
        int(2432902008176640000)
    );
}

/// Runs `start` in a fresh process to the end, yielding as the scheduler
/// would, and reports the result and the largest stack seen at a yield.
fn run_alone(vm: &Vm, start: Start) -> (Value, usize, usize) {
    let mut p = Process::new(vm.rt.new_pid());
    p.start = Some(start);
    let (mut max_regs, mut max_frames) = (0, 0);
    loop {
        match interp::run(&vm.rt, &mut p, BUDGET) {
            Outcome::Yield => {
                max_regs = max_regs.max(p.regs.len());
                max_frames = max_frames.max(p.frames.len());
            }
            Outcome::Returned(v) => return (v, max_regs, max_frames),
            Outcome::Wait => panic!("unexpected wait"),
            Outcome::Exited(e) => panic!("crashed: {}", e.reason()),
        }
    }
}

fn call_start(vm: &Vm, m: &str, f: &str, args: Vec<Value>) -> Start {
    let fun = native::ext_fun(crate::Atom::new(m), crate::Atom::new(f), args.len() as u32);
    let _ = vm;
    Start { fun, args }
}

#[test]
fn a_tail_loop_of_ten_million_runs_in_constant_space() {
    let vm = quiet_vm();
    vm.load_module(loop_module()).unwrap();
    let start = call_start(
        &vm,
        "loopm",
        "count",
        vec![Value::Int(10_000_000), Value::Int(0)],
    );
    let (v, max_regs, max_frames) = run_alone(&vm, start);
    assert!(matches!(v, Value::Int(10_000_000)));
    assert!(max_regs <= 64, "registers grew to {max_regs}");
    assert_eq!(max_frames, 0);
}

#[test]
fn body_recursion_a_million_deep() {
    let vm = quiet_vm();
    vm.load_module(loop_module()).unwrap();
    let start = call_start(&vm, "loopm", "sum", vec![Value::Int(1_000_000)]);
    let (v, _, max_frames) = run_alone(&vm, start);
    assert!(matches!(v, Value::Int(500_000_500_000)));
    assert!(max_frames > 100_000);
}

fn errors_module() -> Module {
    module(
        "errm",
        &["boom", "yes", "no", "nope"],
        &[
            ("kernel", "error", 1),
            ("kernel", "len", 1),
            ("kernel", "throw", 1),
        ],
        vec![
            // catch_it() = try { error(:boom) } catch { (c, r) => (c, r) }
            fun(
                "catch_it",
                0,
                4,
                vec![
                    TryBegin { dst: 0, handler: 5 },
                    LoadAtom { dst: 3, atom: 0 },
                    CallExt { base: 3, import: 0 },
                    TryEnd {},
                    Return { src: 3 },
                    MakeTuple {
                        dst: 3,
                        start: 0,
                        count: 2,
                    },
                    Return { src: 3 },
                ],
            ),
            // guarded(x) when len(x) > 0 -> :yes; guarded(_) -> :no
            fun(
                "guarded",
                1,
                3,
                vec![
                    GuardBegin { fail: 9 },
                    Move { dst: 1, src: 0 },
                    CallExt { base: 1, import: 1 },
                    LoadInt { dst: 2, val: 0 },
                    Gt { dst: 1, a: 1, b: 2 },
                    GuardEnd {},
                    TestTrue { src: 1, fail: 9 },
                    LoadAtom { dst: 1, atom: 1 },
                    Return { src: 1 },
                    LoadAtom { dst: 1, atom: 2 },
                    Return { src: 1 },
                ],
            ),
            // deep(n): recurses n times, then divides by zero
            fun(
                "deep",
                1,
                2,
                vec![
                    TestEqInt {
                        src: 0,
                        val: 0,
                        fail: 4,
                    },
                    LoadInt { dst: 1, val: 0 },
                    IntDiv { dst: 0, a: 0, b: 1 },
                    Return { src: 0 },
                    AddInt {
                        dst: 1,
                        a: 0,
                        val: -1,
                    },
                    Call { base: 1, func: 2 },
                    Return { src: 1 },
                ],
            ),
            // thrower() = throw(:nope), uncaught
            fun(
                "thrower",
                0,
                1,
                vec![
                    LoadAtom { dst: 0, atom: 3 },
                    TailCallExt { base: 0, import: 2 },
                ],
            ),
            // rethrow() = try { deep(0) } catch { e => reraise }
            fun(
                "rethrow",
                0,
                4,
                vec![
                    TryBegin { dst: 0, handler: 5 },
                    LoadInt { dst: 3, val: 0 },
                    Call { base: 3, func: 2 },
                    TryEnd {},
                    Return { src: 3 },
                    Reraise { src: 0 },
                ],
            ),
            // badmatch(x) = error (:badmatch, x)
            fun("badmatch", 1, 1, vec![Badmatch { src: 0 }]),
            // clause(x) = function_clause
            fun("clause", 1, 1, vec![FunctionClause {}]),
        ],
    )
}

#[test]
fn try_catches_an_error() {
    let vm = quiet_vm();
    vm.load_module(errors_module()).unwrap();
    assert_eq!(
        vm.call("errm", "catch_it", vec![]).unwrap().to_string(),
        "(:error, :boom)"
    );
}

#[test]
fn a_guard_that_raises_is_false() {
    let vm = quiet_vm();
    vm.load_module(errors_module()).unwrap();
    assert_eq!(
        vm.call("errm", "guarded", vec![Term::list(vec![int(1)])])
            .unwrap()
            .to_string(),
        ":yes"
    );
    assert_eq!(
        vm.call("errm", "guarded", vec![Term::list(vec![])])
            .unwrap()
            .to_string(),
        ":no"
    );
    assert_eq!(
        vm.call("errm", "guarded", vec![int(5)])
            .unwrap()
            .to_string(),
        ":no"
    );
}

#[test]
fn an_uncaught_error_ends_with_reason_and_stack_trace() {
    let vm = quiet_vm();
    vm.load_module(errors_module()).unwrap();
    let crash = vm.call("errm", "deep", vec![int(2)]).unwrap_err();
    let expected =
        "(:badarith, [(:errm, :deep, 1, \"errm.reef\", 3), (:errm, :deep, 1, \"errm.reef\", 6), \
                    (:errm, :deep, 1, \"errm.reef\", 6)])";
    assert_eq!(crash.reason.to_string(), expected);
    assert!(
        crash.report.contains("crashed: error :badarith\n"),
        "{}",
        crash.report
    );
    assert!(crash
        .report
        .contains("**   in errm.deep/1 (errm.reef:3)\n**   in errm.deep/1 (errm.reef:6)"));
}

#[test]
fn the_stack_trace_is_bounded() {
    let vm = quiet_vm();
    vm.load_module(errors_module()).unwrap();
    let crash = vm.call("errm", "deep", vec![int(100_000)]).unwrap_err();
    let Term::Tuple(parts) = &crash.reason else {
        panic!()
    };
    let Term::List(entries, None) = &parts[1] else {
        panic!()
    };
    assert_eq!(entries.len(), interp::TRACE_DEPTH);
}

#[test]
fn throw_exit_and_reraise() {
    let vm = quiet_vm();
    vm.load_module(errors_module()).unwrap();
    let crash = vm.call("errm", "thrower", vec![]).unwrap_err();
    assert!(crash
        .reason
        .to_string()
        .starts_with("((:nocatch, :nope), [(:errm, :thrower, 0, \"errm.reef\", 2)"));
    assert!(
        crash.report.starts_with("** process #PID<"),
        "{}",
        crash.report
    );
    assert!(
        crash
            .report
            .contains("crashed: throw :nope\n**   in errm.thrower/0 (errm.reef:2)"),
        "{}",
        crash.report
    );
    let crash = vm.call("errm", "rethrow", vec![]).unwrap_err();
    assert!(crash
        .reason
        .to_string()
        .starts_with("(:badarith, [(:errm, :deep, 1, \"errm.reef\", 3)"));
    let crash = vm.call("errm", "badmatch", vec![int(7)]).unwrap_err();
    assert!(crash.reason.to_string().starts_with("((:badmatch, 7), ["));
    let crash = vm.call("errm", "clause", vec![int(7)]).unwrap_err();
    assert!(crash
        .reason
        .to_string()
        .starts_with("((:function_clause, (:errm, :clause, [7])), ["));
    let crash = vm.call("errm", "nothere", vec![]).unwrap_err();
    assert!(
        crash
            .reason
            .to_string()
            .starts_with("((:undef, (:errm, :nothere, 0)), ["),
        "{}",
        crash.reason
    );
}

fn receive_module() -> Module {
    module(
        "recvm",
        &["first", "second", "ok", "timeout"],
        &[("kernel", "self", 0), ("kernel", "spawn", 1)],
        vec![
            // main(): spawns a child that sends :first then :second; receives
            // :second first, then the oldest remaining; returns both.
            fun(
                "main",
                0,
                5,
                vec![
                    CallExt { base: 0, import: 0 },
                    MakeClosure {
                        dst: 1,
                        func: 1,
                        start: 0,
                        count: 1,
                    },
                    CallExt { base: 1, import: 1 },
                    RecvNext { dst: 2, empty: 7 },
                    TestEqAtom {
                        src: 2,
                        atom: 1,
                        fail: 6,
                    },
                    Jump { target: 8 },
                    RecvSkip { target: 3 },
                    RecvWait { target: 3 },
                    RecvAccept {},
                    RecvNext { dst: 3, empty: 11 },
                    Jump { target: 12 },
                    RecvWait { target: 9 },
                    RecvAccept {},
                    MakeTuple {
                        dst: 4,
                        start: 2,
                        count: 2,
                    },
                    Return { src: 4 },
                ],
            ),
            lambda(
                "-main/0-fun-0-",
                0,
                1,
                2,
                vec![
                    LoadAtom { dst: 1, atom: 0 },
                    Send { dest: 0, msg: 1 },
                    LoadAtom { dst: 1, atom: 1 },
                    Send { dest: 0, msg: 1 },
                    LoadAtom { dst: 1, atom: 2 },
                    Return { src: 1 },
                ],
            ),
            // wait(ms): receive { :never => :ok } after ms => :timeout
            fun(
                "wait",
                1,
                2,
                vec![
                    RecvNext { dst: 1, empty: 4 },
                    TestEqAtom {
                        src: 1,
                        atom: 0,
                        fail: 3,
                    },
                    Jump { target: 6 },
                    RecvSkip { target: 0 },
                    RecvWaitTimeout {
                        timeout: 0,
                        target: 0,
                        expired: 8,
                    },
                    Return { src: 1 },
                    RecvAccept {},
                    Return { src: 1 },
                    LoadAtom { dst: 1, atom: 3 },
                    Return { src: 1 },
                ],
            ),
            // forever(): waits for a message that never comes
            fun(
                "forever",
                0,
                1,
                vec![
                    RecvNext { dst: 0, empty: 2 },
                    Return { src: 0 },
                    RecvWait { target: 0 },
                ],
            ),
        ],
    )
}

#[test]
fn selective_receive_between_two_processes() {
    let vm = quiet_vm();
    vm.load_module(receive_module()).unwrap();
    assert_eq!(
        vm.call("recvm", "main", vec![]).unwrap().to_string(),
        "(:second, :first)"
    );
}

#[test]
fn receive_after_times_out() {
    let vm = quiet_vm();
    vm.load_module(receive_module()).unwrap();
    let t = std::time::Instant::now();
    assert_eq!(
        vm.call("recvm", "wait", vec![int(30)]).unwrap().to_string(),
        ":timeout"
    );
    assert!(t.elapsed() >= std::time::Duration::from_millis(30));
    assert_eq!(
        vm.call("recvm", "wait", vec![int(0)]).unwrap().to_string(),
        ":timeout"
    );
    let crash = vm.call("recvm", "wait", vec![int(-1)]).unwrap_err();
    assert!(crash.reason.to_string().starts_with("(:badarg, ["));
}

#[test]
fn waiting_forever_alone_is_a_deadlock() {
    let vm = quiet_vm();
    vm.load_module(receive_module()).unwrap();
    let crash = vm.call("recvm", "forever", vec![]).unwrap_err();
    assert_eq!(crash.reason.to_string(), ":deadlock");
}

#[test]
fn a_session_keeps_its_pid_mailbox_and_state() {
    let vm = quiet_vm();
    // step(state) = (state, [1 | state]) using a map state at first.
    let m = module(
        "sess",
        &["boom"],
        &[("kernel", "self", 0), ("kernel", "error", 1)],
        vec![
            fun(
                "step",
                1,
                3,
                vec![
                    LoadInt { dst: 1, val: 1 },
                    MakeCons {
                        dst: 2,
                        head: 1,
                        tail: 0,
                    },
                    Move { dst: 1, src: 0 },
                    MakeTuple {
                        dst: 0,
                        start: 1,
                        count: 2,
                    },
                    Return { src: 0 },
                ],
            ),
            fun(
                "mail",
                1,
                3,
                vec![
                    CallExt { base: 1, import: 0 },
                    Send { dest: 1, msg: 1 },
                    Move { dst: 2, src: 0 },
                    MakeTuple {
                        dst: 0,
                        start: 1,
                        count: 2,
                    },
                    Return { src: 0 },
                ],
            ),
            fun(
                "crash",
                1,
                1,
                vec![
                    LoadAtom { dst: 0, atom: 0 },
                    TailCallExt { base: 0, import: 1 },
                ],
            ),
        ],
    );
    vm.load_module(m).unwrap();
    let mut s = vm.session();
    assert_eq!(s.eval("sess", "step").unwrap().text, "#{}");
    assert_eq!(s.eval("sess", "step").unwrap().text, "[1 | #{}]");
    let err = s.eval("sess", "crash").unwrap_err();
    assert!(err.to_string().contains("crashed: error :boom"), "{err}");
    assert_eq!(s.eval("sess", "step").unwrap().text, "[1, 1 | #{}]");
    // Processes spawned by an evaluation run before the next prompt.
    let pid = s.eval("sess", "mail").unwrap().value;
    assert_eq!(pid, s.pid());
    assert_eq!(s.flush(), vec![pid.to_string()]);
    assert!(s.flush().is_empty());
}

#[test]
fn natives_through_the_api() {
    let vm = quiet_vm();
    let list = |xs: &[i64]| Term::list(xs.iter().map(|&i| int(i)).collect());
    let call = |m: &str, f: &str, args: Vec<Term>| vm.call(m, f, args).map(|t| t.to_string());
    assert_eq!(
        call("lists", "reverse", vec![list(&[1, 2, 3])]).unwrap(),
        "[3, 2, 1]"
    );
    assert_eq!(
        call("lists", "sort", vec![list(&[3, 1, 2])]).unwrap(),
        "[1, 2, 3]"
    );
    assert_eq!(
        call("lists", "seq", vec![int(1), int(4)]).unwrap(),
        "[1, 2, 3, 4]"
    );
    assert_eq!(
        call("lists", "nth", vec![list(&[5, 6]), int(1)]).unwrap(),
        "6"
    );
    assert!(call("lists", "nth", vec![list(&[5, 6]), int(2)])
        .unwrap_err()
        .report
        .contains(":badarg"));
    assert_eq!(call("lists", "sum", vec![list(&[1, 2, 3])]).unwrap(), "6");
    assert_eq!(
        call("lists", "zip", vec![list(&[1, 2]), list(&[3, 4, 5])]).unwrap(),
        "[(1, 3), (2, 4)]"
    );
    assert_eq!(
        call(
            "lists",
            "sort",
            vec![Term::list(vec![Term::Float(1.0), int(1), int(0)])]
        )
        .unwrap(),
        "[0, 1.0, 1]"
    );
    assert_eq!(call("kernel", "sleep", vec![int(5)]).unwrap(), ":ok");
    assert_eq!(
        call("kernel", "to_float", vec![Term::from("7")]).unwrap(),
        "7.0"
    );
    assert!(call("kernel", "to_float", vec![Term::from("1e3")]).is_err());
    assert!(call("kernel", "to_int", vec![Term::from(" 7")]).is_err());
    assert_eq!(
        call("lists", "take", vec![list(&[1, 2, 3]), int(2)]).unwrap(),
        "[1, 2]"
    );
    assert_eq!(
        call("lists", "drop", vec![list(&[1, 2, 3]), int(2)]).unwrap(),
        "[3]"
    );
    assert_eq!(call("lists", "last", vec![list(&[1, 2, 3])]).unwrap(), "3");
    assert_eq!(
        call("lists", "append", vec![list(&[1]), list(&[2])]).unwrap(),
        "[1, 2]"
    );
    assert_eq!(
        call("kernel", "len", vec![Term::from("héllo")]).unwrap(),
        "5"
    );
    assert_eq!(
        call(
            "kernel",
            "elem",
            vec![Term::Tuple(vec![int(1), int(2)]), int(1)]
        )
        .unwrap(),
        "2"
    );
    assert_eq!(
        call("kernel", "to_int", vec![Term::from("-42")]).unwrap(),
        "-42"
    );
    assert_eq!(
        call("kernel", "to_int", vec![Term::Float(-3.7)]).unwrap(),
        "-3"
    );
    assert!(call("kernel", "to_int", vec![Term::from("4x")]).is_err());
    assert_eq!(
        call("kernel", "to_float", vec![Term::from("2.5")]).unwrap(),
        "2.5"
    );
    assert_eq!(
        call("kernel", "inspect", vec![Term::from("a")]).unwrap(),
        "\"\\\"a\\\"\""
    );
    assert_eq!(
        call("kernel", "to_string", vec![Term::atom("ok")]).unwrap(),
        "\"ok\""
    );
    assert_eq!(
        call("kernel", "max", vec![int(1), Term::atom("a")]).unwrap(),
        ":a"
    );
    assert_eq!(
        call(
            "kernel",
            "apply",
            vec![
                Term::Fun {
                    module: "lists".into(),
                    name: "reverse".into(),
                    arity: 1
                },
                Term::list(vec![list(&[1, 2])])
            ]
        )
        .unwrap(),
        "[2, 1]"
    );
    assert_eq!(
        call(
            "kernel",
            "apply",
            vec![
                Term::atom("math"),
                Term::atom("pow"),
                Term::list(vec![int(2), int(100)])
            ]
        )
        .unwrap(),
        "1267650600228229401496703205376"
    );
    assert_eq!(call("math", "pow", vec![int(2), int(-1)]).unwrap(), "0.5");
    assert_eq!(call("math", "sqrt", vec![int(16)]).unwrap(), "4.0");
    assert!(call("math", "sqrt", vec![int(-1)])
        .unwrap_err()
        .report
        .contains(":badarith"));
    assert_eq!(call("math", "round", vec![Term::Float(2.5)]).unwrap(), "3");
    assert_eq!(
        call("math", "floor", vec![Term::Float(-2.5)]).unwrap(),
        "-3"
    );
    assert_eq!(
        call(
            "strings",
            "split",
            vec![Term::from("a,b,,c"), Term::from(",")]
        )
        .unwrap(),
        "[\"a\", \"b\", \"\", \"c\"]"
    );
    assert_eq!(
        call(
            "strings",
            "join",
            vec![
                Term::list(vec![Term::from("a"), Term::from("b")]),
                Term::from("-")
            ]
        )
        .unwrap(),
        "\"a-b\""
    );
    assert_eq!(
        call(
            "strings",
            "join",
            vec![Term::list(vec![int(1), Term::atom("x")]), Term::from(", ")]
        )
        .unwrap(),
        "\"1, x\""
    );
    assert!(call("strings", "split", vec![Term::from("ab"), Term::from("")]).is_err());
    assert_eq!(
        call("strings", "upcase", vec![Term::from("straße")]).unwrap(),
        "\"STRASSE\""
    );
    assert_eq!(
        call(
            "strings",
            "slice",
            vec![Term::from("héllo"), int(1), int(3)]
        )
        .unwrap(),
        "\"éll\""
    );
    assert_eq!(
        call(
            "strings",
            "replace",
            vec![Term::from("aXbXc"), Term::from("X"), Term::from("--")]
        )
        .unwrap(),
        "\"a--b--c\""
    );
    assert_eq!(
        call("strings", "reverse", vec![Term::from("abc")]).unwrap(),
        "\"cba\""
    );
    assert_eq!(
        call("strings", "chars", vec![Term::from("hé")]).unwrap(),
        "[\"h\", \"é\"]"
    );
    assert_eq!(
        call(
            "strings",
            "to_int",
            vec![Term::from("123456789012345678901234567890")]
        )
        .unwrap(),
        "123456789012345678901234567890"
    );
    assert_eq!(
        call(
            "strings",
            "index_of",
            vec![Term::from("héllo"), Term::from("l")]
        )
        .unwrap(),
        "2"
    );
    let m = Term::Map(vec![(Term::atom("a"), int(1))]);
    assert_eq!(
        call("maps", "put", vec![m.clone(), Term::atom("b"), int(2)]).unwrap(),
        "#{:a => 1, :b => 2}"
    );
    assert_eq!(
        call("maps", "get", vec![m.clone(), Term::atom("a")]).unwrap(),
        "1"
    );
    assert!(call("maps", "get", vec![m.clone(), Term::atom("z")])
        .unwrap_err()
        .report
        .contains("(:badkey, :z)"));
    assert_eq!(
        call("maps", "get", vec![m.clone(), Term::atom("z"), int(0)]).unwrap(),
        "0"
    );
    assert!(call("maps", "size", vec![int(1)])
        .unwrap_err()
        .report
        .contains("(:badmap, 1)"));
    let m2 = Term::Map(vec![(Term::atom("a"), int(9)), (Term::atom("c"), int(3))]);
    assert_eq!(
        call("maps", "merge", vec![m.clone(), m2]).unwrap(),
        "#{:a => 9, :c => 3}"
    );
    assert_eq!(call("maps", "to_list", vec![m]).unwrap(), "[(:a, 1)]");
}

#[test]
fn io_writes_to_the_chosen_output() {
    #[derive(Clone, Default)]
    struct Buf(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);
    impl std::io::Write for Buf {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let buf = Buf::default();
    let vm = Vm::builder().env_path(false).stdout(buf.clone()).build();
    vm.call("io", "println", vec![Term::from("hi")]).unwrap();
    vm.call("io", "println", vec![Term::atom("ok")]).unwrap();
    vm.call("io", "inspect", vec![Term::from("q")]).unwrap();
    vm.call(
        "io",
        "print",
        vec![Term::Tuple(vec![int(1), Term::Float(1e20)])],
    )
    .unwrap();
    assert_eq!(
        String::from_utf8(buf.0.lock().unwrap().clone()).unwrap(),
        "hi\nok\n\"q\"\n(1, 1.0e20)"
    );
}

#[test]
fn host_natives_and_bytecode_loading() {
    let vm = quiet_vm();
    vm.register_native("host", "double", 1, |_, a| match &a[0] {
        Value::Int(i) => Ok(Value::Int(i * 2)),
        _ => Err(crate::Exception::badarg()),
    });
    assert_eq!(vm.call("host", "double", vec![int(21)]).unwrap(), int(42));
    let bytes = reef_bytecode::encode::encode_module(&fib_module());
    assert_eq!(vm.load_bytecode(&bytes).unwrap(), "fibm");
    assert_eq!(vm.call("fibm", "fib", vec![int(10)]).unwrap(), int(55));
    assert!(vm.load_bytecode(&bytes[..10]).is_err());
}
