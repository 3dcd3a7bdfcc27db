//! The compiler's reports of newcomers' traps, as a user meets them
//! (issue 10): no false alarm on the programs we ship, the REPL shows the
//! same diagnostics as `reef check`, and a user's module beside the file
//! only draws a warning. The diagnostics themselves are snapshot in
//! `spec/cases/diagnostics/` and the crash hints in `spec/cases/errors/`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}

fn reef(dir: &Path, args: &[&str], stdin: &str) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_reef"))
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("REEF_PATH")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("reef runs");
    let mut input = child.stdin.take().expect("stdin");
    input.write_all(stdin.as_bytes()).expect("write stdin");
    drop(input);
    child.wait_with_output().expect("reef ends")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn reef_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for p in entries.flatten().map(|e| e.path()) {
        if p.is_dir() {
            reef_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "reef") {
            out.push(p);
        }
    }
}

/// The codes of this work: none may fire on a correct program.
const TRAP_CODES: &[&str] = &[
    "W0102", "W0103", "W0104", "W0105", "W0106", "E0123", "E0209", "E0210",
];

/// `reef check` is silent on every shipped program: the examples, the
/// stdlib's Reef modules and the benchmarks.
#[test]
fn shipped_programs_check_clean() {
    let root = root();
    let mut files = Vec::new();
    for dir in ["examples", "stdlib/lib", "bench"] {
        reef_files(&root.join(dir), &mut files);
    }
    assert!(files.len() > 20, "found only {} files", files.len());
    for f in &files {
        let out = reef(&root, &["check", &f.display().to_string()], "");
        let report = format!("{}{}", text(&out.stdout), text(&out.stderr));
        assert!(
            out.status.success() && report.is_empty(),
            "{}:\n{report}",
            f.display()
        );
    }
}

/// In the spec's own cases, the trap codes fire only where a case means
/// them: the diagnostics cases, and the cases that show a discarded
/// value on purpose (blocks, newlines, semicolons), call a private
/// function of a module beside them to show `:undef`, or join strings
/// with `++` to show the crash hint.
#[test]
fn spec_cases_draw_trap_codes_only_on_purpose() {
    let root = root();
    let mut files = Vec::new();
    reef_files(&root.join("spec/cases"), &mut files);
    let on_purpose = [
        "expressions/blocks.reef",
        "lexical/newlines.reef",
        "lexical/semicolons.reef",
        "functions/module_call.reef",
        "functions/unknown_stdlib_call.reef",
        "errors/badarg_hint_concat.reef",
    ];
    for f in &files {
        let rel = f.strip_prefix(root.join("spec/cases")).unwrap_or(f);
        let rel = rel.display().to_string();
        if rel.starts_with("diagnostics/") || on_purpose.contains(&rel.as_str()) {
            continue;
        }
        let out = reef(&root, &["check", &f.display().to_string()], "");
        let report = format!("{}{}", text(&out.stdout), text(&out.stderr));
        for code in TRAP_CODES {
            assert!(!report.contains(code), "{rel} draws {code}:\n{report}");
        }
    }
}

/// The REPL reports what `reef check` reports, before evaluating.
#[test]
fn repl_shows_the_same_diagnostics() {
    let input = "let m = :lists\nm.reverse([1])\nlists.mapp([1], fn(x) { x })\napply(m, :reverse, [[1, 2]])\n\"a\" ++ \"b\"\n";
    let out = reef(&std::env::temp_dir(), &[], input);
    let stdout = text(&out.stdout);
    let stderr = text(&out.stderr);
    assert!(stderr.contains("[E0209] Error: `m.reverse(...)` calls a module named `m`"));
    assert!(stderr.contains("write `apply(m, :reverse, [[1]])`"));
    assert!(stderr.contains("[E0210] Error: `lists.mapp/2` does not exist"));
    assert!(stderr.contains("did you mean `lists.map/2`?"));
    assert!(stderr.contains("** hint: `++` joins lists; to join strings, use `<>`"));
    // The binding comes from an earlier input: no label points into
    // text that is not on the screen.
    assert!(!stderr.contains("the variable is bound here"), "{stderr}");
    assert!(stdout.contains("[2, 1]"), "{stdout}");
}

/// A module beside the program may still be edited: a call to a function
/// it lacks is a warning, and the program runs (and fails with `:undef`
/// as Erlang's would).
#[test]
fn user_module_beside_is_a_warning() {
    let dir = std::env::temp_dir().join(format!("reef-traps-user-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("shapes.reef"), "pub fn area(w, h) { w * h }\n").unwrap();
    std::fs::write(
        dir.join("app.reef"),
        "pub fn main() {\n  io.println(\"started\")\n  io.inspect(shapes.areas(2, 3))\n}\n",
    )
    .unwrap();
    let out = reef(&dir, &["run", "app.reef"], "");
    let stderr = text(&out.stderr);
    assert!(stderr.contains("[W0105] Warning: `shapes.areas/2` does not exist"));
    assert!(stderr.contains("did you mean `shapes.area/2`?"));
    assert_eq!(text(&out.stdout), "started\n");
    assert!(stderr.contains(":undef"), "{stderr}");
    assert_eq!(out.status.code(), Some(1));
    let _ = std::fs::remove_dir_all(&dir);
}
