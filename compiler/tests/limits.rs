//! Big programs (issue 8, item 17): literals beyond the 65,535 registers
//! of a frame compile (lists and maps are built in chunks); what remains
//! a real limit is a diagnostic (E0301, E0122), never an internal error;
//! and an operator chain at the limit compiles on any thread's stack.

use reef_bytecode::Instr;
use reef_compiler::compile_module;

fn codes(src: &str) -> Vec<&'static str> {
    compile_module("t", "t.reef", src)
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| d.code)
        .collect()
}

fn list_of(n: usize) -> String {
    (0..n).map(|i| i.to_string()).collect::<Vec<_>>().join(", ")
}

#[test]
fn a_list_literal_of_100k_elements_compiles_in_chunks() {
    let src = format!("pub fn f() {{ [{}] }}\n", list_of(100_000));
    let c = compile_module("t", "t.reef", &src);
    let m = c.module.expect("compiles");
    let f = &m.functions[0];
    assert!(f.num_regs < 2_000, "{} registers", f.num_regs);
    let concats = f
        .code
        .iter()
        .filter(|i| matches!(i, Instr::ListConcat { .. }))
        .count();
    assert_eq!(concats, 100_000usize.div_ceil(1024));
}

#[test]
fn a_map_literal_of_40k_entries_compiles_in_chunks() {
    let pairs: Vec<String> = (0..40_000).map(|i| format!("{i} => {i}")).collect();
    let src = format!("pub fn f() {{ #{{{}}} }}\n", pairs.join(", "));
    let m = compile_module("t", "t.reef", &src)
        .module
        .expect("compiles");
    let updates = m.functions[0]
        .code
        .iter()
        .filter(|i| matches!(i, Instr::UpdateMap { .. }))
        .count();
    assert_eq!(updates, 40_000usize.div_ceil(1024) - 1);
}

#[test]
fn too_many_registers_is_e0301_not_an_internal_error() {
    // A tuple literal needs one register per element.
    let src = format!("pub fn f() {{ ({}) }}\n", list_of(70_000));
    assert_eq!(codes(&src), ["E0301"]);
    // 70,000 variables in scope at once.
    let lets: String = (0..70_000).map(|i| format!("  let x{i} = {i}\n")).collect();
    let src = format!("pub fn f() {{\n{lets}  x0\n}}\n");
    assert_eq!(codes(&src), ["E0301"]);
    // A call with 70,000 arguments.
    let params: Vec<String> = (0..70_000).map(|i| format!("a{i}")).collect();
    let src = format!(
        "pub fn f() {{ g({}) }}\nfn g({}) {{ a0 }}\n",
        list_of(70_000),
        params.join(", ")
    );
    assert!(codes(&src).contains(&"E0301"), "{:?}", codes(&src));
}

/// A chain of operators just under `MAX_CHAIN` makes an AST that deep;
/// compiling it on a thread with a 256 KiB stack (smaller than any
/// scheduler's) shows the compiler moves big sources to a big stack.
#[test]
fn a_chain_at_the_limit_compiles_on_a_small_stack() {
    let plus = format!("pub fn f(x) {{ {}x }}\n", "x + ".repeat(9_990));
    let concat = format!("pub fn g(x) {{ {}x }}\n", "x ++ ".repeat(9_990));
    let calls = format!("pub fn h(x) {{ x{} }}\n", "(1)".repeat(9_990));
    let handle = std::thread::Builder::new()
        .stack_size(256 << 10)
        .spawn(move || {
            [plus, concat, calls]
                .iter()
                .map(|src| codes(src))
                .collect::<Vec<_>>()
        })
        .unwrap();
    let results = handle.join().expect("no stack overflow");
    for r in results {
        assert!(r.is_empty(), "{r:?}");
    }
}

/// A 2 MB list literal (250,000 elements) goes through every phase and
/// yields exactly its elements: one `LoadInt` each, one `ListConcat` per
/// chunk of 1024. (Its memory is checked against the real binary in
/// `tests/front_memory.rs`.)
#[test]
fn a_2_mb_list_literal_compiles_with_every_element() {
    let n = 250_000;
    let src = format!("pub fn f() {{\n  let xs = [{}]\n  xs\n}}\n", list_of(n));
    assert!(src.len() > 1_700_000, "{} bytes", src.len());
    let m = compile_module("t", "t.reef", &src)
        .module
        .expect("compiles");
    let code = &m.functions[0].code;
    let ints = code
        .iter()
        .filter(|i| matches!(i, Instr::LoadInt { .. }))
        .count();
    let concats = code
        .iter()
        .filter(|i| matches!(i, Instr::ListConcat { .. }))
        .count();
    assert_eq!(ints, n);
    assert_eq!(concats, n.div_ceil(1024));
}

/// Every list element is an `Expr`: its size is most of a big literal's
/// AST. Rare large variants stay behind a `Box` so it does not grow.
#[test]
fn an_expression_node_stays_small() {
    let size = std::mem::size_of::<reef_compiler::ast::Expr>();
    assert!(size <= 88, "size_of::<Expr>() = {size}");
}
