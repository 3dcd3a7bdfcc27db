//! The liveness sets: keys (registers, then tuple and cell fields), bit
//! vectors over them, and the backward fixpoint over the jump graph.

use reef_bytecode::opcodes::Reg;
use reef_bytecode::Instr;

use super::effect::*;

/// A set of keys (registers, then fields) as a bit vector.
#[derive(Clone, PartialEq)]
pub(super) struct Bits(pub(super) Vec<u64>);

impl Bits {
    pub(super) fn new(n: usize) -> Bits {
        Bits(vec![0; n.div_ceil(64)])
    }
    pub(super) fn get(&self, k: usize) -> bool {
        self.0[k / 64] >> (k % 64) & 1 == 1
    }
    pub(super) fn set(&mut self, k: usize) {
        self.0[k / 64] |= 1 << (k % 64);
    }
    pub(super) fn clear(&mut self, k: usize) {
        self.0[k / 64] &= !(1 << (k % 64));
    }
    pub(super) fn or(&mut self, o: &Bits) {
        for (a, b) in self.0.iter_mut().zip(&o.0) {
            *a |= b;
        }
    }
}

/// The keys of the analysis: register `r` is key `r`; each field read in
/// the code (`(register, index)`; a cell's head is index 0, its tail 1)
/// gets a key after the registers.
pub(super) struct Keys {
    pub(super) regs: usize,
    pub(super) fields: Vec<(Reg, u16)>,
    /// Field keys of each register.
    pub(super) of_reg: Vec<Vec<usize>>,
}

impl Keys {
    pub(super) fn new(code: &[Instr], regs: usize) -> Keys {
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
    pub(super) fn len(&self) -> usize {
        self.regs + self.fields.len()
    }
    pub(super) fn field(&self, r: Reg, i: u16) -> usize {
        self.regs
            + self
                .fields
                .binary_search(&(r, i))
                .expect("every field read has a key")
    }
    /// Nothing of `R[r]` (neither the whole nor a field) is read later.
    pub(super) fn dead(&self, live: &Bits, r: Reg) -> bool {
        !live.get(r as usize) && self.of_reg[r as usize].iter().all(|&k| !live.get(k))
    }
    pub(super) fn kill(&self, live: &mut Bits, r: Reg) {
        live.clear(r as usize);
        for &k in &self.of_reg[r as usize] {
            live.clear(k);
        }
    }
}

/// The field an instruction reads without reading the whole value.
pub(super) fn field_read(i: &Instr) -> Option<(Reg, u16)> {
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

/// Liveness: `live_in[p]` holds the keys read on some path from `p`
/// before being written. `handler` is what any `try` handler of the function
/// reads: live at every instruction.
pub(super) struct Analysis {
    pub(super) live_in: Vec<Bits>,
    pub(super) handler: Bits,
    /// The failure label of the guard around each instruction.
    pub(super) guards: Vec<Option<u32>>,
}

pub(super) fn analyse(code: &[Instr], keys: &Keys, effects: &[Effect]) -> Analysis {
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
