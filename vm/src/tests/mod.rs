//! Interpreter tests on hand-assembled modules (they do not need the
//! compiler), and natives called through the embedding API. This file
//! holds the shared builders; each submodule one area.

mod calls;
mod crafted;
mod errors;
mod fuzz;
mod natives;
mod receive;
mod transient;

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

/// Runs `start` in a fresh process to the end, yielding as the scheduler
/// would, and reports the result and the largest stack seen at a yield.
fn run_alone(vm: &Vm, start: Start) -> (Value, usize, usize) {
    let mut p = Process::new(vm.rt.new_pid());
    p.start = Some(Box::new(start));
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
