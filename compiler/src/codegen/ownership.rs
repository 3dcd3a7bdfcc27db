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
//! every register's life like a return.
//!
//! Every rewrite keeps the program's meaning: a moved-from register holds
//! `[]` and is provably never read, and a take from a tuple or cell
//! happens only when its count is one (else it clones), so no other
//! reference can see the hole (ARCHITECTURE.md, "Ownership").

use reef_bytecode::opcodes::Reg;
use reef_bytecode::{Instr, LineEntry};

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
    fn window(&self, base: Reg, count: usize) -> usize {
        count.min(self.num_regs.saturating_sub(base as usize))
    }
}

/// Above this many bits of liveness (instructions times keys) the pass is
/// skipped: huge generated functions keep plain clones and drops (the
/// code is still correct, only less frugal), and compile time stays linear.
const MAX_BITS: usize = 1 << 26;

/// A set of keys (registers, then fields) as a bit vector.
#[derive(Clone, PartialEq)]
struct Bits(Vec<u64>);

impl Bits {
    fn new(n: usize) -> Bits {
        Bits(vec![0; n.div_ceil(64)])
    }
    fn get(&self, k: usize) -> bool {
        self.0[k / 64] >> (k % 64) & 1 == 1
    }
    fn set(&mut self, k: usize) {
        self.0[k / 64] |= 1 << (k % 64);
    }
    fn clear(&mut self, k: usize) {
        self.0[k / 64] &= !(1 << (k % 64));
    }
    fn or(&mut self, o: &Bits) {
        for (a, b) in self.0.iter_mut().zip(&o.0) {
            *a |= b;
        }
    }
}

/// The keys of the analysis: register `r` is key `r`; each field read in
/// the code (`(register, index)`; a cell's head is index 0, its tail 1)
/// gets a key after the registers.
struct Keys {
    regs: usize,
    fields: Vec<(Reg, u16)>,
    /// Field keys of each register.
    of_reg: Vec<Vec<usize>>,
}

impl Keys {
    fn new(code: &[Instr], regs: usize) -> Keys {
        let mut fields: Vec<(Reg, u16)> = code.iter().filter_map(field_read).collect();
        fields.sort_unstable();
        fields.dedup();
        let mut of_reg = vec![Vec::new(); regs];
        for (i, &(r, _)) in fields.iter().enumerate() {
            of_reg[r as usize].push(regs + i);
        }
        Keys {
            regs,
            fields,
            of_reg,
        }
    }
    fn len(&self) -> usize {
        self.regs + self.fields.len()
    }
    fn field(&self, r: Reg, i: u16) -> usize {
        self.regs
            + self
                .fields
                .binary_search(&(r, i))
                .expect("every field read has a key")
    }
    /// Nothing of `R[r]` (neither the whole nor a field) is read later.
    fn dead(&self, live: &Bits, r: Reg) -> bool {
        !live.get(r as usize) && self.of_reg[r as usize].iter().all(|&k| !live.get(k))
    }
    fn kill(&self, live: &mut Bits, r: Reg) {
        live.clear(r as usize);
        for &k in &self.of_reg[r as usize] {
            live.clear(k);
        }
    }
}

/// The field an instruction reads without reading the whole value.
fn field_read(i: &Instr) -> Option<(Reg, u16)> {
    match *i {
        Instr::GetElem { src, index, .. }
        | Instr::GetElemTake { src, index, .. }
        | Instr::GetElemLast { src, index, .. } => Some((src, index)),
        Instr::GetHead { src, .. }
        | Instr::GetHeadTake { src, .. }
        | Instr::GetHeadLast { src, .. } => Some((src, 0)),
        Instr::GetTail { src, .. }
        | Instr::GetTailTake { src, .. }
        | Instr::GetTailLast { src, .. } => Some((src, 1)),
        _ => None,
    }
}

fn range(start: Reg, count: usize) -> impl Iterator<Item = Reg> {
    (start as usize..start as usize + count).map(|r| r as Reg)
}

/// What one instruction reads (whole registers), the register it always
/// writes (a write on one path only, as `MapFind`'s, is not counted: the
/// analysis stays conservative), where it may go next, and whether it
/// can fall through to the next instruction.
struct Effect {
    uses: Vec<Reg>,
    def: Option<Reg>,
    /// Jump targets (the fall-through is `falls`).
    targets: Vec<u32>,
    falls: bool,
}

/// A superinstruction (a pair fused by the peephole pass).
fn is_fused(i: &Instr) -> bool {
    matches!(
        i,
        Instr::AddIntCall { .. } | Instr::MoveCall { .. } | Instr::GetElem2 { .. }
    )
}

