//! Expressions, blocks and control flow. Three entry points:
//! [`FnBuilder::expr_to`] puts a value in a given register,
//! [`FnBuilder::expr_reg`] puts it anywhere and says where, and
//! [`FnBuilder::expr_tail`] compiles an expression in tail position (its
//! value is returned; calls there become tail calls). Calls are compiled
//! in `call.rs`, operators and guards in `operators.rs`.

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
    pub(super) fn args(&mut self, es: &[Expr]) -> Reg {
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
