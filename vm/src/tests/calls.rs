//! Calls, tail calls, deep recursion and big-integer arithmetic.

use super::*;

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
