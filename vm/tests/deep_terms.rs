//! Terms nested deeper than any Rust stack could recurse (issue 8, item
//! 1): the hostile program `tests/hostile/deep_terms.reef` run through the
//! embedding API, one kind of nesting per test, on the VM's own scheduler
//! threads (default 2 MiB stacks). Each check sends, copies, compares,
//! sorts, uses as map keys, prints, exits and crashes with the term, and
//! drops it; the crash reports must come out short.

mod common;

use common::Sink;

use reef_vm::{Term, Vm};

const SOURCE: &str = include_str!("../../tests/hostile/deep_terms.reef");

/// 200,000 levels: ten times what used to overflow the scheduler
/// threads' 2 MiB stacks for any kind (tuples at ~6,500, maps at ~18,800),
/// and quick in the debug build. The release binary runs the same program
/// a million deep (maps 250,000: a one-entry map is about 700 bytes) in
/// the hostile suite.
const DEPTH: i64 = 200_000;

/// Maps: 100,000 levels (five copies alive at once cost about 300 MB).
const MAP_DEPTH: i64 = 100_000;

fn check(kind: &str, depth: i64) {
    let err = Sink::default();
    let vm = Vm::builder()
        .env_path(false)
        .stdout(std::io::sink())
        .stderr(err.clone())
        .build();
    vm.load_source("deep_terms", "deep_terms.reef", SOURCE)
        .unwrap();
    let result = vm
        .call(
            "deep_terms",
            "check",
            vec![Term::atom(kind), Term::Int(depth)],
        )
        .unwrap();
    assert_eq!(result, Term::atom("ok"), "{kind}");
    vm.shutdown();
    let reports = err.text();
    // Two reports (exit and error), each cut to the limits: a few KB,
    // where the whole term would be megabytes.
    assert_eq!(reports.matches("crashed:").count(), 2, "{reports}");
    assert!(reports.len() < 20_000, "{} bytes", reports.len());
    if kind != "fun" {
        // (a closure prints as its name, whatever it captured)
        assert!(reports.contains("..."), "{reports}");
    }
}

#[test]
fn a_deep_list() {
    check("list", DEPTH);
}

#[test]
fn a_deep_tuple() {
    check("tuple", DEPTH);
}

#[test]
fn a_deep_closure() {
    check("fun", DEPTH);
}

#[test]
fn a_deep_map() {
    check("map", MAP_DEPTH);
}

#[test]
fn a_deep_map_key() {
    check("key", MAP_DEPTH);
}
