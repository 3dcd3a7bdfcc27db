//! Shared by the embedding examples' tests (each includes this file with
//! `#[path]`): run an example's binary as a user would.

use std::process::Command;

/// Runs the program at `bin` with no arguments; its stdout, after
/// checking that it succeeded (its output and errors shown if not).
pub fn stdout_of(bin: &str) -> String {
    let out = Command::new(bin).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}
