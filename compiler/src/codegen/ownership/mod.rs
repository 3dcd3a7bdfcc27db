//! Ownership: a last-use analysis over a finished function, in the spirit
//! of Perceus (Reinking, Xie, de Moura, Leijen, PLDI 2021) and Lean 4's
//! reference counting. A register owns its value; where the analysis
//! proves a register is never read again, its last use *moves* the value
//! (no clone, no later drop) and a value whose last use was a borrow is
//! dropped at once ([`Instr::Drop`]) instead of lingering in the frame.
//!
//! The analysis is backward liveness over the instruction list and its
//! jump graph, per register and per *field* of a register (element `i`
//! of the tuple in `R[r]`, or the head or tail of the cell in it): a
//! `GetElem` of a tuple whose other fields are read later, and which is
//! never read as a whole again, takes its element out of a unique tuple
//! ([`Instr::GetElemTake`]); the last such read also frees the tuple
//! ([`Instr::GetElemLast`]). Exception handlers are the one implicit
//! edge: a `try` handler or a guard's failure label may be reached from
//! any instruction, so what is live there stays live everywhere in the
//! function (never moved, never dropped). `FunctionClause` reads the
//! arguments, so they are live until a clause is chosen; a self tail
//! call starts a new activation (its arguments are moved in), so it ends
//! every register's life like a return. A cell or tuple taken apart and
//! rebuilt in the same straight line is rewritten in place when unique
//! (`reuse.rs`).
//!
//! Every rewrite keeps the program's meaning: a moved-from register holds
//! `[]` and is provably never read, and a take from a tuple or cell
//! happens only when its count is one (else it clones), so no other
//! reference can see the hole (ARCHITECTURE.md, "Ownership").

mod effect;
mod liveness;
mod reuse;
mod rewrite;

use reef_bytecode::opcodes::Reg;
use reef_bytecode::{Instr, LineEntry};

use effect::*;
use liveness::*;
use rewrite::*;

/// What the analysis needs to know about the function beyond its code.
pub(crate) struct FnShape<'a> {
    pub arity: usize,
    /// Arguments plus captured values: registers set on entry.
    pub inputs: usize,
    pub num_regs: usize,
    /// The arity of a local function, by index (for `Call`'s window).
    pub fun_arity: &'a dyn Fn(u32) -> usize,
    /// The arity of an import, by index (for `CallExt`'s window).
    pub import_arity: &'a dyn Fn(u32) -> usize,
}

impl FnShape<'_> {
    /// A call's argument count, clamped to the frame (an arity the caller
    /// could not tell is `usize::MAX`: every register from `base` on).
    pub(super) fn window(&self, base: Reg, count: usize) -> usize {
        count.min(self.num_regs.saturating_sub(base as usize))
    }
}

/// Above this many bits of liveness (instructions times keys) the pass is
/// skipped: huge generated functions keep plain clones and drops (the
/// code is still correct, only less frugal), and compile time stays linear.
const MAX_BITS: usize = 1 << 26;

/// Rewrites a function's code with moves, takes and early drops.
/// `code` has its labels resolved; `lines` maps pcs to source lines.
pub(crate) fn apply(
    code: Vec<Instr>,
    lines: Vec<LineEntry>,
    shape: &FnShape,
) -> (Vec<Instr>, Vec<LineEntry>) {
    let keys = Keys::new(&code, shape.num_regs);
    // Superinstructions come after this pass (`peephole.rs`): code that
    // already has one is left as it is (a drop must never split a pair).
    if code.len().saturating_mul(keys.len()) > MAX_BITS || code.iter().any(is_fused) {
        return (code, lines);
    }
    let effects: Vec<Effect> = code.iter().map(|i| effect(i, shape)).collect();
    let a = analyse(&code, &keys, &effects);
    let scalar = scalar_regs(&code, shape);
    let n = code.len();
    // live_out[p], for the fall-through and targets.
    let live_out = |p: usize| {
        let e = &effects[p];
        let mut live = a.handler.clone();
        if let Some(fail) = a.guards[p] {
            live.or(&a.live_in[fail as usize]);
        }
        if e.falls && p + 1 < n {
            live.or(&a.live_in[p + 1]);
        }
        for &t in &e.targets {
            live.or(&a.live_in[t as usize]);
        }
        live
    };
    let mut targets = vec![false; n];
    for e in &effects {
        for &t in &e.targets {
            targets[t as usize] = true;
        }
    }
    let (mut rw, consumed): (Vec<Instr>, Vec<Vec<Reg>>) = (0..n)
        .map(|p| rewrite(code[p], &live_out(p), &keys))
        .unzip();
    reuse::pair(&effects, &targets, &mut rw);
    let mut out = Vec::with_capacity(n);
    let mut new_pc = Vec::with_capacity(n);
    for p in 0..n {
        let consumed = &consumed[p];
        new_pc.push(out.len() as u32);
        out.push(rw[p]);
        if effects[p].falls && p + 1 < n && !fused_compare(&code[p]) {
            for r in dying(p, &code, &effects, &a, &keys) {
                if !scalar[r as usize]
                    && !consumed.contains(&r)
                    && !ends_soon(&code, &effects, p, r)
                    && !number(&code, &targets, p, r)
                    && !tested_scalar(&code[p], r)
                {
                    out.push(Instr::Drop { src: r });
                }
            }
        }
    }
    for i in &mut out {
        super::function::patch_labels(i, |t| new_pc[t as usize]);
    }
    let lines = lines
        .into_iter()
        .map(|l| LineEntry {
            pc: new_pc[l.pc as usize],
            line: l.line,
        })
        .collect();
    (out, lines)
}
