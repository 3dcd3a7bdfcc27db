//! Helpers for the distribution tests (`tests/dist.rs`): an EPMD of the
//! test's own on a free port, Reef and `erl` nodes as child processes
//! whose output lines are collected as they come (with the time each
//! arrived), and guards that kill every OS process a test started, even
//! when the test fails.

#![allow(dead_code)]

pub mod fake;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// The net tick the tests' nodes run with (`--net-tick`), in seconds.
pub const TICK: u64 = 2;

pub fn reef_bin() -> &'static str {
    env!("CARGO_BIN_EXE_reef")
}

/// The Reef programs the tests run (`tests/dist/programs`).
pub fn programs() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .join("tests/dist/programs")
}

/// A port nothing listens on now (the OS picks it; another test may take
/// it meanwhile, which is unlikely enough).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

static SEQ: AtomicU32 = AtomicU32::new(0);

/// A name no other test (or test run) uses at the same time.
pub fn unique(prefix: &str) -> String {
    format!(
        "{prefix}{}x{}",
        std::process::id(),
        SEQ.fetch_add(1, Ordering::Relaxed)
    )
}

/// The `erl` command, or a failure that says how to get it.
pub fn erl_bin() -> &'static str {
    let ok = Command::new("erl")
        .args(["-noshell", "-eval", "halt()."])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        ok,
        "`erl` is not installed: the Reef<->erl tests need it (apt-get install -y erlang-base)"
    );
    "erl"
}

/// The lines so far, each with the time it arrived, and whether the
/// stream has ended.
type Seen = (Vec<(Instant, String)>, bool);

/// Lines of one output stream, as they arrive.
#[derive(Clone, Default)]
pub struct Lines(Arc<(Mutex<Seen>, Condvar)>);

impl Lines {
    fn pump(stream: impl Read + Send + 'static) -> Lines {
        let lines = Lines::default();
        let l = lines.clone();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stream);
            let mut buf = Vec::new();
            loop {
                buf.clear();
                let n = r.read_until(b'\n', &mut buf).unwrap_or(0);
                let (m, cv) = &*l.0;
                let mut g = m.lock().unwrap();
                if n == 0 {
                    g.1 = true;
                    cv.notify_all();
                    return;
                }
                let line = String::from_utf8_lossy(&buf).trim_end().to_string();
                g.0.push((Instant::now(), line));
                cv.notify_all();
            }
        });
        lines
    }

    /// The first line containing `needle`, waiting up to `timeout`.
    pub fn find(&self, needle: &str, timeout: Duration) -> Option<(Instant, String)> {
        self.find_nth(needle, 0, timeout)
    }

    /// The `n`th (from 0) line containing `needle`.
    pub fn find_nth(&self, needle: &str, n: usize, timeout: Duration) -> Option<(Instant, String)> {
        let end = Instant::now() + timeout;
        let (m, cv) = &*self.0;
        let mut g = m.lock().unwrap();
        loop {
            if let Some(hit) = g.0.iter().filter(|(_, l)| l.contains(needle)).nth(n) {
                return Some(hit.clone());
            }
            let now = Instant::now();
            if now >= end || g.1 {
                return None;
            }
            g = cv.wait_timeout(g, end - now).unwrap().0;
        }
    }

    pub fn text(&self) -> String {
        let g = self.0 .0.lock().unwrap();
        g.0.iter().map(|(_, l)| format!("{l}\n")).collect()
    }

    /// The last `n` lines, for failure messages.
    pub fn tail(&self, n: usize) -> String {
        let g = self.0 .0.lock().unwrap();
        let skip = g.0.len().saturating_sub(n);
        let mut s = if skip > 0 {
            format!("[{skip} lines before]\n")
        } else {
            String::new()
        };
        for (_, l) in &g.0[skip..] {
            s.push_str(l);
            s.push('\n');
        }
        s
    }

    pub fn lines(&self) -> Vec<String> {
        let g = self.0 .0.lock().unwrap();
        g.0.iter().map(|(_, l)| l.clone()).collect()
    }
}

/// A child process (a Reef or erl node, or an EPMD) that is killed
/// (SIGKILL) and reaped when dropped.
pub struct Node {
    pub name: String,
    child: Child,
    stdin: Option<ChildStdin>,
    pub out: Lines,
    pub err: Lines,
}

