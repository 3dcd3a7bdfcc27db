//! Snapshot tests of the disassembly of representative functions: what the
//! code generator emits for clauses, patterns, guards, closures, receive and
//! try. `UPDATE_EXPECT=1 cargo test -p reef-compiler --test codegen`
//! refreshes them.

use expect_test::{expect, Expect};

fn check(src: &str, expected: Expect) {
    let out = reef_compiler::compile_module("t", "t.reef", src);
    let errors: Vec<_> = out.diagnostics.iter().filter(|d| d.is_error()).collect();
    assert!(errors.is_empty(), "{:#?}", errors);
    let module = out.module.expect("compiled");
    reef_bytecode::encode::validate(&module).expect("valid bytecode");
    expected.assert_eq(&reef_bytecode::disasm::disassemble(&module));
}

#[test]
fn multi_clause_factorial() {
    check(
        "pub fn fact(0) { 1 }\npub fn fact(n) when n > 0 { n * fact(n - 1) }\n",
        expect![[r#"
            module t (t.reef)

            pub fn fact/1 (F0) regs=3
                 L1    0  TestEqInt       src=R0 val=0 fail=@3
                       1  LoadInt         dst=R1 val=1
                       2  Return          src=R1
                 L2    3  TestGtInt       src=R0 val=0 fail=@8
                       4  AddIntCall      dst=R2 a=R0 val=-1 func=fact/1
                       5  Call            base=R2 func=fact/1
                       6  Mul             dst=R1 a=R0 b=R2
                       7  Return          src=R1
                       8  FunctionClause  
        "#]],
    );
}

#[test]
fn tail_recursive_loop_with_accumulator() {
    check(
        "pub fn sum([], acc) { acc }\npub fn sum([h | t], acc) { sum(t, acc + h) }\n",
        expect![[r#"
            module t (t.reef)

            pub fn sum/2 (F0) regs=6
                 L1    0  TestNil         src=R0 fail=@2
                       1  Return          src=R1
                 L2    2  TestCons        src=R0 fail=@8
                       3  GetHead         dst=R2 src=R0
                       4  GetTail         dst=R3 src=R0
                       5  Move            dst=R4 src=R3
                       6  Add             dst=R5 a=R1 b=R2
                       7  TailCall        base=R4 func=sum/2
                       8  FunctionClause  
        "#]],
    );
}

#[test]
fn closure_captures_variables() {
    check(
        "pub fn adder(n) {\n  let k = n * 2\n  fn(x) { x + n + k }\n}\n",
        expect![[r#"
            module t (t.reef)

            pub fn adder/1 (F0) regs=5
                 L2    0  LoadInt         dst=R2 val=2
                       1  Mul             dst=R1 a=R0 b=R2
                 L3    2  Move            dst=R3 src=R0
                       3  Move            dst=R4 src=R1
                       4  MakeClosure     dst=R2 func=-adder/1-fun-0-/1 start=R3 count=2
                       5  Return          src=R2
                       6  FunctionClause  

            lambda captures=2 -adder/1-fun-0-/1 (F1) regs=5
                 L3    0  Add             dst=R4 a=R0 b=R1
                       1  Add             dst=R3 a=R4 b=R2
                       2  Return          src=R3
                       3  FunctionClause  
        "#]],
    );
}

#[test]
fn case_with_tuple_patterns_and_pin() {
    check(
        "pub fn f(x, y) {\n  case x {\n    (:ok, ^y) => :same,\n    (:ok, v) when is_int(v) and v > 0 => v,\n    [a, b | _] => a + b,\n    #{:k => v} => v,\n    _ => nil,\n  }\n}\n",
        expect![[r#"
            module t (t.reef)

            pub fn f/2 (F0) regs=7
                 L3    0  TestTagged      src=R0 arity=2 atom=:ok fail=@14
                       1  GetElem         dst=R2 src=R0 index=1
                       2  TestEq          a=R2 b=R1 fail=@5
                       3  LoadAtom        dst=R3 atom=:same
                       4  Return          src=R3
                 L4    5  TestTagged      src=R0 arity=2 atom=:ok fail=@14
                       6  GetElem         dst=R2 src=R0 index=1
                       7  Move            dst=R3 src=R2
                       8  CallExt         base=R3 import=kernel.is_int/1
                       9  JumpIfFalse     cond=R3 target=@12
                      10  LoadInt         dst=R4 val=0
                      11  Gt              dst=R3 a=R2 b=R4
                      12  TestTrue        src=R3 fail=@14
                      13  Return          src=R2
                 L5   14  TestCons        src=R0 fail=@22
                      15  GetHead         dst=R2 src=R0
                      16  GetTail         dst=R3 src=R0
                      17  TestCons        src=R3 fail=@22
                      18  GetHead         dst=R4 src=R3
                      19  GetTail         dst=R5 src=R3
                      20  Add             dst=R6 a=R2 b=R4
                      21  Return          src=R6
                 L6   22  TestMap         src=R0 fail=@26
                      23  LoadAtom        dst=R2 atom=:k
                      24  MapFind         dst=R3 map=R0 key=R2 fail=@26
                      25  Return          src=R3
                 L7   26  LoadAtom        dst=R2 atom=:nil
                      27  Return          src=R2
                      28  CaseClause      src=R0
                      29  FunctionClause  
        "#]],
    );
}

#[test]
fn receive_with_after() {
    check(
        "pub fn wait(t) {\n  receive {\n    (:msg, m) => m,\n  } after t => :timeout\n}\n",
        expect![[r#"
            module t (t.reef)

            pub fn wait/1 (F0) regs=3
                 L2    0  RecvScanTagged  dst=R1 arity=2 atom=:msg empty=@6
                 L3    1  TestTagged      src=R1 arity=2 atom=:msg fail=@5
                       2  GetElem         dst=R2 src=R1 index=1
                       3  RecvAccept      
                       4  Return          src=R2
                       5  RecvSkip        target=@0
                 L4    6  RecvWaitTimeout timeout=R0 target=@0 expired=@7
                       7  LoadAtom        dst=R2 atom=:timeout
                       8  Return          src=R2
                       9  FunctionClause  
        "#]],
    );
}

#[test]
fn try_catch_classes() {
    check(
        "pub fn safe(f) {\n  try { f() } catch {\n    (:throw, v) => (:thrown, v),\n    (:error, r) => (:failed, r),\n  }\n}\n",
        expect![[r#"
            module t (t.reef)

            pub fn safe/1 (F0) regs=7
                 L2    0  TryBegin        dst=R2 handler=@6
                       1  Move            dst=R5 src=R0
                       2  CallFun         base=R5 argc=0
                       3  Move            dst=R1 src=R5
                       4  TryEnd          
                       5  Jump            target=@17
                 L3    6  TestEqAtom      src=R2 atom=:throw fail=@11
                       7  LoadAtom        dst=R5 atom=:thrown
                       8  Move            dst=R6 src=R3
                       9  MakeTuple       dst=R1 start=R5 count=2
                      10  Jump            target=@17
                 L4   11  TestEqAtom      src=R2 atom=:error fail=@16
                      12  LoadAtom        dst=R5 atom=:failed
                      13  Move            dst=R6 src=R3
                      14  MakeTuple       dst=R1 start=R5 count=2
                      15  Jump            target=@17
                      16  Reraise         src=R2
                      17  Return          src=R1
                      18  FunctionClause  
        "#]],
    );
}

#[test]
fn let_with_pattern_and_badmatch() {
    check(
        "pub fn f(p) {\n  let (a, b) = p\n  a + b\n}\n",
        expect![[r#"
            module t (t.reef)

            pub fn f/1 (F0) regs=4
                 L2    0  TestTuple       src=R0 arity=2 fail=@6
                       1  GetElem2        dst=R1 src=R0 index=0 dst2=R2 index2=1
                       2  GetElem         dst=R2 src=R0 index=1
                 L3    3  Add             dst=R3 a=R1 b=R2
                       4  Return          src=R3
                       5  FunctionClause  
                 L2    6  Badmatch        src=R0
        "#]],
    );
}

#[test]
fn strings_maps_and_if() {
    check(
        "pub fn f(m, n) {\n  let m2 = #{m | :n => n}\n  if n > 10 { \"big #{n}\" } else if n > 5 { :mid } else { [n, 1.5] }\n}\n",
        expect![[r#"
            module t (t.reef)

            pub fn f/2 (F0) regs=6
                 L2    0  LoadAtom        dst=R3 atom=:n
                       1  Move            dst=R4 src=R1
                       2  UpdateMap       dst=R2 map=R0 start=R3 count=1
                 L3    3  TestGtInt       src=R1 val=10 fail=@8
                       4  LoadLit         dst=R4 lit="big "
                       5  Move            dst=R5 src=R1
                       6  Interp          dst=R3 start=R4 count=2
                       7  Return          src=R3
                       8  TestGtInt       src=R1 val=5 fail=@11
                       9  LoadAtom        dst=R3 atom=:mid
                      10  Return          src=R3
                      11  Move            dst=R4 src=R1
                      12  LoadLit         dst=R5 lit=1.5
                      13  LoadNil         dst=R3
                      14  MakeCons        dst=R3 head=R5 tail=R3
                      15  MakeCons        dst=R3 head=R4 tail=R3
                      16  Return          src=R3
                      17  FunctionClause  
        "#]],
    );
}

#[test]
fn clause_selection_skips_clauses_that_repeat_a_failed_test() {
    // When `x` is not `:a`, the second clause cannot match either: the
    // first clause's atom test jumps straight to the third.
    check(
        "pub fn f(:a, 1) { 1 }\npub fn f(:a, 2) { 2 }\npub fn f(:b, _) { 3 }\n",
        expect![[r#"
            module t (t.reef)

            pub fn f/2 (F0) regs=3
                 L1    0  TestEqAtom      src=R0 atom=:a fail=@8
                       1  TestEqInt       src=R1 val=1 fail=@4
                       2  LoadInt         dst=R2 val=1
                       3  Return          src=R2
                 L2    4  TestEqAtom      src=R0 atom=:a fail=@8
                       5  TestEqInt       src=R1 val=2 fail=@8
                       6  LoadInt         dst=R2 val=2
                       7  Return          src=R2
                 L3    8  TestEqAtom      src=R0 atom=:b fail=@11
                       9  LoadInt         dst=R2 val=3
                      10  Return          src=R2
                      11  FunctionClause  
        "#]],
    );
}
