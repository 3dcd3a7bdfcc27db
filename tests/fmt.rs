//! `reef fmt` as a user runs it: `--check` lists the files that would
//! change and exits 1 (writing nothing), a plain run rewrites them in
//! place, a directory means every `*.reef` inside, no path means the
//! current directory, and a file with a syntax error is reported with its
//! diagnostic and left untouched (exit 1).

mod common;

use common::{reef, text};

fn scratch(name: &str, files: &[(&str, &str)]) -> std::path::PathBuf {
    common::scratch("fmt", name, files)
}

const MESSY: &str = "pub fn main( ) {io.println(1+2)}\n";
const TIDY: &str = "pub fn main() { io.println(1 + 2) }\n";

#[test]
fn check_lists_what_would_change_and_writes_nothing() {
    let dir = scratch(
        "check",
        &[
            ("a.reef", MESSY),
            ("lib/b.reef", TIDY),
            ("notes.txt", MESSY),
        ],
    );
    let out = reef(&dir, &["fmt", "--check"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout).trim(), "./a.reef");
    assert_eq!(std::fs::read_to_string(dir.join("a.reef")).unwrap(), MESSY);

    // Everything tidy: exit 0, nothing listed.
    let out = reef(&dir, &["fmt", "--check", "lib"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(text(&out.stdout), "");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_plain_run_rewrites_in_place_and_then_check_passes() {
    let dir = scratch("write", &[("a.reef", MESSY), ("sub/c.reef", MESSY)]);
    let out = reef(&dir, &["fmt", "a.reef", "sub"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(std::fs::read_to_string(dir.join("a.reef")).unwrap(), TIDY);
    assert_eq!(
        std::fs::read_to_string(dir.join("sub/c.reef")).unwrap(),
        TIDY
    );
    // No temporary file is left beside them.
    let names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert!(names.iter().all(|n| !n.starts_with('.')), "{names:?}");
    let out = reef(&dir, &["fmt", "--check", "."]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    // And the formatted program still runs.
    let out = reef(&dir, &["run", "a.reef"]);
    assert_eq!(text(&out.stdout), "3\n");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_syntax_error_is_reported_and_the_file_left_alone() {
    let bad = "pub fn main() {\n  let x = [1, 2\n}\n";
    let dir = scratch("bad", &[("bad.reef", bad), ("good.reef", MESSY)]);
    let out = reef(&dir, &["fmt"]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("E0108") && err.contains("bad.reef:2"), "{err}");
    assert_eq!(std::fs::read_to_string(dir.join("bad.reef")).unwrap(), bad);
    // The other file was still formatted.
    assert_eq!(
        std::fs::read_to_string(dir.join("good.reef")).unwrap(),
        TIDY
    );

    let out = reef(&dir, &["fmt", "missing.reef"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("missing.reef: no such file"));
    let _ = std::fs::remove_dir_all(&dir);
}
