//! Tail-call arguments built in place: a local tail call
//! `TailCall { base: b, func }` moves its arguments from `R[b..b+n]` down
//! to `R[0..n]` at run time. When each argument is computed by one simple
//! instruction just before the call (`sum(n - 1, acc + n)`: an `AddInt`
//! and an `Add`), those instructions can write `R[i]` directly, ordered
//! so that every instruction still reads the values it read before (a
//! register is overwritten only after its last reader in the block); the
//! call then has base 0 and moves nothing. A loop's iteration saves one
//! move per argument; the count of instructions and every jump stay the
//! same (the block is only permuted and retargeted).
//!
//! The rewrite is skipped where it could change what the program does:
//! an instruction in the block other than the first is a jump target, an
//! instruction reads an argument register of the block (`R[b..]`), the
//! order constraints form a cycle (`f(y, x)` swapping two parameters), or
//! an instruction is not one whose reads and writes are all known here.
//! An exception raised inside the block leaves the frame (a tail call is
//! never inside a `try` body, whose handler would read the frame), so the
//! half-updated parameters are never seen.

use std::cell::RefCell;

use reef_bytecode::opcodes::Reg;
use reef_bytecode::Instr;

use super::function::patch_labels;

/// A function's tail call of itself whose arguments are already in place
/// (`TailCall { base: 0 }` to `this`) is a loop: it becomes
/// `Jump { target: 0 }`, which costs the same reduction (a backward jump)
/// and skips the call's function lookup. The frame, the stack trace and
/// the yield point (the function's start) are the same as for the call.
pub(crate) fn self_loops(code: &mut [Instr], this: u32) {
    for instr in code.iter_mut() {
        if *instr
            == (Instr::TailCall {
                base: 0,
                func: this,
            })
        {
            *instr = Instr::Jump { target: 0 };
        }
    }
}

/// What one instruction of an argument block does to registers.
struct Step {
    /// The argument register it computes (`R[b + k]`), if any (a `Drop`
    /// computes none).
    arg: Option<Reg>,
    /// Registers it reads.
    reads: Vec<Reg>,
    /// Registers it changes besides its result: a moved-from or
    /// taken-from source (`MoveLast`, `GetElemTake`, `Drop`). Each is
    /// also in `reads`.
    side: Vec<Reg>,
}

/// The registers an instruction reads and writes, for the instructions
/// an argument is commonly computed by; `None` for any other.
fn step(i: &Instr) -> Option<Step> {
    let s = |dst: Reg, reads: Vec<Reg>, side: Vec<Reg>| {
        Some(Step {
            arg: Some(dst),
            reads,
            side,
        })
    };
    match *i {
        Instr::Move { dst, src }
        | Instr::GetElem { dst, src, .. }
        | Instr::GetHead { dst, src }
        | Instr::GetTail { dst, src }
        | Instr::AddInt { dst, a: src, .. } => s(dst, vec![src], vec![]),
        Instr::MoveLast { dst, src }
        | Instr::GetElemTake { dst, src, .. }
        | Instr::GetElemLast { dst, src, .. }
        | Instr::GetHeadTake { dst, src }
        | Instr::GetHeadLast { dst, src }
        | Instr::GetTailTake { dst, src }
        | Instr::GetTailLast { dst, src } => s(dst, vec![src], vec![src]),
        Instr::Add { dst, a, b } | Instr::Sub { dst, a, b } | Instr::Mul { dst, a, b } => {
            s(dst, vec![a, b], vec![])
        }
        Instr::MakeCons { dst, head, tail } => s(dst, vec![head, tail], vec![]),
        Instr::LoadInt { dst, .. }
        | Instr::LoadAtom { dst, .. }
        | Instr::LoadLit { dst, .. }
        | Instr::LoadNil { dst } => s(dst, vec![], vec![]),
        Instr::Drop { src } => Some(Step {
            arg: None,
            reads: vec![src],
            side: vec![src],
        }),
        _ => None,
    }
}

