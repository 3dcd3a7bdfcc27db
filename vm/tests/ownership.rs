//! Ownership end to end: in-place updates of unique maps allocate O(1)
//! per update, and never change a value another reference still sees
//! (another variable, a closure, a message in the mailbox, a `try`
//! handler's scope). Proptests compare every version a program keeps
//! with a copying reference model.

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use common::Sink;
use proptest::prelude::*;
use reef_vm::Vm;

/// Counts every allocation of the process (all threads: the program runs
/// on a scheduler thread).
struct Counting;

static ALLOCS: AtomicUsize = AtomicUsize::new(0);

/// The counter is process-wide: the tests of this file run one at a time
/// so that one's allocations are not counted in another's.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

// SAFETY: forwards to the system allocator unchanged; only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: the caller upholds `alloc`'s contract, passed on as is.
        unsafe { System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        // SAFETY: as for `alloc`.
        unsafe { System.dealloc(p, l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, n: usize) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: as for `alloc`.
        unsafe { System.realloc(p, l, n) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Runs `main(args)` of `source`; its stdout, and the allocations made
/// while it ran (loading and compiling excluded).
fn run(source: &str, args: Vec<String>) -> (String, usize) {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let out = Sink::default();
    let vm = Vm::builder()
        .env_path(false)
        .schedulers(1)
        .stdout(out.clone())
        .build();
    vm.load_source("t", "t.reef", source)
        .unwrap_or_else(|e| panic!("{e}"));
    let before = ALLOCS.load(Ordering::Relaxed);
    let r = vm.run_main("t", args);
    let allocs = ALLOCS.load(Ordering::Relaxed) - before;
    assert!(r.is_ok(), "{r:?}\n{}", out.text());
    (out.text(), allocs)
}

const FILL: &str = r##"
pub fn main([n, keep]) {
  let n = strings.to_int(n)
  let m = maps.new()
  let kept = maps.new()
  let m = fill(0, n, m, kept, keep == "keep")
  io.println("#{maps.size(m)} #{maps.get(m, 7)}")
}

// With `keep`, a second reference to the map is taken at iteration 4000
// (`kept`), so the next update must copy; otherwise the map is unique at
// each update (its last use moves it into the native or `UpdateMapLast`).
fn fill(i, n, m, _kept, _keep) when i >= n { m }
fn fill(i, n, m, kept, keep) {
  let k = i rem 5000
  let m = maps.put(m, k, i)
  let m = #{m | k + 5000 => i}
  let kept = if i == 4000 and keep { m } else { kept }
  fill(i + 1, n, m, kept, keep)
}
"##;

#[test]
fn a_unique_map_updated_a_million_times_allocates_o1_per_update() {
    let n = 1_000_000;
    let (out, small) = run(FILL, vec!["10000".into(), "no".into()]);
    assert_eq!(out, "10000 5007\n");
    let (out, big) = run(FILL, vec![n.to_string(), "no".into()]);
    assert_eq!(out, format!("10000 {}\n", n - 5000 + 7));
    // Two updates an iteration; past the first 10,000 iterations every
    // key exists, so an in-place update allocates nothing (a copy would
    // path-copy several tree nodes each time). In-place updates also
    // charge the heap estimate only for what they add (`heap.rs`), so the
    // run stays below the first exact heap measure, whose walk allocates.
    let per_update = (big - small) as f64 / (2 * (n - 10_000)) as f64;
    assert!(
        per_update < 0.01,
        "{per_update:.3} allocations per update ({big} in all)"
    );
}

#[test]
fn a_shared_map_is_copied_not_changed() {
    // The same loop with a second reference taken at iteration 4000: the
    // next update must copy (the kept version stays as it was; the
    // proptest below checks such versions by value), which allocates.
    let (out, shared) = run(FILL, vec!["20000".into(), "keep".into()]);
    assert_eq!(out, "10000 15007\n");
    let (_, unique) = run(FILL, vec!["20000".into(), "no".into()]);
    assert!(
        shared > unique,
        "{shared} allocations shared, {unique} unique"
    );
}

// ---- proptest: every kept version equals the copying model ----

#[derive(Debug, Clone)]
enum Op {
    Put(i64, i64),
    Update(i64, i64),
    Remove(i64),
    /// `try { put; maybe throw } catch { _ => m }`: the handler reads
    /// the map the body updated.
    TryPut(i64, i64, bool),
}

#[derive(Debug, Clone, Copy)]
enum Keep {
    None,
    Var,
    Closure,
    Message,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0..40i64, 0..1000i64).prop_map(|(k, v)| Op::Put(k, v)),
        (0..40i64, 0..1000i64).prop_map(|(k, v)| Op::Update(k, v)),
        (0..40i64).prop_map(Op::Remove),
        (0..40i64, 0..1000i64, any::<bool>()).prop_map(|(k, v, t)| Op::TryPut(k, v, t)),
    ]
}

fn keep() -> impl Strategy<Value = Keep> {
    prop_oneof![
        3 => Just(Keep::None),
        1 => Just(Keep::Var),
        1 => Just(Keep::Closure),
        1 => Just(Keep::Message),
    ]
}

/// A program applying `ops` in sequence, keeping some versions, then
/// printing every kept version (in order) and the last.
fn program(ops: &[(Op, Keep)], big: bool) -> String {
    let mut body = String::new();
    // A large start makes the tree form (more than 32 keys) likely.
    if big {
        body.push_str("  let m0 = lists.foldl(lists.seq(100, 140), maps.new(), fn(k, acc) { maps.put(acc, k, k) })\n");
    } else {
        body.push_str("  let m0 = maps.new()\n");
    }
    let mut shows = Vec::new();
    for (i, (op, keep)) in ops.iter().enumerate() {
        let (m, n) = (format!("m{i}"), format!("m{}", i + 1));
        let line = match op {
            Op::Put(k, v) => format!("  let {n} = maps.put({m}, {k}, {v})\n"),
            Op::Update(k, v) => format!("  let {n} = #{{{m} | {k} => {v}}}\n"),
            Op::Remove(k) => format!("  let {n} = maps.remove({m}, {k})\n"),
            Op::TryPut(k, v, t) => format!(
                "  let {n} = try {{\n    let x = maps.put({m}, {k}, {v})\n    if {t} {{ throw(:no) }} else {{ x }}\n  }} catch {{ _ => {m} }}\n"
            ),
        };
        body.push_str(&line);
        match keep {
            Keep::None => {}
            Keep::Var => {
                body.push_str(&format!("  let k{i} = {n}\n"));
                shows.push(format!("maps.to_list(k{i})"));
            }
            Keep::Closure => {
                body.push_str(&format!("  let c{i} = fn() {{ {n} }}\n"));
                shows.push(format!("maps.to_list(c{i}())"));
            }
            Keep::Message => {
                body.push_str(&format!("  send(self(), ({i}, {n}))\n"));
                shows.push(format!("receive {{ ({i}, x) => maps.to_list(x) }}"));
            }
        }
    }
    for s in shows {
        body.push_str(&format!("  io.inspect({s})\n"));
    }
    body.push_str(&format!("  io.inspect(maps.to_list(m{}))\n", ops.len()));
    format!("pub fn main(_args) {{\n{body}}}\n")
}

/// What the program must print, from a model that copies every version.
fn expected(ops: &[(Op, Keep)], big: bool) -> String {
    let mut m: BTreeMap<i64, i64> = BTreeMap::new();
    if big {
        m.extend((100..=140).map(|k| (k, k)));
    }
    let show = |m: &BTreeMap<i64, i64>| {
        let pairs: Vec<String> = m.iter().map(|(k, v)| format!("({k}, {v})")).collect();
        format!("[{}]\n", pairs.join(", "))
    };
    let mut kept = String::new();
    for (op, keep) in ops {
        let mut next = m.clone();
        match *op {
            Op::Put(k, v) | Op::Update(k, v) => {
                next.insert(k, v);
            }
            Op::Remove(k) => {
                next.remove(&k);
            }
            Op::TryPut(k, v, throws) => {
                if !throws {
                    next.insert(k, v);
                }
            }
        }
        m = next;
        if !matches!(keep, Keep::None) {
            kept.push_str(&show(&m));
        }
    }
    kept + &show(&m)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn in_place_updates_never_change_a_kept_version(
        ops in proptest::collection::vec((op(), keep()), 1..30),
        big in any::<bool>(),
    ) {
        let src = program(&ops, big);
        let (out, _) = run(&src, vec![]);
        prop_assert_eq!(out, expected(&ops, big), "program:\n{}", src);
    }
}

#[test]
fn taking_a_shared_tuple_or_list_apart_leaves_it_whole() {
    // `check` takes each node apart at its last use; when the caller
    // still holds the tree (or a list of it, or a closure over it), the
    // node is shared, so the elements are cloned and the tree survives.
    let src = r#"
pub fn main(_args) {
  let t = make(4)
  let keep = [t, t]
  let c = fn() { t }
  io.inspect(check(t))
  io.inspect(sum(keep_list(5)))
  io.inspect(check(c()) + check(hd(keep)) + check(hd(tl(keep))))
  io.inspect(t == make(4))
}
fn make(0) { (nil, nil) }
fn make(d) { (make(d - 1), make(d - 1)) }
fn check(nil) { 0 }
fn check((l, r)) { 1 + check(l) + check(r) }
fn keep_list(n) { lists.seq(1, n) }
fn sum([]) { 0 }
fn sum([h | t]) { h + sum(t) }
fn hd([h | _]) { h }
fn tl([_ | t]) { t }
"#;
    let (out, _) = run(src, vec![]);
    assert_eq!(out, "31\n15\n93\ntrue\n");
}
