//! The hostile suite: every `tests/hostile/NAME.reef` is a program that
//! tries to take the whole VM down (a spawn bomb, a mailbox flood, deep
//! terms, runaway recursion, an atom flood, a long native, ...). Each runs
//! against the real `reef` binary and must end as its header says, within
//! its time limit and, where it says so, within a memory bound.
//!
//! Header comments at the top of the file:
//! - `// flags: --max-processes 1000` — `reef` flags, before `run`;
//! - `// args: a b` — arguments for `main`;
//! - `// stdin: TEXT` — a line written to the program's stdin (repeatable;
//!   stdin is closed after the last one);
//! - `// stdin-delay: MS` — wait this long before writing stdin;
//! - `// exit: N` — the expected exit status (default 0);
//! - `// stdout: TEXT` / `// stderr: TEXT` — must contain TEXT
//!   (repeatable);
//! - `// stderr-max: BYTES` — stderr is at most this long (truncated
//!   crash reports);
//! - `// timeout: SECONDS` — the run must end within it (default 30);
//! - `// max-rss-mb: N` — the resident memory sampled while it runs must
//!   stay under N MB.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use libtest_mimic::{Arguments, Failed, Trial};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}

#[derive(Default)]
struct Header {
    flags: Vec<String>,
    args: Vec<String>,
    stdin: Vec<String>,
    stdin_delay: u64,
    exit: i32,
    stdout: Vec<String>,
    stderr: Vec<String>,
    stderr_max: Option<usize>,
    timeout: u64,
    max_rss_mb: Option<u64>,
}

fn header(src: &str) -> Header {
    let mut h = Header {
        timeout: 30,
        ..Header::default()
    };
    let words = |v: &str| v.split_whitespace().map(String::from).collect::<Vec<_>>();
    let num = |v: &str| v.trim().parse::<u64>().unwrap_or(0);
    for line in src.lines() {
        let Some(c) = line.trim().strip_prefix("//") else {
            break;
        };
        let c = c.trim();
        let Some((key, v)) = c.split_once(':') else {
            continue;
        };
        let v = v.trim();
        match key {
            "flags" => h.flags = words(v),
            "args" => h.args = words(v),
            "stdin" => h.stdin.push(v.to_string()),
            "stdin-delay" => h.stdin_delay = num(v),
            "exit" => h.exit = v.parse().unwrap_or(1),
            "stdout" => h.stdout.push(v.to_string()),
            "stderr" => h.stderr.push(v.to_string()),
            "stderr-max" => h.stderr_max = Some(num(v) as usize),
            "timeout" => h.timeout = num(v),
            "max-rss-mb" => h.max_rss_mb = Some(num(v)),
            _ => {}
        }
    }
    h
}

/// The resident set of a running process, in MB (0 once it is gone).
fn rss_mb(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok())
        .map_or(0, |kb| kb / 1024)
}

fn reader(mut r: impl Read + Send + 'static) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = r.read_to_end(&mut buf);
        buf
    })
}

fn run_case(path: &Path) -> Result<(), Failed> {
    let src = std::fs::read_to_string(path).map_err(|e| format!("reading: {e}"))?;
    let h = header(&src);
    let root = root();
    let rel = path.strip_prefix(&root).unwrap_or(path);
    let mut child = Command::new(env!("CARGO_BIN_EXE_reef"))
        .current_dir(&root)
        .env("NO_COLOR", "1")
        .env_remove("REEF_PATH")
        .args(&h.flags)
        .arg("run")
        .arg(rel)
        .args(&h.args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("running reef: {e}"))?;
    let out = reader(child.stdout.take().expect("piped"));
    let err = reader(child.stderr.take().expect("piped"));
    let mut stdin = child.stdin.take().expect("piped");
    let (lines, delay) = (h.stdin.clone(), h.stdin_delay);
    let feeder = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(delay));
        for l in lines {
            let _ = writeln!(stdin, "{l}");
        }
    });
    let started = Instant::now();
    let (mut peak, mut problems) = (0, Vec::new());
    let status = loop {
        if let Some(s) = child.try_wait().map_err(|e| e.to_string())? {
            break Some(s);
        }
        peak = peak.max(rss_mb(child.id()));
        if started.elapsed() > Duration::from_secs(h.timeout) {
            let _ = child.kill();
            let _ = child.wait();
            problems.push(format!("still running after {} s: killed", h.timeout));
            break None;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let _ = feeder.join();
    let stdout = String::from_utf8_lossy(&out.join().unwrap_or_default()).into_owned();
    let stderr = String::from_utf8_lossy(&err.join().unwrap_or_default()).into_owned();
    if let Some(s) = status {
        let code = s.code().unwrap_or(-1);
        if code != h.exit {
            problems.push(format!("exit status {code}, expected {}", h.exit));
        }
    }
    for s in &h.stdout {
        if !stdout.contains(s.as_str()) {
            problems.push(format!("stdout lacks {s:?}"));
        }
    }
    for s in &h.stderr {
        if !stderr.contains(s.as_str()) {
            problems.push(format!("stderr lacks {s:?}"));
        }
    }
    if let Some(max) = h.stderr_max {
        if stderr.len() > max {
            problems.push(format!(
                "stderr has {} bytes, more than {max}",
                stderr.len()
            ));
        }
    }
    if let Some(max) = h.max_rss_mb {
        if peak > max {
            problems.push(format!(
                "resident memory reached {peak} MB, more than {max}"
            ));
        }
    }
    if problems.is_empty() {
        return Ok(());
    }
    let clip = |s: &str| s.chars().take(4000).collect::<String>();
    Err(format!(
        "{}\n{}\nstdout was:\n{}\nstderr was:\n{}",
        rel.display(),
        problems.join("\n"),
        clip(&stdout),
        clip(&stderr)
    )
    .into())
}

fn main() {
    let args = Arguments::from_args();
    let dir = root().join("tests/hostile");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|e| e == "reef"));
    files.sort();
    let trials = files
        .into_iter()
        .map(|p| {
            let name = p
                .file_stem()
                .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
            Trial::test(name, move || run_case(&p))
        })
        .collect();
    libtest_mimic::run(&args, trials).exit();
}
