//! A program in a real terminal: a tmux session of its own (its own
//! server socket), keys typed with `send-keys`, the screen read back with
//! `capture-pane`. Used by the tests of the REPL (transcripts, completion,
//! `h`), and of `reef top`.

// Each test binary uses the part it needs.
#![allow(dead_code)]

use std::process::Command;
use std::time::{Duration, Instant};

pub struct Tmux {
    socket: String,
}

impl Tmux {
    /// Starts `shell_cmd` in a `width` x `height` terminal.
    pub fn start(name: &str, shell_cmd: &str, width: u16, height: u16) -> Tmux {
        let tmux = Tmux {
            socket: format!("reef-{name}-{}", std::process::id()),
        };
        let ok = tmux
            .cmd()
            .args(["new-session", "-d", "-s", "t", "-x"])
            .arg(width.to_string())
            .arg("-y")
            .arg(height.to_string())
            .arg(shell_cmd)
            .status()
            .expect("tmux is installed (.ci/run installs it)");
        assert!(ok.success());
        tmux
    }

    fn cmd(&self) -> Command {
        let mut c = Command::new("tmux");
        c.arg("-L").arg(&self.socket).arg("-f").arg("/dev/null");
        c
    }

    /// The pid of the pane's process (the shell running `shell_cmd`).
    pub fn pane_pid(&self) -> u32 {
        self.query(&["list-panes", "-t", "t", "-F", "#{pane_pid}"])
            .trim()
            .parse()
            .expect("a pane pid")
    }

    /// What a tmux command prints.
    fn query(&self, args: &[&str]) -> String {
        let out = self.cmd().args(args).output().expect("tmux runs");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// What the terminal shows now (the visible screen).
    pub fn screen(&self) -> String {
        self.query(&["capture-pane", "-p", "-J", "-t", "t"])
    }

    /// Everything the terminal showed since it started (the screen and
    /// what scrolled off it), each wrapped line joined back.
    pub fn history(&self) -> String {
        self.query(&["capture-pane", "-p", "-J", "-S", "-", "-t", "t"])
    }

    /// Types `line` and Enter, then waits until the program shows one
    /// more `prompt` than before (a REPL's answer is complete).
    pub fn type_line(&self, line: &str, prompt: &str) {
        let before = self.history().matches(prompt).count();
        self.type_text(line);
        self.keys(&["Enter"]);
        let start = Instant::now();
        while self.history().matches(prompt).count() <= before {
            if start.elapsed() > Duration::from_secs(20) {
                panic!(
                    "timed out after typing {line:?}; screen:\n{}",
                    self.history()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Types `text` literally.
    pub fn type_text(&self, text: &str) {
        let ok = self
            .cmd()
            .args(["send-keys", "-t", "t", "-l", text])
            .status()
            .expect("tmux runs");
        assert!(ok.success());
    }

    /// Presses keys by tmux's names (`Enter`, `Tab`, `Escape`, `C-r`).
    pub fn keys(&self, keys: &[&str]) {
        let ok = self
            .cmd()
            .args(["send-keys", "-t", "t"])
            .args(keys)
            .status()
            .expect("tmux runs");
        assert!(ok.success());
    }

    /// Waits (up to 20 s) until the screen satisfies `done`; returns it.
    pub fn wait_for(&self, done: impl Fn(&str) -> bool, what: &str) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if done(&s) {
                return s;
            }
            if start.elapsed() > Duration::from_secs(20) {
                panic!("timed out waiting for {what}; screen:\n{s}");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.cmd().arg("kill-server").status();
    }
}

/// The screen's lines without trailing blanks, empty lines dropped.
pub fn lines(screen: &str) -> Vec<String> {
    screen
        .lines()
        .map(|l| l.trim_end().to_string())
        .filter(|l| !l.is_empty())
        .collect()
}
