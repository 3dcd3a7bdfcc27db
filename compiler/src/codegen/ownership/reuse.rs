//! Reuse (Perceus' "reuse" and Lean 4's `reset`/`reuse`): a branch that
//! takes a tuple or a list cell apart and then builds one of the same kind
//! writes the new value into the old block when that block is unique,
//! instead of freeing one block and allocating another. A map over a list
//! (`[f(h) | map(t, f)]`) or an update of a record (`(a, v + 1)`) then
//! allocates nothing when the input was its only reference.
//!
//! The rule: where a field read is the cell's last use (`GetHeadLast`,
//! `GetTailLast`, `GetElemLast` in register `r`), and a constructor of
//! the same kind follows in the same straight line of code (no jump
//! target, branch or return in between; no call whose window covers `r`;
//! `r` not written again), the read keeps the emptied block in `r`
//! (`..Take` instead of `..Last`) and the constructor becomes
//! `MakeConsReuse`/`MakeTupleReuse` with `r` as its token. The token is a
//! dead register, so consuming it is always right; the VM writes into it
//! only when its count is one, so no other reference can see the change,
//! and otherwise allocates as before (a shared cell, a tuple of another
//! size).

use reef_bytecode::opcodes::Reg;
use reef_bytecode::Instr;

use super::effect::Effect;

/// How far ahead of a cell's last read a constructor may be.
const WINDOW: usize = 32;

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Cell,
    Tuple,
}

/// Pairs last reads with later constructors in `rw` (the rewritten form
/// of each instruction, by original pc), in place.
pub(super) fn pair(effects: &[Effect], targets: &[bool], rw: &mut [Instr]) {
    for p in 0..rw.len() {
        let (kind, r) = match rw[p] {
            Instr::GetHeadLast { src, .. } | Instr::GetTailLast { src, .. } => (Kind::Cell, src),
            Instr::GetElemLast { src, .. } => (Kind::Tuple, src),
            _ => continue,
        };
        if let Some(q) = constructor(effects, targets, rw, p, kind, r) {
            rw[p] = kept(rw[p]);
            rw[q] = reusing(rw[q], r);
        }
    }
}

/// The constructor of `kind` that can reuse `r`'s block, if one follows
/// `p` in the same straight line.
fn constructor(
    effects: &[Effect],
    targets: &[bool],
    rw: &[Instr],
    p: usize,
    kind: Kind,
    r: Reg,
) -> Option<usize> {
    if !effects[p].falls || !effects[p].targets.is_empty() {
        return None;
    }
    for q in p + 1..rw.len().min(p + 1 + WINDOW) {
        if targets[q] {
            return None;
        }
        let e = &effects[q];
        if e.uses.contains(&r) {
            return None;
        }
        let fits = match rw[q] {
            Instr::MakeCons { .. } | Instr::MakeConsOwn { .. } => kind == Kind::Cell,
            Instr::MakeTupleLast { count, .. } => kind == Kind::Tuple && count > 0,
            _ => false,
        };
        if fits {
            return Some(q);
        }
        let clobbers = match rw[q] {
            Instr::Call { base, .. }
            | Instr::CallExt { base, .. }
            | Instr::CallFun { base, .. } => base <= r,
            _ => false,
        };
        if clobbers || e.def == Some(r) || !e.falls || !e.targets.is_empty() {
            return None;
        }
    }
    None
}

/// The read that leaves the emptied block in its register.
fn kept(i: Instr) -> Instr {
    match i {
        Instr::GetHeadLast { dst, src } => Instr::GetHeadTake { dst, src },
        Instr::GetTailLast { dst, src } => Instr::GetTailTake { dst, src },
        Instr::GetElemLast { dst, src, index } => Instr::GetElemTake { dst, src, index },
        other => other,
    }
}

/// The constructor that writes into the block in `token`.
fn reusing(i: Instr, token: Reg) -> Instr {
    match i {
        Instr::MakeCons { dst, head, tail } => Instr::MakeConsReuse {
            dst,
            head,
            tail,
            moves: 0,
            token,
        },
        Instr::MakeConsOwn {
            dst,
            head,
            tail,
            moves,
        } => Instr::MakeConsReuse {
            dst,
            head,
            tail,
            moves,
            token,
        },
        Instr::MakeTupleLast { dst, start, count } => Instr::MakeTupleReuse {
            dst,
            start,
            count,
            token,
        },
        other => other,
    }
}
