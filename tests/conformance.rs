//! The conformance runner: every `spec/cases/**/NAME.reef` and every
//! `examples/NAME.reef` with a `NAME.out` beside it becomes one test that
//! runs the real `reef` binary, as a user would, and compares what it
//! prints.
//!
//! A case is a program with `main`; `NAME.out` holds the exact expected
//! stdout. Header comments at the top of the `.reef` file (after a `#!`
//! line, if any) adjust a case:
//! - `// exit: N` — the expected exit status (default 0; for a `check`
//!   case, 1 when the expected report holds an error);
//! - `// stderr: TEXT` — stderr must contain TEXT (repeatable);
//! - `// stderr: none` — stderr must be empty;
//! - `// args: A B` — command-line arguments for `main`;
//! - `// check` — run `reef check` instead of `reef run`; the expected
//!   output is `NAME.diag` (the rendered diagnostics, colour off).
//!
//! `UPDATE_EXPECT=1 cargo test --test conformance` rewrites the `.out` and
//! `.diag` files from what the binary printed (review the diff!).

use std::path::{Path, PathBuf};
use std::process::Command;

use libtest_mimic::{Arguments, Failed, Trial};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            collect(&p, out);
        } else if p.extension().is_some_and(|e| e == "reef") {
            out.push(p);
        }
    }
}

struct Header {
    exit: Option<i32>,
    stderr: Vec<String>,
    args: Vec<String>,
    check: bool,
}

fn header(src: &str) -> Header {
    let mut h = Header {
        exit: None,
        stderr: Vec::new(),
        args: Vec::new(),
        check: false,
    };
    // A script's `#!` line comes before its header.
    let body = if src.starts_with("#!") {
        src.split_once('\n').map_or("", |(_, rest)| rest)
    } else {
        src
    };
    for line in body.lines() {
        let Some(c) = line.trim().strip_prefix("//") else {
            break;
        };
        let c = c.trim();
        if let Some(v) = c.strip_prefix("exit:") {
            h.exit = Some(v.trim().parse().unwrap_or(1));
        } else if let Some(v) = c.strip_prefix("stderr:") {
            h.stderr.push(v.trim().to_string());
        } else if let Some(v) = c.strip_prefix("args:") {
            h.args = v.split_whitespace().map(String::from).collect();
        } else if c == "check" {
            h.check = true;
        }
    }
    h
}

fn run_case(path: &Path) -> Result<(), Failed> {
    let src =
        std::fs::read_to_string(path).map_err(|e| format!("reading {}: {e}", path.display()))?;
    let h = header(&src);
    let root = root();
    let rel = path.strip_prefix(&root).unwrap_or(path);
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_reef"));
    cmd.current_dir(&root)
        .env("NO_COLOR", "1")
        .env_remove("REEF_PATH");
    if h.check {
        cmd.arg("check").arg(rel);
    } else {
        cmd.arg("run").arg(rel).args(&h.args);
    }
    let out = cmd.output().map_err(|e| format!("running reef: {e}"))?;
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let code = out.status.code().unwrap_or(-1);
    let expected_path = path.with_extension(if h.check { "diag" } else { "out" });
    let actual = if h.check {
        format!("{stdout}{stderr}")
    } else {
        stdout
    };
    if std::env::var_os("UPDATE_EXPECT").is_some() {
        std::fs::write(&expected_path, &actual).map_err(|e| e.to_string())?;
    }
    let expected = std::fs::read_to_string(&expected_path)
        .map_err(|e| format!("missing expected output {}: {e}", expected_path.display()))?;
    let mut problems = Vec::new();
    if actual != expected {
        problems.push(format!(
            "output differs\n--- expected\n{expected}--- actual\n{actual}---"
        ));
    }
    // A `check` case exits 1 exactly when its expected report has an error.
    let exit = h
        .exit
        .unwrap_or(if h.check && expected.contains("] Error:") {
            1
        } else {
            0
        });
    if code != exit {
        problems.push(format!("exit status {code}, expected {exit}"));
    }
    for s in &h.stderr {
        if s == "none" {
            if !stderr.is_empty() {
                problems.push("stderr should be empty".to_string());
            }
        } else if !stderr.contains(s.as_str()) {
            problems.push(format!("stderr lacks {s:?}"));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{}\n{}\nstderr was:\n{stderr}",
            rel.display(),
            problems.join("\n")
        )
        .into())
    }
}

fn main() {
    let args = Arguments::from_args();
    let root = root();
    let mut files = Vec::new();
    collect(&root.join("spec/cases"), &mut files);
    let mut examples = Vec::new();
    collect(&root.join("examples"), &mut examples);
    files.extend(
        examples
            .into_iter()
            .filter(|p| p.with_extension("out").exists()),
    );
    // A file without expected output (and not a `// check` case) is a
    // helper module that other cases call.
    let is_case = |p: &PathBuf| {
        p.with_extension("out").exists()
            || std::fs::read_to_string(p).is_ok_and(|s| header(&s).check)
    };
    let trials = files
        .into_iter()
        .filter(is_case)
        .map(|p| {
            let name = p
                .strip_prefix(&root)
                .unwrap_or(&p)
                .with_extension("")
                .display()
                .to_string();
            Trial::test(name, move || run_case(&p))
        })
        .collect();
    libtest_mimic::run(&args, trials).exit();
}