fn effect(i: &Instr, shape: &FnShape) -> Effect {
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
        | Instr::GetElem2 { dst, src, .. } => {
            u.push(src);
            e.def = Some(dst);
        }
        Instr::LoadLit { dst, .. }
        | Instr::LoadInt { dst, .. }
        | Instr::LoadAtom { dst, .. }
        | Instr::LoadNil { dst }
        | Instr::MakeFunRef { dst, .. }
        | Instr::MakeExtFunRef { dst, .. } => e.def = Some(dst),
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
fn scalar_regs(code: &[Instr], shape: &FnShape) -> Vec<bool> {
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
fn writes(i: &Instr, shape: &FnShape) -> Vec<Reg> {
    match *i {
        Instr::MapFind { dst, .. }
        | Instr::RecvNext { dst, .. }
        | Instr::RecvScanTagged { dst, .. } => vec![dst],
        // The class (an atom) is a scalar; the reason and trace are not.
        Instr::TryBegin { dst, .. } => range(dst + 1, 2).collect(),
        _ => effect(i, shape).def.into_iter().collect(),
    }
}

/// Liveness: `live_in[p]` holds the keys read on some path from `p`
/// before being written. `handler` is what any `try` handler of the function
/// reads: live at every instruction.
struct Analysis {
    live_in: Vec<Bits>,
    handler: Bits,
    /// The failure label of the guard around each instruction.
    guards: Vec<Option<u32>>,
}

fn analyse(code: &[Instr], keys: &Keys, effects: &[Effect]) -> Analysis {
    let n = code.len();
    let k = keys.len();
    let mut live_in = vec![Bits::new(k); n];
    // A guard that raises is false: its failure label may be reached from
    // anywhere between `GuardBegin` and `GuardEnd` (a guard is one
    // straight stretch of code, never nested).
    let mut guards: Vec<Option<u32>> = vec![None; n];
    for (g, i) in code.iter().enumerate() {
        if let Instr::GuardBegin { fail } = *i {
            for (q, slot) in guards.iter_mut().enumerate().skip(g) {
                *slot = Some(fail);
                if matches!(code[q], Instr::GuardEnd {}) {
                    break;
                }
            }
        }
    }
    let mut handler = Bits::new(k);
    // Use sets, field reads included.
    let uses: Vec<Bits> = code
        .iter()
        .zip(effects)
        .map(|(i, e)| {
            let mut b = Bits::new(k);
            for &r in &e.uses {
                b.set(r as usize);
            }
            if let Some((r, f)) = field_read(i) {
                b.set(keys.field(r, f));
            }
            b
        })
        .collect();
    loop {
        let mut changed = false;
        // What a handler entry reads (a try handler's class, reason and
        // trace registers are written by the unwinding, not read).
        let mut h = Bits::new(k);
        for i in code {
            if let Instr::TryBegin { dst, handler } = *i {
                let mut at = live_in[handler as usize].clone();
                for r in range(dst, 3) {
                    keys.kill(&mut at, r);
                }
                h.or(&at);
            }
        }
        if h != handler {
            handler = h;
            changed = true;
        }
        for p in (0..n).rev() {
            let e = &effects[p];
            let mut live = handler.clone();
            if let Some(fail) = guards[p] {
                live.or(&live_in[fail as usize]);
            }
            if e.falls && p + 1 < n {
                live.or(&live_in[p + 1]);
            }
            for &t in &e.targets {
                live.or(&live_in[t as usize]);
            }
            if let Some(d) = e.def {
                keys.kill(&mut live, d);
            }
            live.or(&uses[p]);
            live.or(&handler);
            if live != live_in[p] {
                live_in[p] = live;
                changed = true;
            }
        }
        if !changed {
            return Analysis {
                live_in,
                handler,
                guards,
            };
        }
    }
}

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
    let mut out = Vec::with_capacity(n);
    let mut new_pc = Vec::with_capacity(n);
    for p in 0..n {
        let after = live_out(p);
        let (instr, consumed) = rewrite(code[p], &after, &keys);
        new_pc.push(out.len() as u32);
        out.push(instr);
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

/// Whether `R[r]` is known to hold a number at `p`: an arithmetic
/// instruction read it at `p` or earlier in the same straight line (it
/// would have raised otherwise). A dead number needs no `Drop` (a big
/// integer, the rare boxed one, is freed when its register is next
/// written).
fn number(code: &[Instr], targets: &[bool], p: usize, r: Reg) -> bool {
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
fn tested_scalar(i: &Instr, r: Reg) -> bool {
    match *i {
        Instr::TestNil { src, .. }
        | Instr::TestEqAtom { src, .. }
        | Instr::TestEqInt { src, .. } => src == r,
        _ => false,
    }
}

/// Whether an instruction writes `R[r]` (conservatively: any window a
/// call's callee may write counts).
fn writes_reg(i: &Instr, r: Reg) -> bool {
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
fn dst_of(i: &Instr) -> Option<Reg> {
    let info = i.info();
    info.operands
        .iter()
        .zip(i.operand_values())
        .find(|((name, _), _)| *name == "dst")
        .map(|(_, v)| v as Reg)
}

/// A comparison the dispatch loop fuses with the test after it: nothing
/// may come between them.
fn fused_compare(i: &Instr) -> bool {
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

/// Registers holding something before `p` runs (read by it, written by
/// it, or live into it) and dead on its fall-through edge.
fn dying(p: usize, code: &[Instr], effects: &[Effect], a: &Analysis, keys: &Keys) -> Vec<Reg> {
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
fn ends_soon(code: &[Instr], effects: &[Effect], p: usize, r: Reg) -> bool {
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
fn rewrite(i: Instr, after: &Bits, keys: &Keys) -> (Instr, Vec<Reg>) {
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
