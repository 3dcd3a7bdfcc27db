//! Reef as a scripting language, through the real binary: a file run as
//! `reef FILE ARGS...` and directly through its `#!/usr/bin/env reef`
//! line, and standard input read by `io.read_all`, `io.lines` and
//! `io.fold_lines` from a pipe (including input that arrives late).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_reef")
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A scratch directory with one file.
fn scratch(name: &str, file: &str, content: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("reef-scripts-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(file), content).unwrap();
    dir
}

/// Runs `reef args...` in `dir`, writing `input` to its stdin in pieces,
/// `pause` apart (a producer that is slower than the script).
fn run_piped(dir: &Path, args: &[&str], input: &[&[u8]], pause: Duration) -> Output {
    let mut child = Command::new(bin())
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("REEF_PATH")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("reef runs");
    let mut stdin = child.stdin.take().unwrap();
    for piece in input {
        std::thread::sleep(pause);
        stdin.write_all(piece).unwrap();
        stdin.flush().unwrap();
    }
    drop(stdin);
    child.wait_with_output().unwrap()
}

#[test]
fn a_file_runs_without_the_run_command() {
    let dir = scratch(
        "direct",
        "app.reef",
        "pub fn main(args) { io.inspect(args) }\n",
    );
    let out = run_piped(
        &dir,
        &["app.reef", "a", "--flag", "two words"],
        &[],
        Duration::ZERO,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "[\"a\", \"--flag\", \"two words\"]\n");
    // An existing file without the extension runs too; a word that is
    // neither a command nor a file is still an unknown command.
    std::fs::copy(dir.join("app.reef"), dir.join("app")).unwrap();
    let out = run_piped(&dir, &["app", "x"], &[], Duration::ZERO);
    assert_eq!(text(&out.stdout), "[\"x\"]\n");
    let out = run_piped(&dir, &["nosuch"], &[], Duration::ZERO);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("unknown command `nosuch`"));
    // `reef help` is still help.
    let out = run_piped(&dir, &["help"], &[], Duration::ZERO);
    assert!(out.status.success());
    assert!(text(&out.stdout).contains("reef FILE.reef [ARGS...]"));
}

#[test]
fn the_example_script_runs_through_its_shebang_line() {
    let script = root().join("examples/scripts/hello.reef");
    let src = std::fs::read_to_string(&script).unwrap();
    assert!(src.starts_with("#!/usr/bin/env reef\n"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&script).unwrap().permissions().mode();
        assert!(mode & 0o111 != 0, "hello.reef is executable");
        // `env` finds `reef` on PATH: the directory of the built binary.
        let bin_dir = Path::new(bin()).parent().unwrap();
        let path = format!(
            "{}:{}",
            bin_dir.display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let out = Command::new("./hello.reef")
            .current_dir(script.parent().unwrap())
            .env("PATH", path)
            .args(["Ada", "Grace"])
            .output()
            .expect("the script runs");
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert_eq!(text(&out.stdout), "Hello, Ada!\nHello, Grace!\n");
    }
}

const STDIN_SCRIPT: &str = r##"
pub fn main(args) {
  case args {
    ["all"] => io.inspect(io.read_all())
    ["lines"] => io.inspect(io.lines())
    ["count"] => {
      let (n, chars) = io.fold_lines((0, 0), fn(line, (n, chars)) {
        (n + 1, chars + strings.length(line))
      })
      io.println("#{n} lines, #{chars} chars")
    }
  }
}
"##;

#[test]
fn stdin_through_a_pipe() {
    let dir = scratch("stdin", "s.reef", STDIN_SCRIPT);
    let run = |mode: &str, input: &[&[u8]]| {
        let out = run_piped(&dir, &["s.reef", mode], input, Duration::ZERO);
        assert!(out.status.success(), "{}", text(&out.stderr));
        text(&out.stdout)
    };
    assert_eq!(run("all", &[b"one\ntwo"]), "\"one\\ntwo\"\n");
    assert_eq!(run("all", &[b"ok\xff"]), "<<111, 107, 255>>\n");
    assert_eq!(run("all", &[]), "\"\"\n");
    // Line endings go (`\r\n` too); a last line without one still counts;
    // a line that is not UTF-8 is a binary.
    assert_eq!(
        run("lines", &[b"a\r\nb\n\n\xfe\nlast"]),
        "[\"a\", \"b\", \"\", <<254>>, \"last\"]\n"
    );
    assert_eq!(run("lines", &[]), "[]\n");
    // Many lines, more than one batch.
    let big: String = (0..10_000).map(|i| format!("line {i}\n")).collect();
    let chars: usize = (0..10_000).map(|i| format!("line {i}").len()).sum();
    assert_eq!(
        run("count", &[big.as_bytes()]),
        format!("10000 lines, {chars} chars\n")
    );
}

#[test]
fn stdin_that_arrives_late() {
    let dir = scratch("late", "s.reef", STDIN_SCRIPT);
    let pieces: [&[u8]; 3] = [b"first\n", b"sec", b"ond\nthird\n"];
    let out = run_piped(
        &dir,
        &["s.reef", "lines"],
        &pieces,
        Duration::from_millis(200),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "[\"first\", \"second\", \"third\"]\n");
    let out = run_piped(
        &dir,
        &["s.reef", "all"],
        &pieces,
        Duration::from_millis(100),
    );
    assert_eq!(text(&out.stdout), "\"first\\nsecond\\nthird\\n\"\n");
    // The same through a shell pipeline, as a user would write it.
    let script = dir.join("s.reef");
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "(sleep 0.2; echo a; sleep 0.2; echo b) | '{}' '{}' count",
            bin(),
            script.display()
        ))
        .output()
        .unwrap();
    assert_eq!(text(&out.stdout), "2 lines, 2 chars\n");
}

#[test]
fn a_long_comprehension_yields_to_other_processes() {
    // One scheduler thread. The spawned process runs one comprehension
    // over a million elements with no call inside it; `main`, waiting
    // meanwhile with a 10 ms timeout, must get the thread back long before
    // the comprehension ends: each iteration's backward jump costs a
    // reduction, so the loop is preempted like any other code.
    let dir = scratch(
        "yield",
        "spin.reef",
        r#"
pub fn main() {
  let me = self()
  spawn(fn() {
    let xs = lists.seq(1, 1000000)
    me ! :ready
    let ys = for x in xs, x > 0 { x }
    me ! (:done, len(ys))
  })
  receive { :ready => nil }
  receive {
    (:done, _) => io.println("the comprehension ran to its end first")
  } after 10 => io.println("main ran meanwhile")
}
"#,
    );
    let out = Command::new(bin())
        .current_dir(&dir)
        .args(["--schedulers", "1", "spin.reef"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "main ran meanwhile\n");
}

#[test]
fn the_new_syntax_in_the_repl() {
    let out = run_piped(
        &std::env::temp_dir(),
        &[],
        &[b"let k = 10\nfor x in [1, 2, 3], x != 2 { x * k + ?a }\ntry { :v } after { io.println(\"cleaned\") }\nbsl(1, 70)\n"],
        Duration::ZERO,
    );
    let stdout = text(&out.stdout);
    assert!(stdout.contains("[107, 127]"), "{stdout}");
    assert!(stdout.contains("cleaned\n:v"), "{stdout}");
    assert!(stdout.contains("1180591620717411303424"), "{stdout}");
}
