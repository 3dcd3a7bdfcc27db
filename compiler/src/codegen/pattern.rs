//! Pattern matching: a pattern against the value in a register becomes a
//! straight sequence of tests, each jumping to the clause's failure label,
//! and element loads into fresh registers; names bind by aliasing the
//! register that holds the matched value (no copies).

use reef_bytecode::opcodes::Reg;
use reef_bytecode::{Const, Instr};

use super::expr::int_const;
use super::function::{FnBuilder, LabelId};
use crate::ast::{Pattern, PatternKind};

/// The names a pattern has bound so far (a set: a function of 100,000
/// parameters made a list quadratic).
pub(crate) type Bound = std::collections::HashSet<String>;

impl FnBuilder<'_, '_> {
    /// Matches a clause's top-level pattern: like [`Self::pattern`], but
    /// the first test jumps to `skip` (when given) instead of `fail`.
    pub(crate) fn pattern_top(
        &mut self,
        p: &Pattern,
        src: Reg,
        fail: LabelId,
        skip: Option<LabelId>,
        bound: &mut Bound,
    ) {
        self.first_fail = skip;
        self.pattern(p, src, fail, bound);
        self.first_fail = None;
    }

    /// The failure label of a test: the pending skip label for the first
    /// top-level test, else `fail`.
    fn test_fail(&mut self, fail: LabelId) -> LabelId {
        self.first_fail.take().unwrap_or(fail)
    }

    /// Matches `p` against `R[src]`, jumping to `fail` on mismatch.
    /// `bound` holds the names this pattern has bound so far: a repeated
    /// name must equal its first binding.
    pub(crate) fn pattern(&mut self, p: &Pattern, src: Reg, fail: LabelId, bound: &mut Bound) {
        match &p.node {
            PatternKind::Wildcard => {}
            PatternKind::Bind(name) => {
                if bound.contains(name) {
                    let first = self.lookup(name).expect("bound by this pattern");
                    self.emit(Instr::TestEq {
                        a: src,
                        b: first,
                        fail,
                    });
                } else {
                    bound.insert(name.clone());
                    self.define(name, src);
                }
            }
            PatternKind::Pin(name) => {
                let r = self.lookup(name).expect("resolver checked pinned names");
                self.emit(Instr::TestEq { a: src, b: r, fail });
            }
            PatternKind::Int(digits) => match int_const(digits) {
                Ok(val) => {
                    let fail = self.test_fail(fail);
                    self.emit(Instr::TestEqInt { src, val, fail })
                }
                Err(c) => {
                    let lit = self.mb.literal(c);
                    let fail = self.test_fail(fail);
                    self.emit(Instr::TestEqLit { src, lit, fail });
                }
            },
            PatternKind::Float(f) => {
                let lit = self.mb.literal(Const::Float(*f));
                let fail = self.test_fail(fail);
                self.emit(Instr::TestEqLit { src, lit, fail });
            }
            PatternKind::Str(s) => {
                let lit = self.mb.literal(Const::Str(s.clone()));
                let fail = self.test_fail(fail);
                self.emit(Instr::TestEqLit { src, lit, fail });
            }
            PatternKind::Atom(a) => {
                let atom = self.mb.atom(a);
                let fail = self.test_fail(fail);
                self.emit(Instr::TestEqAtom { src, atom, fail });
            }
            PatternKind::Tuple(ps) => {
                let first = self.test_fail(fail);
                let arity = ps.len() as u16;
                // A tuple tagged with an atom (the usual message or
                // result shape) is one test.
                let tagged = match ps.first().map(|p| &p.node) {
                    Some(PatternKind::Atom(a)) => Some(self.mb.atom(a)),
                    _ => None,
                };
                match tagged {
                    Some(atom) => self.emit(Instr::TestTagged {
                        src,
                        arity,
                        atom,
                        fail: first,
                    }),
                    None => self.emit(Instr::TestTuple {
                        src,
                        arity,
                        fail: first,
                    }),
                }
                for (i, q) in ps.iter().enumerate() {
                    if matches!(q.node, PatternKind::Wildcard) || (i == 0 && tagged.is_some()) {
                        continue;
                    }
                    let r = self.alloc();
                    self.emit(Instr::GetElem {
                        dst: r,
                        src,
                        index: i as u16,
                    });
                    self.pattern(q, r, fail, bound);
                }
            }
            PatternKind::List(ps, tail) => {
                let mut cur = src;
                for q in ps {
                    let first = self.test_fail(fail);
                    self.emit(Instr::TestCons {
                        src: cur,
                        fail: first,
                    });
                    if !matches!(q.node, PatternKind::Wildcard) {
                        let h = self.alloc();
                        self.emit(Instr::GetHead { dst: h, src: cur });
                        self.pattern(q, h, fail, bound);
                    }
                    let t = self.alloc();
                    self.emit(Instr::GetTail { dst: t, src: cur });
                    cur = t;
                }
                match tail {
                    None => {
                        let first = self.test_fail(fail);
                        self.emit(Instr::TestNil {
                            src: cur,
                            fail: first,
                        })
                    }
                    Some(t) => self.pattern(t, cur, fail, bound),
                }
            }
            PatternKind::Map(pairs) => {
                let first = self.test_fail(fail);
                self.emit(Instr::TestMap { src, fail: first });
                for (k, v) in pairs {
                    let key = self.pattern_key(k);
                    let r = self.alloc();
                    self.emit(Instr::MapFind {
                        dst: r,
                        map: src,
                        key,
                        fail,
                    });
                    self.pattern(v, r, fail, bound);
                }
            }
            PatternKind::Alias(a, b) => {
                self.pattern(a, src, fail, bound);
                self.pattern(b, src, fail, bound);
            }
        }
    }

