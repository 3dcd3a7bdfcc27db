//! `reef top [NODE]`: a live view of a running node, as `observer_cli`
//! and `htop` give: its processes sorted by reductions, memory or queue
//! length, how busy its schedulers are, its memory and process count,
//! refreshed every second; Enter shows one process's links, monitors,
//! current function and stack. It connects to NODE as a hidden node and
//! asks by RPC (`source.rs`), so it works on any Reef node; without NODE
//! (and as `:top` in the REPL) it watches the VM it runs in.

mod render;
mod source;
mod terminal;

use std::process::ExitCode;
use std::time::{Duration, Instant};

use reef_vm::Vm;
use render::{Sort, View};
use terminal::{Key, Screen};

/// How often the figures are fetched again.
const REFRESH: Duration = Duration::from_secs(1);

/// `reef top NODE --cookie C`: starts a hidden node of its own, named
/// after this program, and watches NODE.
pub fn run_remote(target: &str, cookie: Option<&str>, builder: reef_vm::VmBuilder) -> ExitCode {
    let Some((_, host)) = target.split_once('@') else {
        errln!("reef top: `{target}` is not a node name (alive@host)");
        return ExitCode::from(2);
    };
    let cookie =
        match cookie.map_or_else(reef_vm::dist::names::default_cookie, |c| Ok(c.to_string())) {
            Ok(c) => c,
            Err(e) => {
                errln!("reef top: {e}");
                return ExitCode::FAILURE;
            }
        };
    // A long name when the target has one (its host has a dot), as
    // Erlang requires both ends to agree.
    let name = format!("reef_top_{}@{host}", std::process::id());
    let mut cfg = reef_vm::dist::NodeConfig::new(&name, &cookie);
    cfg.hidden = true;
    let vm = match builder.node_config(cfg).try_build() {
        Ok(vm) => vm,
        Err(e) => {
            errln!("reef top: {e}");
            return ExitCode::FAILURE;
        }
    };
    let status = watch(&vm, Some(target));
    vm.stop_node();
    status
}

/// `:top` in the REPL, and `reef top` without a node: this VM.
pub fn run_local(vm: &Vm) -> ExitCode {
    watch(vm, None)
}

fn watch(vm: &Vm, target: Option<&str>) -> ExitCode {
    let source = match source::Source::new(vm, target) {
        Ok(s) => s,
        Err(e) => {
            errln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let screen = match Screen::enter() {
        Ok(s) => s,
        Err(e) => {
            errln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let mut view = View {
        sort: Sort::Reductions,
        selected: 0,
    };
    // The process whose info is shown (Enter), by pid and its text.
    let mut detail: Option<(reef_vm::Term, String)> = None;
    let mut snap = source::Snapshot::default();
    let mut walls_before: Vec<(u64, u64)> = Vec::new();
    let mut util: Vec<f64> = Vec::new();
    let mut problem: Option<String> = None;
    let mut next_fetch = Instant::now();
    loop {
        if Instant::now() >= next_fetch {
            match source.snapshot() {
                Ok(s) => {
                    util = render::utilisation(&walls_before, &s.walls);
                    walls_before = s.walls.clone();
                    snap = s;
                    problem = None;
                }
                Err(e) => problem = Some(format!("cannot reach {}: {e}", source.node())),
            }
            next_fetch = Instant::now() + REFRESH;
        }
        let (width, height) = screen.size();
        match &detail {
            Some((pid, text)) => {
                let info = source.info(pid).ok().flatten();
                screen.draw(&render::detail(text, info.as_ref(), width, height), None);
            }
            None => {
                let mut lines = render::table(&snap, &util, &view, width, height);
                if let Some(p) = &problem {
                    lines.insert(1, p.clone());
                    lines.truncate(height);
                }
                let selected = lines.iter().position(|l| l.starts_with('>'));
                screen.draw(&lines, selected);
            }
        }
        let wait = next_fetch.saturating_duration_since(Instant::now());
        let keys = screen.read_keys(wait);
        if let Some(sig) = screen.signalled() {
            // Killed: the terminal is put back as the screen drops, and the
            // status is the shell's for a death by that signal.
            return ExitCode::from(128u8.saturating_add(sig as u8));
        }
        for key in keys {
            let count = snap.procs.len();
            match (key, detail.is_some()) {
                (Key::Char('Q') | Key::CtrlC, _) => return ExitCode::SUCCESS,
                (Key::Char('q'), false) => return ExitCode::SUCCESS,
                (Key::Esc | Key::Char('q'), true) => detail = None,
                (Key::Char('r'), false) => view.sort = Sort::Reductions,
                (Key::Char('m'), false) => view.sort = Sort::Memory,
                (Key::Char('l'), false) => view.sort = Sort::Queue,
                (Key::Up | Key::Char('k'), false) => {
                    view.selected = view.selected.saturating_sub(1)
                }
                (Key::Down | Key::Char('j'), false) => {
                    view.selected = (view.selected + 1).min(count.saturating_sub(1))
                }
                (Key::Enter, false) => {
                    let procs = render::sorted(&snap.procs, view.sort);
                    if let Some(p) = procs.get(view.selected.min(count.saturating_sub(1))) {
                        detail = Some((p.pid.clone(), p.pid_text.clone()));
                    }
                }
                _ => {}
            }
        }
    }
}
