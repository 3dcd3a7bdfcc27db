//! Stress tests, bounded in time: many short-lived processes, processes
//! crashing in a loop (memory must stay flat), and many processes
//! exchanging messages across two scheduler threads with every message
//! accounted for. The tests in this file run one at a time (they measure
//! memory).

use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use reef_vm::{Term, Vm};

static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

const SOURCE: &str = r#"
// 200k processes that each answer once and end.
pub fn short_lived(n) {
  let me = self()
  spawn_each(n, me)
  collect(n, 0)
}

fn spawn_each(0, _me) { :ok }
fn spawn_each(n, me) {
  spawn(fn() { me ! (:done, n) })
  spawn_each(n - 1, me)
}

fn collect(0, sum) { sum }
fn collect(n, sum) {
  receive {
    (:done, k) => collect(n - 1, sum + k),
  } after 10000 => (:missing, n)
}

// n processes that crash, each watched by a monitor; returns how many
// :DOWN messages came with the crash's reason.
pub fn crash_batch(n) {
  spawn_crashers(n)
  downs(n, 0)
}

fn spawn_crashers(0) { :ok }
fn spawn_crashers(n) {
  // Each crash leaves a little garbage behind: a list and a map.
  spawn_monitor(fn() {
    let junk = lists.seq(1, 50)
    let m = #{:junk => junk, :n => n}
    error((:boom, maps.get(m, :n)))
  })
  spawn_crashers(n - 1)
}

fn downs(0, ok) { ok }
fn downs(n, ok) {
  receive {
    (:DOWN, _ref, :process, _pid, ((:boom, _k), _trace)) => downs(n - 1, ok + 1),
    (:DOWN, _ref, :process, _pid, _other) => downs(n - 1, ok),
  } after 10000 => ok
}

// `procs` processes, each sending `each` messages round-robin to the
// others; every process reports what it received, and main checks that
// every message sent arrived exactly once.
pub fn exchange(procs, each) {
  let me = self()
  let pids = start(procs, each, me, [])
  lists.each(pids, fn(p) { p ! (:peers, pids) })
  let totals = gather(procs, [])
  let received = lists.foldl(totals, 0, fn((count, _sum), acc) { acc + count })
  let sum = lists.foldl(totals, 0, fn((_count, s), acc) { acc + s })
  (received, sum)
}

fn start(0, _each, _me, acc) { acc }
fn start(n, each, me, acc) {
  start(n - 1, each, me, [spawn(fn() { peer(me, n, each) }) | acc])
}

fn peer(main, id, each) {
  receive {
    (:peers, pids) => {
      let others = lists.filter(pids, fn(p) { p != self() })
      blast(others, others, each, id)
      lists.each(others, fn(p) { p ! :end })
      count(main, len(others), 0, 0)
    }
  }
}

fn blast(_all, _rest, 0, _id) { :ok }
fn blast(all, [], n, id) { blast(all, all, n, id) }
fn blast(all, [p | rest], n, id) {
  p ! (:msg, id * 1000000 + n)
  blast(all, rest, n - 1, id)
}

fn count(main, 0, c, s) { main ! (:total, (c, s)) }
fn count(main, ends, c, s) {
  receive {
    (:msg, v) => count(main, ends, c + 1, s + v),
    :end => count(main, ends - 1, c, s),
  }
}

fn gather(0, acc) { acc }
fn gather(n, acc) {
  receive {
    (:total, t) => gather(n - 1, [t | acc]),
  } after 20000 => acc
}
"#;

/// Counts the crash reports written to the VM's error stream.
#[derive(Clone, Default)]
struct Reports(Arc<AtomicUsize>);

impl Write for Reports {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        let n = b.windows(7).filter(|w| w == b"crashed").count();
        self.0.fetch_add(n, Ordering::Relaxed);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn vm(reports: &Reports) -> Vm {
    let vm = Vm::builder()
        .schedulers(2)
        .stdout(std::io::sink())
        .stderr(reports.clone())
        .build();
    vm.load_source("stress", "stress.reef", SOURCE).unwrap();
    vm
}

fn int(t: &Term) -> i64 {
    match t {
        Term::Int(i) => *i,
        other => panic!("not an integer: {other}"),
    }
}

/// Resident memory of this test process, in bytes.
fn rss() -> usize {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap();
    let pages: usize = statm.split_whitespace().nth(1).unwrap().parse().unwrap();
    pages * 4096
}

#[test]
fn two_hundred_thousand_short_lived_processes() {
    let _g = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let reports = Reports::default();
    let vm = vm(&reports);
    let n: i64 = 200_000;
    let sum = vm
        .call("stress", "short_lived", vec![Term::Int(n)])
        .unwrap();
    assert_eq!(int(&sum), n * (n + 1) / 2);
    assert_eq!(reports.0.load(Ordering::Relaxed), 0);
    // Every one of them has ended and left the table.
    assert!(vm.processes().is_empty(), "{:?}", vm.processes().len());
}

#[test]
fn processes_crashing_in_a_loop_leave_memory_flat() {
    let _g = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let reports = Reports::default();
    let vm = vm(&reports);
    let batch: i64 = 10_000;
    let mut after_warmup = 0;
    for round in 0..12 {
        let ok = vm
            .call("stress", "crash_batch", vec![Term::Int(batch)])
            .unwrap();
        assert_eq!(int(&ok), batch, "round {round}: every crash is seen");
        assert!(vm.processes().is_empty());
        if round == 2 {
            after_warmup = rss();
        }
    }
    let grown = rss().saturating_sub(after_warmup);
    assert!(
        grown < 16 << 20,
        "memory grew by {} KB over 9 rounds of {batch} crashes",
        grown >> 10
    );
    assert_eq!(
        reports.0.load(Ordering::Relaxed),
        12 * batch as usize,
        "one crash report per crash"
    );
}

#[test]
fn messages_across_two_schedulers_are_all_accounted_for() {
    let _g = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let reports = Reports::default();
    let vm = vm(&reports);
    let procs: i64 = 60;
    let each: i64 = 1000;
    let result = vm
        .call(
            "stress",
            "exchange",
            vec![Term::Int(procs), Term::Int(each)],
        )
        .unwrap();
    let Term::Tuple(parts) = &result else {
        panic!("not a pair: {result}");
    };
    // Each process sends `each` messages spread over the others.
    assert_eq!(int(&parts[0]), procs * each);
    // The sum of ids * 1e6 + counters, over every message.
    let per_sender: i64 = (1..=each).sum();
    let expected: i64 = (1..=procs)
        .map(|id| id * 1_000_000 * each + per_sender)
        .sum();
    assert_eq!(int(&parts[1]), expected);
    assert_eq!(reports.0.load(Ordering::Relaxed), 0);
}
