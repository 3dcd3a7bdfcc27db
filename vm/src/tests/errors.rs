//! Exceptions: try/catch, guards that raise, crash reasons and stack traces.

use super::*;

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
    assert_eq!(entries.len(), interp::exception::TRACE_DEPTH);
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
