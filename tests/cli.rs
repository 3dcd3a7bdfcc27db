//! The `reef` command as a user runs it: flags, exit statuses, where
//! modules are found, and that bad input gives a clear message (never a
//! Rust panic).

mod common;

use common::{reef, text};
use std::path::Path;
use std::process::Command;

fn scratch(name: &str, files: &[(&str, &str)]) -> std::path::PathBuf {
    common::scratch("cli", name, files)
}

#[test]
fn help_and_version() {
    let dir = std::env::temp_dir();
    let out = reef(&dir, &["--help"]);
    assert!(out.status.success());
    assert!(text(&out.stdout).contains("reef run FILE.reef"));
    let out = reef(&dir, &["--version"]);
    assert_eq!(
        text(&out.stdout).trim(),
        format!("reef {}", env!("CARGO_PKG_VERSION"))
    );
    let out = reef(&dir, &["--no-such-flag"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn main_with_args_and_without() {
    let dir = scratch(
        "args",
        &[
            ("a.reef", "pub fn main(args) { io.inspect(args) }\n"),
            ("b.reef", "pub fn main() { io.println(\"no args\") }\n"),
        ],
    );
    let out = reef(&dir, &["run", "a.reef", "x", "two words"]);
    assert_eq!(text(&out.stdout), "[\"x\", \"two words\"]\n");
    assert!(out.status.success());
    let out = reef(&dir, &["run", "b.reef", "ignored"]);
    assert_eq!(text(&out.stdout), "no args\n");
}

#[test]
fn modules_are_found_beside_then_on_the_path_then_in_the_stdlib() {
    let dir = scratch(
        "path",
        &[
            ("app/main.reef", "pub fn main() { io.println(near.f() <> far.f() <> to_string(lists.sum([1, 2]))) }\n"),
            ("app/near.reef", "pub fn f() { \"near \" }\n"),
            ("lib1/far.reef", "pub fn f() { \"far \" }\n"),
        ],
    );
    let out = reef(&dir, &["run", "app/main.reef"]);
    assert_eq!(out.status.code(), Some(1), "far is not on the path yet");
    assert!(
        text(&out.stderr).contains(":undef"),
        "{}",
        text(&out.stderr)
    );

    let out = reef(&dir, &["--path", "lib1", "run", "app/main.reef"]);
    assert_eq!(text(&out.stdout), "near far 3\n", "{}", text(&out.stderr));

    let out = Command::new(env!("CARGO_BIN_EXE_reef"))
        .current_dir(&dir)
        .env("REEF_PATH", dir.join("lib1"))
        .args(["run", "app/main.reef"])
        .output()
        .unwrap();
    assert_eq!(text(&out.stdout), "near far 3\n", "{}", text(&out.stderr));
}

#[test]
fn a_crash_in_main_exits_1_with_a_report_on_stderr() {
    let dir = scratch(
        "crash",
        &[("c.reef", "pub fn main() {\n  io.println(\"before\")\n  let r = boom(1)\n  r\n}\n\nfn boom(x) {\n  let 2 = x\n  x\n}\n")],
    );
    let out = reef(&dir, &["run", "c.reef"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stdout), "before\n");
    let err = text(&out.stderr);
    assert!(err.contains("(:badmatch, 1)"), "{err}");
    assert!(err.contains("c.boom/1 (c.reef:8)"), "{err}");
    assert!(err.contains("c.main/0 (c.reef:3)"), "{err}");
}

#[test]
fn check_reports_all_errors_and_sets_the_exit_status() {
    let dir = scratch(
        "check",
        &[
            ("bad.reef", "pub fn main() {\n  let x = (1 + )\n  io.println(y)\n}\n\nfn other() {\n  [1, 2\n}\n"),
            ("warn.reef", "pub fn main() {\n  let unused = 1\n  :ok\n}\n"),
        ],
    );
    let out = reef(&dir, &["check", "bad.reef"]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.matches("Error:").count() >= 2, "{err}");
    assert!(err.contains("bad.reef:2:"), "{err}");
    let out = reef(&dir, &["check", "warn.reef"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stderr).contains("W0101"));
    let out = reef(&dir, &["run", "warn.reef"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "a warning does not stop the run"
    );
    assert!(
        text(&out.stderr).contains("W0101"),
        "run shows warnings too"
    );
    let out = reef(&dir, &["run", "bad.reef"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stdout).is_empty());
}

#[test]
fn disasm_prints_bytecode_and_the_opcode_table() {
    let dir = scratch("disasm", &[("d.reef", "pub fn inc(n) { n + 1 }\n")]);
    let out = reef(&dir, &["disasm", "d.reef"]);
    let s = text(&out.stdout);
    assert!(s.contains("pub fn inc/1") && s.contains("AddInt"), "{s}");
    let out = reef(&dir, &["disasm", "--opcodes"]);
    assert!(text(&out.stdout).contains("TailCall"));
}

#[test]
fn bad_input_never_panics() {
    let dir = scratch(
        "bad",
        &[
            ("binary.reef", "\u{0}\u{1}\u{ff}garbage \u{7f}"),
            (
                "deep.reef",
                &format!(
                    "pub fn main() {{ {}1{} }}\n",
                    "(".repeat(5000),
                    ")".repeat(5000)
                ),
            ),
            ("empty.reef", ""),
        ],
    );
    for f in ["binary.reef", "deep.reef", "empty.reef", "missing.reef"] {
        for cmd in ["run", "check", "disasm"] {
            let out = reef(&dir, &[cmd, f]);
            let err = text(&out.stderr);
            assert!(!err.contains("panicked"), "{cmd} {f}: {err}");
            assert!(
                out.status.code().is_some(),
                "{cmd} {f} was killed by a signal"
            );
        }
    }
}

#[test]
fn the_repl_is_a_process_and_procs_lists_processes() {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_reef"))
        .env("REEF_HISTORY", "")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let input = "let p = spawn(fn() { receive { :never => :ok } })\n\
                 register(:sleeper, p)\n\
                 :procs\n\
                 spawn(fn() { error(:oops) })\n\
                 40 + 2\n\
                 spawn_link(fn() { exit(:linked_boom) })\n\
                 1 + 1\n\
                 10 * 10\n";
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = text(&out.stdout);
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    let header = stdout
        .lines()
        .find(|l| l.starts_with("pid"))
        .unwrap_or_else(|| panic!("no :procs table in {stdout}"));
    assert!(header.contains("current function") && header.contains("memory"));
    let sleeper = stdout
        .lines()
        .find(|l| l.contains("sleeper"))
        .unwrap_or_else(|| panic!("the registered process is not listed: {stdout}"));
    assert!(sleeper.starts_with("#PID<0.2.0>"), "{sleeper}");
    assert!(stdout.contains("2 processes"), "{stdout}");
    // A crash in a spawned process is reported and the REPL goes on.
    assert!(stderr.contains("crashed: error :oops"), "{stderr}");
    assert!(stdout.contains("42"), "{stdout}");
    // A linked process's exit signal is reported (as a crash of the line
    // being evaluated, or at the next one if the session was idle by
    // then), and the session goes on.
    assert!(stderr.contains(":linked_boom"), "{stderr}");
    assert!(stdout.contains("100"), "{stdout}");
}

#[test]
fn reading_stdin_parks_only_the_reader() {
    use std::io::Write;
    let dir = scratch(
        "stdin",
        &[(
            "ask.reef",
            "fn tick(n) { receive { :stop => n } after 2 => tick(n + 1) }\n\
             pub fn main() {\n\
               let me = self()\n\
               let t = spawn(fn() { me ! (:ticks, tick(0)) })\n\
               let name = io.read_line(\"name? \")\n\
               let rest = io.read_line()\n\
               t ! :stop\n\
               receive { (:ticks, n) => io.println(\"ticker ran: #{n > 0}\") }\n\
               io.println(\"hello #{name}, then #{inspect(rest)}\")\n\
             }\n",
        )],
    );
    // One scheduler thread: if reading blocked it, the ticker could not
    // run while main waits for input.
    let mut child = Command::new(env!("CARGO_BIN_EXE_reef"))
        .args(["--schedulers", "1", "run", "ask.reef"])
        .current_dir(&dir)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(100));
    stdin.write_all(b"reef\n").unwrap();
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    assert_eq!(
        text(&out.stdout),
        "name? ticker ran: true\nhello reef, then :eof\n"
    );
}

// ---- output that is never lost, signals, broken pipes, input ----

/// Waits up to `limit` for the child to end; kills it and fails if not.
fn wait_bounded(
    child: &mut std::process::Child,
    limit: std::time::Duration,
    what: &str,
) -> std::process::ExitStatus {
    let start = std::time::Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what}: still running after {limit:?}");
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

/// Starts `reef run FILE` with stdout (and stderr) piped, and a thread
/// that sends each line of its stdout as it arrives.
fn spawn_reading(
    dir: &Path,
    file: &str,
) -> (std::process::Child, std::sync::mpsc::Receiver<String>) {
    use std::io::BufRead;
    let mut child = Command::new(env!("CARGO_BIN_EXE_reef"))
        .current_dir(dir)
        .args(["--schedulers", "1", "run", file])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let out = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(out).lines() {
            let Ok(line) = line else { return };
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    (child, rx)
}

/// Prints, then computes forever without ever waiting: the scheduler
/// thread never goes idle, so only the time-based flush (or a signal's)
/// can write the output out.
const SLOW: &str = "fn busy(n) { busy(n + 1) }\npub fn main() {\n  io.println(\"first\")\n  io.print(\"no newline yet\")\n  busy(0)\n}\n";

#[test]
fn output_into_a_pipe_arrives_before_the_program_ends() {
    let dir = scratch("flush", &[("slow.reef", SLOW)]);
    let start = std::time::Instant::now();
    let (mut child, lines) = spawn_reading(&dir, "slow.reef");
    let first = lines
        .recv_timeout(std::time::Duration::from_secs(2))
        .expect("the first line arrives while the program computes");
    assert_eq!(first, "first");
    assert!(
        start.elapsed() < std::time::Duration::from_secs(2),
        "{:?}",
        start.elapsed()
    );
    let _ = child.kill();
    let _ = child.wait();
}

fn signal_after_first_line(signal: &str, status: i32) {
    let dir = scratch(&format!("sig{signal}"), &[("slow.reef", SLOW)]);
    let (mut child, lines) = spawn_reading(&dir, "slow.reef");
    assert_eq!(
        lines
            .recv_timeout(std::time::Duration::from_secs(5))
            .unwrap(),
        "first"
    );
    let killed = Command::new("kill")
        .args([&format!("-{signal}"), &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let got = wait_bounded(&mut child, std::time::Duration::from_secs(5), signal);
    assert_eq!(got.code(), Some(status), "{signal}");
    // What was printed before the signal, newline or not, is all there.
    let rest: Vec<String> = lines.iter().collect();
    assert_eq!(rest, ["no newline yet"], "{signal}");
}

#[test]
fn sigterm_keeps_the_output_and_exits_143() {
    signal_after_first_line("TERM", 143);
}

#[test]
fn sigint_keeps_the_output_and_exits_130() {
    signal_after_first_line("INT", 130);
}

#[test]
fn a_closed_pipe_ends_the_program_quietly_and_at_once() {
    use std::io::BufRead;
    let dir = scratch(
        "pipe",
        &[(
            "lines.reef",
            "fn loop(n) {\n  io.println(\"line #{n}\")\n  loop(n + 1)\n}\npub fn main() { loop(0) }\n",
        )],
    );
    // As `reef run lines.reef | head -1`: read one line, close the pipe.
    let mut child = Command::new(env!("CARGO_BIN_EXE_reef"))
        .current_dir(&dir)
        .args(["run", "lines.reef"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    out.read_line(&mut first).unwrap();
    assert_eq!(first, "line 0\n");
    drop(out);
    let closed = std::time::Instant::now();
    let status = wait_bounded(&mut child, std::time::Duration::from_secs(5), "| head -1");
    assert!(
        closed.elapsed() < std::time::Duration::from_secs(2),
        "{:?}",
        closed.elapsed()
    );
    assert_eq!(
        status.code(),
        Some(141),
        "the status of a tool killed by SIGPIPE"
    );
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    assert_eq!(err, "", "quietly");
}

#[test]
fn a_closed_stderr_never_panics() {
    let dir = scratch(
        "stderr",
        &[
            (
                "noisy.reef",
                "fn loop(0) { :done }\nfn loop(n) {\n  io.eprintln(\"warning #{n}\")\n  loop(n - 1)\n}\npub fn main() {\n  loop(20000)\n  spawn(fn() { error(:elsewhere) })\n  sleep(50)\n  error(:at_the_end)\n}\n",
            ),
            ("bad.reef", "pub fn main() { let x = }\n"),
        ],
    );
    for args in [
        &["run", "noisy.reef"][..],
        &["check", "bad.reef"],
        &["run", "missing.reef"],
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_reef"))
            .current_dir(&dir)
            .args(args)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stderr.take()); // the reader of stderr is gone
        let status = wait_bounded(
            &mut child,
            std::time::Duration::from_secs(20),
            "stderr closed",
        );
        assert_eq!(
            status.code(),
            Some(1),
            "{args:?}: an error, not a panic (101)"
        );
    }
}

#[test]
fn read_line_reports_a_line_that_is_not_utf8_and_goes_on() {
    use std::io::Write;
    let dir = scratch(
        "utf8",
        &[(
            "lines.reef",
            "fn loop() {\n  case io.read_line() {\n    :eof => io.println(\"end\"),\n    line => { io.inspect(line); loop() },\n  }\n}\npub fn main() { loop() }\n",
        )],
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_reef"))
        .current_dir(&dir)
        .args(["run", "lines.reef"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin
        .write_all(b"caf\xc3\xa9\nbad \xff\xfe bytes\r\nlast")
        .unwrap();
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    assert_eq!(
        text(&out.stdout),
        "\"café\"\n(:error, :invalid_utf8)\n\"last\"\nend\n"
    );
}

/// Only regular files of at most 64 MiB are read as source: a device, a
/// FIFO or a directory is refused at once (`/dev/zero` used to be read
/// until memory ran out), with one line on stderr and exit status 1.
#[test]
fn non_regular_and_huge_files_are_refused() {
    let dir = scratch("files", &[("ok.reef", "pub fn main() { 1 }\n")]);
    let big = dir.join("big.reef");
    // Sparse: no disk space, but 65 MiB long.
    std::fs::File::create(&big)
        .unwrap()
        .set_len(65 << 20)
        .unwrap();
    let fifo = dir.join("fifo.reef");
    let made_fifo = Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|s| s.success());
    let mut cases = vec![
        ("check", "/dev/zero".to_string(), "not a regular file"),
        ("run", "/dev/zero".to_string(), "not a regular file"),
        ("disasm", "/dev/zero".to_string(), "not a regular file"),
        ("check", dir.display().to_string(), "it is a directory"),
        ("run", big.display().to_string(), "larger than 64 MiB"),
    ];
    if made_fifo {
        cases.push(("run", fifo.display().to_string(), "not a regular file"));
    }
    for (cmd, file, want) in cases {
        let out = reef(&dir, &[cmd, &file]);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{cmd} {file}: {err}");
        assert!(err.contains(want), "{cmd} {file}: {err}");
        assert_eq!(err.lines().count(), 1, "{cmd} {file}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
}

/// `--schedulers` takes 1 to 1024; anything else is a usage error (exit 2)
/// rather than a panic spawning 100,000 threads.
#[test]
fn schedulers_out_of_range_is_a_usage_error() {
    let dir = scratch(
        "sched",
        &[("ok.reef", "pub fn main() { io.println(\"ok\") }\n")],
    );
    for bad in ["0", "1025", "100000", "abc", "-1"] {
        let out = reef(&dir, &["--schedulers", bad, "run", "ok.reef"]);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "--schedulers {bad}: {err}");
        assert!(err.contains("from 1 to 1024"), "{err}");
    }
    let out = reef(&dir, &["--schedulers", "1024", "run", "ok.reef"]);
    assert_eq!(text(&out.stdout), "ok\n");
    assert!(reef(&dir, &["--help"])
        .stdout
        .windows(4)
        .any(|w| w == b"1024"));
}
