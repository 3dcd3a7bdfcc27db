//! Comprehensions: `for x in xs, y in ys, x < y { (x, y) }` compiles to
//! nested loops of jumps inside the current function (no helper function,
//! no intermediate list): each generator walks its list with `TestCons`,
//! `GetHead`, `GetTail` and a backward `Jump` (which costs a reduction, so
//! every iteration can be preempted), filters branch to the next element,
//! and the body's value is consed onto an accumulator that `lists.reverse`
//! turns around at the end (as Erlang's compiler does). The stack does not
//! grow with the number of elements; in tail position the final reverse is
//! a tail call.
//!
//! Errors follow Erlang: a generator over a value that is neither a list
//! nor a map, or a list with an improper tail, raises
//! `(:bad_generator, v)`; a filter that is neither `true` nor `false`
//! raises `(:bad_filter, v)`. A map is walked as its `(key, value)` pairs
//! in key order (`maps.to_list`).

use reef_bytecode::opcodes::Reg;
use reef_bytecode::Instr;

use super::function::FnBuilder;
use crate::ast::*;

impl FnBuilder<'_, '_> {
    /// A comprehension into `dst`, or returned when `dst` is `None`.
    pub(super) fn comprehension(&mut self, quals: &[Qualifier], body: &Block, dst: Option<Reg>) {
        let mark = self.mark();
        let acc = self.alloc();
        self.emit(Instr::LoadNil { dst: acc });
        self.qualifiers(quals, body, acc);
        let reverse = self.mb.import("lists", "reverse", 1);
        let base = self.alloc();
        self.emit(Instr::Move {
            dst: base,
            src: acc,
        });
        // The accumulator's register is dead from here on, but would keep
        // the whole unreversed list alive until something overwrites it.
        self.emit(Instr::LoadNil { dst: acc });
        match dst {
            None => self.emit(Instr::TailCallExt {
                base,
                import: reverse,
            }),
            Some(d) => {
                self.emit(Instr::CallExt {
                    base,
                    import: reverse,
                });
                self.emit(Instr::Move { dst: d, src: base });
            }
        }
        self.restore(mark);
    }

    /// The qualifiers from the first of `quals` on, then the body. Each
    /// part falls through to the code after it once it is done (with all
    /// its elements, or with a rejected one).
    fn qualifiers(&mut self, quals: &[Qualifier], body: &Block, acc: Reg) {
        let Some((first, rest)) = quals.split_first() else {
            let mark = self.mark();
            let v = match &body.exprs[..] {
                // A plain expression needs no register of its own (a
                // variable is consed from where it is).
                [e] if !matches!(e.node, ExprKind::Let(..)) => self.expr_reg(e),
                _ => {
                    let v = self.alloc();
                    self.block_to(body, v);
                    v
                }
            };
            self.emit(Instr::MakeCons {
                dst: acc,
                head: v,
                tail: acc,
            });
            self.restore(mark);
            return;
        };
        match first {
            Qualifier::Gen(p, x) => self.generator(p, x, rest, body, acc),
            Qualifier::Filter(f) => self.filter(f, rest, body, acc),
        }
    }

    fn generator(&mut self, p: &Pattern, x: &Expr, rest: &[Qualifier], body: &Block, acc: Reg) {
        let mark = self.mark();
        self.at(x.span.start);
        // The cursor: a register of its own, since it is overwritten with
        // each tail (never a variable's register).
        let g = self.alloc();
        self.expr_to(x, g);
        let walk = self.label();
        self.emit(Instr::TestMap { src: g, fail: walk });
        let base = self.alloc();
        let to_list = self.mb.import("maps", "to_list", 1);
        self.emit(Instr::Move { dst: base, src: g });
        self.emit(Instr::CallExt {
            base,
            import: to_list,
        });
        self.emit(Instr::Move { dst: g, src: base });
        self.top = base;
        self.place(walk);
        let h = self.alloc();
        let top_loop = self.label();
        let end = self.label();
        let skip = self.label();
        self.place(top_loop);
        self.emit(Instr::TestCons { src: g, fail: end });
        self.emit(Instr::GetHead { dst: h, src: g });
        self.emit(Instr::GetTail { dst: g, src: g });
        let inner = self.mark();
        self.at(p.span.start);
        let mut bound = super::pattern::Bound::new();
        self.pattern(p, h, skip, &mut bound);
        self.qualifiers(rest, body, acc);
        self.restore(inner);
        self.place(skip);
        self.emit(Instr::Jump { target: top_loop });
        // The list ran out: `[]` is the normal end, anything else an
        // improper list (or not a list at all).
        self.place(end);
        let bad = self.label();
        let out = self.label();
        self.emit(Instr::TestNil { src: g, fail: bad });
        self.emit(Instr::Jump { target: out });
        self.place(bad);
        self.at(x.span.start);
        self.raise_pair("bad_generator", g);
        self.place(out);
        self.restore(mark);
    }

    fn filter(&mut self, f: &Expr, rest: &[Qualifier], body: &Block, acc: Reg) {
        let mark = self.mark();
        let out = self.label();
        self.at(f.span.start);
        // Comparisons (joined by `and`) are always booleans: test them
        // directly.
        if self.test_cond(f, out) {
            self.restore(mark);
            self.qualifiers(rest, body, acc);
            self.place(out);
            return;
        }
        let r = self.alloc();
        self.expr_to(f, r);
        let not_true = self.label();
        let t = self.mb.atom("true");
        self.emit(Instr::TestEqAtom {
            src: r,
            atom: t,
            fail: not_true,
        });
        self.qualifiers(rest, body, acc);
        self.emit(Instr::Jump { target: out });
        self.place(not_true);
        let bad = self.label();
        let fa = self.mb.atom("false");
        self.emit(Instr::TestEqAtom {
            src: r,
            atom: fa,
            fail: bad,
        });
        self.emit(Instr::Jump { target: out });
        self.place(bad);
        self.at(f.span.start);
        self.raise_pair("bad_filter", r);
        self.place(out);
        self.restore(mark);
    }
    /// Raises the error `(:tag, R[v])`.
    fn raise_pair(&mut self, tag: &str, v: Reg) {
        let top = self.top;
        let t = self.alloc_n(2);
        let atom = self.mb.atom(tag);
        self.emit(Instr::LoadAtom { dst: t, atom });
        self.emit(Instr::Move { dst: t + 1, src: v });
        self.emit(Instr::MakeTuple {
            dst: t,
            start: t,
            count: 2,
        });
        self.emit(Instr::Raise {
            class: 0,
            reason: t,
        });
        self.top = top;
    }
}
