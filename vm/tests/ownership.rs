//! Ownership end to end: in-place updates never change a value another
//! reference still sees (another variable, a closure, a message in the
//! mailbox, a `try` handler's scope). Proptests compare every version a
//! program keeps with a copying reference model. What the updates cost
//! in allocations is counted in `ownership_allocs.rs`.

mod common;

use std::collections::BTreeMap;

use common::Sink;
use proptest::prelude::*;
use reef_vm::Vm;

/// Runs `main(args)` of `source`; its stdout.
fn run(source: &str, args: Vec<String>) -> String {
    let out = Sink::default();
    let vm = Vm::builder()
        .env_path(false)
        .schedulers(1)
        .stdout(out.clone())
        .build();
    vm.load_source("t", "t.reef", source)
        .unwrap_or_else(|e| panic!("{e}"));
    let r = vm.run_main("t", args);
    assert!(r.is_ok(), "{r:?}\n{}", out.text());
    out.text()
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
    /// `maps.update(m, k, v)` when `m` has `k`, else `m`.
    MapsUpdate(i64, i64),
    /// `maps.merge(m, #{k1 => v1, k2 => v2})`.
    Merge(i64, i64, i64, i64),
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
        (0..40i64, 0..1000i64).prop_map(|(k, v)| Op::MapsUpdate(k, v)),
        (0..40i64, 0..1000i64, 0..40i64, 0..1000i64)
            .prop_map(|(k1, v1, k2, v2)| Op::Merge(k1, v1, k2, v2)),
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
            Op::MapsUpdate(k, v) => format!(
                "  let {n} = if maps.has_key({m}, {k}) {{ maps.update({m}, {k}, {v}) }} else {{ {m} }}\n"
            ),
            Op::Merge(k1, v1, k2, v2) => {
                format!("  let {n} = maps.merge({m}, #{{{k1} => {v1}, {k2} => {v2}}})\n")
            }
        };
        body.push_str(&line);
        keep_version(&mut body, &mut shows, *keep, i, &n, |x| {
            format!("maps.to_list({x})")
        });
    }
    for s in shows {
        body.push_str(&format!("  io.inspect({s})\n"));
    }
    body.push_str(&format!("  io.inspect(maps.to_list(m{}))\n", ops.len()));
    format!("pub fn main(_args) {{\n{body}}}\n")
}

