//! The function builder: instruction buffer, registers, variables in scope,
//! labels and their patching, line table, and the clause loop shared by
//! named functions and lambdas.
//!
//! Registers are allocated like a stack: `top` is the first free register.
//! A variable is an alias for the register that holds its value (values
//! never change, so a register bound to a name is never overwritten while
//! the name is in scope). Temporaries live above the variables and are
//! released by resetting `top`. Call arguments go at `top`, so every
//! register at or above a call's base is dead, as the calling convention
//! requires.

use reef_bytecode::opcodes::Reg;
use reef_bytecode::{FunKind, Function, Instr, LineEntry};

use super::{named_kind, ModuleBuilder, PendingLambda};
use crate::ast::{Block, Expr, Pattern, PatternKind, SmolStr};
use crate::resolve::FunDef;

/// A label before it is placed: an index into `FnBuilder::labels`.
pub(crate) type LabelId = u32;

/// A saved scope: the variables and registers to restore.
#[derive(Clone, Copy)]
pub(crate) struct Mark {
    vars: usize,
    top: Reg,
}

pub(crate) struct FnBuilder<'m, 'a> {
    pub mb: &'m mut ModuleBuilder<'a>,
    pub name: String,
    pub arity: usize,
    code: Vec<Instr>,
    lines: Vec<LineEntry>,
    line: u32,
    /// Source offset of the expression being compiled (for E0301).
    offset: usize,
    pub top: Reg,
    max: Reg,
    vars: Vec<(String, Reg)>,
    labels: Vec<Option<u32>>,
    /// Out-of-line error stubs, placed after the function's code.
    cold: Vec<(LabelId, Instr, u32)>,
    /// The failure label for the next top-level test (see [`Shape`]).
    pub first_fail: Option<LabelId>,
}

impl<'m, 'a> FnBuilder<'m, 'a> {
    fn new(mb: &'m mut ModuleBuilder<'a>, name: &str, arity: usize, first_free: usize) -> Self {
        FnBuilder {
            mb,
            name: name.to_string(),
            arity,
            code: Vec::new(),
            lines: Vec::new(),
            line: 0,
            offset: 0,
            top: first_free as Reg,
            max: first_free as Reg,
            vars: Vec::new(),
            labels: Vec::new(),
            cold: Vec::new(),
            first_fail: None,
        }
    }

    // ---- registers and scopes ----

    pub fn alloc(&mut self) -> Reg {
        if self.top == Reg::MAX {
            self.out_of_registers();
        }
        let r = self.top;
        self.top += 1;
        self.max = self.max.max(self.top);
        r
    }

    /// Allocates `n` consecutive registers and returns the first.
    pub fn alloc_n(&mut self, n: usize) -> Reg {
        self.reserve(n);
        let r = self.top;
        for _ in 0..n {
            self.alloc();
        }
        r
    }

    /// Makes sure `n` more registers can be allocated one by one without
    /// reaching the limit partway (callers compute `start + i`).
    pub fn reserve(&mut self, n: usize) {
        if self.top as usize + n > Reg::MAX as usize {
            self.out_of_registers();
        }
    }

    /// More registers than a frame holds: record where (the module will
    /// not be produced, `generate` reports E0301) and carry on from
    /// register 0, so that compiling the rest of the function needs no
    /// special case and no register arithmetic overflows.
    #[cold]
    fn out_of_registers(&mut self) {
        if self.mb.register_limit.is_none() {
            self.mb.register_limit = Some(self.offset);
        }
        self.top = 0;
    }

    pub fn mark(&self) -> Mark {
        Mark {
            vars: self.vars.len(),
            top: self.top,
        }
    }

    pub fn restore(&mut self, m: Mark) {
        self.vars.truncate(m.vars);
        self.top = m.top;
    }

    pub fn define(&mut self, name: &str, reg: Reg) {
        self.vars.push((name.to_string(), reg));
    }

