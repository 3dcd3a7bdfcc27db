//! Turning the analysis into code: which registers die at an
//! instruction, whether a drop is worth it, and the moving forms.

use reef_bytecode::opcodes::Reg;
use reef_bytecode::Instr;

use super::effect::*;
use super::liveness::*;

/// Registers holding something before `p` runs (read by it, written by
/// it, or live into it) and dead on its fall-through edge.
pub(super) fn dying(
    p: usize,
    code: &[Instr],
    effects: &[Effect],
    a: &Analysis,
    keys: &Keys,
) -> Vec<Reg> {
    let next = &a.live_in[p + 1];
    let mut held = a.live_in[p].clone();
    if let Some(d) = effects[p].def {
        held.set(d as usize);
    }
    let mut regs: Vec<Reg> = Vec::new();
    for (w, word) in held.0.iter().enumerate() {
        let mut bits = *word;
        while bits != 0 {
            let k = w * 64 + bits.trailing_zeros() as usize;
            bits &= bits - 1;
            let r = if k < keys.regs {
                k as Reg
            } else {
                keys.fields[k - keys.regs].0
            };
            if keys.dead(next, r) {
                regs.push(r);
            }
        }
    }
    // A call's arguments and everything above them belong to the callee
    // (its result, in the base register, is ours).
    let base = match code[p] {
        Instr::Call { base, .. } | Instr::CallExt { base, .. } | Instr::CallFun { base, .. } => {
            Some(base)
        }
        _ => None,
    };
    regs.retain(|&r| base.is_none_or(|b| r <= b));
    regs.sort_unstable();
    regs.dedup();
    regs
}

/// Whether a value dying after `p` is overwritten, or the frame ends,
/// within a few straight-line instructions without a call in between: a
/// `Drop` there would free it no sooner than the write or the return.
pub(super) fn ends_soon(code: &[Instr], effects: &[Effect], p: usize, r: Reg) -> bool {
    let mut q = p + 1;
    for _ in 0..8 {
        match code[q] {
            // A forward jump: follow it.
            Instr::Jump { target } if target as usize > q => {
                q = target as usize;
                continue;
            }
            Instr::Return { .. }
            | Instr::TailCall { .. }
            | Instr::TailCallExt { .. }
            | Instr::TailCallFun { .. } => return true,
            Instr::Call { .. } | Instr::CallExt { .. } | Instr::CallFun { .. } => return false,
            _ => {}
        }
        let e = &effects[q];
        if e.def == Some(r)
            && !e.uses.contains(&r)
            && field_read(&code[q]).is_none_or(|(s, _)| s != r)
        {
            return true;
        }
        if !e.falls || !e.targets.is_empty() || q + 1 >= code.len() {
            return false;
        }
        q += 1;
    }
    false
}

/// The ownership form of one instruction given what is live after it,
/// and the registers whose values it consumes (no drop needed after).
pub(super) fn rewrite(i: Instr, after: &Bits, keys: &Keys) -> (Instr, Vec<Reg>) {
    let dead = |r: Reg| keys.dead(after, r);
    // A field read whose register is never read as a whole again and
    // whose field is not read again: the element may be taken; the
    // register is gone when no field of it is read again either.
    let take = |src: Reg, dst: Reg, f: u16| -> Option<bool> {
        (dst != src && !after.get(src as usize) && !after.get(keys.field(src, f)))
            .then(|| dead(src))
    };
    match i {
        Instr::Move { dst, src } if dst != src && dead(src) => {
            (Instr::MoveLast { dst, src }, vec![src])
        }
        Instr::GetElem { dst, src, index } => match take(src, dst, index) {
            Some(true) => (Instr::GetElemLast { dst, src, index }, vec![src]),
            Some(false) => (Instr::GetElemTake { dst, src, index }, vec![]),
            None => (i, vec![]),
        },
        Instr::GetHead { dst, src } => match take(src, dst, 0) {
            Some(true) => (Instr::GetHeadLast { dst, src }, vec![src]),
            Some(false) => (Instr::GetHeadTake { dst, src }, vec![]),
            None => (i, vec![]),
        },
        Instr::GetTail { dst, src } => match take(src, dst, 1) {
            Some(true) => (Instr::GetTailLast { dst, src }, vec![src]),
            Some(false) => (Instr::GetTailTake { dst, src }, vec![]),
            None => (i, vec![]),
        },
        Instr::MakeTuple { dst, start, count }
            if count > 0 && range(start, count as usize).all(|r| r == dst || dead(r)) =>
        {
            (
                Instr::MakeTupleLast { dst, start, count },
                range(start, count as usize).collect(),
            )
        }
        Instr::MakeCons { dst, head, tail } => {
            let mut moves = 0;
            let mut consumed = vec![];
            if head != tail && (head == dst || dead(head)) {
                moves |= 1;
                consumed.push(head);
            }
            if tail == dst || dead(tail) {
                moves |= 2;
                consumed.push(tail);
            }
            if moves == 0 {
                (i, consumed)
            } else {
                (
                    Instr::MakeConsOwn {
                        dst,
                        head,
                        tail,
                        moves,
                    },
                    consumed,
                )
            }
        }
        Instr::UpdateMap {
            dst,
            map,
            start,
            count,
        } if !range(start, 2 * count as usize).any(|r| r == map)
            && (map == dst || dead(map))
            && range(start, 2 * count as usize).all(|r| r == dst || dead(r)) =>
        {
            let mut consumed: Vec<Reg> = range(start, 2 * count as usize).collect();
            consumed.push(map);
            (
                Instr::UpdateMapLast {
                    dst,
                    map,
                    start,
                    count,
                },
                consumed,
            )
        }
        // Arguments of a call (and everything above them) are the callee's;
        // a return moves its value.
        _ => (i, vec![]),
    }
}
