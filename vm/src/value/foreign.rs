//! Terms from another node that Reef can hold and send back but not look
//! inside: references of other nodes, ports, and funs whose code is not
//! loaded here. They are immutable and `Send`, so a `Value::Foreign`
//! shares its `Arc` between processes like a string.

use super::Atom;

/// A term from another node (see ARCHITECTURE.md, "Distribution: values
/// on the wire").
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Foreign {
    /// A reference made by another node: its node index in the runtime's
    /// `NodeTable` and its ID words as they came (1 to 5 words, the
    /// lowest first).
    Ref { node: u16, words: Box<[u32]> },
    /// A port of another node.
    Port { node: u16, id: u64 },
    /// A fun whose code is not loaded here (or not this version of it):
    /// its module and arity, for printing and `(:badfun, f)`, and its
    /// whole ETF encoding, sent back verbatim.
    Fun {
        module: Atom,
        arity: u32,
        etf: Box<[u8]>,
    },
}

impl Foreign {
    /// The rank of each kind in the term order: a reference sorts with
    /// references, a fun with functions, a port between functions and
    /// pids (see `order.rs`).
    pub fn is_ref(&self) -> bool {
        matches!(self, Foreign::Ref { .. })
    }

    pub fn is_fun(&self) -> bool {
        matches!(self, Foreign::Fun { .. })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::term::Term;
    use crate::value::print::inspect;
    use crate::value::{order, Pid, Ref, Value};

    fn foreign(f: Foreign) -> Value {
        Value::Foreign(Arc::new(f))
    }

    fn ffun() -> Value {
        foreign(Foreign::Fun {
            module: Atom::new("far"),
            arity: 1,
            etf: Box::new([112, 0]),
        })
    }

    #[test]
    fn pids_carry_their_node() {
        let p = Pid::remote(3, 77, 0x1_0004);
        assert_eq!((p.node_index(), p.id(), p.serial()), (3, 77, 4));
        assert!(!p.is_local() && Pid(5).is_local());
        assert_eq!(inspect(&Value::Pid(p)), "#PID<3.77.4>");
        assert_eq!(inspect(&Value::Pid(Pid(5))), "#PID<0.5.0>");
        let big = Pid(0x7fff_ffff + 9);
        assert_eq!((big.id(), big.serial()), (8, 1));
        assert!(Ref(1 << 63).is_proxy() && !Ref(1 << 62).is_proxy());
    }

    #[test]
    fn foreign_terms_print() {
        let r = foreign(Foreign::Ref {
            node: 1,
            words: Box::new([1, 2, 3]),
        });
        assert_eq!(inspect(&r), "#Ref<1.3.2.1>");
        assert_eq!(
            inspect(&foreign(Foreign::Port { node: 2, id: 9 })),
            "#Port<2.9>"
        );
        assert_eq!(inspect(&ffun()), "#Fn<far.?/1>");
        assert_eq!(inspect(&Value::binary(vec![1, 2, 255])), "<<1, 2, 255>>");
    }

    #[test]
    fn the_term_order_places_foreign_terms_as_erlang_does() {
        let port = foreign(Foreign::Port { node: 1, id: 1 });
        let fref = foreign(Foreign::Ref {
            node: 1,
            words: Box::new([0, 0, 1]),
        });
        let lambda = Value::Fun(std::rc::Rc::new(crate::value::Closure::External {
            module: Atom::new("m"),
            name: Atom::new("f"),
            arity: 0,
        }));
        let sorted = [
            Value::Int(1),
            Value::atom("a"),
            Value::Ref(Ref(5)),
            fref.clone(),
            lambda,
            ffun(),
            port.clone(),
            Value::Pid(Pid(1)),
            Value::Pid(Pid::remote(1, 0, 0)),
            Value::tuple(vec![]),
            Value::Nil,
            Value::list([Value::Int(1)]),
            Value::str(""),
            Value::binary(vec![0xff]),
        ];
        for (i, a) in sorted.iter().enumerate() {
            for (j, b) in sorted.iter().enumerate() {
                assert_eq!(order::compare(a, b), i.cmp(&j), "{a} vs {b}");
                assert_eq!(a == b, i == j, "{a} == {b}");
            }
        }
        let same = foreign(Foreign::Port { node: 1, id: 1 });
        assert!(port == same);
    }

    #[test]
    fn is_fn_is_ref_and_calling_a_foreign_fun() {
        let vm = crate::Vm::builder()
            .env_path(false)
            .stdout(std::io::sink())
            .build();
        let f = Term::from_value(&ffun());
        let r = Term::Foreign(Arc::new(Foreign::Ref {
            node: 1,
            words: Box::new([7]),
        }));
        let t = |name: &str, arg: &Term| {
            vm.call("kernel", name, vec![arg.clone()])
                .unwrap()
                .to_string()
        };
        assert_eq!(t("is_fn", &f), "true");
        assert_eq!(t("is_ref", &f), "false");
        assert_eq!(t("is_ref", &r), "true");
        assert_eq!(t("is_pid", &r), "false");
        let crash = vm
            .call("kernel", "apply", vec![f, Term::list(vec![Term::Int(1)])])
            .unwrap_err();
        assert!(
            crash.report.contains("(:badfun, #Fn<far.?/1>)"),
            "{}",
            crash.report
        );
    }
}