    pub fn lookup(&self, name: &str) -> Option<Reg> {
        self.vars
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|&(_, r)| r)
    }

    // ---- code, labels, lines ----

    pub fn emit(&mut self, i: Instr) {
        if self.lines.last().map(|e| e.line) != Some(self.line) && self.line != 0 {
            self.lines.push(LineEntry {
                pc: self.code.len() as u32,
                line: self.line,
            });
        }
        self.code.push(i);
    }

    /// Sets the source line of the instructions that follow.
    pub fn at(&mut self, offset: usize) {
        self.offset = offset;
        self.line = self.mb.line_of(offset);
    }

    pub fn label(&mut self) -> LabelId {
        self.labels.push(None);
        (self.labels.len() - 1) as LabelId
    }

    pub fn place(&mut self, l: LabelId) {
        self.labels[l as usize] = Some(self.code.len() as u32);
    }

    /// Queues an out-of-line error stub reached by jumping to the returned
    /// label (e.g. `Badmatch`), keeping the hot path straight.
    pub fn cold(&mut self, i: Instr) -> LabelId {
        let l = self.label();
        self.cold.push((l, i, self.line));
        l
    }

    fn finish(mut self, kind: FunKind) -> Function {
        for (l, i, line) in std::mem::take(&mut self.cold) {
            self.line = line;
            self.place(l);
            self.emit(i);
        }
        let labels = &self.labels;
        let target = |id: u32| labels[id as usize].expect("every used label is placed");
        for i in &mut self.code {
            patch_labels(i, target);
        }
        let num_regs = self.max.max(1) as usize;
        let captured = match kind {
            FunKind::Lambda { captured } => captured as usize,
            FunKind::Named { .. } => 0,
        };
        let functions = &self.mb.resolved.functions;
        let imports = &self.mb.imports;
        let fun_arity = |f: u32| functions.get(f as usize).map_or(usize::MAX, |d| d.arity);
        let import_arity = |i: u32| {
            imports
                .get(i as usize)
                .map_or(usize::MAX, |d| d.arity as usize)
        };
        let shape = super::ownership::FnShape {
            arity: self.arity,
            inputs: self.arity + captured,
            num_regs,
            fun_arity: &fun_arity,
            import_arity: &import_arity,
        };
        // A function that ran out of registers is not produced (E0301),
        // and its operands may lie outside `num_regs`: no analysis.
        let (code, lines) = if self.mb.register_limit.is_some() {
            (self.code, self.lines)
        } else {
            super::ownership::apply(self.code, self.lines, &shape)
        };
        let mut code = code;
        if self.mb.register_limit.is_none() {
            super::tail_args::apply(&mut code, &fun_arity);
            if let FunKind::Named { .. } = kind {
                if let Some(&this) = self.mb.named.get(&(self.name.clone(), self.arity)) {
                    super::tail_args::self_loops(&mut code, this);
                }
            }
        }
        // After ownership: the fused pairs are then never split by a drop.
        super::peephole::fuse(&mut code);
        Function {
            name: self.name,
            arity: self.arity as u32,
            kind,
            num_regs: num_regs as u32,
            code,
            lines,
        }
    }

    // ---- clauses ----

    /// Compiles clauses whose arguments are in `R[0..arity]`: each clause
    /// tests its patterns and guard, falling through to the next clause;
    /// after the last, `FunctionClause`.
    fn clauses<'c>(
        &mut self,
        clauses: impl Iterator<Item = (&'c [Pattern], Option<&'c Expr>, &'c Block, usize)>,
    ) {
        let clauses: Vec<_> = clauses.collect();
        let shapes: Vec<Vec<Option<Shape>>> = clauses
            .iter()
            .map(|(params, ..)| params.iter().map(shape).collect())
            .collect();
        let nexts: Vec<LabelId> = clauses.iter().map(|_| self.label()).collect();
        for (i, (params, guard, body, offset)) in clauses.iter().enumerate() {
            let next = nexts[i];
            let mark = self.mark();
            self.at(*offset);
            let mut bound = super::pattern::Bound::new();
            for (k, p) in params.iter().enumerate() {
                let skip = skip_target(&shapes, i, k, &nexts);
                self.pattern_top(p, k as Reg, next, skip, &mut bound);
            }
            if let Some(g) = guard {
                self.guard(g, next);
            }
            self.block_tail(body);
            self.restore(mark);
            self.place(next);
        }
        self.emit(Instr::FunctionClause {});
    }
}

/// The first test a pattern makes on its value, when it has one that a
/// later clause could repeat: if that test fails, every following clause
/// whose pattern starts with the same test fails too, so clause selection
/// jumps past them instead of testing again.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Shape {
    Tuple(usize),
    /// A tuple of that size whose first element is that atom.
    Tagged(usize, String),
    Cons,
    Nil,
    Map,
    Int(SmolStr),
    Float(u64),
    Atom(String),
    Str(String),
}

