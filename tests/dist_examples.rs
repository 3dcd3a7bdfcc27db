//! The distributed examples, across OS processes: each
//! `examples/dist/*/run.sh` starts its nodes on 127.0.0.1 (and, for
//! `erlang_interop`, a real `erl` node), drives them, checks what each
//! printed, and stops them. Each runs with an EPMD of its own on a free
//! port (`ERL_EPMD_PORT`), so they run side by side with the other tests.

use std::path::Path;
use std::process::Command;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn run_example(name: &str) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let script = root.join("examples/dist").join(name).join("run.sh");
    let out = Command::new("bash")
        .arg(&script)
        .env("REEF", env!("CARGO_BIN_EXE_reef"))
        .env("ERL_EPMD_PORT", free_port().to_string())
        .current_dir(&root)
        .output()
        .expect("bash runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stdout.contains(&format!("{name}: ok")),
        "{name} failed ({}):\n{stdout}\n{stderr}",
        out.status
    );
}

#[test]
fn ping_pong() {
    run_example("ping_pong");
}

#[test]
fn kv() {
    run_example("kv");
}

#[test]
fn chat() {
    run_example("chat");
}

#[test]
fn work_queue() {
    run_example("work_queue");
}

#[test]
fn erlang_interop() {
    assert!(
        Command::new("erl").arg("-version").output().is_ok(),
        "erl is not installed: apt-get install -y erlang-base (.ci/run does)"
    );
    run_example("erlang_interop");
}
