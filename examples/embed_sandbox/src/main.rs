//! An untrusted script in a sandbox and under limits: it cannot reach the
//! files, the environment or the host's process (`VmBuilder::sandbox`),
//! and the host runs each of its entry points with a limit that stops it
//! (a call timeout, a reduction budget, a heap limit, the VM's process
//! limit), prints what happened, and goes on: the VM stays healthy for
//! the next call.
//!
//! ```text
//! cargo run -p reef-embed-sandbox-example
//! ```

use std::process::ExitCode;
use std::time::{Duration, Instant};

use reef_vm::{SpawnOptions, Term, Vm};

/// The "untrusted" script: each function misbehaves in its own way.
const SCRIPT: &str = r#"
pub fn spin(n) { spin(n + 1) }

pub fn hog(acc, n) { hog([n | acc], n + 1) }

pub fn spawn_bomb(n) {
  spawn(fn() { receive { :never => :ok } })
  spawn_bomb(n + 1)
}

pub fn sneak(m) { apply(m, :read, ["/etc/passwd"]) }

pub fn add(a, b) { a + b }
"#;

/// A script that names a forbidden function outright: refused at load.
const SNOOPER: &str = r#"
pub fn snoop() { file.read("/etc/passwd") }
"#;

/// Limits the host sets.
const MAX_PROCESSES: usize = 200;
const CALL_TIMEOUT: Duration = Duration::from_millis(100);
const MAX_REDUCTIONS: u64 = 1_000_000;
const MAX_HEAP_WORDS: u64 = 1_000_000;

fn main() -> ExitCode {
    let vm = Vm::builder()
        // No files, environment, stdin, commands, network or `halt`;
        // only the pure standard library and what the host loads.
        .sandbox()
        .env_path(false)
        .max_processes(MAX_PROCESSES)
        // Crash reports of the script's processes are the host's to show.
        .stderr(std::io::sink())
        .build();
    if let Err(e) = vm.load_source("untrusted", "untrusted.reef", SCRIPT) {
        eprintln!("{e}");
        return ExitCode::FAILURE;
    }
    let inbox = vm.mailbox();

    // 0. Reaching outside the sandbox: refused at load when the script
    // names the function, at the call when it is reached by a variable.
    match vm.load_source("snooper", "snooper.reef", SNOOPER) {
        Ok(_) => println!("snooper loaded?"),
        Err(e) => println!("snooper: {e}"),
    }
    match vm.call("untrusted", "sneak", vec![Term::atom("file")]) {
        Ok(v) => println!("sneak read {v}?"),
        Err(crash) => {
            let reason = match &crash.reason {
                Term::Tuple(r) => r[0].clone(), // (reason, stack)
                other => other.clone(),
            };
            println!("sneak: refused by the sandbox, reason {reason}");
        }
    }

    // 1. An endless loop, under a call timeout.
    let t = Instant::now();
    match vm.call_timeout("untrusted", "spin", vec![Term::Int(0)], CALL_TIMEOUT) {
        Ok(v) => println!("spin returned {v}?"),
        Err(crash) => println!(
            "spin: stopped by the call timeout, reason {} (after {} ms or more)",
            crash.reason,
            t.elapsed().as_millis() / 100 * 100
        ),
    }

    // 2. The same loop, under a reduction budget, watched by a monitor.
    let opts = SpawnOptions {
        max_reductions: Some(MAX_REDUCTIONS),
        monitor: Some(&inbox),
        ..Default::default()
    };
    report(&vm, &inbox, "spin", vec![Term::Int(0)], opts);

    // 3. An allocation bomb, under max_heap.
    let opts = SpawnOptions {
        max_heap: Some(MAX_HEAP_WORDS),
        monitor: Some(&inbox),
        ..Default::default()
    };
    report(
        &vm,
        &inbox,
        "hog",
        vec![Term::list(vec![]), Term::Int(0)],
        opts,
    );

    // 4. A spawn bomb, under the VM's process limit.
    match vm.call_timeout(
        "untrusted",
        "spawn_bomb",
        vec![Term::Int(0)],
        Duration::from_secs(10),
    ) {
        Ok(v) => println!("spawn_bomb returned {v}?"),
        Err(crash) => {
            let reason = match &crash.reason {
                Term::Tuple(r) => r[0].clone(), // (reason, stack)
                other => other.clone(),
            };
            println!(
                "spawn_bomb: stopped by max_processes ({MAX_PROCESSES}), reason {reason}, {} processes left",
                vm.processes().len()
            );
        }
    }
    // The host cleans up what the bomb left: every process but its own
    // mailbox.
    let mine = inbox.pid();
    for p in vm.processes() {
        let pid = Term::Pid(p.pid.0);
        if pid != mine {
            vm.exit(&pid, &Term::atom("kill"));
        }
    }
    let until = Instant::now() + Duration::from_secs(5);
    while vm.processes().len() > 1 && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(1));
    }
    println!(
        "cleaned up: {} process left (the host's mailbox)",
        vm.processes().len()
    );

    // The VM goes on.
    match vm.call("untrusted", "add", vec![Term::Int(40), Term::Int(2)]) {
        Ok(v) => println!("after all that, add(40, 2) = {v}"),
        Err(crash) => {
            eprint!("{crash}");
            return ExitCode::FAILURE;
        }
    }
    vm.shutdown();
    println!("shut down");
    ExitCode::SUCCESS
}

/// Spawns `function` with `opts` and prints how it ended (from the
/// monitor's `:DOWN` message).
fn report(
    vm: &Vm,
    inbox: &reef_vm::HostMailbox,
    function: &str,
    args: Vec<Term>,
    opts: SpawnOptions<'_>,
) {
    let what = if opts.max_heap.is_some() {
        format!("max_heap ({} words)", MAX_HEAP_WORDS)
    } else {
        format!("max_reductions ({MAX_REDUCTIONS})")
    };
    if let Err(crash) = vm.spawn_opts("untrusted", function, args, opts) {
        println!("{function}: not spawned: {}", crash.reason);
        return;
    }
    match &inbox.recv(Duration::from_secs(30)) {
        Some(Term::Tuple(down)) if down.len() == 5 => {
            let reason = match &down[4] {
                // (:max_heap, words, limit): say how far it got.
                Term::Tuple(r) if r.len() == 3 && r[0] == Term::atom("max_heap") => {
                    let ok = matches!((&r[1], &r[2]), (Term::Int(w), Term::Int(l)) if w < &(2 * l));
                    format!("(:max_heap, ...), within twice the limit: {ok}")
                }
                r => r.to_string(),
            };
            println!("{function}: stopped by {what}, reason {reason}");
        }
        other => println!("{function}: unexpected {other:?}"),
    }
}
