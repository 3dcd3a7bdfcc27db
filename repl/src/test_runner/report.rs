//! What `reef test` prints about a test that did not pass: an assertion's
//! message, source text, location and values (with a diff when they are
//! long), or a crash report, or the timeout.

use std::fmt::Write as _;

use reef_vm::{Crash, Term};

use super::diff;

/// How one test ended.
pub(crate) enum Outcome {
    Passed,
    /// `skip(reason)`: the reason as the test gave it.
    Skipped(String),
    Failed(Failure),
}

/// Why a test failed.
pub(crate) enum Failure {
    /// An assertion built-in failed: the map it raised with.
    Assertion(Vec<(Term, Term)>),
    /// The test's process crashed otherwise: its crash report, and where
    /// in the test module it was (`FILE:LINE`, from the stack trace).
    Crash { report: String, at: Option<String> },
    /// It ran past the timeout (milliseconds) and was killed.
    Timeout(u64),
}

impl Outcome {
    /// The outcome of a test of `module` whose process ended with `result`.
    pub(crate) fn of(result: Result<Term, Crash>, module: &str) -> Outcome {
        let crash = match result {
            Ok(_) => return Outcome::Passed,
            Err(crash) => crash,
        };
        let crashed = || {
            let report = if crash.report.is_empty() {
                // The VM's own ends (`halt`) come without a report.
                format!("** the test's process ended: {}\n", crash.reason)
            } else {
                crash.report.clone()
            };
            let at = location_in(&crash.reason, module);
            Outcome::Failed(Failure::Crash { report, at })
        };
        match &crash.reason {
            // `skip(reason)` is `exit((:skip, reason))`.
            Term::Tuple(t) if t.len() == 2 && t[0] == Term::atom("skip") => {
                let reason = match &t[1] {
                    Term::Str(s) => s.clone(),
                    other => other.to_string(),
                };
                Outcome::Skipped(reason)
            }
            // An error's exit reason is `(reason, stacktrace)`.
            Term::Tuple(t) if t.len() == 2 => match &t[0] {
                Term::Tuple(r) if r.len() == 2 && r[0] == Term::atom("assertion_failed") => {
                    match &r[1] {
                        Term::Map(fields) => Outcome::Failed(Failure::Assertion(fields.clone())),
                        _ => crashed(),
                    }
                }
                _ => crashed(),
            },
            _ => crashed(),
        }
    }
}

/// The block printed for failure number `n` of test `name` from `file`.
pub(crate) fn failure_block(n: usize, name: &str, file: &str, failure: &Failure) -> String {
    let mut out = String::new();
    match failure {
        Failure::Assertion(fields) => {
            let get = |key: &str| {
                fields
                    .iter()
                    .find(|(k, _)| *k == Term::atom(key))
                    .map(|(_, v)| v)
            };
            let location = match (get("file"), get("line")) {
                (Some(Term::Str(f)), Some(Term::Int(l))) => format!("{f}:{l}"),
                _ => file.to_string(),
            };
            let _ = writeln!(out, "{n}) {name} ({location})");
            if let Some(Term::Str(expr)) = get("expr") {
                push_indented(&mut out, expr, "   ");
            }
            match get("message") {
                Some(Term::Str(m)) => push_indented(&mut out, m, "   "),
                Some(m) => push_indented(&mut out, &m.to_string(), "   "),
                None => {}
            }
            if let Some(v) = get("value") {
                push_indented(&mut out, &format!("value: {v}"), "   ");
            }
            let (left, right) = (get("left"), get("right"));
            if let Some(l) = left {
                push_indented(&mut out, &format!("left:  {l}"), "   ");
            }
            if let Some(r) = right {
                push_indented(&mut out, &format!("right: {r}"), "   ");
            }
            if let (Some(l), Some(r)) = (left, right) {
                if let Some(d) = diff::render(l, r) {
                    let _ = writeln!(out, "   diff (- left, + right):");
                    push_indented(&mut out, &d, "     ");
                }
            }
        }
        Failure::Crash { report, at } => {
            let _ = writeln!(out, "{n}) {name} ({})", at.as_deref().unwrap_or(file));
            push_indented(&mut out, report.trim_end(), "   ");
        }
        Failure::Timeout(ms) => {
            let _ = writeln!(out, "{n}) {name} ({file})");
            let _ = writeln!(
                out,
                "   timed out after {ms} ms (the test's process was killed)"
            );
        }
    }
    out
}

/// `FILE:LINE` of the innermost frame of `module` in an error's stack
/// trace (`(reason, [(module, function, arity, file, line), ...])`).
fn location_in(reason: &Term, module: &str) -> Option<String> {
    let Term::Tuple(t) = reason else { return None };
    let [_, Term::List(frames, _)] = t.as_slice() else {
        return None;
    };
    frames.iter().find_map(|f| match f {
        Term::Tuple(f) => match f.as_slice() {
            [Term::Atom(m), _, _, Term::Str(file), Term::Int(line)] if m == module => {
                Some(format!("{file}:{line}"))
            }
            _ => None,
        },
        _ => None,
    })
}

/// Appends each line of `text` with `indent` before it.
fn push_indented(out: &mut String, text: &str, indent: &str) {
    for line in text.lines() {
        let _ = writeln!(out, "{indent}{line}");
    }
}
