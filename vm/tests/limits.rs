//! The VM's limits, end to end with small limits: the process limit, the
//! atom table's limit, max_heap by the allocation estimate, sizes checked
//! before a big term is built, back-pressure by `max_queue`, and
//! `process.info` of a process that is running.

mod common;

use common::Sink;

use reef_vm::{Term, Vm, VmBuilder};

/// Runs `source`'s main on a VM from `builder`; (result, stdout).
fn run_with(builder: VmBuilder, name: &str, source: &str) -> (Result<Term, String>, String) {
    let out = Sink::default();
    let vm: Vm = builder
        .env_path(false)
        .stdout(out.clone())
        .stderr(std::io::sink())
        .build();
    vm.load_source(name, &format!("{name}.reef"), source)
        .unwrap_or_else(|e| panic!("{e}"));
    let r = vm.run_main(name, vec![]).map_err(|c| c.report);
    let text = out.text();
    (r, text)
}

#[test]
fn spawn_past_the_process_limit_raises_system_limit() {
    let src = r#"
pub fn main() {
  let me = self()
  io.inspect(spawn_all(0, me))
  io.inspect(len(process.list()) <= 50)
  // Room again once they end: spawning works.
  lists.each(process.list(), fn(p) { if p != me { exit(p, :kill) } else { :ok } })
  sleep(50)
  io.inspect(is_pid(spawn(fn() { :ok })))
}

fn spawn_all(n, me) {
  let r = try { spawn(fn() { receive { :never => :ok } }) ; :ok } catch { (:error, e) => e }
  case r {
    :ok => spawn_all(n + 1, me),
    e => (n, e),
  }
}
"#;
    let (r, out) = run_with(Vm::builder().max_processes(50), "plimit", src);
    assert!(r.is_ok(), "{r:?}");
    // main is one of the 50.
    assert_eq!(out, "(49, :system_limit)\ntrue\ntrue\n");
}

#[test]
fn max_heap_stops_a_growing_process_within_twice_its_limit() {
    let src = r#"
pub fn main() {
  let (p, r) = spawn_monitor(fn() {
    process.max_heap(200000)
    build([], 0)
  })
  receive {
    (:DOWN, ^r, :process, ^p, (:max_heap, words, 200000)) =>
      io.inspect(words > 200000 and words < 400000),
    (:DOWN, ^r, :process, ^p, other) => io.inspect(other),
  }
}

// Builds a list of tuples one cell at a time: no native, only the
// interpreter's constructors.
fn build(acc, n) { build([(n, n) | acc], n + 1) }
"#;
    let (r, out) = run_with(Vm::builder(), "heapgrow", src);
    assert!(r.is_ok(), "{r:?}");
    assert_eq!(out, "true\n");
}

#[test]
fn big_natives_check_the_size_first() {
    let src = r#"
pub fn main() {
  // Past the absolute cap: :system_limit, catchable.
  io.inspect(try { lists.seq(1, 1_000_000_000_000) } catch { (:error, e) => e })
  io.inspect(try { strings.repeat("ab", 10_000_000_000) } catch { (:error, e) => e })
  io.inspect(try { math.pow(9_000_000_000_000_000_000, 4_000_000_000) } catch { (:error, e) => e })
  // Past the process's max_heap: the max_heap kill, not catchable.
  let (p, r) = spawn_monitor(fn() {
    process.max_heap(10000)
    try { lists.seq(1, 100000) } catch { (_, e) => e }
  })
  receive {
    (:DOWN, ^r, :process, ^p, (:max_heap, words, 10000)) => io.inspect(words > 500000),
    (:DOWN, ^r, :process, ^p, other) => io.inspect(other),
  }
  // Small ones are fine.
  io.inspect(len(lists.seq(1, 1000)))
}
"#;
    let (r, out) = run_with(Vm::builder(), "bignat", src);
    assert!(r.is_ok(), "{r:?}");
    assert_eq!(
        out,
        ":system_limit\n:system_limit\n:system_limit\ntrue\n1000\n"
    );
}