impl Node {
    pub fn start(name: &str, mut cmd: Command) -> Node {
        cmd.stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {name}: {e}"));
        let out = Lines::pump(child.stdout.take().unwrap());
        let err = Lines::pump(child.stderr.take().unwrap());
        let stdin = child.stdin.take();
        Node {
            name: name.to_string(),
            child,
            stdin,
            out,
            err,
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    fn dump(&self) -> String {
        format!(
            "--- {} stdout ---\n{}--- {} stderr ---\n{}",
            self.name,
            self.out.tail(40),
            self.name,
            self.err.tail(20)
        )
    }

    /// The first stdout line containing `needle`, or a failure showing
    /// everything the node wrote.
    pub fn expect(&self, needle: &str, secs: u64) -> String {
        self.expect_at(needle, secs).1
    }

    /// As `expect`, with the time the line arrived.
    pub fn expect_at(&self, needle: &str, secs: u64) -> (Instant, String) {
        match self.out.find(needle, Duration::from_secs(secs)) {
            Some(hit) => hit,
            None => panic!(
                "{}: no line with `{needle}` within {secs} s\n{}",
                self.name,
                self.dump()
            ),
        }
    }

    /// The first stderr line containing `needle`.
    pub fn expect_err(&self, needle: &str, secs: u64) -> String {
        match self.err.find(needle, Duration::from_secs(secs)) {
            Some((_, l)) => l,
            None => panic!(
                "{}: no stderr line with `{needle}` within {secs} s\n{}",
                self.name,
                self.dump()
            ),
        }
    }

    /// Asserts that no stdout line contains `needle`.
    pub fn refute(&self, needle: &str) {
        assert!(
            !self.out.text().contains(needle),
            "{}: unexpected `{needle}`\n{}",
            self.name,
            self.dump()
        );
    }

    /// Writes a line to the node's stdin.
    pub fn say(&mut self, line: &str) {
        let s = self.stdin.as_mut().expect("stdin open");
        writeln!(s, "{line}").expect("write to the node's stdin");
        s.flush().unwrap();
    }

    /// `kill -9`, and wait for it to be gone.
    pub fn kill9(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Whether it is still running.
    pub fn running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Waits for it to end by itself (at most `secs`).
    pub fn wait_end(&mut self, secs: u64) -> Option<std::process::ExitStatus> {
        let end = Instant::now() + Duration::from_secs(secs);
        while Instant::now() < end {
            if let Ok(Some(s)) = self.child.try_wait() {
                return Some(s);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }

    /// Resident memory, in KB (`VmRSS`).
    pub fn rss_kb(&self) -> u64 {
        let s = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).unwrap_or_default();
        s.lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.split_whitespace().next()?.parse().ok())
            .unwrap_or(0)
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            eprintln!("{}", self.dump());
        }
    }
}

/// One test's world: its EPMD (on a port of its own), its cookie, and
/// how to start nodes that use them. Dropping it kills the EPMD (nodes
/// are killed by their own guards).
pub struct Cluster {
    pub epmd_port: u16,
    pub cookie: String,
    pub epmd: Option<Node>,
    /// A prefix that makes this test's node names unique.
    pub tag: String,
    /// Commands run before the node (`ip netns exec NS`).
    pub wrap: Vec<String>,
}

impl Cluster {
    /// A fresh EPMD (`reef epmd --port P`), up and answering.
    pub fn new() -> Cluster {
        let port = free_port();
        let mut c = Cluster::without_epmd(port);
        c.epmd = Some(c.start_epmd(&[]));
        c
    }

    /// No EPMD yet: nodes are told to use `port`.
    pub fn without_epmd(port: u16) -> Cluster {
        Cluster {
            epmd_port: port,
            cookie: unique("cookie"),
            epmd: None,
            tag: unique("t"),
            wrap: Vec::new(),
        }
    }

    /// Starts `reef epmd --port P` (behind `wrap`, e.g. in a network
    /// namespace) and waits until it answers.
    pub fn start_epmd(&self, wrap: &[String]) -> Node {
        let mut cmd = wrapped(wrap, reef_bin());
        cmd.args(["epmd", "--port", &self.epmd_port.to_string()]);
        let node = Node::start("epmd", cmd);
        if wrap.is_empty() {
            let addr = self.epmd_addr();
            let end = Instant::now() + Duration::from_secs(10);
            while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
                assert!(Instant::now() < end, "reef epmd did not start on {addr}");
                std::thread::sleep(Duration::from_millis(20));
            }
        } else {
            std::thread::sleep(Duration::from_millis(300));
        }
        node
    }

    pub fn epmd_addr(&self) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], self.epmd_port))
    }

    /// `name@127.0.0.1`, unique to this test.
    pub fn full(&self, short: &str) -> String {
        format!("{short}_{}@127.0.0.1", self.tag)
    }

    /// A Reef node `name` (a full name) running `tests/dist/programs/FILE`
    /// with `args`, with this cluster's EPMD port, cookie and tick.
    pub fn reef(&self, name: &str, file: &str, args: &[&str]) -> Node {
        self.reef_with(name, &self.cookie, file, args)
    }

    pub fn reef_with(&self, name: &str, cookie: &str, file: &str, args: &[&str]) -> Node {
        let mut cmd = wrapped(&self.wrap, reef_bin());
        cmd.current_dir(programs())
            .env("ERL_EPMD_PORT", self.epmd_port.to_string())
            .env("NO_COLOR", "1")
            .env_remove("REEF_PATH")
            .args([
                "--name",
                name,
                "--cookie",
                cookie,
                "--net-tick",
                &TICK.to_string(),
            ])
            .arg("run")
            .arg(file)
            .args(args);
        Node::start(name, cmd)
    }

    /// A Reef peer (`peer.reef`: `:echo` registered), once it is ready.
    pub fn peer(&self, name: &str) -> Node {
        let n = self.reef(name, "peer.reef", &[]);
        n.expect("ready", 20);
        n
    }

    /// An `erl -name NAME -noshell` node running the Erlang expressions
    /// `script` (which should end with `halt().` or wait).
    pub fn erl(&self, name: &str, script: &str) -> Node {
        let mut cmd = Command::new(erl_bin());
        cmd.env("ERL_EPMD_PORT", self.epmd_port.to_string())
            .args(["-noshell", "-name", name, "-setcookie", &self.cookie])
            .args(["-kernel", "net_ticktime", &(TICK * 2).to_string()])
            .args(["-eval", script]);
        Node::start(name, cmd)
    }
}

impl Default for Cluster {
    fn default() -> Self {
        Cluster::new()
    }
}

fn wrapped(wrap: &[String], program: &str) -> Command {
    match wrap.split_first() {
        None => Command::new(program),
        Some((first, rest)) => {
            let mut c = Command::new(first);
            c.args(rest).arg(program);
            c
        }
    }
}

/// Parses the numbers after `got ` in `lines`.
pub fn numbers_after(lines: &[String], prefix: &str) -> Vec<u64> {
    lines
        .iter()
        .filter_map(|l| l.strip_prefix(prefix)?.trim().parse().ok())
        .collect()
}