    /// A map key in a pattern (a literal term or a pinned variable) loaded
    /// into a register.
    fn pattern_key(&mut self, k: &Pattern) -> Reg {
        if let PatternKind::Pin(name) = &k.node {
            return self.lookup(name).expect("resolver checked pinned names");
        }
        let r = self.alloc();
        self.literal_to(k, r);
        r
    }

    /// Builds the term a literal pattern denotes into `R[dst]`.
    fn literal_to(&mut self, k: &Pattern, dst: Reg) {
        match &k.node {
            PatternKind::Int(digits) => self.load_int(dst, digits),
            PatternKind::Float(f) => {
                let lit = self.mb.literal(Const::Float(*f));
                self.emit(Instr::LoadLit { dst, lit });
            }
            PatternKind::Str(s) => {
                let lit = self.mb.literal(Const::Str(s.clone()));
                self.emit(Instr::LoadLit { dst, lit });
            }
            PatternKind::Atom(a) => {
                let atom = self.mb.atom(a);
                self.emit(Instr::LoadAtom { dst, atom });
            }
            PatternKind::Tuple(ps) => {
                let start = self.alloc_n(ps.len());
                for (i, p) in ps.iter().enumerate() {
                    self.literal_to(p, start + i as Reg);
                }
                self.emit(Instr::MakeTuple {
                    dst,
                    start,
                    count: ps.len() as u16,
                });
            }
            PatternKind::List(ps, _) => {
                let start = self.alloc_n(ps.len());
                for (i, p) in ps.iter().enumerate() {
                    self.literal_to(p, start + i as Reg);
                }
                self.emit(Instr::LoadNil { dst });
                for i in (0..ps.len()).rev() {
                    self.emit(Instr::MakeCons {
                        dst,
                        head: start + i as Reg,
                        tail: dst,
                    });
                }
            }
            _ => unreachable!("resolver rejects other map key patterns"),
        }
    }

    /// Does this pattern match every value (so no test is emitted)?
    pub(crate) fn irrefutable(p: &Pattern) -> bool {
        matches!(p.node, PatternKind::Wildcard | PatternKind::Bind(_))
    }
}
