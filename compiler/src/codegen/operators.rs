//! Operators and guards: unary and binary operators (short-circuit
//! `and`/`or`, comparisons, arithmetic), and guards, which jump to a fail
//! label unless true (a guard that may raise is wrapped in a guard
//! handler).

use reef_bytecode::opcodes::Reg;
use reef_bytecode::{Const, Instr};

use super::expr::int_const;
use super::function::{FnBuilder, LabelId};
use crate::ast::*;
use crate::builtins;

impl FnBuilder<'_, '_> {
    // ---- operators ----

    pub(super) fn unary(&mut self, op: UnOp, x: &Expr, dst: Reg, e: &Expr) {
        match (op, &x.node) {
            (UnOp::Neg, ExprKind::Int(d)) => {
                let neg = match d.strip_prefix('-') {
                    Some(rest) => rest.to_string(),
                    None => format!("-{d}"),
                };
                self.load_int(dst, &neg);
            }
            (UnOp::Neg, ExprKind::Float(f)) => {
                let lit = self.mb.literal(Const::Float(-f));
                self.emit(Instr::LoadLit { dst, lit });
            }
            (UnOp::Neg, _) => {
                let src = self.expr_reg(x);
                self.at(e.span.start);
                self.emit(Instr::Neg { dst, src });
            }
            (UnOp::Not, _) => {
                let src = self.expr_reg(x);
                self.at(e.span.start);
                self.emit(Instr::Not { dst, src });
            }
        }
    }

    pub(super) fn binary(&mut self, op: BinOp, a: &Expr, b: &Expr, dst: Reg, e: &Expr) {
        match op {
            BinOp::And | BinOp::Or => {
                // Short-circuit: the left side must be a boolean; the
                // right side is the result as it is.
                let end = self.label();
                self.expr_to(a, dst);
                self.at(e.span.start);
                if op == BinOp::And {
                    self.emit(Instr::JumpIfFalse {
                        cond: dst,
                        target: end,
                    });
                } else {
                    self.emit(Instr::JumpIfTrue {
                        cond: dst,
                        target: end,
                    });
                }
                self.expr_to(b, dst);
                self.place(end);
                return;
            }
            BinOp::Add | BinOp::Sub => {
                // `1 + x` is `x + 1`: the literal has no effect to order.
                if let (BinOp::Add, ExprKind::Int(d)) = (op, &a.node) {
                    if let Ok(val) = int_const(d) {
                        let rb = self.expr_reg(b);
                        self.at(e.span.start);
                        self.emit(Instr::AddInt { dst, a: rb, val });
                        return;
                    }
                }
                if let ExprKind::Int(d) = &b.node {
                    if let Ok(v) = int_const(d) {
                        let val = if op == BinOp::Add {
                            Some(v)
                        } else {
                            v.checked_neg()
                        };
                        if let Some(val) = val {
                            let ra = self.expr_reg(a);
                            self.at(e.span.start);
                            self.emit(Instr::AddInt { dst, a: ra, val });
                            return;
                        }
                    }
                }
            }
            _ => {}
        }
        let ra = self.expr_reg(a);
        let rb = self.expr_reg(b);
        self.at(e.span.start);
        let (a, b) = (ra, rb);
        self.emit(match op {
            BinOp::Eq => Instr::Eq { dst, a, b },
            BinOp::Ne => Instr::Ne { dst, a, b },
            BinOp::Lt => Instr::Lt { dst, a, b },
            BinOp::Gt => Instr::Gt { dst, a, b },
            BinOp::Le => Instr::Le { dst, a, b },
            BinOp::Ge => Instr::Ge { dst, a, b },
            BinOp::ListConcat => Instr::ListConcat { dst, a, b },
            BinOp::StrConcat => Instr::StrConcat { dst, a, b },
            BinOp::Add => Instr::Add { dst, a, b },
            BinOp::Sub => Instr::Sub { dst, a, b },
            BinOp::Mul => Instr::Mul { dst, a, b },
            BinOp::Div => Instr::Div { dst, a, b },
            BinOp::IntDiv => Instr::IntDiv { dst, a, b },
            BinOp::Rem => Instr::Rem { dst, a, b },
            BinOp::And | BinOp::Or => unreachable!("handled above"),
        });
    }

    // ---- guards ----

    /// Compiles a guard: jumps to `fail` unless it is `true`. A guard that
    /// may raise is wrapped in a guard handler (raising means false).
    pub(crate) fn guard(&mut self, g: &Expr, fail: LabelId) {
        let top = self.top;
        self.at(g.span.start);
        let safe = guard_cannot_raise(g);
        if safe && self.test_cond(g, fail) {
            self.top = top;
            return;
        }
        if !safe {
            self.emit(Instr::GuardBegin { fail });
        }
        let r = self.expr_reg(g);
        if !safe {
            self.emit(Instr::GuardEnd {});
        }
        self.emit(Instr::TestTrue { src: r, fail });
        self.top = top;
    }
}

/// Can this guard expression never raise? Comparisons of variables and
/// literals and type tests cannot; anything else is wrapped.
fn guard_cannot_raise(g: &Expr) -> bool {
    fn simple(e: &Expr) -> bool {
        matches!(
            e.node,
            ExprKind::Var(_)
                | ExprKind::Int(_)
                | ExprKind::Float(_)
                | ExprKind::Atom(_)
                | ExprKind::Str(_)
        )
    }
    fn boolean(e: &Expr) -> bool {
        match &e.node {
            ExprKind::Binary(op, a, b) => match op {
                BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Gt | BinOp::Le | BinOp::Ge => {
                    simple(a) && simple(b)
                }
                BinOp::And | BinOp::Or => boolean(a) && boolean(b),
                _ => false,
            },
            ExprKind::Unary(UnOp::Not, x) => boolean(x),
            ExprKind::Call { name, args, .. } => {
                builtins::is_type_test(name) && args.len() == 1 && simple(&args[0])
            }
            ExprKind::Atom(a) => a == "true" || a == "false",
            _ => false,
        }
    }
    boolean(g)
}
