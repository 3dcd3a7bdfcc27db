//! Conditions that branch: a guard or an `if` condition made of
//! comparisons (joined by `and`) compiles to compare-and-branch
//! instructions that jump to the failure label, instead of computing a
//! boolean into a register and testing it.

use reef_bytecode::Instr;

use super::expr::int_const;
use super::function::{FnBuilder, LabelId};
use crate::ast::{BinOp, Expr, ExprKind};

/// Is `e` a comparison, or comparisons joined by `and`?
fn comparisons(e: &Expr) -> bool {
    match &e.node {
        ExprKind::Binary(BinOp::And, a, b) => comparisons(a) && comparisons(b),
        ExprKind::Binary(op, _, _) => is_comparison(*op),
        _ => false,
    }
}

fn is_comparison(op: BinOp) -> bool {
    matches!(
        op,
        BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge
    )
}

/// `x op val` where `val` is a small integer literal on either side (the
/// comparison turned around when the literal is on the left).
fn with_immediate<'e>(op: BinOp, a: &'e Expr, b: &'e Expr) -> Option<(&'e Expr, i32, BinOp)> {
    let imm = |e: &Expr| match &e.node {
        ExprKind::Int(d) => int_const(d).ok(),
        _ => None,
    };
    if let Some(v) = imm(b) {
        return Some((a, v, op));
    }
    let flipped = match op {
        BinOp::Lt => BinOp::Gt,
        BinOp::Gt => BinOp::Lt,
        BinOp::Le => BinOp::Ge,
        BinOp::Ge => BinOp::Le,
        other => other,
    };
    imm(a).map(|v| (b, v, flipped))
}

impl FnBuilder<'_, '_> {
    /// If `c` is made of comparisons (see [`comparisons`]), emits tests
    /// that jump to `fail` unless it holds and returns true; otherwise
    /// emits nothing and returns false. Operands are evaluated in the same
    /// order as the boolean expression would be, and the right side of an
    /// `and` only when the left side held.
    pub(crate) fn test_cond(&mut self, c: &Expr, fail: LabelId) -> bool {
        if !comparisons(c) {
            return false;
        }
        self.emit_tests(c, fail);
        true
    }

    fn emit_tests(&mut self, c: &Expr, fail: LabelId) {
        let ExprKind::Binary(op, a, b) = &c.node else {
            unreachable!("checked by `comparisons`")
        };
        let top = self.top;
        if *op == BinOp::And {
            self.emit_tests(a, fail);
            self.emit_tests(b, fail);
            return;
        }
        if let Some((x, val, op)) = with_immediate(*op, a, b) {
            let src = self.expr_reg(x);
            self.at(c.span.start);
            self.emit(match op {
                BinOp::Eq => Instr::TestEqInt { src, val, fail },
                BinOp::Ne => Instr::TestNeInt { src, val, fail },
                BinOp::Lt => Instr::TestLtInt { src, val, fail },
                BinOp::Le => Instr::TestLeInt { src, val, fail },
                BinOp::Gt => Instr::TestGtInt { src, val, fail },
                _ => Instr::TestGeInt { src, val, fail },
            });
        } else {
            let ra = self.expr_reg(a);
            let rb = self.expr_reg(b);
            self.at(c.span.start);
            self.emit(match op {
                BinOp::Eq => Instr::TestEq { a: ra, b: rb, fail },
                BinOp::Ne => Instr::TestNe { a: ra, b: rb, fail },
                BinOp::Lt => Instr::TestLt { a: ra, b: rb, fail },
                BinOp::Le => Instr::TestLe { a: ra, b: rb, fail },
                // a > b is b < a, and a >= b is b <= a (the term order is total).
                BinOp::Gt => Instr::TestLt { a: rb, b: ra, fail },
                _ => Instr::TestLe { a: rb, b: ra, fail },
            });
        }
        self.top = top;
    }
}