#[test]
fn a_full_mailbox_makes_senders_wait_and_never_blocks_signals() {
    let src = r#"
pub fn main() {
  let me = self()
  // A consumer that takes nothing for a while: senders to it wait once
  // 10 messages are queued.
  let c = spawn(fn() {
    process.flag(:max_queue, 10)
    me ! :ready
    sleep(400)
    drain(0, me)
  })
  receive { :ready => :ok }
  let producer = spawn(fn() {
    lists.each(lists.seq(1, 30), fn(i) { c ! (:item, i) })
    me ! :sent
  })
  sleep(100)
  io.inspect(process.info(c, :message_queue_len))
  io.inspect(process.info(producer, :status))
  // Signals are never blocked: a monitor and an exit signal go through.
  let r = monitor(c)
  // A blocked sender can be killed.
  let (b, rb) = spawn_monitor(fn() { c ! :one_more })
  sleep(50)
  exit(b, :kill)
  receive { (:DOWN, ^rb, :process, ^b, reason) => io.inspect(reason) }
  // Sending to oneself never waits.
  process.flag(:max_queue, 1)
  self() ! :a
  self() ! :b
  io.inspect(process.info(self(), :message_queue_len))
  receive { :a => :ok }
  receive { :b => :ok }
  // Once the consumer takes messages, the producer goes on.
  receive { :sent => io.println("sent") }
  receive { (:drained, n) => io.inspect(n) }
  receive { (:DOWN, ^r, :process, ^c, reason) => io.inspect(reason) }
}

fn drain(n, me) {
  receive {
    (:item, 30) => me ! (:drained, n + 1),
    (:item, _) => drain(n + 1, me),
  }
}
"#;
    let (r, out) = run_with(Vm::builder(), "backpressure", src);
    assert!(r.is_ok(), "{r:?}");
    assert_eq!(out, "10\n:waiting\n:killed\n2\nsent\n30\n:normal\n");
}

#[test]
fn senders_waiting_on_a_process_that_ends_go_on() {
    let src = r#"
pub fn main() {
  let me = self()
  let c = spawn(fn() {
    process.flag(:max_queue, 2)
    receive { :never => :ok }
  })
  sleep(20)
  lists.each(lists.seq(1, 3), fn(i) {
    spawn(fn() { c ! 1 ; c ! 2 ; c ! 3 ; me ! (:done, i) })
  })
  sleep(100)
  exit(c, :kill)
  lists.each(lists.seq(1, 3), fn(_) { receive { (:done, _) => :ok } })
  io.println("all senders went on")
}
"#;
    let (r, out) = run_with(Vm::builder(), "waitend", src);
    assert!(r.is_ok(), "{r:?}");
    assert_eq!(out, "all senders went on\n");
}

#[test]
fn info_of_a_long_queue_and_of_a_running_process() {
    let src = r#"
pub fn main() {
  let sink = spawn(fn() { receive { :never => :ok } })
  lists.each(lists.seq(1, 200000), fn(i) { sink ! i })
  io.inspect(process.info(sink, :message_queue_len))
  // A busy process: whenever it is caught running, what cannot be known
  // is :undefined, and its queue and memory are numbers.
  let busy = spawn(fn() { spin(0) })
  io.inspect(check(busy, 30))
  exit(busy, :kill)
}

fn spin(n) {
  lists.seq(1, 300000)
  spin(n + 1)
}

fn check(_, 0) { :ok }
fn check(p, n) {
  let i = process.info(p)
  let get = fn(k) { maps.get(i, k) }
  let ok = case get(:status) {
    :running => get(:links) == :undefined and is_int(get(:message_queue_len)) and is_int(get(:memory)),
    _ => is_list(get(:links)),
  }
  if ok { sleep(1) ; check(p, n - 1) } else { i }
}
"#;
    let (r, out) = run_with(Vm::builder(), "infolong", src);
    assert!(r.is_ok(), "{r:?}");
    assert_eq!(out, "200000\n:ok\n");
}
