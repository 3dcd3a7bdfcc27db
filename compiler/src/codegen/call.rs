//! Calls: what a call by plain name refers to (a variable, a local
//! function, a built-in, an assertion), its argument window and the call
//! or tail call instruction.

use reef_bytecode::opcodes::Reg;
use reef_bytecode::{Const, Instr};

use super::function::FnBuilder;
use crate::ast::*;
use crate::builtins;

/// What a call by plain name refers to.
enum Callee {
    Var(Reg),
    Local(u32),
    Import(u32),
    /// An assertion built-in: the import of its `assertions` function,
    /// and whether the call's source text and location follow the
    /// arguments.
    Assertion(u32, bool),
}

impl FnBuilder<'_, '_> {
    fn callee(&mut self, name: &str, arity: usize) -> Callee {
        if let Some(r) = self.lookup(name) {
            return Callee::Var(r);
        }
        if let Some(&f) = self.mb.named.get(&(name.to_string(), arity)) {
            return Callee::Local(f);
        }
        if let Some(carries_source) = builtins::assertion(name, arity) {
            let (target, arity) = if carries_source {
                (format!("__{name}"), arity + 3)
            } else {
                (name.to_string(), arity)
            };
            let import = self.mb.import(builtins::ASSERTIONS_MODULE, &target, arity);
            return Callee::Assertion(import, carries_source);
        }
        debug_assert!(builtins::is_kernel(name, arity));
        Callee::Import(self.mb.import("kernel", name, arity))
    }

    /// A call into `dst`, or a tail call when `dst` is `None`.
    pub(super) fn call(&mut self, e: &Expr, dst: Option<Reg>) {
        let top = self.top;
        // Reuse `dst` as the call's base when it is the newest register.
        let base = match dst {
            Some(d) if d + 1 == self.top => {
                self.top = d;
                d
            }
            _ => self.top,
        };
        match &e.node {
            ExprKind::Call { name, args, .. } => match self.callee(name, args.len()) {
                Callee::Var(f) => {
                    let b = self.alloc();
                    self.emit(Instr::Move { dst: b, src: f });
                    self.args(args);
                    self.at(e.span.start);
                    self.emit_call_fun(b, args.len(), dst.is_none());
                }
                Callee::Local(func) => {
                    self.args(args);
                    self.ensure_result_reg(base);
                    self.at(e.span.start);
                    if dst.is_none() {
                        self.emit(Instr::TailCall { base, func });
                    } else {
                        self.emit(Instr::Call { base, func });
                    }
                }
                Callee::Assertion(import, carries_source) => {
                    let import = match comparison(name, args) {
                        // `assert(a == b)`: both sides are shown on failure.
                        Some((op, left, right)) => {
                            self.reserve(3);
                            for x in [left, right] {
                                let r = self.alloc();
                                self.expr_to(x, r);
                            }
                            let r = self.alloc();
                            let lit = self.mb.literal(Const::Str(op.symbol().to_string()));
                            self.emit(Instr::LoadLit { dst: r, lit });
                            self.mb
                                .import(builtins::ASSERTIONS_MODULE, "__assert_cmp", 6)
                        }
                        None => {
                            self.args(args);
                            import
                        }
                    };
                    if carries_source {
                        self.assertion_source(e);
                    }
                    self.call_ext(base, import, e.span.start, dst.is_none());
                }
                Callee::Import(import) => {
                    self.args(args);
                    self.call_ext(base, import, e.span.start, dst.is_none());
                }
            },
            ExprKind::RemoteCall { module, name, args } => {
                let import = self.mb.import(module, name, args.len());
                self.args(args);
                self.call_ext(base, import, e.span.start, dst.is_none());
            }
            ExprKind::Apply(f, args) => {
                let b = self.alloc();
                self.expr_to(f, b);
                self.args(args);
                self.at(e.span.start);
                self.emit_call_fun(b, args.len(), dst.is_none());
            }
            _ => unreachable!("call on a non-call expression"),
        }
        if let Some(d) = dst {
            if d != base {
                self.emit(Instr::Move { dst: d, src: base });
            }
        }
        self.top = top;
    }

    /// The three literal arguments an assertion built-in gets after its
    /// own, in the registers right above them: the call's source text,
    /// the file name and the line.
    fn assertion_source(&mut self, e: &Expr) {
        let text = self.mb.source.get(e.span.clone()).unwrap_or("").to_string();
        let file = self.mb.file_name.to_string();
        let line = self.mb.line_of(e.span.start);
        for c in [Const::Str(text), Const::Str(file)] {
            let r = self.alloc();
            let lit = self.mb.literal(c);
            self.emit(Instr::LoadLit { dst: r, lit });
        }
        let r = self.alloc();
        self.load_int(r, &line.to_string());
    }

    /// A zero-argument call still writes its result into `R[base]`.
    fn ensure_result_reg(&mut self, base: Reg) {
        while self.top <= base {
            self.alloc();
        }
    }

    /// A call of another module's function (`import`) whose arguments
    /// are in `R[base..]`: a tail call when `tail`.
    fn call_ext(&mut self, base: Reg, import: u32, at: usize, tail: bool) {
        self.ensure_result_reg(base);
        self.at(at);
        if tail {
            self.emit(Instr::TailCallExt { base, import });
        } else {
            self.emit(Instr::CallExt { base, import });
        }
    }

    fn emit_call_fun(&mut self, base: Reg, argc: usize, tail: bool) {
        let argc = argc as u16;
        if tail {
            self.emit(Instr::TailCallFun { base, argc });
        } else {
            self.emit(Instr::CallFun { base, argc });
        }
    }
}

/// `assert(a OP b)` with `OP` a comparison: the operator and both sides,
/// so a failure can show each side's value (as ExUnit's `assert a == b`).
/// The sides are evaluated left to right, as the comparison would be.
fn comparison<'e>(name: &str, args: &'e [Expr]) -> Option<(BinOp, &'e Expr, &'e Expr)> {
    match (name, args) {
        (
            "assert",
            [Spanned {
                node: ExprKind::Binary(op, a, b),
                ..
            }],
        ) if matches!(
            op,
            BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Gt | BinOp::Le | BinOp::Ge
        ) =>
        {
            Some((*op, a, b))
        }
        _ => None,
    }
}