/// Keeps version `i`, held in the variable `name`, as `keep` says (a
/// variable, a closure, a message to self), and adds to `shows` the
/// expression that prints it later, through `show`.
fn keep_version(
    body: &mut String,
    shows: &mut Vec<String>,
    keep: Keep,
    i: usize,
    name: &str,
    show: impl Fn(&str) -> String,
) {
    let kept = match keep {
        Keep::None => return,
        Keep::Var => {
            body.push_str(&format!("  let k{i} = {name}\n"));
            format!("k{i}")
        }
        Keep::Closure => {
            body.push_str(&format!("  let c{i} = fn() {{ {name} }}\n"));
            format!("c{i}()")
        }
        Keep::Message => {
            body.push_str(&format!("  send(self(), ({i}, {name}))\n"));
            shows.push(format!("receive {{ ({i}, x) => {} }}", show("x")));
            return;
        }
    };
    shows.push(show(&kept));
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
            Op::MapsUpdate(k, v) => {
                if let Some(old) = next.get_mut(&k) {
                    *old = v;
                }
            }
            Op::Merge(k1, v1, k2, v2) => {
                // A literal's later duplicate key wins.
                let mut right = BTreeMap::new();
                right.insert(k1, v1);
                right.insert(k2, v2);
                next.extend(right);
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
        let out = run(&src, vec![]);
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
    let out = run(src, vec![]);
    assert_eq!(out, "31\n15\n93\ntrue\n");
}

// ---- proptest: reuse (a cell or tuple taken apart and rebuilt in place)
// never changes a version another reference sees ----

#[derive(Debug, Clone, Copy)]
enum ListOp {
    /// `[(b, a + 1) | bump(t)]`: every cell and every pair rebuilt.
    Bump,
    /// `[(a + k, b) | add(t, k)]`.
    Add(i64),
    /// The list without its first element.
    Tail,
    /// `lists.reverse(x)`: a unique list's cells relinked in place.
    Reverse,
}

#[derive(Debug, Clone, Copy)]
enum ListKeep {
    None,
    Var,
    /// Only the version's tail: its cells are shared with the version.
    Suffix,
    Closure,
    Message,
}

fn list_op() -> impl Strategy<Value = ListOp> {
    prop_oneof![
        3 => Just(ListOp::Bump),
        3 => (1..50i64).prop_map(ListOp::Add),
        1 => Just(ListOp::Tail),
        2 => Just(ListOp::Reverse),
    ]
}

fn list_keep() -> impl Strategy<Value = ListKeep> {
    prop_oneof![
        3 => Just(ListKeep::None),
        1 => Just(ListKeep::Var),
        1 => Just(ListKeep::Suffix),
        1 => Just(ListKeep::Closure),
        1 => Just(ListKeep::Message),
    ]
}

/// A program applying `ops` to a list of pairs, keeping some versions
/// (or their tails), then printing each kept one and the last.
fn list_program(start: &[(i64, i64)], ops: &[(ListOp, ListKeep)]) -> String {
    let pairs: Vec<String> = start.iter().map(|(a, b)| format!("({a}, {b})")).collect();
    let mut body = format!("  let x0 = [{}]\n", pairs.join(", "));
    let mut shows = Vec::new();
    for (i, (op, keep)) in ops.iter().enumerate() {
        let (x, n) = (format!("x{i}"), format!("x{}", i + 1));
        body.push_str(&match op {
            ListOp::Bump => format!("  let {n} = bump({x})\n"),
            ListOp::Add(k) => format!("  let {n} = add({x}, {k})\n"),
            ListOp::Tail => format!("  let {n} = tail({x})\n"),
            ListOp::Reverse => format!("  let {n} = lists.reverse({x})\n"),
        });
        match keep {
            ListKeep::None => {}
            ListKeep::Var => {
                body.push_str(&format!("  let k{i} = {n}\n"));
                shows.push(format!("k{i}"));
            }
            ListKeep::Suffix => {
                body.push_str(&format!("  let k{i} = tail({n})\n"));
                shows.push(format!("k{i}"));
            }
            ListKeep::Closure => {
                body.push_str(&format!("  let c{i} = fn() {{ {n} }}\n"));
                shows.push(format!("c{i}()"));
            }
            ListKeep::Message => {
                body.push_str(&format!("  send(self(), ({i}, {n}))\n"));
                shows.push(format!("receive {{ ({i}, x) => x }}"));
            }
        }
    }
    for s in shows {
        body.push_str(&format!("  io.inspect({s})\n"));
    }
    body.push_str(&format!("  io.inspect(x{})\n", ops.len()));
    format!(
        "pub fn main(_args) {{\n{body}}}\n\
         fn bump([]) {{ [] }}\n\
         fn bump([(a, b) | t]) {{ [(b, a + 1) | bump(t)] }}\n\
         fn add([], _k) {{ [] }}\n\
         fn add([(a, b) | t], k) {{ [(a + k, b) | add(t, k)] }}\n\
         fn tail([]) {{ [] }}\n\
         fn tail([_ | t]) {{ t }}\n"
    )
}

/// What `list_program` must print, from a model that copies.
fn list_expected(start: &[(i64, i64)], ops: &[(ListOp, ListKeep)]) -> String {
    let show = |xs: &[(i64, i64)]| {
        let pairs: Vec<String> = xs.iter().map(|(a, b)| format!("({a}, {b})")).collect();
        format!("[{}]\n", pairs.join(", "))
    };
    let mut xs = start.to_vec();
    let mut kept = String::new();
    for (op, keep) in ops {
        xs = match *op {
            ListOp::Bump => xs.iter().map(|&(a, b)| (b, a + 1)).collect(),
            ListOp::Add(k) => xs.iter().map(|&(a, b)| (a + k, b)).collect(),
            ListOp::Tail => xs.iter().skip(1).copied().collect(),
            ListOp::Reverse => xs.iter().rev().copied().collect(),
        };
        match keep {
            ListKeep::None => {}
            ListKeep::Suffix => kept.push_str(&show(xs.get(1..).unwrap_or(&[]))),
            _ => kept.push_str(&show(&xs)),
        }
    }
    kept + &show(&xs)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn reused_cells_never_change_a_kept_version(
        start in proptest::collection::vec((0..100i64, 0..100i64), 0..12),
        ops in proptest::collection::vec((list_op(), list_keep()), 1..12),
    ) {
        let src = list_program(&start, &ops);
        let out = run(&src, vec![]);
        prop_assert_eq!(out, list_expected(&start, &ops), "program:\n{}", src);
    }
}

// ---- proptest: `put_elem` on a unique tuple writes in place, and never
// changes a version another reference sees ----

/// `put_elem(t, i, elem(t, j) + v)`, the new element bound first so that
/// the call is the tuple's last use (unless a version is kept).
#[derive(Debug, Clone, Copy)]
struct TupleOp {
    i: usize,
    j: usize,
    v: i64,
}

fn tuple_op() -> impl Strategy<Value = TupleOp> {
    (0..5usize, 0..5usize, 0..100i64).prop_map(|(i, j, v)| TupleOp { i, j, v })
}

/// A program applying `ops` to a 5-tuple of zeros, keeping some versions
/// (a variable, a closure, a message), then printing each and the last.
fn tuple_program(ops: &[(TupleOp, Keep)]) -> String {
    let mut body = String::from("  let t0 = (0, 0, 0, 0, 0)\n");
    let mut shows = Vec::new();
    for (n, (TupleOp { i, j, v }, keep)) in ops.iter().enumerate() {
        let (t, next) = (format!("t{n}"), format!("t{}", n + 1));
        body.push_str(&format!(
            "  let x{n} = elem({t}, {j}) + {v}\n  let {next} = put_elem({t}, {i}, x{n})\n"
        ));
        keep_version(&mut body, &mut shows, *keep, n, &next, |x| x.to_string());
    }
    for s in shows {
        body.push_str(&format!("  io.inspect({s})\n"));
    }
    body.push_str(&format!("  io.inspect(t{})\n", ops.len()));
    format!("pub fn main(_args) {{\n{body}}}\n")
}

/// What `tuple_program` must print, from a model that copies.
fn tuple_expected(ops: &[(TupleOp, Keep)]) -> String {
    let show = |t: &[i64; 5]| {
        let elems: Vec<String> = t.iter().map(|e| e.to_string()).collect();
        format!("({})\n", elems.join(", "))
    };
    let mut t = [0i64; 5];
    let mut kept = String::new();
    for (TupleOp { i, j, v }, keep) in ops {
        let mut next = t;
        next[*i] = t[*j] + v;
        t = next;
        if !matches!(keep, Keep::None) {
            kept.push_str(&show(&t));
        }
    }
    kept + &show(&t)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn put_elem_never_changes_a_kept_version(
        ops in proptest::collection::vec((tuple_op(), keep()), 1..20),
    ) {
        let src = tuple_program(&ops);
        let out = run(&src, vec![]);
        prop_assert_eq!(out, tuple_expected(&ops), "program:\n{}", src);
    }
}
