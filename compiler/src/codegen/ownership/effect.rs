//! What each instruction reads, writes and where it may go next, and the
//! facts about registers the rewrite needs (scalars, numbers, tests).

use reef_bytecode::opcodes::Reg;
use reef_bytecode::Instr;

use super::FnShape;

pub(super) fn range(start: Reg, count: usize) -> impl Iterator<Item = Reg> {
    (start as usize..start as usize + count).map(|r| r as Reg)
}

/// What one instruction reads (whole registers), the register it always
/// writes (a write on one path only, as `MapFind`'s, is not counted: the
/// analysis stays conservative), where it may go next, and whether it
/// can fall through to the next instruction.
pub(super) struct Effect {
    pub(super) uses: Vec<Reg>,
    pub(super) def: Option<Reg>,
    /// Jump targets (the fall-through is `falls`).
    pub(super) targets: Vec<u32>,
    pub(super) falls: bool,
}

/// A superinstruction (a pair fused by the peephole pass).
pub(super) fn is_fused(i: &Instr) -> bool {
    matches!(
        i,
        Instr::AddIntCall { .. }
            | Instr::MoveCall { .. }
            | Instr::MoveLastCall { .. }
            | Instr::GetElem2 { .. }
            | Instr::AddReturn { .. }
    )
}

