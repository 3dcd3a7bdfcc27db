//! `reef test` as a user runs it (spec 14.2): a passing file, failures
//! with both sides, the source text and the line (a snapshot of what a
//! person reads), a crash, a timeout, the seeded order, `--filter`, a
//! file that does not compile, skipped tests, exit statuses; and the
//! Reef tests of the stdlib and of `examples/project` run green.

mod common;

use std::path::{Path, PathBuf};

use common::{reef, text};
use expect_test::expect;

fn scratch(name: &str, files: &[(&str, &str)]) -> PathBuf {
    common::scratch("test", name, files)
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// `reef test ARGS...` in `dir`: exit status and stdout.
fn run(dir: &Path, args: &[&str]) -> (Option<i32>, String) {
    let mut all = vec!["test"];
    all.extend_from_slice(args);
    let out = reef(dir, &all);
    (out.status.code(), text(&out.stdout))
}

/// Replaces each test's time, `(1.5 ms)`, by `(TIME)`.
fn mask_times(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(at) = rest.find(" ms)") {
        let open = rest[..at].rfind('(');
        match open {
            Some(o)
                if rest[o + 1..at]
                    .chars()
                    .all(|c| c.is_ascii_digit() || c == '.') =>
            {
                out.push_str(&rest[..o]);
                out.push_str("(TIME)");
            }
            _ => out.push_str(&rest[..at + 4]),
        }
        rest = &rest[at + 4..];
    }
    out.push_str(rest);
    out
}

/// The names of the tests in `--verbose` output, in the order they ran.
fn order(stdout: &str) -> Vec<String> {
    stdout
        .lines()
        .filter_map(|l| l.strip_prefix("ok    "))
        .map(|l| l.split(' ').next().unwrap_or("").to_string())
        .collect()
}

const PROJECT_LIB: &str = "pub fn add(a, b) { a + b }\npub fn half(n) { n / 2 }\n";

#[test]
fn a_passing_file_exits_0_with_the_summary() {
    let dir = scratch(
        "pass",
        &[
            ("lib/calc.reef", PROJECT_LIB),
            (
                "test/calc_test.reef",
                "pub fn test_add() { assert_eq(calc.add(1, 2), 3) }\n\
                 pub fn test_half() { assert(calc.half(3) == 1.5) }\n\
                 pub fn not_a_test() { flunk(\"never run\") }\n\
                 fn test_private() { flunk(\"never run\") }\n",
            ),
        ],
    );
    let (code, out) = run(&dir, &[]);
    assert_eq!(code, Some(0), "{out}");
    assert!(
        out.starts_with("Running 2 tests from 1 file (seed "),
        "{out}"
    );
    assert!(out.ends_with("\n2 passed, 0 failed\n"), "{out}");
    // A file given by name finds its project's lib/ as well.
    let (code, out) = run(&dir, &["test/calc_test.reef"]);
    assert_eq!(code, Some(0), "{out}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn failures_show_both_sides_the_source_and_the_line() {
    let dir = scratch(
        "fail",
        &[(
            "math_test.reef",
            "pub fn test_sum() {\n  let xs = [1, 2, 3]\n  assert_eq(lists.sum(xs), 7)\n}\n\n\
             pub fn test_long() {\n  \
               assert_eq(lists.seq(1, 12), lists.seq(0, 12) |> lists.filter(fn(x) { x != 5 }))\n}\n\n\
             pub fn test_truth() { assert(lists.member([1, 2], 3)) }\n\n\
             pub fn test_cmp() { assert(lists.sum([1, 2]) >= 5) }\n\n\
             pub fn test_ne() { assert_ne(:a, :a) }\n\n\
             pub fn test_raise() { assert_raise(fn() { 1 }, :error) }\n\n\
             pub fn test_flunk() { flunk(\"not written yet\") }\n\n\
             pub fn test_ok() { assert_eq(1, 1) }\n",
        )],
    );
    let (code, out) = run(&dir, &["--seed", "1", "--verbose"]);
    assert_eq!(code, Some(1));
    expect![[r#"
        Running 8 tests from 1 file (seed 1)
        FAIL  math_test.test_truth (TIME)

        1) math_test.test_truth (math_test.reef:10)
           assert(lists.member([1, 2], 3))
           Expected a true value, got false
           value: false

        FAIL  math_test.test_ne (TIME)

        2) math_test.test_ne (math_test.reef:14)
           assert_ne(:a, :a)
           Assertion with != failed, both sides are equal
           left:  :a

        FAIL  math_test.test_cmp (TIME)

        3) math_test.test_cmp (math_test.reef:12)
           assert(lists.sum([1, 2]) >= 5)
           Assertion with >= failed
           left:  3
           right: 5

        FAIL  math_test.test_sum (TIME)

        4) math_test.test_sum (math_test.reef:3)
           assert_eq(lists.sum(xs), 7)
           Assertion with == failed
           left:  6
           right: 7

        FAIL  math_test.test_flunk (TIME)

        5) math_test.test_flunk (math_test.reef:18)
           flunk("not written yet")
           not written yet

        FAIL  math_test.test_raise (TIME)

        6) math_test.test_raise (math_test.reef:16)
           assert_raise(fn() { 1 }, :error)
           Expected an exception of class :error, but nothing was raised
           value: 1

        FAIL  math_test.test_long (TIME)

        7) math_test.test_long (math_test.reef:7)
           assert_eq(lists.seq(1, 12), lists.seq(0, 12) |> lists.filter(fn(x) { x != 5 }))
           Assertion with == failed
           left:  [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]
           right: [0, 1, 2, 3, 4, 6, 7, 8, 9, 10, 11, 12]
           diff (- left, + right):
               [
             +   0,
                 1,
                 2,
                 3,
                 4,
             -   5,
                 6,
                 7,
                 ...
               ]

        ok    math_test.test_ok (TIME)

        1 passed, 7 failed
    "#]]
    .assert_eq(&mask_times(&out));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_crash_is_a_failure_with_its_report_and_the_run_goes_on() {
    let dir = scratch(
        "crash",
        &[(
            "crash_test.reef",
            "pub fn test_badarith() { 1 + :a }\n\
             pub fn test_exit() { exit(:gone) }\n\
             pub fn test_fine() { :ok }\n",
        )],
    );
    let (code, out) = run(&dir, &["--seed", "5"]);
    assert_eq!(code, Some(1));
    assert!(
        out.contains("crash_test.test_badarith (crash_test.reef:1)\n"),
        "{out}"
    );
    assert!(out.contains("   ** process #PID<"), "{out}");
    assert!(out.contains("crashed: error :badarith"), "{out}");
    assert!(
        out.contains("crash_test.test_badarith/0 (crash_test.reef:1)"),
        "{out}"
    );
    assert!(out.contains("crashed: exit :gone\n"), "{out}");
    assert!(out.ends_with("\n1 passed, 2 failed\n"), "{out}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_test_that_halts_the_vm_fails_and_says_so() {
    let dir = scratch(
        "halt",
        &[("halt_test.reef", "pub fn test_halt() { halt(3) }\n")],
    );
    let out = reef(&dir, &["test"]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("   ** the test's process ended: (:halt, 3)\n"),
        "{stdout}"
    );
    assert!(stdout.ends_with("\n0 passed, 1 failed\n"), "{stdout}");
    assert!(text(&out.stderr).contains("a test called halt(3)"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_test_past_its_timeout_is_killed_and_fails() {
    let dir = scratch(
        "timeout",
        &[(
            "slow_test.reef",
            "pub fn test_spin() { spin(0) }\nfn spin(n) { spin(n + 1) }\n\
             pub fn test_wait() { receive { :never => :ok } }\n\
             pub fn test_quick() { :ok }\n",
        )],
    );
    let started = std::time::Instant::now();
    let (code, out) = run(&dir, &["--timeout", "200"]);
    assert_eq!(code, Some(1));
    assert!(
        started.elapsed() < std::time::Duration::from_secs(4),
        "{out}"
    );
    assert_eq!(out.matches("timed out after 200 ms").count(), 2, "{out}");
    assert!(out.ends_with("\n1 passed, 2 failed\n"), "{out}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn tests_run_at_the_same_time() {
    // Eight tests that each wait 400 ms: one after another they would take
    // 3.2 s; at least four run at once (twice the schedulers, two or more).
    let tests: String = (0..8)
        .map(|i| format!("pub fn test_{i}() {{ sleep(400) }}\n"))
        .collect();
    let dir = scratch("parallel", &[("wait_test.reef", &tests)]);
    let started = std::time::Instant::now();
    let (code, out) = run(&dir, &["--schedulers", "2"]);
    let took = started.elapsed();
    assert_eq!(code, Some(0), "{out}");
    assert!(out.ends_with("\n8 passed, 0 failed\n"), "{out}");
    assert!(took < std::time::Duration::from_millis(2400), "{took:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_seed_repeats_the_order_and_filter_picks_tests() {
    let tests: String = (0..10)
        .map(|i| format!("pub fn test_{i}() {{ :ok }}\n"))
        .collect();
    let dir = scratch("seed", &[("a_test.reef", &tests), ("b_test.reef", &tests)]);
    let (_, first) = run(&dir, &["--seed", "42", "--verbose"]);
    let (_, again) = run(&dir, &["--seed", "42", "--verbose"]);
    let (_, other) = run(&dir, &["--seed", "43", "--verbose"]);
    assert!(
        first.starts_with("Running 20 tests from 2 files (seed 42)\n"),
        "{first}"
    );
    assert_eq!(order(&first).len(), 20, "{first}");
    assert_eq!(order(&first), order(&again));
    assert_ne!(order(&first), order(&other));
    let mut sorted = order(&other);
    sorted.sort();
    let mut expected = order(&first);
    expected.sort();
    assert_eq!(sorted, expected);
    // Without --seed, the seed is printed, and giving it repeats the run.
    let (_, fresh) = run(&dir, &["--verbose"]);
    let seed = fresh
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("Running 20 tests from 2 files (seed "))
        .and_then(|l| l.strip_suffix(')'))
        .expect("the seed is on the first line")
        .to_string();
    let (_, replay) = run(&dir, &["--seed", &seed, "--verbose"]);
    assert_eq!(order(&fresh), order(&replay));

    // --filter: a substring of module.test_name.
    let (code, out) = run(&dir, &["--filter", "b_test.test_1", "--verbose"]);
    assert_eq!(code, Some(0));
    let mut picked = order(&out);
    picked.sort();
    assert_eq!(picked, ["b_test.test_1"]);
    assert!(out.ends_with("\n1 passed, 0 failed\n"), "{out}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_file_that_does_not_compile_is_a_failure_and_the_rest_runs() {
    let dir = scratch(
        "syntax",
        &[
            (
                "test/bad_test.reef",
                "pub fn test_x() {\n  let y = [1, 2\n}\n",
            ),
            ("test/good_test.reef", "pub fn test_y() { :ok }\n"),
        ],
    );
    let (code, out) = run(&dir, &["test"]);
    assert_eq!(code, Some(1));
    assert!(
        out.contains("1) test/bad_test.reef does not compile\n"),
        "{out}"
    );
    assert!(
        out.contains("E0108") && out.contains("test/bad_test.reef:2"),
        "{out}"
    );
    assert!(out.ends_with("\n1 passed, 1 failed\n"), "{out}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn skipped_tests_are_counted_apart_and_exit_statuses() {
    let dir = scratch(
        "skip",
        &[(
            "skip_test.reef",
            "pub fn test_later() { skip(\"needs a network\") }\npub fn test_now() { :ok }\n",
        )],
    );
    let (code, out) = run(&dir, &["--verbose"]);
    assert_eq!(code, Some(0), "{out}");
    assert!(
        out.contains("skip  skip_test.test_later: needs a network\n"),
        "{out}"
    );
    assert!(out.ends_with("\n1 passed, 0 failed, 1 skipped\n"), "{out}");

    // A path that does not exist: exit 1, said on stderr.
    let out = reef(&dir, &["test", "missing"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("missing: no such file or directory"));
    // Nothing to run is not a failure (as `go test` with no test files).
    let empty = scratch("empty", &[("lib/a.reef", PROJECT_LIB)]);
    let (code, out) = run(&empty, &["--seed", "0"]);
    assert_eq!(code, Some(0));
    assert_eq!(
        out,
        "Running 0 tests from 0 files (seed 0)\n\n0 passed, 0 failed\n"
    );
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&empty);
}

#[test]
fn the_stdlib_reef_tests_pass() {
    let (code, out) = run(&root(), &["stdlib/test"]);
    assert_eq!(code, Some(0), "{out}");
    let last = out.lines().last().unwrap_or("");
    let passed: usize = last
        .strip_suffix(" passed, 0 failed")
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("summary line: {last}"));
    assert!(passed >= 25, "{out}");
}

#[test]
fn the_example_project_passes() {
    let (code, out) = run(&root(), &["examples/project"]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.starts_with("Running 7 tests from 2 files"), "{out}");
    assert!(out.ends_with("\n7 passed, 0 failed\n"), "{out}");
}