/// Sets an instruction's result register to `r`.
fn retarget(i: &mut Instr, r: Reg) {
    match i {
        Instr::Move { dst, .. }
        | Instr::GetElem { dst, .. }
        | Instr::GetHead { dst, .. }
        | Instr::GetTail { dst, .. }
        | Instr::AddInt { dst, .. }
        | Instr::MoveLast { dst, .. }
        | Instr::GetElemTake { dst, .. }
        | Instr::GetElemLast { dst, .. }
        | Instr::GetHeadTake { dst, .. }
        | Instr::GetHeadLast { dst, .. }
        | Instr::GetTailTake { dst, .. }
        | Instr::GetTailLast { dst, .. }
        | Instr::Add { dst, .. }
        | Instr::Sub { dst, .. }
        | Instr::Mul { dst, .. }
        | Instr::MakeCons { dst, .. }
        | Instr::LoadInt { dst, .. }
        | Instr::LoadAtom { dst, .. }
        | Instr::LoadLit { dst, .. }
        | Instr::LoadNil { dst } => *dst = r,
        _ => unreachable!("only instructions `step` knows are retargeted"),
    }
}

/// Rewrites every local tail call of `code` (labels resolved) whose
/// arguments can be built in place. `arity` gives a local function's
/// arity by index.
pub(crate) fn apply(code: &mut [Instr], arity: &dyn Fn(u32) -> usize) {
    let targets = jump_targets(code);
    for t in 0..code.len() {
        if let Instr::TailCall { base, func } = code[t] {
            let n = arity(func);
            if base != 0 && n != usize::MAX && !targets[t] {
                in_place(code, &targets, t, base, n);
            }
        }
    }
}

/// Which instructions some jump can reach.
fn jump_targets(code: &[Instr]) -> Vec<bool> {
    let seen = RefCell::new(vec![false; code.len()]);
    for i in code {
        let mut i = *i;
        patch_labels(&mut i, |l| {
            if let Some(s) = seen.borrow_mut().get_mut(l as usize) {
                *s = true;
            }
            l
        });
    }
    seen.into_inner()
}