pub(super) fn effect(i: &Instr, shape: &FnShape) -> Effect {
    let mut e = Effect {
        uses: Vec::new(),
        def: None,
        targets: Vec::new(),
        falls: true,
    };
    let u = &mut e.uses;
    match *i {
        Instr::Move { dst, src } | Instr::MoveLast { dst, src } => {
            u.push(src);
            e.def = Some(dst);
        }
        // Never analysed (`apply` leaves such code alone); as the first
        // instruction of their pair, which stays after them.
        Instr::AddIntCall { dst, a: src, .. }
        | Instr::MoveCall { dst, src, .. }
        | Instr::MoveLastCall { dst, src, .. }
        | Instr::GetElem2 { dst, src, .. } => {
            u.push(src);
            e.def = Some(dst);
        }
        Instr::AddReturn { dst, a, b } => {
            u.extend([a, b]);
            e.def = Some(dst);
        }
        Instr::LoadLit { dst, .. }
        | Instr::LoadInt { dst, .. }
        | Instr::LoadAtom { dst, .. }
        | Instr::LoadNil { dst }
        | Instr::MakeFunRef { dst, .. }
        | Instr::MakeExtFunRef { dst, .. } => e.def = Some(dst),
        Instr::MakeTupleReuse {
            dst,
            start,
            count,
            token,
        } => {
            u.extend(range(start, count as usize));
            u.push(token);
            e.def = Some(dst);
        }
        Instr::MakeConsReuse {
            dst,
            head,
            tail,
            token,
            ..
        } => {
            u.extend([head, tail, token]);
            e.def = Some(dst);
        }
        Instr::MakeTuple { dst, start, count }
        | Instr::MakeTupleLast { dst, start, count }
        | Instr::Interp { dst, start, count }
        | Instr::MakeClosure {
            dst, start, count, ..
        } => {
            u.extend(range(start, count as usize));
            e.def = Some(dst);
        }
        Instr::MakeCons { dst, head, tail }
        | Instr::MakeConsOwn {
            dst, head, tail, ..
        } => {
            u.extend([head, tail]);
            e.def = Some(dst);
        }
        Instr::MakeMap { dst, start, count } => {
            u.extend(range(start, 2 * count as usize));
            e.def = Some(dst);
        }
        Instr::UpdateMap {
            dst,
            map,
            start,
            count,
        }
        | Instr::UpdateMapLast {
            dst,
            map,
            start,
            count,
        } => {
            u.push(map);
            u.extend(range(start, 2 * count as usize));
            e.def = Some(dst);
        }
        Instr::Add { dst, a, b }
        | Instr::Sub { dst, a, b }
        | Instr::Mul { dst, a, b }
        | Instr::Div { dst, a, b }
        | Instr::IntDiv { dst, a, b }
        | Instr::Rem { dst, a, b }
        | Instr::Eq { dst, a, b }
        | Instr::Ne { dst, a, b }
        | Instr::Lt { dst, a, b }
        | Instr::Le { dst, a, b }
        | Instr::Gt { dst, a, b }
        | Instr::Ge { dst, a, b }
        | Instr::ListConcat { dst, a, b }
        | Instr::StrConcat { dst, a, b } => {
            u.extend([a, b]);
            e.def = Some(dst);
        }
        Instr::Neg { dst, src } | Instr::Not { dst, src } | Instr::AddInt { dst, a: src, .. } => {
            u.push(src);
            e.def = Some(dst);
        }
        Instr::Jump { target } | Instr::RecvSkip { target } | Instr::RecvWait { target } => {
            e.targets.push(target);
            e.falls = false;
        }
        Instr::JumpIfFalse { cond, target } | Instr::JumpIfTrue { cond, target } => {
            u.push(cond);
            e.targets.push(target);
        }
        Instr::TestTrue { src, fail }
        | Instr::TestEqLit { src, fail, .. }
        | Instr::TestEqAtom { src, fail, .. }
        | Instr::TestEqInt { src, fail, .. }
        | Instr::TestTuple { src, fail, .. }
        | Instr::TestTagged { src, fail, .. }
        | Instr::TestCons { src, fail }
        | Instr::TestNil { src, fail }
        | Instr::TestMap { src, fail }
        | Instr::TestLtInt { src, fail, .. }
        | Instr::TestLeInt { src, fail, .. }
        | Instr::TestGtInt { src, fail, .. }
        | Instr::TestGeInt { src, fail, .. }
        | Instr::TestNeInt { src, fail, .. } => {
            u.push(src);
            e.targets.push(fail);
        }
        Instr::TestEq { a, b, fail }
        | Instr::TestNe { a, b, fail }
        | Instr::TestLt { a, b, fail }
        | Instr::TestLe { a, b, fail } => {
            u.extend([a, b]);
            e.targets.push(fail);
        }
        // Field reads: the key is the field, not the register (`Keys`).
        Instr::GetElem { dst, .. }
        | Instr::GetElemTake { dst, .. }
        | Instr::GetElemLast { dst, .. }
        | Instr::GetHead { dst, .. }
        | Instr::GetHeadTake { dst, .. }
        | Instr::GetHeadLast { dst, .. }
        | Instr::GetTail { dst, .. }
        | Instr::GetTailTake { dst, .. }
        | Instr::GetTailLast { dst, .. } => e.def = Some(dst),
        Instr::MapFind { map, key, fail, .. } => {
            u.extend([map, key]);
            e.targets.push(fail);
        }
        Instr::Call { base, func } => {
            u.extend(range(base, shape.window(base, (shape.fun_arity)(func))));
            e.def = Some(base);
        }
        Instr::CallExt { base, import } => {
            u.extend(range(
                base,
                shape.window(base, (shape.import_arity)(import)),
            ));
            e.def = Some(base);
        }
        Instr::CallFun { base, argc } => {
            u.extend(range(base, argc as usize + 1));
            e.def = Some(base);
        }
        Instr::TailCall { base, func } => {
            u.extend(range(base, shape.window(base, (shape.fun_arity)(func))));
            e.falls = false;
        }
        Instr::TailCallExt { base, import } => {
            u.extend(range(
                base,
                shape.window(base, (shape.import_arity)(import)),
            ));
            e.falls = false;
        }
        Instr::TailCallFun { base, argc } => {
            u.extend(range(base, argc as usize + 1));
            e.falls = false;
        }
        Instr::Return { src }
        | Instr::Badmatch { src }
        | Instr::CaseClause { src }
        | Instr::Raise { reason: src, .. } => {
            u.push(src);
            e.falls = false;
        }
        Instr::FunctionClause {} => {
            u.extend(range(0, shape.arity));
            e.falls = false;
        }
        Instr::Reraise { src } => {
            u.extend(range(src, 3));
            e.falls = false;
        }
        // Handlers are reached through `Analysis::handlers`.
        Instr::TryBegin { .. }
        | Instr::TryEnd {}
        | Instr::GuardBegin { .. }
        | Instr::GuardEnd {}
        | Instr::RecvAccept {} => {}
        Instr::RecvNext { empty, .. } | Instr::RecvScanTagged { empty, .. } => {
            e.targets.push(empty)
        }
        Instr::RecvWaitTimeout {
            timeout,
            target,
            expired,
        } => {
            u.push(timeout);
            e.targets.extend([target, expired]);
            e.falls = false;
        }
        Instr::Send { dest, msg } => u.extend([dest, msg]),
        Instr::RecvMarker { src } | Instr::Drop { src } => u.push(src),
    }
    e
}

/// Registers whose every write is a number, an atom or `[]` (never a
/// compound value): a dead one needs no `Drop` (a big integer, the rare
/// exception, is freed when the register is next written).
pub(super) fn scalar_regs(code: &[Instr], shape: &FnShape) -> Vec<bool> {
    let mut scalar = vec![true; shape.num_regs];
    for s in scalar.iter_mut().take(shape.inputs) {
        *s = false;
    }
    for i in code {
        let kind_scalar = matches!(
            i,
            Instr::LoadInt { .. }
                | Instr::LoadAtom { .. }
                | Instr::LoadNil { .. }
                | Instr::Add { .. }
                | Instr::Sub { .. }
                | Instr::Mul { .. }
                | Instr::Div { .. }
                | Instr::IntDiv { .. }
                | Instr::Rem { .. }
                | Instr::Neg { .. }
                | Instr::AddInt { .. }
                | Instr::Eq { .. }
                | Instr::Ne { .. }
                | Instr::Lt { .. }
                | Instr::Le { .. }
                | Instr::Gt { .. }
                | Instr::Ge { .. }
                | Instr::Not { .. }
        );
        if kind_scalar {
            continue;
        }
        for r in writes(i, shape) {
            if let Some(s) = scalar.get_mut(r as usize) {
                *s = false;
            }
        }
    }
    scalar
}