pub(crate) fn shape(p: &Pattern) -> Option<Shape> {
    match &p.node {
        PatternKind::Tuple(ps) => Some(match ps.first().map(|p| &p.node) {
            Some(PatternKind::Atom(a)) => Shape::Tagged(ps.len(), a.clone()),
            _ => Shape::Tuple(ps.len()),
        }),
        PatternKind::List(ps, _) if !ps.is_empty() => Some(Shape::Cons),
        PatternKind::List(_, None) => Some(Shape::Nil),
        PatternKind::List(_, Some(t)) => shape(t),
        PatternKind::Map(_) => Some(Shape::Map),
        PatternKind::Int(d) => Some(Shape::Int(d.clone())),
        PatternKind::Float(f) => Some(Shape::Float(f.to_bits())),
        PatternKind::Atom(a) => Some(Shape::Atom(a.clone())),
        PatternKind::Str(s) => Some(Shape::Str(s.clone())),
        PatternKind::Alias(a, b) => shape(a).or_else(|| shape(b)),
        PatternKind::Wildcard | PatternKind::Bind(_) | PatternKind::Pin(_) => None,
    }
}

/// Where clause `i` goes when the first test of its pattern `k` fails: the
/// start of the first later clause that does not begin with the same test
/// on the same value (clause `j` starts at `nexts[j - 1]`), or the failure
/// code after the last clause.
pub(crate) fn skip_target(
    shapes: &[Vec<Option<Shape>>],
    i: usize,
    k: usize,
    nexts: &[LabelId],
) -> Option<LabelId> {
    let s = shapes[i].get(k)?.as_ref()?;
    let mut j = i + 1;
    while j < shapes.len() && shapes[j].get(k).and_then(|x| x.as_ref()) == Some(s) {
        j += 1;
    }
    Some(nexts[j - 1])
}

/// Compiles a named function (all its clauses).
pub(crate) fn compile_named(mb: &mut ModuleBuilder, f: &FunDef) -> Function {
    let mut b = FnBuilder::new(mb, &f.name, f.arity, f.arity);
    b.clauses(
        f.clauses
            .iter()
            .map(|c| (c.params.as_slice(), c.guard.as_ref(), &c.body, c.span.start)),
    );
    b.finish(named_kind(f.exported))
}

/// Compiles a lambda body: arguments in `R[0..arity]`, captured values in
/// `R[arity..arity+captured]`.
pub(crate) fn compile_lambda(mb: &mut ModuleBuilder, p: &PendingLambda) -> Function {
    let arity = p.clauses.first().map_or(0, |c| c.params.len());
    let mut b = FnBuilder::new(mb, &p.name, arity, arity + p.captures.len());
    for (i, name) in p.captures.iter().enumerate() {
        b.define(name, (arity + i) as Reg);
    }
    b.clauses(
        p.clauses
            .iter()
            .map(|c| (c.params.as_slice(), c.guard.as_ref(), &c.body, c.span.start)),
    );
    b.finish(FunKind::Lambda {
        captured: p.captures.len() as u32,
    })
}

/// Rewrites every label operand of an instruction.
pub(crate) fn patch_labels(i: &mut Instr, f: impl Fn(u32) -> u32) {
    match i {
        Instr::Jump { target }
        | Instr::JumpIfFalse { target, .. }
        | Instr::JumpIfTrue { target, .. }
        | Instr::RecvSkip { target }
        | Instr::RecvWait { target } => *target = f(*target),
        Instr::TestTrue { fail, .. }
        | Instr::TestEq { fail, .. }
        | Instr::TestEqLit { fail, .. }
        | Instr::TestEqAtom { fail, .. }
        | Instr::TestEqInt { fail, .. }
        | Instr::TestTuple { fail, .. }
        | Instr::TestTagged { fail, .. }
        | Instr::TestCons { fail, .. }
        | Instr::TestNil { fail, .. }
        | Instr::TestMap { fail, .. }
        | Instr::TestLt { fail, .. }
        | Instr::TestLe { fail, .. }
        | Instr::TestNe { fail, .. }
        | Instr::TestLtInt { fail, .. }
        | Instr::TestLeInt { fail, .. }
        | Instr::TestGtInt { fail, .. }
        | Instr::TestGeInt { fail, .. }
        | Instr::TestNeInt { fail, .. }
        | Instr::MapFind { fail, .. }
        | Instr::GuardBegin { fail } => *fail = f(*fail),
        Instr::TryBegin { handler, .. } => *handler = f(*handler),
        Instr::RecvNext { empty, .. } | Instr::RecvScanTagged { empty, .. } => *empty = f(*empty),
        Instr::RecvWaitTimeout {
            target, expired, ..
        } => {
            *target = f(*target);
            *expired = f(*expired);
        }
        _ => {}
    }
}
