//! Ownership's cost, counted: an in-place update of a unique map or tuple
//! allocates nothing, and a shared one is copied; a map over a unique list
//! rewrites its cells in place (reuse), and `lists.reverse` relinks them,
//! while over a shared one both allocate. The allocator counts
//! every allocation of the process, so this binary holds one test: no
//! other test's allocations land in the count.

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use common::Sink;
use reef_vm::Vm;

/// Counts every allocation of the process (all threads: the program runs
/// on a scheduler thread).
struct Counting;

static ALLOCS: AtomicUsize = AtomicUsize::new(0);

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

const LIST: &str = r##"
pub fn main([n, rounds, keep]) {
  let xs = range(strings.to_int(n), [])
  let (ys, kept) = go(strings.to_int(rounds), xs, [], keep == "keep")
  io.println("#{sum(ys, 0)} #{lists.length(kept)}")
}

// With `keep`, every round's input stays referenced (`kept`), so `inc`
// must build new cells; otherwise the input's last use moves it into
// `inc`, whose cells are unique and rewritten in place.
fn go(0, xs, kept, _keep) { (xs, kept) }
fn go(k, xs, kept, keep) {
  let kept = if keep { [xs | kept] } else { kept }
  go(k - 1, inc(xs), kept, keep)
}
fn inc([]) { [] }
fn inc([h | t]) { [h + 1 | inc(t)] }
fn range(0, acc) { acc }
fn range(i, acc) { range(i - 1, [i | acc]) }
fn sum([], acc) { acc }
fn sum([h | t], acc) { sum(t, acc + h) }
"##;

const REVERSE: &str = r##"
pub fn main([n, rounds, keep]) {
  let xs = lists.seq(1, strings.to_int(n))
  let (ys, kept) = go(strings.to_int(rounds), xs, [], keep == "keep")
  io.println("#{lists.sum(ys)} #{hd(ys)} #{lists.length(kept)}")
}

// With `keep`, every round's input stays referenced, so `lists.reverse`
// must copy; otherwise the input's last use moves it into the native,
// which relinks its cells in place.
fn go(0, xs, kept, _keep) { (xs, kept) }
fn go(k, xs, kept, keep) {
  let kept = if keep { [xs | kept] } else { kept }
  go(k - 1, lists.reverse(xs), kept, keep)
}
"##;

const TUPLE: &str = r##"
pub fn main([n, keep]) {
  let (t, kept) = bump((0, 0, 0, 0, 0, 0, 0, 0), 0, strings.to_int(n), [], keep == "keep")
  io.println("#{inspect(t)} #{lists.length(kept)}")
}

// With `keep`, every version stays referenced (`kept`), so `put_elem`
// must copy; otherwise the tuple's last use is the call, which writes
// the element in place.
fn bump(t, i, n, kept, _keep) when i == n { (t, kept) }
fn bump(t, i, n, kept, keep) {
  let kept = if keep { [t | kept] } else { kept }
  let k = i rem 8
  let x = elem(t, k) + 1
  bump(put_elem(t, k, x), i + 1, n, kept, keep)
}
"##;

#[test]
fn unique_maps_and_lists_update_in_place_and_shared_ones_copy() {
    // The first run of the process pays one-time costs (lazy statics,
    // first use of thread-locals); a warm-up run takes them out of the
    // figures compared below.
    run(FILL, vec!["10000".into(), "no".into()]);

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
    let per_update = big.saturating_sub(small) as f64 / (2 * (n - 10_000)) as f64;
    assert!(
        per_update < 0.01,
        "{per_update:.3} allocations per update ({big} in all, {small} for 10,000 iterations)"
    );

    // The same loop with a second reference taken at iteration 4000: the
    // next update must copy (the kept version stays as it was; the
    // proptest in `ownership.rs` checks such versions by value), which
    // allocates.
    let (out, shared) = run(FILL, vec!["20000".into(), "keep".into()]);
    assert_eq!(out, "10000 15007\n");
    let (_, unique) = run(FILL, vec!["20000".into(), "no".into()]);
    assert!(
        shared > unique,
        "{shared} allocations shared, {unique} unique"
    );

    // Lists: ten more rounds of `inc` over a unique list of 20,000 cells
    // allocate nothing (each cell is rewritten where it is); over a
    // shared one, a cell each.
    let n = 20_000;
    let args = |rounds: usize, keep: &str| vec![n.to_string(), rounds.to_string(), keep.into()];
    let (out, one) = run(LIST, args(1, "no"));
    assert_eq!(out, format!("{} 0\n", n * (n + 1) / 2 + n));
    let (out, eleven) = run(LIST, args(11, "no"));
    assert_eq!(out, format!("{} 0\n", n * (n + 1) / 2 + 11 * n));
    let per_cell = eleven.saturating_sub(one) as f64 / (10 * n) as f64;
    assert!(
        per_cell < 0.01,
        "{per_cell:.3} allocations per cell ({eleven} for 11 rounds, {one} for 1)"
    );
    let (_, kept_one) = run(LIST, args(1, "keep"));
    let (out, kept_eleven) = run(LIST, args(11, "keep"));
    assert_eq!(out, format!("{} 11\n", n * (n + 1) / 2 + 11 * n));
    let per_cell = kept_eleven.saturating_sub(kept_one) as f64 / (10 * n) as f64;
    assert!(
        per_cell > 0.9,
        "{per_cell:.3} allocations per cell of a shared list"
    );

    // `lists.reverse` of a unique list relinks its cells: ten more rounds
    // allocate nothing; of a shared one, it copies every cell.
    let (out, one) = run(REVERSE, args(1, "no"));
    assert_eq!(out, format!("{} {n} 0\n", n * (n + 1) / 2));
    let (out, eleven) = run(REVERSE, args(11, "no"));
    assert_eq!(out, format!("{} {n} 0\n", n * (n + 1) / 2));
    let per_cell = eleven.saturating_sub(one) as f64 / (10 * n) as f64;
    assert!(
        per_cell < 0.01,
        "{per_cell:.3} allocations per cell reversing a unique list"
    );
    let (_, kept_one) = run(REVERSE, args(1, "keep"));
    let (out, kept_eleven) = run(REVERSE, args(11, "keep"));
    assert_eq!(out, format!("{} {n} 11\n", n * (n + 1) / 2));
    let per_cell = kept_eleven.saturating_sub(kept_one) as f64 / (10 * n) as f64;
    assert!(
        per_cell > 0.9,
        "{per_cell:.3} allocations per cell reversing a shared list"
    );

    // Tuples: `put_elem` on a unique tuple writes in place; on one that
    // every earlier version still references, it copies.
    let args = |n: usize, keep: &str| vec![n.to_string(), keep.into()];
    let (out, small) = run(TUPLE, args(1000, "no"));
    assert_eq!(out, "(125, 125, 125, 125, 125, 125, 125, 125) 0\n");
    let (out, big) = run(TUPLE, args(201_000, "no"));
    assert!(out.ends_with(" 0\n"), "{out}");
    let per_update = big.saturating_sub(small) as f64 / 200_000.0;
    assert!(
        per_update < 0.01,
        "{per_update:.3} allocations per put_elem on a unique tuple"
    );
    let (_, kept_small) = run(TUPLE, args(1000, "keep"));
    let (out, kept_big) = run(TUPLE, args(21_000, "keep"));
    assert!(out.ends_with(" 21000\n"), "{out}");
    let per_update = kept_big.saturating_sub(kept_small) as f64 / 20_000.0;
    assert!(
        per_update > 0.9,
        "{per_update:.3} allocations per put_elem on a shared tuple"
    );
}
