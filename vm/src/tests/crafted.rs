//! The three crafted modules of issue 8 (item 4): each once crashed the VM
//! or the validator; now each is rejected by `validate` or runs safely.

use super::*;

/// `MakeClosure` capturing more values than its lambda expects: calling
/// the closure wrote past the callee's frame (`free(): invalid pointer`).
#[test]
fn a_closure_capturing_more_than_its_lambda_expects_is_rejected() {
    let m = module(
        "crafted_closure",
        &[],
        &[],
        vec![
            fun(
                "main",
                0,
                4,
                vec![
                    MakeClosure {
                        dst: 0,
                        func: 1,
                        start: 0,
                        count: 4,
                    },
                    CallFun { base: 0, argc: 0 },
                    Return { src: 0 },
                ],
            ),
            lambda("-main/0-fun-0-", 0, 0, 1, vec![Return { src: 0 }]),
        ],
    );
    let bytes = reef_bytecode::encode::encode_module(&m);
    let err = quiet_vm().load_bytecode(&bytes).unwrap_err().to_string();
    assert!(err.contains("MakeClosure captures 4 values"), "{err}");
    // A `&f/0` reference to a lambda that expects captured values is
    // refused too: its body would read registers nobody wrote.
    let mut m2 = m.clone();
    m2.functions[1].kind = FunKind::Lambda { captured: 2 };
    m2.functions[1].num_regs = 2;
    m2.functions[0].code[0] = MakeFunRef { dst: 0, func: 1 };
    let err = quiet_vm().load_module(m2).unwrap_err().to_string();
    assert!(err.contains("MakeFunRef"), "{err}");
}

/// `RecvSkip` on an empty mailbox, then `RecvScanTagged`: the cursor went
/// past the end and the scan panicked in `mailbox.rs`.
#[test]
fn skipping_an_empty_mailbox_then_scanning_runs() {
    let m = module(
        "crafted_recv",
        &["tag"],
        &[],
        vec![fun(
            "main",
            0,
            1,
            vec![
                RecvSkip { target: 1 },
                RecvSkip { target: 2 },
                RecvScanTagged {
                    dst: 0,
                    arity: 2,
                    atom: 0,
                    empty: 4,
                },
                Return { src: 0 },
                LoadAtom { dst: 0, atom: 0 },
                Return { src: 0 },
            ],
        )],
    );
    let vm = quiet_vm();
    vm.load_module(m).unwrap();
    assert_eq!(
        vm.call("crafted_recv", "main", vec![]).unwrap(),
        Term::atom("tag")
    );
}

/// An import of arity `u32::MAX`: `start + count` overflowed inside the
/// validator (a panic in a debug build, a wrong answer in release).
#[test]
fn an_import_of_arity_u32_max_is_rejected_without_overflow() {
    let m = module(
        "crafted_import",
        &[],
        &[("io", "println", u32::MAX)],
        vec![fun(
            "main",
            0,
            2,
            vec![CallExt { base: 1, import: 0 }, Return { src: 0 }],
        )],
    );
    let bytes = reef_bytecode::encode::encode_module(&m);
    let err = quiet_vm().load_bytecode(&bytes).unwrap_err().to_string();
    assert!(
        err.contains("CallExt register window out of range"),
        "{err}"
    );
    // The same for a local function of a huge arity, and a closure call.
    let mut m2 = m.clone();
    m2.functions[0].code[0] = Call { base: 1, func: 0 };
    m2.functions[0].arity = u32::MAX;
    let err = quiet_vm().load_module(m2).unwrap_err().to_string();
    assert!(err.contains("frame too small"), "{err}");
}
