//! Times fib(30) on hand-assembled bytecode (no compiler involved):
//! `cargo run --release -p reef-vm --example fib_bench [N]`.

use reef_bytecode::{FunKind, Function, Instr::*, Module};
use reef_vm::{Term, Vm};

fn main() {
    let n: i64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(30);
    let fib = Function {
        name: "fib".into(),
        arity: 1,
        kind: FunKind::Named { exported: true },
        num_regs: 3,
        code: vec![
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
        lines: Vec::new(),
    };
    let module = Module {
        name: "bench".into(),
        file: "bench.reef".into(),
        functions: vec![fib],
        ..Module::default()
    };
    let vm = Vm::new();
    vm.load_module(module).expect("valid module");
    let calls = {
        // fib(n) makes 2 * fib(n + 1) - 1 calls.
        let (mut a, mut b) = (0u64, 1u64);
        for _ in 0..n + 1 {
            (a, b) = (b, a + b);
        }
        2 * a - 1
    };
    let mut best = f64::MAX;
    for _ in 0..5 {
        let t = std::time::Instant::now();
        let r = vm
            .call("bench", "fib", vec![Term::Int(n)])
            .expect("fib runs");
        let s = t.elapsed().as_secs_f64();
        best = best.min(s);
        assert!(matches!(r, Term::Int(_)));
    }
    println!(
        "fib({n}): best of 5 {:.1} ms, {:.2} ns per call",
        best * 1e3,
        best * 1e9 / calls as f64
    );
}
