//! `try`: the body under a handler (`TryBegin`/`TryEnd`), the `catch` arms
//! tried against `(class, reason)` or `(class, reason, stacktrace)` (no
//! arm matching raises the exception again), and `after`.
//!
//! `after` is compiled once, at the handler of an outer `TryBegin` that
//! covers both the body and the `catch` arms: the normal path stores `nil`
//! in the class register (a real class is always `:error`, `:exit` or
//! `:throw`) and falls into the same code, and after the cleanup a class
//! that is not `nil` is raised again with its original stack trace. One
//! copy of the cleanup (Erlang's compiler emits two) keeps code size
//! linear in nested `after`s. An exception inside the cleanup simply
//! propagates, replacing the one being handled, as in Erlang. The body is
//! never in tail position: its handler must be popped when it returns.

use reef_bytecode::opcodes::Reg;
use reef_bytecode::Instr;

use super::function::FnBuilder;
use crate::ast::*;

impl FnBuilder<'_, '_> {
    pub(super) fn try_(&mut self, body: &Block, arms: &[Arm], dst: Reg) {
        let top = self.top;
        let c = self.alloc_n(3);
        let handler = self.label();
        let end = self.label();
        self.at(body.span.start);
        self.emit(Instr::TryBegin { dst: c, handler });
        self.block_to(body, dst);
        self.emit(Instr::TryEnd {});
        self.emit(Instr::Jump { target: end });
        self.place(handler);
        let mut next = self.label();
        for arm in arms {
            let mark = self.mark();
            self.at(arm.span.start);
            let mut bound = super::pattern::Bound::new();
            match &arm.pattern.node {
                PatternKind::Tuple(ps) if ps.len() == 2 || ps.len() == 3 => {
                    for (i, p) in ps.iter().enumerate() {
                        self.pattern(p, c + i as Reg, next, &mut bound);
                    }
                }
                _ => {
                    let t = self.alloc();
                    self.emit(Instr::MakeTuple {
                        dst: t,
                        start: c,
                        count: 2,
                    });
                    self.pattern(&arm.pattern, t, next, &mut bound);
                }
            }
            if let Some(g) = &arm.guard {
                self.guard(g, next);
            }
            self.arm_body(&arm.body, Some(dst));
            self.emit(Instr::Jump { target: end });
            self.restore(mark);
            self.place(next);
            next = self.label();
        }
        self.emit(Instr::Reraise { src: c });
        self.place(end);
        self.top = top;
    }

    /// `protected after { cleanup }` into `R[dst]`: `protected` is the
    /// body (a block) or a whole `try ... catch`.
    pub(super) fn try_after(&mut self, protected: &Expr, cleanup: &Block, dst: Reg) {
        let top = self.top;
        let c = self.alloc_n(3);
        let handler = self.label();
        let nil = self.mb.atom("nil");
        self.at(protected.span.start);
        self.emit(Instr::TryBegin { dst: c, handler });
        self.expr_to(protected, dst);
        self.emit(Instr::TryEnd {});
        self.emit(Instr::LoadAtom { dst: c, atom: nil });
        self.place(handler);
        let mark = self.mark();
        let r = self.alloc();
        self.at(cleanup.span.start);
        self.block_to(cleanup, r);
        self.restore(mark);
        let again = self.cold(Instr::Reraise { src: c });
        self.emit(Instr::TestEqAtom {
            src: c,
            atom: nil,
            fail: again,
        });
        self.top = top;
    }
}
