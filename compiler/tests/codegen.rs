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
                       3  GetHeadTake     dst=R2 src=R0
                       4  GetTailLast     dst=R3 src=R0
                       5  MoveLast        dst=R0 src=R3
                       6  Add             dst=R1 a=R1 b=R2
                       7  Jump            target=@0
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
                 L3    2  MoveLast        dst=R3 src=R0
                       3  MoveLast        dst=R4 src=R1
                       4  MakeClosure     dst=R2 func=-adder/1-fun-0-/1 start=R3 count=2
                       5  Return          src=R2
                       6  FunctionClause  

            lambda captures=2 -adder/1-fun-0-/1 (F1) regs=5
                 L3    0  Add             dst=R4 a=R0 b=R1
                       1  AddReturn       dst=R3 a=R4 b=R2
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
                      18  GetHeadTake     dst=R4 src=R3
                      19  GetTailLast     dst=R5 src=R3
                      20  AddReturn       dst=R6 a=R2 b=R4
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
                       2  GetElemLast     dst=R2 src=R1 index=1
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
                       1  MoveLast        dst=R5 src=R0
                       2  CallFun         base=R5 argc=0
                       3  MoveLast        dst=R1 src=R5
                       4  TryEnd          
                       5  Jump            target=@17
                 L3    6  TestEqAtom      src=R2 atom=:throw fail=@11
                       7  LoadAtom        dst=R5 atom=:thrown
                       8  MoveLast        dst=R6 src=R3
                       9  MakeTupleLast   dst=R1 start=R5 count=2
                      10  Jump            target=@17
                 L4   11  TestEqAtom      src=R2 atom=:error fail=@16
                      12  LoadAtom        dst=R5 atom=:failed
                      13  MoveLast        dst=R6 src=R3
                      14  MakeTupleLast   dst=R1 start=R5 count=2
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
                       1  GetElemTake     dst=R1 src=R0 index=0
                       2  GetElemLast     dst=R2 src=R0 index=1
                 L3    3  AddReturn       dst=R3 a=R1 b=R2
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
                       2  UpdateMapLast   dst=R2 map=R0 start=R3 count=1
                       3  Drop            src=R2
                 L3    4  TestGtInt       src=R1 val=10 fail=@9
                       5  LoadLit         dst=R4 lit="big "
                       6  MoveLast        dst=R5 src=R1
                       7  Interp          dst=R3 start=R4 count=2
                       8  Return          src=R3
                       9  TestGtInt       src=R1 val=5 fail=@12
                      10  LoadAtom        dst=R3 atom=:mid
                      11  Return          src=R3
                      12  MoveLast        dst=R4 src=R1
                      13  LoadLit         dst=R5 lit=1.5
                      14  LoadNil         dst=R3
                      15  MakeConsOwn     dst=R3 head=R5 tail=R3 moves=3
                      16  MakeConsOwn     dst=R3 head=R4 tail=R3 moves=3
                      17  Return          src=R3
                      18  FunctionClause  
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

// ---- ownership: moves at last uses, takes, early drops ----

