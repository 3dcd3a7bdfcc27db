//! The system side through the real `reef` binary: blocking file work runs
//! on the dirty I/O pool (a read that waits does not stop a scheduler),
//! and an open file is closed when the process that opened it crashes.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn scratch(name: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("reef-sys-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for (path, content) in files {
        std::fs::write(dir.join(path), content).unwrap();
    }
    dir
}

fn reef(dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_reef"));
    c.current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("REEF_PATH");
    c
}

const FIFO_READER: &str = r##"
pub fn main(args) {
  let [fifo] = args
  let me = self()
  let ticker = spawn(fn() { tick(0) })
  io.println("ready")
  let t0 = time.monotonic_ms()
  let r = file.read(fifo)
  let t1 = time.monotonic_ms()
  ticker ! (:stop, me)
  receive {
    (:ticks, n) => io.println("#{inspect(r)} #{t1 - t0} #{n}"),
  }
}

fn tick(n) {
  receive {
    (:stop, from) => from ! (:ticks, n),
  } after 10 => tick(n + 1)
}
"##;

/// With one scheduler thread, a process reading a FIFO that stays empty
/// for 300 ms waits on the I/O pool: the ticker beside it keeps ticking.
/// (Were the read on the scheduler thread, the ticker would not tick at
/// all until the data came.)
#[test]
fn a_blocked_read_does_not_stop_the_other_processes() {
    let dir = scratch("fifo", &[("fifo_reader.reef", FIFO_READER)]);
    let fifo = dir.join("the.fifo");
    let made = Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    let mut child = reef(&dir)
        .args(["--schedulers", "1", "run", "fifo_reader.reef"])
        .arg(&fifo)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("reef runs");
    // Once the program has started (the debug binary compiles for a
    // while), the writer waits 300 ms.
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    std::io::BufRead::read_line(&mut stdout, &mut line).unwrap();
    assert_eq!(line, "ready\n");
    std::thread::sleep(Duration::from_millis(300));
    // Opening for writing waits until the reader has opened its end.
    let mut w = std::fs::OpenOptions::new().write(true).open(&fifo).unwrap();
    w.write_all(b"data from the writer").unwrap();
    drop(w);
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stdout, &mut rest).unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = rest;
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let fields: Vec<&str> = stdout.trim().rsplitn(3, ' ').collect();
    assert_eq!(fields[2], "(:ok, \"data from the writer\")", "{stdout}");
    let waited: u64 = fields[1].parse().unwrap();
    let ticks: u64 = fields[0].parse().unwrap();
    assert!(
        waited >= 200,
        "the read returned after {waited} ms: {stdout}"
    );
    // About 30 ticks in 300 ms; a loaded machine may give fewer, but
    // a blocked scheduler would give none.
    assert!(ticks >= 5, "only {ticks} ticks in {waited} ms: {stdout}");
    let _ = std::fs::remove_dir_all(&dir);
}

const CRASHING_OWNER: &str = r##"
pub fn main(args) {
  let [p] = args
  let before = fds()
  let me = self()
  let (pid, m) = spawn_monitor(fn() {
    let (:ok, h) = file.open(p, :read)
    me ! (:opened, h, fds())
    error(:owner_crashed)
  })
  let (h, during) = receive { (:opened, h, n) => (h, n) }
  receive { (:DOWN, ^m, :process, ^pid, _) => :ok }
  let closed = settle(before, 100)
  io.println("#{during - before} #{closed - before} #{inspect(file.read_line(h))}")
}

// The fds open now (listing the directory opens one more, every time).
fn fds() {
  let (:ok, names) = file.list_dir("/proc/self/fd")
  len(names)
}

// The guard closes the file just after the owner's end: poll a while.
fn settle(target, 0) { fds() }
fn settle(target, n) {
  let now = fds()
  if now <= target { now } else { sleep(10); settle(target, n - 1) }
}
"##;

/// The fd of a file is closed when the process that opened it crashes:
/// counted in `/proc/self/fd` of the VM before, during and after.
#[test]
fn a_crashed_owners_file_is_closed() {
    if !Path::new("/proc/self/fd").exists() {
        return; // not Linux: nothing to count
    }
    let dir = scratch(
        "owner",
        &[("owner.reef", CRASHING_OWNER), ("data.txt", "a\nb\n")],
    );
    let t = Instant::now();
    let out = reef(&dir)
        .args(["run", "owner.reef", "data.txt"])
        .output()
        .expect("reef runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}{stderr}");
    assert!(stderr.contains("owner_crashed"), "{stderr}");
    assert_eq!(stdout.trim(), "1 0 (:error, :terminated)", "{stderr}");
    assert!(t.elapsed() < Duration::from_secs(10));
    let _ = std::fs::remove_dir_all(&dir);
}
