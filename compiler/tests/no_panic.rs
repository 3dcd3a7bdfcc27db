//! Property tests over the whole compiler: random programs that are mostly
//! well-formed (built from a small grammar, with names that may or may not
//! be bound) go through the lexer, parser, resolver and code generator.
//! Nothing may panic, and every module the compiler produces must pass the
//! bytecode validator (so the VM never sees malformed code from it).

use proptest::prelude::*;
use reef_compiler::repl::{compile_input, ReplState};

mod common;
use common::gen::{expr, program};

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn compiling_random_programs_never_panics(src in program()) {
        let out = reef_compiler::compile_module("t", "t.reef", &src);
        let _ = reef_compiler::render_diagnostics(&out.diagnostics, "t.reef", &src, false);
        if let Some(m) = out.module {
            if let Err(e) = reef_bytecode::encode::validate(&m) {
                panic!("invalid bytecode for\n{src}\n{e}\n{}", reef_bytecode::disasm::disassemble(&m));
            }
            let bytes = reef_bytecode::encode::encode_module(&m);
            prop_assert_eq!(reef_bytecode::encode::decode_module(&bytes).unwrap(), m);
        }
    }

    #[test]
    fn repl_inputs_never_panic(lines in proptest::collection::vec(expr(), 1..4)) {
        let mut state = ReplState::default();
        for (i, line) in lines.iter().enumerate() {
            let input = format!("let (x, y, acc, n, f) = (1, 2, 3, 4, 5)\nlet z = {line}");
            let out = compile_input(&input, &format!("r{i}"), &mut state);
            if let Some(m) = out.module {
                reef_bytecode::encode::validate(&m).unwrap();
            }
        }
    }
}
