//! End-to-end: real Reef sources compiled by the compiler and run by the
//! VM through its public API, output captured.

mod common;

use std::path::PathBuf;

use common::Sink;
use reef_vm::{LoadError, Term, Vm};

fn vm() -> (Vm, Sink) {
    let out = Sink::default();
    (
        Vm::builder().env_path(false).stdout(out.clone()).build(),
        out,
    )
}

/// Runs `source` as module `name` and returns (result, stdout).
fn run(name: &str, source: &str) -> (Result<Term, reef_vm::Crash>, String) {
    let (vm, out) = vm();
    vm.load_source(name, &format!("{name}.reef"), source)
        .unwrap_or_else(|e| panic!("{e}"));
    let r = vm.run_main(name, vec!["a".into(), "b".into()]);
    (r, out.text())
}

fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("reef-vm-test-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn hello_and_args() {
    let (r, out) = run(
        "hello",
        "pub fn main(args) {\n  io.println(\"Hello, #{len(args)} args: #{args}\")\n}\n",
    );
    assert!(r.is_ok());
    assert_eq!(out, "Hello, 2 args: [\"a\", \"b\"]\n");
}

#[test]
fn recursion_closures_and_stdlib() {
    let src = r#"
pub fn main() {
  io.println(fib(20))
  io.println(fact(30))
  let add = fn(x) { fn(y) { x + y } }
  io.inspect(lists.map([1, 2, 3], add(10)))
  io.inspect(lists.foldl(lists.seq(1, 100), 0, fn(x, acc) { x + acc }))
  io.inspect(#{:b => 2, :a => [1.5, "s", (:t,)]})
  io.inspect(count(10_000_000, 0))
  io.inspect(sum(1_000_000))
}

fn fib(n) when n < 2 { n }
fn fib(n) { fib(n - 1) + fib(n - 2) }

fn fact(0) { 1 }
fn fact(n) { n * fact(n - 1) }

fn count(0, acc) { acc }
fn count(n, acc) { count(n - 1, acc + 1) }

fn sum(0) { 0 }
fn sum(n) { n + sum(n - 1) }
"#;
    let (r, out) = run("rec", src);
    assert!(r.is_ok(), "{:?}", r.err().map(|c| c.report));
    assert_eq!(
        out,
        "6765\n265252859812191058636308480000000\n[11, 12, 13]\n5050\n#{:a => [1.5, \"s\", (:t,)], :b => 2}\n10000000\n500000500000\n"
    );
}

#[test]
fn errors_try_catch_and_crash_reports() {
    let src = r#"
pub fn main() {
  io.inspect(try { 1 div zero() } catch { (c, r) => (c, r) })
  io.inspect(try { throw(:x) } catch { (:throw, v) => v })
  let (m, f, a, _file, line) = try { boom(1) } catch { (:error, _, st) => hd(st) }
  io.inspect((m, f, a, line))
  deep(3)
}

fn zero() { 0 }

fn boom(x) {
  let y = x + 1
  y + :atom
}

fn deep(0) { error(:bottom) }
fn deep(n) {
  let r = deep(n - 1)
  r
}
"#;
    let (r, out) = run("errs", src);
    assert_eq!(out, "(:error, :badarith)\n:x\n(:errs, :boom, 1, 14)\n");
    let crash = r.unwrap_err();
    assert!(
        crash.report.contains("crashed: error :bottom"),
        "{}",
        crash.report
    );
    assert!(
        crash.report.contains("**   in errs.deep/1 (errs.reef:17)"),
        "{}",
        crash.report
    );
    assert!(
        crash.report.contains("**   in errs.deep/1 (errs.reef:19)"),
        "{}",
        crash.report
    );
    // main called deep(3) in tail position: its frame is gone (spec 6.3).
    assert!(!crash.report.contains("errs.main/0"), "{}", crash.report);
}

#[test]
fn processes_send_and_selective_receive() {
    let src = r#"
pub fn main() {
  let me = self()
  let pid = spawn(fn() { worker(me) })
  pid ! (:add, 5)
  pid ! (:add, 7)
  pid ! (:get, me)
  receive {
    (:total, n) => io.println("total: #{n}"),
  } after 1000 => io.println("timed out")
  receive { :never => :ok } after 20 => io.println("after 20")
  me ! :b
  me ! :a
  receive { :a => io.println("a first") }
  receive { x => io.inspect(x) }
}

fn worker(parent) {
  receive {
    (:add, k) when is_int(k) => {
      parent ! (:ack, k)
      worker_loop(k)
    }
  }
}

fn worker_loop(n) {
  receive {
    (:add, k) => worker_loop(n + k),
    (:get, from) => from ! (:total, n),
  }
}
"#;
    let (r, out) = run("procs", src);
    assert!(r.is_ok(), "{:?}", r.err().map(|c| c.report));
    // The worker's (:ack, 5) came before :b and stayed while others were picked.
    assert_eq!(out, "total: 12\nafter 20\na first\n(:ack, 5)\n");
}

#[test]
fn a_spinning_process_does_not_starve_others() {
    let src = r#"
pub fn main() {
  let me = self()
  spawn(fn() { spin() })
  spawn(fn() { me ! :hello })
  receive { :hello => io.println("got it") }
}

fn spin() { spin() }
"#;
    let (r, out) = run("spin", src);
    assert!(r.is_ok());
    assert_eq!(out, "got it\n");
}

#[test]
fn modules_beside_the_file_and_compile_errors() {
    let dir = temp_dir("beside");
    std::fs::write(
        dir.join("app.reef"),
        "pub fn main() {\n  io.println(helper.twice(21))\n}\n",
    )
    .unwrap();
    std::fs::write(dir.join("helper.reef"), "pub fn twice(x) { x * 2 }\n").unwrap();
    let (v, out) = vm();
    assert_eq!(v.load_file(dir.join("app.reef")).unwrap(), "app");
    v.run_main("app", vec![]).unwrap();
    assert_eq!(out.text(), "42\n");

    // A compile error in a module the file uses is reported up front.
    std::fs::write(dir.join("helper.reef"), "pub fn twice(x) { x * y }\n").unwrap();
    let (v, _) = vm();
    match v.load_file(dir.join("app.reef")) {
        Err(LoadError::Compile {
            module,
            rendered,
            errors,
            ..
        }) => {
            assert_eq!(module, "helper");
            assert!(errors >= 1);
            assert!(rendered.contains("helper.reef"), "{rendered}");
        }
        other => panic!("expected a compile error, got {other:?}"),
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn search_path_and_check_and_disasm() {
    let dir = temp_dir("path");
    let lib = dir.join("lib");
    std::fs::create_dir_all(&lib).unwrap();
    std::fs::write(
        lib.join("greet.reef"),
        "pub fn hi(name) { \"hi #{name}\" }\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("main.reef"),
        "pub fn main() { io.println(greet.hi(:you)) }\n",
    )
    .unwrap();
    let out = Sink::default();
    let vm = Vm::builder()
        .env_path(false)
        .search_path(&lib)
        .stdout(out.clone())
        .build();
    vm.load_file(dir.join("main.reef")).unwrap();
    vm.run_main("main", vec![]).unwrap();
    assert_eq!(out.text(), "hi you\n");

    let check = reef_vm::check_file(dir.join("main.reef"), false).unwrap();
    assert_eq!((check.errors, check.warnings), (0, 0));
    std::fs::write(dir.join("bad.reef"), "pub fn main() { x }\n").unwrap();
    let check = reef_vm::check_file(dir.join("bad.reef"), false).unwrap();
    assert_eq!(check.errors, 1);
    assert!(check.rendered.contains("bad.reef"));
    let text = reef_vm::disassemble_file(dir.join("main.reef"), false).unwrap();
    assert!(text.contains("CallExt"), "{text}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn no_main_is_an_error() {
    let (vm, _) = vm();
    vm.load_source("nomain", "nomain.reef", "pub fn other() { 1 }\n")
        .unwrap();
    let crash = vm.run_main("nomain", vec![]).unwrap_err();
    assert!(crash.report.contains("has no `pub fn main`"));
}

#[test]
fn exit_normal_in_main_is_success() {
    let (r, _) = run("ex", "pub fn main() { exit(:normal) }\n");
    assert!(r.is_ok());
    let (r, _) = run("ex2", "pub fn main() { exit(:boom) }\n");
    let crash = r.unwrap_err();
    assert!(
        crash.report.contains("crashed: exit :boom"),
        "{}",
        crash.report
    );
}

#[test]
fn reloading_a_module_redirects_callers() {
    let (vm, out) = vm();
    vm.load_source("dep", "dep.reef", "pub fn v() { 1 }\n")
        .unwrap();
    vm.load_source(
        "user",
        "user.reef",
        "pub fn main() { io.println(dep.v()) }\n",
    )
    .unwrap();
    vm.run_main("user", vec![]).unwrap();
    vm.load_source("dep", "dep.reef", "pub fn v() { 2 }\n")
        .unwrap();
    vm.run_main("user", vec![]).unwrap();
    assert_eq!(out.text(), "1\n2\n");
}

#[test]
fn a_caller_keeps_its_registers_after_a_callee_parks() {
    // big() has many live registers around a call to a small function
    // that waits in a receive: parking compacts the register stack, and
    // the caller's registers above the callee's frame must survive.
    let src = r#"
pub fn main() {
  let me = self()
  spawn(fn() { me ! :go })
  io.inspect(big(1))
}

fn big(x) {
  let a = x + 1
  let r = wait()
  let b = a + 1
  let c = b + 1
  let d = (a, b, c, r, [x, a, b, c])
  d
}

fn wait() { receive { :go => :went } }
"#;
    let (r, out) = run("parkregs", src);
    assert!(r.is_ok(), "{:?}", r.err().map(|c| c.report));
    assert_eq!(out, "(2, 3, 4, :went, [1, 2, 3, 4])\n");
}

#[test]
fn a_two_million_element_list() {
    let src = r#"
pub fn main() {
  let xs = lists.seq(1, 2_000_000)
  let ys = lists.reverse(xs)
  io.inspect(lists.length(ys))
  io.inspect(xs == lists.reverse(ys))
  io.inspect(hd(ys))
}
"#;
    let (r, out) = run("biglist", src);
    assert!(r.is_ok(), "{:?}", r.err().map(|c| c.report));
    assert_eq!(out, "2000000\ntrue\n2000000\n");
}

#[test]
fn a_session_lets_spawned_processes_run() {
    let (vm, out) = vm();
    let src =
        "pub fn go(state) {\n  spawn(fn() { io.println(\"from a child\") })\n  (:ok, state)\n}\n";
    vm.load_source("sess2", "sess2.reef", src).unwrap();
    let mut s = vm.session();
    assert_eq!(s.eval("sess2", "go").unwrap().text, ":ok");
    assert_eq!(out.text(), "from a child\n");
}

/// `halt(status)` in an embedded VM does not end the host: `run_main`
/// returns the crash `(:halt, status)` at once, with what was printed
/// before it written out, and `exit_status` says the status.
#[test]
fn halt_ends_run_main_with_the_status() {
    let (vm, out) = vm();
    let src = "pub fn main() {\n  spawn(fn() { io.println(\"worker\"); halt(7) })\n  receive { :never => :ok }\n}\n";
    vm.load_source("halting", "halting.reef", src)
        .unwrap_or_else(|e| panic!("{e}"));
    let crash = vm.run_main("halting", vec![]).expect_err("halted");
    assert_eq!(
        crash.reason,
        Term::Tuple(vec![Term::atom("halt"), Term::Int(7.into())])
    );
    assert_eq!(vm.exit_status(), Some(7));
    assert_eq!(out.text(), "worker\n");
}
