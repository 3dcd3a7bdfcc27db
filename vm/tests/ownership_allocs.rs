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
  let m = maps.put(m, k, i - 1)
  let m = maps.update(m, k, i)
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
    // Three updates an iteration; past the first 10,000 iterations every
    // key exists, so an in-place update allocates nothing (a copy would
    // path-copy several tree nodes each time). In-place updates also
    // charge the heap estimate only for what they add (`heap.rs`), so the
    // run stays below the first exact heap measure, whose walk allocates.
    let per_update = big.saturating_sub(small) as f64 / (3 * (n - 10_000)) as f64;
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
    let sum = n * (n + 1) / 2;
    let args = |rounds: usize, keep: &str| vec![n.to_string(), rounds.to_string(), keep.into()];
    let ops = 10 * n;
    let (one, eleven, per_cell) = per_extra_op(LIST, args(1, "no"), args(11, "no"), ops);
    assert_eq!(one, format!("{} 0\n", sum + n));
    assert_eq!(eleven, format!("{} 0\n", sum + 11 * n));
    assert!(per_cell < 0.01, "{per_cell:.3} allocations per cell");
    let (_, eleven, per_cell) = per_extra_op(LIST, args(1, "keep"), args(11, "keep"), ops);
    assert_eq!(eleven, format!("{} 11\n", sum + 11 * n));
    assert!(per_cell > 0.9, "{per_cell:.3} allocations per shared cell");

    // `lists.reverse` of a unique list relinks its cells: ten more rounds
    // allocate nothing; of a shared one, it copies every cell.
    let (one, eleven, per_cell) = per_extra_op(REVERSE, args(1, "no"), args(11, "no"), ops);
    assert_eq!(one, format!("{sum} {n} 0\n"));
    assert_eq!(eleven, one);
    assert!(
        per_cell < 0.01,
        "{per_cell:.3} allocations per cell reversed"
    );
    let (_, eleven, per_cell) = per_extra_op(REVERSE, args(1, "keep"), args(11, "keep"), ops);
    assert_eq!(eleven, format!("{sum} {n} 11\n"));
    assert!(
        per_cell > 0.9,
        "{per_cell:.3} allocations per shared cell reversed"
    );

    // Tuples: `put_elem` on a unique tuple writes in place; on one that
    // every earlier version still references, it copies.
    let args = |n: usize, keep: &str| vec![n.to_string(), keep.into()];
    let (small, big, per_update) =
        per_extra_op(TUPLE, args(1000, "no"), args(201_000, "no"), 200_000);
    assert_eq!(small, "(125, 125, 125, 125, 125, 125, 125, 125) 0\n");
    assert!(big.ends_with(" 0\n"), "{big}");
    assert!(
        per_update < 0.01,
        "{per_update:.3} allocations per put_elem"
    );
    let (_, big, per_update) =
        per_extra_op(TUPLE, args(1000, "keep"), args(21_000, "keep"), 20_000);
    assert!(big.ends_with(" 21000\n"), "{big}");
    assert!(
        per_update > 0.9,
        "{per_update:.3} allocations per shared put_elem"
    );
}

/// Runs `source` with `small` and then `big` arguments, the second doing
/// `ops` more operations: both outputs, and the allocations per operation
/// of the difference.
fn per_extra_op(
    source: &str,
    small: Vec<String>,
    big: Vec<String>,
    ops: usize,
) -> (String, String, f64) {
    let (small_out, small_allocs) = run(source, small);
    let (big_out, big_allocs) = run(source, big);
    let per_op = big_allocs.saturating_sub(small_allocs) as f64 / ops as f64;
    (small_out, big_out, per_op)
}
