//! Whole-VM failures that must not happen (issue 8): a panic in the VM
//! ends one process, not a scheduler thread; an exit signal to oneself in
//! tail position is not lost; new processes run in spawn order.

// A crash is the cold path; boxing it would only make the tests clumsier.
#![allow(clippy::result_large_err)]

mod common;

use common::Sink;

use reef_vm::{Term, Vm};

fn vm(schedulers: usize) -> (Vm, Sink, Sink) {
    let (out, err) = (Sink::default(), Sink::default());
    let vm = Vm::builder()
        .env_path(false)
        .schedulers(schedulers)
        .stdout(out.clone())
        .stderr(err.clone())
        .build();
    (vm, out, err)
}

fn run(vm: &Vm, name: &str, src: &str) -> Result<Term, reef_vm::Crash> {
    vm.load_source(name, &format!("{name}.reef"), src)
        .unwrap_or_else(|e| panic!("{e}"));
    vm.run_main(name, vec![])
}

#[test]
fn a_panicking_native_ends_its_process_and_nothing_else() {
    for schedulers in [1, 2] {
        let (vm, out, err) = vm(schedulers);
        vm.register_fn("host", "boom", || -> i64 { panic!("a bug in a native") });
        let src = r#"
pub fn main() {
  // Three panics: more than there are scheduler threads.
  let ms = lists.map([1, 2, 3], fn(_) { spawn_monitor(fn() { host.boom() }) })
  let reasons = lists.map(ms, fn((_, r)) { receive { (:DOWN, ^r, :process, _, (why, _stack)) => why } })
  io.inspect(reasons)
  // The VM still runs processes on every thread.
  let me = self()
  let ps = lists.map(lists.seq(1, 8), fn(i) { spawn(fn() { me ! (:done, i * i) }) })
  io.inspect(lists.sum(lists.map(ps, fn(_) { receive { (:done, n) => n } })))
}
"#;
        let r = run(&vm, "panics", src);
        assert!(r.is_ok(), "{r:?}");
        let out = out.text();
        assert_eq!(
            out,
            "[(:native_panic, \"a bug in a native\"), (:native_panic, \"a bug in a native\"), (:native_panic, \"a bug in a native\")]\n204\n",
            "schedulers: {schedulers}"
        );
        let err = err.text();
        assert_eq!(err.matches("native_panic").count(), 3, "{err}");
    }
}

#[test]
fn exit_self_in_tail_position_ends_the_process_with_that_reason() {
    let (vm, out, err) = vm(2);
    let src = r#"
pub fn main() {
  let (_, r1) = spawn_monitor(fn() { exit(self(), :boom) })
  receive { (:DOWN, ^r1, :process, _, why) => io.inspect(why) }
  let (_, r2) = spawn_monitor(fn() { exit(self(), :kill) })
  receive { (:DOWN, ^r2, :process, _, why) => io.inspect(why) }
  let (_, r3) = spawn_monitor(fn() { exit(self(), :normal) })
  receive { (:DOWN, ^r3, :process, _, why) => io.inspect(why) }
  process.flag(:trap_exit, true)
  let p = spawn_link(fn() { exit(self(), :linked) })
  receive { (:EXIT, ^p, why) => io.inspect(why) }
}
"#;
    assert!(run(&vm, "exitself", src).is_ok());
    assert_eq!(out.text(), ":boom\n:killed\n:normal\n:linked\n");
    assert!(
        err.text().contains(":boom"),
        "a crash report: {}",
        err.text()
    );
}

#[test]
fn new_processes_run_in_spawn_order() {
    for _ in 0..5 {
        let (vm, out, _) = vm(1);
        let src = r#"
pub fn main() {
  spawn(fn() { io.println("a") })
  spawn(fn() { io.println("b") })
  spawn(fn() { io.println("c") })
  sleep(20)
}
"#;
        assert!(run(&vm, "order", src).is_ok());
        assert_eq!(out.text(), "a\nb\nc\n");
    }
}

#[test]
fn a_long_native_runs_on_a_dirty_scheduler_and_others_go_on() {
    // One scheduler thread: if the power (about a second of work) ran on
    // it, the ticker could not tick before the power was done.
    let (vm, out, _) = vm(1);
    let src = r#"
pub fn main() {
  let me = self()
  spawn(fn() { me ! (:pow, math.pow(3, 10_000_000) > 0) })
  spawn(fn() { tick(20) ; me ! :ticked })
  let first = receive { :ticked => :ticked, (:pow, _) => :pow }
  let second = receive { :ticked => :ticked, (:pow, _) => :pow }
  io.inspect((first, second))
  io.inspect(math.pow(2, 100))
  io.inspect(lists.sort([3, 1, 2]))
  io.inspect(lists.take(lists.sort(lists.reverse(lists.seq(1, 60_000))), 3))
}

fn tick(0) { :ok }
fn tick(n) {
  sleep(1)
  tick(n - 1)
}
"#;
    assert!(run(&vm, "dirty", src).is_ok());
    assert_eq!(
        out.text(),
        "(:ticked, :pow)\n1267650600228229401496703205376\n[1, 2, 3]\n[1, 2, 3]\n"
    );
}

#[test]
fn natives_charge_reductions_for_the_elements_they_walk() {
    // One scheduler: `a` calls `lists.length` on a 100,000-element list
    // ten times. Each call walks 100,000 elements and costs about 25,000
    // reductions, more than a slice, so `b` runs between any two calls;
    // were a native one reduction, all ten calls would fit in one slice.
    let (vm, out, _) = vm(1);
    let src = r#"
pub fn main() {
  let me = self()
  let xs = lists.seq(1, 100_000)
  spawn(fn() { times(10, fn() { me ! (:a, lists.length(xs)) }) })
  spawn(fn() { ping(me, 40) })
  let tags = collect(50, [])
  let firsts = lists.take(tags, 10)
  io.inspect(lists.member(firsts, :b))
}

fn ping(_, 0) { :ok }
fn ping(me, n) {
  me ! (:b, n)
  spin(200)
  ping(me, n - 1)
}

fn spin(0) { :ok }
fn spin(n) { spin(n - 1) }

fn collect(0, acc) { lists.reverse(acc) }
fn collect(n, acc) { receive { (tag, _) => collect(n - 1, [tag | acc]) } }

fn times(0, _) { :ok }
fn times(n, f) {
  f()
  times(n - 1, f)
}
"#;
    assert!(run(&vm, "charge", src).is_ok());
    assert_eq!(out.text(), "true\n");
}