/// Every register an instruction may write, on any path (for
/// [`scalar_regs`]).
pub(super) fn writes(i: &Instr, shape: &FnShape) -> Vec<Reg> {
    match *i {
        Instr::MapFind { dst, .. }
        | Instr::RecvNext { dst, .. }
        | Instr::RecvScanTagged { dst, .. } => vec![dst],
        // The class (an atom) is a scalar; the reason and trace are not.
        Instr::TryBegin { dst, .. } => range(dst + 1, 2).collect(),
        _ => effect(i, shape).def.into_iter().collect(),
    }
}

/// Whether `R[r]` is known to hold a number at `p`: an arithmetic
/// instruction read it at `p` or earlier in the same straight line (it
/// would have raised otherwise). A dead number needs no `Drop` (a big
/// integer, the rare boxed one, is freed when its register is next
/// written).
pub(super) fn number(code: &[Instr], targets: &[bool], p: usize, r: Reg) -> bool {
    let mut q = p;
    loop {
        let reads = match code[q] {
            Instr::Add { a, b, .. }
            | Instr::Sub { a, b, .. }
            | Instr::Mul { a, b, .. }
            | Instr::Div { a, b, .. }
            | Instr::IntDiv { a, b, .. }
            | Instr::Rem { a, b, .. } => a == r || b == r,
            Instr::AddInt { a, .. } | Instr::Neg { src: a, .. } => a == r,
            _ => false,
        };
        if reads {
            return true;
        }
        if q == 0 || targets[q] || p - q >= 8 {
            return false;
        }
        q -= 1;
        // The previous instruction must fall into this one and not
        // write `r` (that would be a different value).
        let prev = &code[q];
        if writes_reg(prev, r)
            || matches!(
                prev,
                Instr::Jump { .. }
                    | Instr::Return { .. }
                    | Instr::TailCall { .. }
                    | Instr::TailCallExt { .. }
                    | Instr::TailCallFun { .. }
                    | Instr::Raise { .. }
                    | Instr::Badmatch { .. }
                    | Instr::CaseClause { .. }
                    | Instr::FunctionClause {}
                    | Instr::Reraise { .. }
                    | Instr::RecvWait { .. }
                    | Instr::RecvSkip { .. }
                    | Instr::RecvWaitTimeout { .. }
            )
        {
            return false;
        }
    }
}

/// Whether `p` is a test that, when it falls through, proved `R[r]` an
/// atom, a small integer or `[]` (nothing to drop).
pub(super) fn tested_scalar(i: &Instr, r: Reg) -> bool {
    match *i {
        Instr::TestNil { src, .. }
        | Instr::TestEqAtom { src, .. }
        | Instr::TestEqInt { src, .. } => src == r,
        _ => false,
    }
}

/// Whether an instruction writes `R[r]` (conservatively: any window a
/// call's callee may write counts).
pub(super) fn writes_reg(i: &Instr, r: Reg) -> bool {
    match *i {
        Instr::Call { base, .. } | Instr::CallExt { base, .. } | Instr::CallFun { base, .. } => {
            r >= base
        }
        Instr::TryBegin { dst, .. } => (dst..dst.saturating_add(3)).contains(&r),
        Instr::MapFind { dst, .. }
        | Instr::RecvNext { dst, .. }
        | Instr::RecvScanTagged { dst, .. } => dst == r,
        _ => {
            let mut w = false;
            // Every other write is an instruction's `dst`.
            if let Some(d) = dst_of(i) {
                w = d == r;
            }
            w
        }
    }
}

/// The destination register of an instruction that has one.
pub(super) fn dst_of(i: &Instr) -> Option<Reg> {
    let info = i.info();
    info.operands
        .iter()
        .zip(i.operand_values())
        .find(|((name, _), _)| *name == "dst")
        .map(|(_, v)| v as Reg)
}

/// A comparison the dispatch loop fuses with the test after it: nothing
/// may come between them.
pub(super) fn fused_compare(i: &Instr) -> bool {
    matches!(
        i,
        Instr::Eq { .. }
            | Instr::Ne { .. }
            | Instr::Lt { .. }
            | Instr::Le { .. }
            | Instr::Gt { .. }
            | Instr::Ge { .. }
    )
}
