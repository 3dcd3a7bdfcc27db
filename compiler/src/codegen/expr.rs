//! Expressions, blocks and control flow. Three entry points:
//! [`FnBuilder::expr_to`] puts a value in a given register,
//! [`FnBuilder::expr_reg`] puts it anywhere and says where, and
//! [`FnBuilder::expr_tail`] compiles an expression in tail position (its
//! value is returned; calls there become tail calls).

use num_bigint::BigInt;
use reef_bytecode::opcodes::Reg;
use reef_bytecode::{Const, Instr};

use super::function::{shape, skip_target, FnBuilder, LabelId, Shape};
use crate::ast::*;
use crate::builtins;

/// List and map literals longer than this are built a chunk at a time
/// (`big_list`, `big_map`), so their size is not bounded by the 65,535
/// registers of a frame.
const LITERAL_CHUNK: usize = 1024;

/// An integer literal as an `i32` immediate, or else the literal constant.
pub(crate) fn int_const(digits: &str) -> Result<i32, Const> {
    if let Ok(v) = digits.parse::<i64>() {
        return i32::try_from(v).map_err(|_| Const::Int(v));
    }
    // The lexer has already normalised the digits (decimal, no `_`, no
    // leading zeros), so no big-integer parse here: converting a
    // 5,000,000-digit literal to a BigInt and back was quadratic.
    let magnitude = digits.strip_prefix('-').unwrap_or(digits);
    if !magnitude.is_empty() && magnitude.bytes().all(|b| b.is_ascii_digit()) {
        Err(Const::BigInt(digits.to_string()))
    } else {
        Err(Const::BigInt(
            digits
                .parse::<BigInt>()
                .map_or("0".into(), |b| b.to_string()),
        ))
    }
}

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
    pub(crate) fn load_int(&mut self, dst: Reg, digits: &str) {
        match int_const(digits) {
            Ok(val) => self.emit(Instr::LoadInt { dst, val }),
            Err(c) => {
                let lit = self.mb.literal(c);
                self.emit(Instr::LoadLit { dst, lit });
            }
        }
    }

    fn load_atom(&mut self, dst: Reg, name: &str) {
        let atom = self.mb.atom(name);
        self.emit(Instr::LoadAtom { dst, atom });
    }

    /// Evaluates `e` into some register: a variable's own register, or a
    /// new temporary.
    pub(crate) fn expr_reg(&mut self, e: &Expr) -> Reg {
        if let ExprKind::Var(name) = &e.node {
            if let Some(r) = self.lookup(name) {
                return r;
            }
        }
        let r = self.alloc();
        self.expr_to(e, r);
        r
    }

    /// Evaluates `e` for its effects only.
    fn expr_effect(&mut self, e: &Expr) {
        let top = self.top;
        if !matches!(
            e.node,
            ExprKind::Var(_) | ExprKind::Atom(_) | ExprKind::Int(_)
        ) {
            let r = self.alloc();
            self.expr_to(e, r);
        }
        self.top = top;
    }

    /// Evaluates `e` into `R[dst]`. Temporaries above `top` are released
    /// afterwards.
    pub(crate) fn expr_to(&mut self, e: &Expr, dst: Reg) {
        let top = self.top;
        match &e.node {
            ExprKind::Int(d) => self.load_int(dst, d),
            ExprKind::Float(f) => {
                let lit = self.mb.literal(Const::Float(*f));
                self.emit(Instr::LoadLit { dst, lit });
            }
            ExprKind::Atom(a) => self.load_atom(dst, a),
            ExprKind::Str(s) => {
                let lit = self.mb.literal(Const::Str(s.clone()));
                self.emit(Instr::LoadLit { dst, lit });
            }
            ExprKind::Interp(parts) => {
                let start = self.alloc_n(parts.len());
                for (i, p) in parts.iter().enumerate() {
                    let r = start + i as Reg;
                    match p {
                        InterpPart::Lit(s) => {
                            let lit = self.mb.literal(Const::Str(s.clone()));
                            self.emit(Instr::LoadLit { dst: r, lit });
                        }
                        InterpPart::Expr(x) => self.expr_to(x, r),
                    }
                }
                self.at(e.span.start);
                self.emit(Instr::Interp {
                    dst,
                    start,
                    count: parts.len() as u16,
                });
            }
            ExprKind::Var(name) => {
                let r = self.lookup(name).expect("resolver checked variables");
                if r != dst {
                    self.emit(Instr::Move { dst, src: r });
                }
            }
            ExprKind::Tuple(es) => {
                let start = self.args(es);
                self.emit(Instr::MakeTuple {
                    dst,
                    start,
                    count: es.len() as u16,
                });
            }
            ExprKind::List(es, tail) if es.len() > LITERAL_CHUNK => self.big_list(es, tail, dst),
            ExprKind::Map(pairs) if pairs.len() > LITERAL_CHUNK => self.big_map(pairs, dst),
            ExprKind::List(es, tail) => {
                let start = self.args(es);
                match tail {
                    Some(t) => self.expr_to(t, dst),
                    None => self.emit(Instr::LoadNil { dst }),
                }
                self.at(e.span.start);
                for i in (0..es.len()).rev() {
                    self.emit(Instr::MakeCons {
                        dst,
                        head: start + i as Reg,
                        tail: dst,
                    });
                }
            }
            ExprKind::Map(pairs) => {
                let start = self.pairs(pairs);
                self.emit(Instr::MakeMap {
                    dst,
                    start,
                    count: pairs.len() as u16,
                });
            }
            ExprKind::MapUpdate(m, pairs) => {
                let map = self.expr_reg(m);
                let start = self.pairs(pairs);
                self.at(e.span.start);
                self.emit(Instr::UpdateMap {
                    dst,
                    map,
                    start,
                    count: pairs.len() as u16,
                });
            }
            ExprKind::Lambda(clauses) => {
                let func = self.mb.lambda(clauses, &e.span);
                let captures = self.mb.resolved.captures_of(&e.span).to_vec();
                // An empty capture window still needs a valid register.
                let start = if captures.is_empty() {
                    0
                } else {
                    self.alloc_n(captures.len())
                };
                for (i, name) in captures.iter().enumerate() {
                    let r = self.lookup(name).expect("captured variables are in scope");
                    self.emit(Instr::Move {
                        dst: start + i as Reg,
                        src: r,
                    });
                }
                self.emit(Instr::MakeClosure {
                    dst,
                    func,
                    start,
                    count: captures.len() as u16,
                });
            }
            ExprKind::FnRef {
                module,
                name,
                arity,
            } => match module {
                None => match self.mb.named.get(&(name.clone(), *arity)) {
                    Some(&func) => self.emit(Instr::MakeFunRef { dst, func }),
                    // `&assert_eq/2`: the plain function, which has no
                    // source text to show.
                    None if builtins::assertion(name, *arity).is_some() => {
                        let import = self.mb.import(builtins::ASSERTIONS_MODULE, name, *arity);
                        self.emit(Instr::MakeExtFunRef { dst, import });
                    }
                    None => {
                        let import = self.mb.import("kernel", name, *arity);
                        self.emit(Instr::MakeExtFunRef { dst, import });
                    }
                },
                Some(m) => {
                    let import = self.mb.import(m, name, *arity);
                    self.emit(Instr::MakeExtFunRef { dst, import });
                }
            },
            ExprKind::Call { .. } | ExprKind::RemoteCall { .. } | ExprKind::Apply(..) => {
                self.call(e, Some(dst));
            }
            ExprKind::Unary(op, x) => self.unary(*op, x, dst, e),
            ExprKind::Binary(op, a, b) => self.binary(*op, a, b, dst, e),
            ExprKind::Send(d, m) => {
                let dest = self.expr_reg(d);
                let msg = self.expr_reg(m);
                self.at(e.span.start);
                self.emit(Instr::Send { dest, msg });
                if msg != dst {
                    self.emit(Instr::Move { dst, src: msg });
                }
            }
            ExprKind::Let(..) => {
                // Only reachable through a block statement (the resolver
                // rejects `let` elsewhere); handled by `stmt`.
                self.stmt(e, Some(dst));
                return;
            }
            ExprKind::Block(b) => self.block_to(b, dst),
            ExprKind::If(branches, els) => self.if_(branches, els.as_ref(), Some(dst)),
            ExprKind::Case(x, arms) => self.case(x, arms, Some(dst)),
            ExprKind::Receive(arms, after) => self.receive(arms, after.as_ref(), Some(dst)),
            ExprKind::Try(body, arms) => self.try_(body, arms, dst),
            ExprKind::TryAfter(inner, cleanup) => self.try_after(inner, cleanup, dst),
            ExprKind::For(quals, body) => self.comprehension(quals, body, Some(dst)),
            ExprKind::Error => self.load_atom(dst, "nil"),
        }
        self.top = top;
    }

    /// Compiles `e` in tail position: its value is returned.
    pub(crate) fn expr_tail(&mut self, e: &Expr) {
        match &e.node {
            ExprKind::Call { .. } | ExprKind::RemoteCall { .. } | ExprKind::Apply(..) => {
                self.call(e, None)
            }
            ExprKind::Block(b) => self.block_tail(b),
            ExprKind::If(branches, els) => self.if_(branches, els.as_ref(), None),
            ExprKind::Case(x, arms) => self.case(x, arms, None),
            ExprKind::Receive(arms, after) => self.receive(arms, after.as_ref(), None),
            ExprKind::Let(..) => self.stmt(e, None),
            ExprKind::For(quals, body) => self.comprehension(quals, body, None),
            _ => {
                let top = self.top;
                let r = self.expr_reg(e);
                self.emit(Instr::Return { src: r });
                self.top = top;
            }
        }
    }

    /// Compiles `e` into `dst`, or in tail position when `dst` is `None`.
    pub(super) fn expr_dst(&mut self, e: &Expr, dst: Option<Reg>) {
        match dst {
            Some(d) => self.expr_to(e, d),
            None => self.expr_tail(e),
        }
    }

    /// Evaluates expressions into consecutive new registers; returns the
    /// first.
    fn args(&mut self, es: &[Expr]) -> Reg {
        if es.is_empty() {
            // An empty window: any valid register will do.
            return 0;
        }
        self.reserve(es.len());
        let start = self.top;
        for x in es {
            let r = self.alloc();
            self.expr_to(x, r);
        }
        start
    }

    /// A list literal too long for one register window: each chunk of
    /// elements (evaluated left to right, as always) becomes a list in
    /// one register, and the chunks are joined from the right with `++`,
    /// which copies each element once. A million elements need ~1,000
    /// registers.
    fn big_list(&mut self, es: &[Expr], tail: &Option<Box<Expr>>, dst: Reg) {
        let top = self.top;
        let mut parts = Vec::new();
        for chunk in es.chunks(LITERAL_CHUNK) {
            let part = self.alloc();
            let above = self.top;
            let start = self.args(chunk);
            self.emit(Instr::LoadNil { dst: part });
            for i in (0..chunk.len()).rev() {
                self.emit(Instr::MakeCons {
                    dst: part,
                    head: start.wrapping_add(i as Reg),
                    tail: part,
                });
            }
            self.top = above;
            parts.push(part);
        }
        match tail {
            Some(t) => self.expr_to(t, dst),
            None => self.emit(Instr::LoadNil { dst }),
        }
        for part in parts.into_iter().rev() {
            self.emit(Instr::ListConcat {
                dst,
                a: part,
                b: dst,
            });
        }
        self.top = top;
    }

    /// A map literal too big for one register window: the first chunk of
    /// pairs makes the map, each later chunk updates it (pairs are still
    /// evaluated left to right, and a later duplicate key still wins).
    fn big_map(&mut self, pairs: &[(Expr, Expr)], dst: Reg) {
        let top = self.top;
        let acc = self.alloc();
        let above = self.top;
        for (n, chunk) in pairs.chunks(LITERAL_CHUNK).enumerate() {
            let start = self.pairs(chunk);
            let count = chunk.len() as u16;
            if n == 0 {
                self.emit(Instr::MakeMap {
                    dst: acc,
                    start,
                    count,
                });
            } else {
                self.emit(Instr::UpdateMap {
                    dst: acc,
                    map: acc,
                    start,
                    count,
                });
            }
            self.top = above;
        }
        self.emit(Instr::Move { dst, src: acc });
        self.top = top;
    }

    fn pairs(&mut self, pairs: &[(Expr, Expr)]) -> Reg {
        if pairs.is_empty() {
            return 0;
        }
        self.reserve(2 * pairs.len());
        let start = self.top;
        for (k, v) in pairs {
            let rk = self.alloc();
            self.expr_to(k, rk);
            let rv = self.alloc();
            self.expr_to(v, rv);
        }
        start
    }

    // ---- blocks and statements ----

    pub(crate) fn block_to(&mut self, b: &Block, dst: Reg) {
        self.block(b, Some(dst));
    }

    pub(crate) fn block_tail(&mut self, b: &Block) {
        self.block(b, None);
    }

    fn block(&mut self, b: &Block, dst: Option<Reg>) {
        let mark = self.mark();
        match b.exprs.split_last() {
            None => {
                self.at(b.span.start);
                self.nil_dst(dst);
            }
            Some((last, init)) => {
                for s in init {
                    self.at(s.span.start);
                    match &s.node {
                        ExprKind::Let(..) => self.stmt(s, Some(Reg::MAX)),
                        _ => self.expr_effect(s),
                    }
                }
                self.at(last.span.start);
                match &last.node {
                    ExprKind::Let(..) => self.stmt(last, dst),
                    _ => self.expr_dst(last, dst),
                }
            }
        }
        self.restore(mark);
    }

    fn nil_dst(&mut self, dst: Option<Reg>) {
        match dst {
            Some(d) => self.load_atom(d, "nil"),
            None => {
                let r = self.alloc();
                self.load_atom(r, "nil");
                self.emit(Instr::Return { src: r });
            }
        }
    }

    /// A `let` statement: its names stay bound for the rest of the block.
    /// `dst` receives the value (`Reg::MAX` means nowhere; `None` returns
    /// it).
    fn stmt(&mut self, s: &Expr, dst: Option<Reg>) {
        let ExprKind::Let(p, x) = &s.node else {
            unreachable!("stmt is only called on let")
        };
        let r = self.expr_reg(x);
        let mut bound = super::pattern::Bound::new();
        if Self::irrefutable(p) {
            // No test is emitted, so no failure label is needed.
            if let PatternKind::Bind(name) = &p.node {
                self.define(name, r);
            }
        } else {
            let fail = self.cold(Instr::Badmatch { src: r });
            self.pattern(p, r, fail, &mut bound);
        }
        match dst {
            Some(Reg::MAX) => {}
            Some(d) => {
                if d != r {
                    self.emit(Instr::Move { dst: d, src: r });
                }
            }
            None => self.emit(Instr::Return { src: r }),
        }
    }

    // ---- calls ----

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
    fn call(&mut self, e: &Expr, dst: Option<Reg>) {
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

    // ---- operators ----

    fn unary(&mut self, op: UnOp, x: &Expr, dst: Reg, e: &Expr) {
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

    fn binary(&mut self, op: BinOp, a: &Expr, b: &Expr, dst: Reg, e: &Expr) {
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

    // ---- control flow ----

    fn if_(&mut self, branches: &[(Expr, Block)], els: Option<&Block>, dst: Option<Reg>) {
        let end = self.label();
        for (cond, body) in branches {
            let next = self.label();
            let mark = self.mark();
            self.at(cond.span.start);
            if !self.test_cond(cond, next) {
                let c = self.expr_reg(cond);
                self.emit(Instr::JumpIfFalse {
                    cond: c,
                    target: next,
                });
            }
            self.restore(mark);
            self.block(body, dst);
            if dst.is_some() {
                self.emit(Instr::Jump { target: end });
            }
            self.place(next);
        }
        match els {
            Some(b) => self.block(b, dst),
            None => self.nil_dst(dst),
        }
        self.place(end);
    }

    /// Arms tried in order against `R[src]`; `on_match` runs after the
    /// pattern and guard matched, before the body. Returns the label where
    /// control lands when no arm matches (placed by the caller).
    pub(super) fn arms(
        &mut self,
        arms: &[Arm],
        src: Reg,
        dst: Option<Reg>,
        end: LabelId,
        on_match: Option<Instr>,
    ) -> LabelId {
        let shapes: Vec<Vec<Option<Shape>>> =
            arms.iter().map(|a| vec![shape(&a.pattern)]).collect();
        let nexts: Vec<LabelId> = arms.iter().map(|_| self.label()).collect();
        for (i, arm) in arms.iter().enumerate() {
            let next = nexts[i];
            let mark = self.mark();
            self.at(arm.span.start);
            let mut bound = super::pattern::Bound::new();
            let skip = skip_target(&shapes, i, 0, &nexts);
            self.pattern_top(&arm.pattern, src, next, skip, &mut bound);
            if let Some(g) = &arm.guard {
                self.guard(g, next);
            }
            if let Some(i) = on_match {
                self.emit(i);
            }
            self.at(arm.body.span.start);
            self.arm_body(&arm.body, dst);
            if dst.is_some() {
                self.emit(Instr::Jump { target: end });
            }
            self.restore(mark);
            self.place(next);
        }
        let next = self.label();
        // The last `next` label is unused; the caller's failure code
        // follows the last placed label.
        next
    }

    /// An arm body may be a `let` (its names are scoped to the arm).
    pub(super) fn arm_body(&mut self, body: &Expr, dst: Option<Reg>) {
        match &body.node {
            ExprKind::Let(..) => self.stmt(body, dst),
            _ => self.expr_dst(body, dst),
        }
    }

    fn case(&mut self, x: &Expr, arms: &[Arm], dst: Option<Reg>) {
        let top = self.top;
        let s = self.expr_reg(x);
        let end = self.label();
        self.arms(arms, s, dst, end, None);
        self.emit(Instr::CaseClause { src: s });
        self.place(end);
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
