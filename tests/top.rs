//! `reef top` as a person uses it: a named node runs a busy process,
//! `reef top NODE --cookie C` watches it in a real terminal (tmux), and
//! the keys change the sort, open one process's info, go back, and leave
//! with the terminal as it was. Each test runs its own EPMD on a port of
//! its own.

mod common;
#[path = "common/tmux.rs"]
mod tmux;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use tmux::Tmux;

const BUSY: &str = "\
pub fn main() {
  let p = spawn(fn() { spin(0) })
  register(:spinner, p)
  io.println(\"ready\")
  receive { :never => :ok }
}

fn spin(n) { spin(n + 1) }
";

/// Children killed when the test ends, pass or fail.
struct Kill(Vec<Child>);

impl Drop for Kill {
    fn drop(&mut self) {
        for c in &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap()
}

/// An EPMD on a port of its own, and its port.
fn epmd() -> (Child, u16) {
    let port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_reef"))
        .args(["epmd", "--port", &port.to_string()])
        .spawn()
        .unwrap();
    // Wait until it listens.
    for _ in 0..200 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    (child, port)
}

#[test]
fn top_watches_a_node_sorts_shows_a_process_and_restores_the_terminal() {
    let dir = common::scratch("top", "watch", &[("busy.reef", BUSY)]);
    let (epmd, port) = epmd();
    let mut kill = Kill(vec![epmd]);
    let node = format!("topa{}@127.0.0.1", std::process::id());
    let mut busy = Command::new(env!("CARGO_BIN_EXE_reef"))
        .current_dir(&dir)
        .env("ERL_EPMD_PORT", port.to_string())
        .args(["--name", &node, "--cookie", "c", "run", "busy.reef"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let out = busy.stdout.take().unwrap();
    kill.0.push(busy);
    let mut line = String::new();
    BufReader::new(out).read_line(&mut line).unwrap();
    assert_eq!(line, "ready\n", "the node started");

    // The shell compares the terminal's settings before and after.
    let shell_cmd = format!(
        "s=$(stty -g); env ERL_EPMD_PORT={port} {} top {node} --cookie c; echo \"top exited $?\"; \
         [ \"$s\" = \"$(stty -g)\" ] && echo 'terminal restored'; echo 'checks done'; sleep 60",
        env!("CARGO_BIN_EXE_reef")
    );
    let t = Tmux::start("top", &shell_cmd, 120, 30);
    let screen = t.wait_for(
        |s| s.contains("busy.spin/1") && s.contains("spinner"),
        "the busy process in the table",
    );
    let lines = tmux::lines(&screen);
    assert!(
        lines[0].starts_with(&format!("reef top - {node}   processes: ")),
        "{screen}"
    );
    // The node's processes: rex, net_kernel, user, main, spinner, and
    // rex's workers answering top's calls.
    let count: usize = lines[0]
        .split("processes: ")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap();
    assert!(count >= 5, "{screen}");
    assert!(lines[1].starts_with("memory: "), "{screen}");
    assert!(lines[2].contains("%"), "scheduler bars: {screen}");
    assert!(lines.iter().any(|l| l.starts_with(" PID ")), "{screen}");
    // Sorted by reductions, the spinner is first (and selected).
    let first = lines
        .iter()
        .position(|l| l.starts_with(" PID "))
        .map(|i| &lines[i + 1])
        .unwrap();
    assert!(
        first.starts_with(">#PID<") && first.contains("spinner"),
        "{screen}"
    );

    t.type_text("m");
    t.wait_for(|s| s.contains("sort: memory"), "the memory sort");
    t.type_text("l");
    t.wait_for(|s| s.contains("sort: queue"), "the queue sort");
    t.type_text("r");
    t.wait_for(|s| s.contains("sort: reductions"), "the reductions sort");
    // The first row is selected: Enter shows the spinner's info.
    t.keys(&["Enter"]);
    let info = t.wait_for(|s| s.contains("(Esc back, Q quit)"), "the process info");
    assert!(info.contains("registered name   spinner"), "{info}");
    assert!(info.contains("current function  busy.spin/1"), "{info}");
    assert!(info.contains("links") && info.contains("stack"), "{info}");
    t.keys(&["Escape"]);
    t.wait_for(|s| s.contains("sort: reductions"), "back to the table");
    t.keys(&["Down"]);
    t.wait_for(
        |s| {
            s.lines()
                .any(|l| l.starts_with(">#PID<") && !l.contains("spinner"))
        },
        "the selection moves down",
    );
    t.type_text("q");
    let end = t.wait_for(|s| s.contains("checks done"), "top to leave");
    assert!(end.contains("top exited 0"), "{end}");
    assert!(end.contains("terminal restored"), "{end}");
    assert!(
        !end.contains("reef top -"),
        "the alternate screen is gone: {end}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn ctrl_c_leaves_top_and_a_node_that_is_not_there_is_an_error() {
    let (epmd, port) = epmd();
    let _kill = Kill(vec![epmd]);
    let dir = common::scratch("top", "errors", &[]);
    let missing = Command::new(env!("CARGO_BIN_EXE_reef"))
        .current_dir(&dir)
        .env("ERL_EPMD_PORT", port.to_string())
        .args(["top", "nosuch@127.0.0.1", "--cookie", "c"])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(1));
    assert_eq!(
        common::text(&missing.stderr),
        "reef top: cannot connect to nosuch@127.0.0.1 (is it running, with this cookie?)\n"
    );
    // Without a terminal there is nothing to draw on.
    let piped = common::reef(&dir, &["top"]);
    assert_eq!(piped.status.code(), Some(1));
    assert_eq!(common::text(&piped.stderr), "reef top needs a terminal\n");

    // `reef top` alone watches its own VM; Ctrl-C leaves.
    let shell_cmd = format!(
        "s=$(stty -g); {} top; echo \"top exited $?\"; \
         [ \"$s\" = \"$(stty -g)\" ] && echo 'terminal restored'; echo 'checks done'; sleep 60",
        env!("CARGO_BIN_EXE_reef")
    );
    let t = Tmux::start("top-self", &shell_cmd, 100, 20);
    t.wait_for(
        |s| s.contains("reef top - nonode@nohost   processes: "),
        "the table of its own VM",
    );
    t.keys(&["C-c"]);
    let end = t.wait_for(|s| s.contains("checks done"), "top to leave");
    assert!(
        end.contains("top exited 0") && end.contains("terminal restored"),
        "{end}"
    );

    // Killed with SIGTERM, it leaves the same way: the terminal restored,
    // the status a death by that signal's (128 + 15).
    let t = Tmux::start("top-term", &shell_cmd, 100, 20);
    t.wait_for(
        |s| s.contains("reef top - nonode@nohost   processes: "),
        "the table of its own VM",
    );
    let shell = t.pane_pid().to_string();
    let killed = Command::new("pkill")
        .args(["-TERM", "-P", &shell, "-x", "reef"])
        .status()
        .expect("pkill");
    assert!(killed.success(), "no reef process under the pane's shell");
    let end = t.wait_for(|s| s.contains("checks done"), "top to leave");
    assert!(
        end.contains("top exited 143") && end.contains("terminal restored"),
        "{end}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
