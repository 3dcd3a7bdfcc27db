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
//!
//! The qualifiers are compiled in one pass, not by recursion (a head may
//! have any number of them): each generator opens a loop that stays open
//! until the body is emitted, each filter jumps to the innermost open
//! loop's "next element", and the loops are closed innermost first. The
//! rare paths of a filter that is not a comparison (`false`, or not a
//! boolean) are placed after all the loops.

use reef_bytecode::opcodes::Reg;
use reef_bytecode::Instr;

use super::function::{FnBuilder, LabelId, Mark};
use crate::ast::*;

/// A generator's loop, open while the qualifiers after it are compiled.
struct Loop {
    /// Scope before the generator: restored when the loop closes.
    mark: Mark,
    /// The cursor register (the rest of the list).
    cursor: Reg,
    top: LabelId,
    /// The next element: where a rejected or finished element goes.
    next: LabelId,
    /// The list ran out.
    end: LabelId,
    offset: usize,
}

/// The out-of-line part of a filter that is not a comparison: reached
/// when its value (in `value`) is not `true`.
struct FilterStub {
    label: LabelId,
    value: Reg,
    next: LabelId,
    offset: usize,
}

impl FnBuilder<'_, '_> {
    /// A comprehension into `dst`, or returned when `dst` is `None`.
    pub(super) fn comprehension(&mut self, quals: &[Qualifier], body: &Block, dst: Option<Reg>) {
        let mark = self.mark();
        let acc = self.alloc();
        self.emit(Instr::LoadNil { dst: acc });
        let done = self.label();
        let mut loops: Vec<Loop> = Vec::new();
        let mut stubs: Vec<FilterStub> = Vec::new();
        for q in quals {
            let next = loops.last().map_or(done, |l| l.next);
            match q {
                Qualifier::Gen(p, x) => {
                    let l = self.open_loop(p, x);
                    loops.push(l);
                }
                Qualifier::Filter(f) => {
                    if let Some(stub) = self.filter(f, next) {
                        stubs.push(stub);
                    }
                }
            }
        }
        self.body(body, acc);
        while let Some(l) = loops.pop() {
            self.close_loop(l);
        }
        let after = self.label();
        if !stubs.is_empty() {
            self.emit(Instr::Jump { target: after });
        }
        for stub in stubs {
            self.filter_stub(stub);
        }
        self.place(done);
        self.place(after);
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

    /// The body's value consed onto the accumulator.
    fn body(&mut self, body: &Block, acc: Reg) {
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
    }

    /// Evaluates the generator's list (a map becomes its pairs), then
    /// starts its loop: the next element is matched against the pattern,
    /// whose names stay bound until the loop closes.
    fn open_loop(&mut self, p: &Pattern, x: &Expr) -> Loop {
        let mark = self.mark();
        self.at(x.span.start);
        // The cursor: a register of its own, since it is overwritten with
        // each tail (never a variable's register).
        let cursor = self.alloc();
        self.expr_to(x, cursor);
        let walk = self.label();
        self.emit(Instr::TestMap {
            src: cursor,
            fail: walk,
        });
        let base = self.alloc();
        let to_list = self.mb.import("maps", "to_list", 1);
        self.emit(Instr::Move {
            dst: base,
            src: cursor,
        });
        self.emit(Instr::CallExt {
            base,
            import: to_list,
        });
        self.emit(Instr::Move {
            dst: cursor,
            src: base,
        });
        self.top = base;
        self.place(walk);
        let h = self.alloc();
        let l = Loop {
            mark,
            cursor,
            top: self.label(),
            next: self.label(),
            end: self.label(),
            offset: x.span.start,
        };
        self.place(l.top);
        self.emit(Instr::TestCons {
            src: cursor,
            fail: l.end,
        });
        self.emit(Instr::GetHead {
            dst: h,
            src: cursor,
        });
        self.emit(Instr::GetTail {
            dst: cursor,
            src: cursor,
        });
        self.at(p.span.start);
        let mut bound = super::pattern::Bound::new();
        self.pattern(p, h, l.next, &mut bound);
        l
    }

    /// Ends a generator's loop: the next element, then the end of the
    /// list (`[]`, or `(:bad_generator, tail)`).
    fn close_loop(&mut self, l: Loop) {
        self.restore(l.mark);
        self.place(l.next);
        self.emit(Instr::Jump { target: l.top });
        self.place(l.end);
        let bad = self.label();
        let out = self.label();
        self.emit(Instr::TestNil {
            src: l.cursor,
            fail: bad,
        });
        self.emit(Instr::Jump { target: out });
        self.place(bad);
        self.at(l.offset);
        self.raise_pair("bad_generator", l.cursor);
        self.place(out);
    }

    /// A filter: goes on when it is `true`, else to `next`. Comparisons
    /// (joined by `and`) are always booleans and branch directly; any
    /// other value is tested for `true` here, and the rest is out of line
    /// (the returned stub).
    fn filter(&mut self, f: &Expr, next: LabelId) -> Option<FilterStub> {
        self.at(f.span.start);
        let top = self.top;
        if self.test_cond(f, next) {
            self.top = top;
            return None;
        }
        // The value stays in its register until the stub has tested it
        // (nothing runs in between).
        let value = self.alloc();
        self.expr_to(f, value);
        let label = self.label();
        let t = self.mb.atom("true");
        self.emit(Instr::TestEqAtom {
            src: value,
            atom: t,
            fail: label,
        });
        self.top = top;
        Some(FilterStub {
            label,
            value,
            next,
            offset: f.span.start,
        })
    }

    /// `false` goes to the next element; anything else is
    /// `(:bad_filter, value)`.
    fn filter_stub(&mut self, stub: FilterStub) {
        self.place(stub.label);
        let bad = self.label();
        let fa = self.mb.atom("false");
        self.emit(Instr::TestEqAtom {
            src: stub.value,
            atom: fa,
            fail: bad,
        });
        self.emit(Instr::Jump { target: stub.next });
        self.place(bad);
        self.at(stub.offset);
        self.raise_pair("bad_filter", stub.value);
    }

    /// Raises the error `(:tag, R[v])`.
    fn raise_pair(&mut self, tag: &str, v: Reg) {
        let top = self.top;
        let t = self.alloc_n(2);
        let atom = self.mb.atom(tag);
        // `v` may be one of the two registers (they are free by now):
        // read it before the tag is written.
        self.emit(Instr::Move { dst: t + 1, src: v });
        self.emit(Instr::LoadAtom { dst: t, atom });
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