#[test]
fn ownership_takes_tree_nodes_apart_and_moves_last_uses() {
    // The node dies at its second field read: the first read takes its
    // element (GetElemTake), the second takes and frees the node
    // (GetElemLast); each field's last use moves it into the call.
    check(
        "pub fn check(nil) { 0 }\npub fn check((l, r)) { 1 + check(l) + check(r) }\n",
        expect![[r#"
            module t (t.reef)

            pub fn check/1 (F0) regs=6
                 L1    0  TestEqAtom      src=R0 atom=:nil fail=@3
                       1  LoadInt         dst=R1 val=0
                       2  Return          src=R1
                 L2    3  TestTuple       src=R0 arity=2 fail=@13
                       4  GetElemTake     dst=R1 src=R0 index=0
                       5  GetElemLast     dst=R2 src=R0 index=1
                       6  MoveLastCall    dst=R5 src=R1 func=check/1
                       7  Call            base=R5 func=check/1
                       8  AddInt          dst=R4 a=R5 val=1
                       9  MoveLastCall    dst=R5 src=R2 func=check/1
                      10  Call            base=R5 func=check/1
                      11  AddReturn       dst=R3 a=R4 b=R5
                      12  Return          src=R3
                      13  FunctionClause  
        "#]],
    );
}

#[test]
fn reuse_rebuilds_a_cell_or_tuple_in_the_block_taken_apart() {
    // The cell (and the pair) die at their last field read, which keeps
    // the emptied block in R0 (..Take, not ..Last); the constructor of the
    // same kind that follows writes into it when it is unique
    // (MakeConsReuse / MakeTupleReuse, token R0). The calls in between sit
    // above R0, so they cannot clobber it.
    check(
        "pub fn inc([]) { [] }\npub fn inc([h | t]) { [h + 1 | inc(t)] }\npub fn swap((a, b)) { (b, a) }\n",
        expect![[r#"
            module t (t.reef)

            pub fn inc/1 (F0) regs=6
                 L1    0  TestNil         src=R0 fail=@3
                       1  LoadNil         dst=R1
                       2  Return          src=R1
                 L2    3  TestCons        src=R0 fail=@12
                       4  GetHeadTake     dst=R1 src=R0
                       5  GetTailTake     dst=R2 src=R0
                       6  AddInt          dst=R4 a=R1 val=1
                       7  MoveLastCall    dst=R5 src=R2 func=inc/1
                       8  Call            base=R5 func=inc/1
                       9  MoveLast        dst=R3 src=R5
                      10  MakeConsReuse   dst=R3 head=R4 tail=R3 moves=3 token=R0
                      11  Return          src=R3
                      12  FunctionClause  

            pub fn swap/1 (F1) regs=6
                 L3    0  TestTuple       src=R0 arity=2 fail=@7
                       1  GetElemTake     dst=R1 src=R0 index=0
                       2  GetElemTake     dst=R2 src=R0 index=1
                       3  MoveLast        dst=R4 src=R2
                       4  MoveLast        dst=R5 src=R1
                       5  MakeTupleReuse  dst=R3 start=R4 count=2 token=R0
                       6  Return          src=R3
                       7  FunctionClause  
        "#]],
    );
}

#[test]
fn ownership_drops_a_dead_value_before_a_call() {
    // `big` is last read by the guard (a borrow): once the clause is
    // chosen it is dropped, before `work` runs, instead of lingering in
    // the frame until it returns.
    check(
        "pub fn f(big) when big != [] {\n  work(1)\n  2\n}\nfn work(n) { n }\n",
        expect![[r#"
            module t (t.reef)

            pub fn f/1 (F0) regs=3
                 L1    0  GuardBegin      fail=@10
                       1  LoadNil         dst=R2
                       2  Ne              dst=R1 a=R0 b=R2
                       3  GuardEnd        
                       4  TestTrue        src=R1 fail=@10
                       5  Drop            src=R0
                 L2    6  LoadInt         dst=R1 val=1
                       7  Call            base=R1 func=work/1
                 L3    8  LoadInt         dst=R1 val=2
                       9  Return          src=R1
                      10  FunctionClause  

            fn work/1 (F1) regs=1
                 L5    0  Return          src=R0
                       1  FunctionClause  
        "#]],
    );
}

#[test]
fn ownership_moves_a_map_into_maps_put() {
    // The map's last use moves it into the native, which then sees a
    // unique map and updates it in place.
    check(
        "pub fn fill(0, m) { m }\npub fn fill(i, m) { fill(i - 1, maps.put(m, i, i)) }\n",
        expect![[r#"
            module t (t.reef)

            pub fn fill/2 (F0) regs=6
                 L1    0  TestEqInt       src=R0 val=0 fail=@2
                       1  Return          src=R1
                 L2    2  AddInt          dst=R2 a=R0 val=-1
                       3  MoveLast        dst=R3 src=R1
                       4  Move            dst=R4 src=R0
                       5  MoveLast        dst=R5 src=R0
                       6  CallExt         base=R3 import=maps.put/3
                       7  TailCall        base=R2 func=fill/2
                       8  FunctionClause  
        "#]],
    );
}

#[test]
fn ownership_keeps_what_a_handler_reads() {
    // The handler reads `x`: it is live everywhere in the function, so
    // the call in the body gets a copy (Move), never the value itself.
    check(
        "pub fn f(x, g) {\n  try { g(x) } catch { _ => x }\n}\n",
        expect![[r#"
            module t (t.reef)

            pub fn f/2 (F0) regs=8
                 L2    0  TryBegin        dst=R3 handler=@7
                       1  MoveLast        dst=R6 src=R1
                       2  Move            dst=R7 src=R0
                       3  CallFun         base=R6 argc=1
                       4  MoveLast        dst=R2 src=R6
                       5  TryEnd          
                       6  Jump            target=@11
                       7  MakeTupleLast   dst=R6 start=R3 count=2
                       8  Move            dst=R2 src=R0
                       9  Jump            target=@11
                      10  Reraise         src=R3
                      11  Return          src=R2
                      12  FunctionClause  
        "#]],
    );
}

#[test]
fn ownership_never_moves_an_argument_a_later_clause_reads() {
    // The guard can fail after the tuple was read: the next clause (and
    // FunctionClause) read R0 again, so its fields are cloned, not taken.
    check(
        "pub fn f((a, b)) when a > b { a }\npub fn f(t) { t }\n",
        expect![[r#"
            module t (t.reef)

            pub fn f/1 (F0) regs=3
                 L1    0  TestTuple       src=R0 arity=2 fail=@5
                       1  GetElem2        dst=R1 src=R0 index=0 dst2=R2 index2=1
                       2  GetElem         dst=R2 src=R0 index=1
                       3  TestLt          a=R2 b=R1 fail=@5
                       4  Return          src=R1
                 L2    5  Return          src=R0
                       6  FunctionClause  
        "#]],
    );
}