/// Builds the `n` arguments of the tail call at `t` in `R[0..n]`, if the
/// block before it allows; else leaves the code as it is.
fn in_place(code: &mut [Instr], targets: &[bool], t: usize, base: Reg, n: usize) {
    if n == 0 {
        return;
    }
    let b = base as usize;
    // The block: the instructions before the call, back to the one that
    // computes the last argument still missing.
    let mut steps: Vec<(usize, Step)> = Vec::new();
    let mut found = vec![false; n];
    let mut missing = n;
    let mut p = t;
    while missing > 0 {
        if p == 0 {
            return;
        }
        p -= 1;
        let Some(s) = step(&code[p]) else { return };
        if let Some(a) = s.arg {
            let k = (a as usize).wrapping_sub(b);
            if k >= n || found[k] {
                return;
            }
            found[k] = true;
            missing -= 1;
        }
        if s.reads.iter().any(|&r| r as usize >= b) {
            return;
        }
        steps.push((p, s));
    }
    let start = p;
    if (start + 1..t).any(|q| targets[q]) {
        return;
    }
    steps.reverse();
    // The new result register of each step: R[k] for argument k.
    let new_dst: Vec<Option<Reg>> = steps
        .iter()
        .map(|(_, s)| s.arg.map(|a| (a as usize - b) as Reg))
        .collect();
    // x must run before y: y overwrites (as result or side change) a
    // register x reads, or both change the same register on the side.
    let m = steps.len();
    let before = |x: usize, y: usize| -> bool {
        let (sx, sy) = (&steps[x].1, &steps[y].1);
        let writes_y = new_dst[y].into_iter().chain(sy.side.iter().copied());
        let mut w = writes_y;
        let overwrites = w.any(|r| sx.reads.contains(&r));
        let side_clash = x < y && sx.side.iter().any(|r| sy.side.contains(r));
        overwrites || side_clash
    };
    // A topological order by repeated choice of the earliest ready step
    // (keeps the original order where nothing forces a change).
    let mut done = vec![false; m];
    let mut order = Vec::with_capacity(m);
    while order.len() < m {
        let ready =
            (0..m).find(|&y| !done[y] && (0..m).all(|x| x == y || done[x] || !before(x, y)));
        match ready {
            Some(y) => {
                done[y] = true;
                order.push(y);
            }
            None => return, // a cycle: `f(y, x)` with x, y parameters
        }
    }
    let old: Vec<Instr> = steps.iter().map(|(q, _)| code[*q]).collect();
    for (slot, &y) in order.iter().enumerate() {
        let mut i = old[y];
        if let Some(r) = new_dst[y] {
            retarget(&mut i, r);
        }
        code[start + slot] = i;
    }
    code[t] = Instr::TailCall {
        base: 0,
        func: match code[t] {
            Instr::TailCall { func, .. } => func,
            _ => unreachable!(),
        },
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(mut code: Vec<Instr>) -> Vec<Instr> {
        apply(&mut code, &|_| 2);
        code
    }

    #[test]
    fn a_counting_loop_builds_its_arguments_in_place() {
        // sum(n - 1, acc + n): acc + n reads n, so it goes first.
        let code = run(vec![
            Instr::AddInt {
                dst: 2,
                a: 0,
                val: -1,
            },
            Instr::Add { dst: 3, a: 1, b: 0 },
            Instr::TailCall { base: 2, func: 0 },
        ]);
        assert_eq!(
            code,
            vec![
                Instr::Add { dst: 1, a: 1, b: 0 },
                Instr::AddInt {
                    dst: 0,
                    a: 0,
                    val: -1
                },
                Instr::TailCall { base: 0, func: 0 },
            ]
        );
    }

    #[test]
    fn a_self_tail_call_with_its_arguments_in_place_is_a_jump() {
        let mut code = vec![
            Instr::Add { dst: 1, a: 1, b: 0 },
            Instr::TailCall { base: 0, func: 3 },
            Instr::TailCall { base: 0, func: 4 },
            Instr::TailCall { base: 2, func: 3 },
        ];
        self_loops(&mut code, 3);
        assert_eq!(
            code,
            vec![
                Instr::Add { dst: 1, a: 1, b: 0 },
                Instr::Jump { target: 0 },
                Instr::TailCall { base: 0, func: 4 },
                Instr::TailCall { base: 2, func: 3 },
            ]
        );
    }

    #[test]
    fn swapped_parameters_are_left_alone() {
        let code = vec![
            Instr::Move { dst: 2, src: 1 },
            Instr::Move { dst: 3, src: 0 },
            Instr::TailCall { base: 2, func: 0 },
        ];
        assert_eq!(run(code.clone()), code);
    }

    #[test]
    fn a_jump_into_the_block_or_an_unknown_instruction_leaves_it_alone() {
        let code = vec![
            Instr::TestEqInt {
                src: 0,
                val: 0,
                fail: 2,
            },
            Instr::LoadInt { dst: 2, val: 1 },
            Instr::LoadInt { dst: 3, val: 2 },
            Instr::TailCall { base: 2, func: 0 },
        ];
        assert_eq!(run(code.clone()), code);
        let code = vec![
            Instr::Interp {
                dst: 2,
                start: 0,
                count: 1,
            },
            Instr::LoadInt { dst: 3, val: 2 },
            Instr::TailCall { base: 2, func: 0 },
        ];
        assert_eq!(run(code.clone()), code);
    }

    #[test]
    fn moves_out_of_locals_and_cycles_through_takes() {
        // go(t, acc + h) with t in R5 (moved: its last use), h in R4:
        // nothing reads what another step writes; built in place.
        let code = run(vec![
            Instr::MoveLast { dst: 6, src: 5 },
            Instr::Add { dst: 7, a: 1, b: 4 },
            Instr::TailCall { base: 6, func: 0 },
        ]);
        assert_eq!(
            code,
            vec![
                Instr::MoveLast { dst: 0, src: 5 },
                Instr::Add { dst: 1, a: 1, b: 4 },
                Instr::TailCall { base: 0, func: 0 },
            ]
        );
        // f(R1, head of R0), both taken at their last use: the first
        // empties R1 which the second sets, the second empties R0 which
        // the first sets: a cycle, left alone.
        let code = vec![
            Instr::MoveLast { dst: 2, src: 1 },
            Instr::GetHeadLast { dst: 3, src: 0 },
            Instr::TailCall { base: 2, func: 0 },
        ];
        assert_eq!(run(code.clone()), code);
    }
}
