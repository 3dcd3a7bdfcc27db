//! Drives the REPL as a person would: `reef` runs in a real terminal (a
//! tmux session), input is typed with `send-keys`, and the screen is read
//! back with `capture-pane`. The transcript is a snapshot.

#[path = "common/tmux.rs"]
mod tmux;

use std::path::PathBuf;

use expect_test::expect;
use tmux::{lines, Tmux};

#[test]
fn repl_session_transcript() {
    let dir = std::env::temp_dir().join(format!("reef-repl-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let history = dir.join("history");
    let _ = std::fs::remove_file(&history);
    let module = dir.join("greet.reef");
    std::fs::write(&module, "pub fn hello(name) { \"hello, #{name}\" }\n").unwrap();

    let reef = PathBuf::from(env!("CARGO_BIN_EXE_reef"));
    let shell_cmd = format!(
        "env NO_COLOR=1 REEF_HISTORY={} {}",
        history.display(),
        reef.display()
    );
    let tmux = Tmux::start("repl", &shell_cmd, 110, 60);
    tmux.wait_for(|s| s.contains("reef> "), "start-up");

    let p = "reef> ";
    tmux.type_line("1 + 2", p);
    tmux.type_line("let x = 40", p);
    tmux.type_line("x + 2", p);
    tmux.type_line("fn sq(n) { n * n }", p);
    tmux.type_line("sq(x)", p);
    tmux.type_line("lists.map([1, 2, 3],", "  ... ");
    tmux.type_line("  fn(v) { v * 10 })", p);
    tmux.type_line("y + 1", p);
    tmux.type_line("1 div 0", p);
    tmux.type_line("x", p);
    tmux.type_line("self() ! (:hello, x)", p);
    tmux.type_line("receive { (:hello, n) => n + 1 } after 100 => :none", p);
    tmux.type_line("self() ! :ping", p);
    tmux.type_line("flush()", p);
    tmux.type_line(&format!(":load {}", module.display()), p);
    tmux.type_line("greet.hello(\"reef\")", p);
    let transcript: String = tmux
        .history()
        .lines()
        .map(|l| l.trim_end())
        .collect::<Vec<_>>()
        .join("\n")
        .replace(&dir.display().to_string(), "$DIR")
        .trim_end()
        .to_string();
    expect![[r#"
        Reef 0.1.0 (:help for help, :quit to leave)
        reef> 1 + 2
        3
        reef> let x = 40
        40
        reef> x + 2
        42
        reef> fn sq(n) { n * n }
        defined sq/1
        reef> sq(x)
        1600
        reef> lists.map([1, 2, 3],
          ...   fn(v) { v * 10 })
        [10, 20, 30]
        reef> y + 1
        [E0201] Error: unbound variable `y`
           ╭─[ repl:1:1 ]
           │
         1 │ y + 1
           │ ┬
           │ ╰── not bound here
           │
           │ Help: did you mean `x`?
        ───╯
        reef> 1 div 0
        ** process #PID<0.1.0> crashed: error :badarith
        **   in __repl_8.__eval/1 (repl:1)
        reef> x
        40
        reef> self() ! (:hello, x)
        (:hello, 40)
        reef> receive { (:hello, n) => n + 1 } after 100 => :none
        41
        reef> self() ! :ping
        :ping
        reef> flush()
        :ping
        :ok
        reef> :load $DIR/greet.reef
        loaded module greet
        reef> greet.hello("reef")
        "hello, reef"
        reef>"#]]
    .assert_eq(&transcript);

    tmux.type_text(":quit");
    tmux.keys(&["Enter"]);
    tmux.wait_for(|_| history.exists(), ":quit saves the history");
    let saved = std::fs::read_to_string(&history).unwrap();
    assert!(saved.contains("sq(x)"), "history file: {saved}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Starts `reef` in a fresh tmux session; waits for its first prompt.
fn start_repl(name: &str) -> (Tmux, PathBuf) {
    start_repl_with(name, "", "reef> ")
}

/// `start_repl` with flags and environment before the command, waiting
/// for `prompt`.
fn start_repl_with(name: &str, extra: &str, prompt: &str) -> (Tmux, PathBuf) {
    let dir = std::env::temp_dir().join(format!("reef-repl-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (env, flags) = extra.split_once('|').unwrap_or(("", extra));
    let shell_cmd = format!(
        "env NO_COLOR=1 REEF_HISTORY={} {env} {} {flags}",
        dir.join("history").display(),
        env!("CARGO_BIN_EXE_reef")
    );
    let tmux = Tmux::start(name, &shell_cmd, 100, 50);
    tmux.wait_for(|s| s.contains(prompt), "start-up");
    (tmux, dir)
}

/// A REPL started with `--name` is a node (registered with the EPMD the
/// test runs on a port of its own): its prompt shows the node's name.
#[test]
fn a_repl_started_with_a_name_is_a_node() {
    let epmd = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap();
    let mut server = std::process::Command::new(env!("CARGO_BIN_EXE_reef"))
        .args(["epmd", "--port", &epmd.to_string()])
        .spawn()
        .unwrap();
    let extra = format!("ERL_EPMD_PORT={epmd}|--name replnode@127.0.0.1 --cookie c");
    let p = "reef(replnode@127.0.0.1)> ";
    let (tmux, dir) = start_repl_with("node", &extra, p);
    tmux.type_line("node()", p);
    tmux.type_line("node.alive()", p);
    let screen = lines(&tmux.history());
    let from = screen.iter().position(|l| l.ends_with("> node()")).unwrap();
    assert_eq!(
        screen[from..],
        [
            "reef(replnode@127.0.0.1)> node()",
            ":\"replnode@127.0.0.1\"",
            "reef(replnode@127.0.0.1)> node.alive()",
            "true",
            "reef(replnode@127.0.0.1)>",
        ],
        "{screen:#?}"
    );
    let _ = server.kill();
    let _ = server.wait();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn ctrl_c_stops_the_evaluation_and_keeps_the_session() {
    let (tmux, dir) = start_repl("ctrlc");
    let p = "reef> ";
    tmux.type_line("let kept = 41", p);
    tmux.type_line("fn spin(n) { spin(n + 1) }", p);
    // Runs forever: only Ctrl-C can end it.
    tmux.type_text("spin(0)");
    tmux.keys(&["Enter"]);
    std::thread::sleep(std::time::Duration::from_millis(300));
    let screen = tmux.history();
    assert!(
        screen.trim_end().ends_with("reef> spin(0)"),
        "spin(0) is still running, no prompt after it:\n{screen}"
    );
    tmux.keys(&["C-c"]);
    tmux.wait_for(|s| s.contains("** interrupted"), "Ctrl-C");
    tmux.wait_for(
        |s| s.trim_end().ends_with("reef>"),
        "the prompt after Ctrl-C",
    );
    tmux.type_line("kept + 1", p);
    // At an empty prompt, Ctrl-C only says how to leave.
    tmux.keys(&["C-c"]);
    tmux.wait_for(
        |s| s.contains("(use :quit or Ctrl-D to leave)"),
        "Ctrl-C at the prompt",
    );
    tmux.type_line("self() ! :still_here", p);
    let screen = lines(&tmux.history());
    let from = screen.iter().position(|l| l == "reef> spin(0)").unwrap();
    assert_eq!(
        screen[from..],
        [
            "reef> spin(0)",
            "^C** interrupted",
            "reef> kept + 1",
            "42",
            "reef>",
            "(use :quit or Ctrl-D to leave)",
            "reef> self() ! :still_here",
            ":still_here",
            "reef>",
        ],
        "{screen:#?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn lines_pasted_together_are_all_evaluated_in_order() {
    let (tmux, dir) = start_repl("paste");
    // One send-keys with several lines: they arrive together, as a paste
    // without bracketed paste does.
    let paste =
        "let a = 1\na + 1\nlists.map([1, 2],\n  fn(v) { v * 10 })\n:quit_not_a_command\na + 3\n";
    tmux.type_text(paste);
    tmux.wait_for(
        |s| s.lines().any(|l| l.trim_end() == "4"),
        "the last pasted line",
    );
    tmux.wait_for(
        |s| s.matches("reef> ").count() >= 5,
        "the prompt after the paste",
    );
    let screen = lines(&tmux.history());
    assert_eq!(
        screen,
        [
            "Reef 0.1.0 (:help for help, :quit to leave)",
            "reef> let a = 1",
            "1",
            "reef> a + 1",
            "2",
            "reef> lists.map([1, 2],",
            "  ...   fn(v) { v * 10 })",
            "[10, 20]",
            "reef> :quit_not_a_command",
            "unknown command :quit_not_a_command (try :help)",
            "reef> a + 3",
            "4",
            "reef>",
        ],
        "{screen:#?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
