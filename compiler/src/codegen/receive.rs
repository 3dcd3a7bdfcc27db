//! `receive`: the scan loop over the mailbox, the clauses as in `case`
//! (accepting the message on a match), the wait, and the `after` branch.
//! Two optimisations are chosen here: `RecvScanTagged` when every clause
//! needs the same tagged tuple, and `RecvMarker` for variables every clause
//! pins (the receive-marker optimisation; see ARCHITECTURE.md).

use reef_bytecode::opcodes::Reg;
use reef_bytecode::Instr;

use super::function::{FnBuilder, Shape};
use crate::ast::*;

impl FnBuilder<'_, '_> {
    pub(super) fn receive(&mut self, arms: &[Arm], after: Option<&After>, dst: Option<Reg>) {
        let top = self.top;
        let timeout = after.map(|a| self.expr_reg(&a.timeout));
        let m = self.alloc();
        let end = self.label();
        let scan = self.label();
        let wait = self.label();
        for name in marker_vars(arms) {
            if let Some(r) = self.lookup(&name) {
                self.emit(Instr::RecvMarker { src: r });
            }
        }
        self.place(scan);
        match common_tag(arms) {
            Some((arity, tag)) => {
                let atom = self.mb.atom(&tag);
                self.emit(Instr::RecvScanTagged {
                    dst: m,
                    arity: arity as u16,
                    atom,
                    empty: wait,
                })
            }
            None => self.emit(Instr::RecvNext {
                dst: m,
                empty: wait,
            }),
        }
        self.arms(arms, m, dst, end, Some(Instr::RecvAccept {}));
        self.emit(Instr::RecvSkip { target: scan });
        self.place(wait);
        match (after, timeout) {
            (Some(a), Some(t)) => {
                let expired = self.label();
                self.at(a.span.start);
                self.emit(Instr::RecvWaitTimeout {
                    timeout: t,
                    target: scan,
                    expired,
                });
                self.place(expired);
                self.expr_dst(&a.body, dst);
            }
            _ => self.emit(Instr::RecvWait { target: scan }),
        }
        self.place(end);
        self.top = top;
    }
}

/// The size and tag of the tuple every clause of a receive needs, if they
/// all need the same one: the scan can then skip other messages without
/// running the clauses' tests on them.
fn common_tag(arms: &[Arm]) -> Option<(usize, String)> {
    let mut common = None;
    for arm in arms {
        let this = match super::function::shape(&arm.pattern)? {
            Shape::Tagged(n, a) => (n, a),
            _ => return None,
        };
        match &common {
            None => common = Some(this),
            Some(c) if *c == this => {}
            Some(_) => return None,
        }
    }
    common
}

/// The variables pinned in every clause's pattern of a receive (at most
/// three): only messages holding their values can match, so if one holds
/// a reference made by this process, older messages can be skipped
/// (`RecvMarker`). Which one holds a reference is only known at run time.
fn marker_vars(arms: &[Arm]) -> Vec<String> {
    fn pins(p: &Pattern, out: &mut Vec<String>) {
        match &p.node {
            PatternKind::Pin(name) => out.push(name.clone()),
            PatternKind::Tuple(ps) => ps.iter().for_each(|p| pins(p, out)),
            PatternKind::List(ps, tail) => {
                ps.iter().for_each(|p| pins(p, out));
                if let Some(t) = tail {
                    pins(t, out);
                }
            }
            PatternKind::Map(kvs) => kvs.iter().for_each(|(k, v)| {
                pins(k, out);
                pins(v, out);
            }),
            PatternKind::Alias(a, b) => {
                pins(a, out);
                pins(b, out);
            }
            _ => {}
        }
    }
    let mut common: Option<Vec<String>> = None;
    for arm in arms {
        let mut these = Vec::new();
        pins(&arm.pattern, &mut these);
        common = Some(match common {
            None => these,
            Some(c) => c.into_iter().filter(|n| these.contains(n)).collect(),
        });
    }
    let mut vars = common.unwrap_or_default();
    vars.dedup();
    vars.truncate(3);
    vars
}
