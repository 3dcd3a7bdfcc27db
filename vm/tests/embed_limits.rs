//! Limits the host sets, end to end through the public API: call
//! timeouts, call handles (pid, kill, wait), `Vm::exit`, spawn options
//! (reduction budget, max_heap, link and monitor from a host mailbox),
//! the process limit, `processes()` of running processes, and
//! `:vm_stopped` after `shutdown`.

// A crash is what a call returns; the tests hand it across threads whole.
#![allow(clippy::result_large_err)]

use std::time::{Duration, Instant};

use reef_vm::{SpawnOptions, Term, Vm, VmBuilder};

const SRC: &str = r#"
pub fn id(x) { x }
pub fn spin(n) { spin(n + 1) }
pub fn forever() { receive { :never => :ok } }
pub fn trapper(host) {
  process.flag(:trap_exit, true)
  host ! :ready
  receive { m => host ! (:got, m) }
}
pub fn grow(acc, n) { grow([(n, n) | acc], n + 1) }
pub fn grow_map(m, n) { grow_map(maps.put(m, n, n), n + 1) }
pub fn grow_str(s) { grow_str(s <> s <> "x") }
pub fn grow_tuples(acc, n) { grow_tuples([(n, [n], "t") | acc], n + 1) }
pub fn bomb(n) { spawn(fn() { receive { :never => :ok } }) ; bomb(n + 1) }
"#;

fn vm_with(b: VmBuilder) -> Vm {
    let vm = b.env_path(false).stderr(std::io::sink()).build();
    vm.load_source("lim", "lim.reef", SRC)
        .unwrap_or_else(|e| panic!("{e}"));
    vm
}

fn vm() -> Vm {
    vm_with(Vm::builder())
}

fn t2(a: Term, b: Term) -> Term {
    Term::Tuple(vec![a, b])
}

fn alive(vm: &Vm, pid: &Term) -> bool {
    vm.processes().iter().any(|p| Term::Pid(p.pid.0) == *pid)
}

fn eventually(what: &str, mut f: impl FnMut() -> bool) {
    let until = Instant::now() + Duration::from_secs(5);
    while !f() {
        assert!(Instant::now() < until, "never: {what}");
        std::thread::sleep(Duration::from_millis(1));
    }
}

#[test]
fn a_call_that_times_out_is_killed_and_reports_timeout() {
    let vm = vm();
    let t = Instant::now();
    let err = vm
        .call_timeout("lim", "spin", vec![Term::Int(0)], Duration::from_millis(30))
        .unwrap_err();
    assert_eq!(err.reason, Term::atom("timeout"));
    assert!(t.elapsed() >= Duration::from_millis(30));
    eventually("the timed-out call's process ends", || {
        !alive(&vm, &err.pid)
    });
    // A call in time is unaffected.
    let ok = vm.call_timeout("lim", "id", vec![Term::Int(7)], Duration::from_secs(5));
    assert_eq!(ok.unwrap(), Term::Int(7));
}

#[test]
fn the_host_ends_a_call_that_loops_for_ever_within_a_few_ms() {
    let vm = vm();
    let mut call = vm.start_call("lim", "spin", vec![Term::Int(0)]);
    assert!(call.wait_timeout(Duration::from_millis(20)).is_none());
    let pid = call.pid();
    eventually("the running call is listed", || alive(&vm, &pid));
    let t = Instant::now();
    call.kill();
    let err = call.wait().unwrap_err();
    let took = t.elapsed();
    assert_eq!(err.reason, Term::atom("killed"));
    assert_eq!(err.pid, pid);
    // One slice is well under a millisecond; a loaded CI machine gets
    // some slack.
    assert!(took < Duration::from_millis(250), "{took:?}");
}

#[test]
fn exit_from_the_host_kills_or_is_trapped() {
    let vm = vm();
    let spinner = vm.spawn("lim", "spin", vec![Term::Int(0)]).unwrap();
    let inbox = vm.mailbox();
    let trapper = vm.spawn("lim", "trapper", vec![inbox.pid()]).unwrap();
    assert_eq!(
        inbox.recv(Duration::from_secs(5)),
        Some(Term::atom("ready"))
    );
    // A reason other than :kill is trapped ...
    assert!(vm.exit(&trapper, &Term::atom("stop")));
    let got = inbox.recv(Duration::from_secs(5)).expect("a message");
    assert_eq!(
        got,
        t2(
            Term::atom("got"),
            Term::Tuple(vec![Term::atom("EXIT"), Term::Pid(0), Term::atom("stop")])
        )
    );
    // ... :kill is not, and ends a spinning process.
    assert!(vm.exit(&spinner, &Term::atom("kill")));
    eventually("the spinner ends", || !alive(&vm, &spinner));
    assert!(!vm.exit(&spinner, &Term::atom("kill")), "gone already");
    assert!(!vm.exit(&Term::Int(3), &Term::atom("kill")), "not a pid");
}

#[test]
fn a_reduction_budget_kills_with_system_limit_and_the_monitor_tells_the_host() {
    let vm = vm();
    let inbox = vm.mailbox();
    let opts = SpawnOptions {
        max_reductions: Some(50_000),
        monitor: Some(&inbox),
        ..Default::default()
    };
    let p = vm
        .spawn_opts("lim", "spin", vec![Term::Int(0)], opts)
        .expect("spawned");
    let down = inbox.recv(Duration::from_secs(10)).expect(":DOWN");
    let reason = t2(Term::atom("system_limit"), Term::atom("reductions"));
    assert_eq!(
        down,
        Term::Tuple(vec![
            Term::atom("DOWN"),
            p.monitor.clone().expect("a monitor ref"),
            Term::atom("process"),
            p.pid.clone(),
            reason,
        ])
    );
    // Within its budget, a process is untouched; a link tells the host
    // of a normal end too.
    let opts = SpawnOptions {
        max_reductions: Some(50_000),
        link: Some(&inbox),
        ..Default::default()
    };
    let p = vm
        .spawn_opts("lim", "id", vec![Term::Int(1)], opts)
        .expect("spawned");
    assert_eq!(p.monitor, None);
    assert_eq!(
        inbox.recv(Duration::from_secs(5)),
        Some(Term::Tuple(vec![
            Term::atom("EXIT"),
            p.pid,
            Term::atom("normal")
        ]))
    );
}

#[test]
fn max_heap_from_the_host_kills_within_twice_the_limit() {
    let vm = vm();
    let inbox = vm.mailbox();
    for limit in [100_000u64, 1_000_000] {
        let opts = SpawnOptions {
            max_heap: Some(limit),
            monitor: Some(&inbox),
            ..Default::default()
        };
        vm.spawn_opts("lim", "grow", vec![Term::list(vec![]), Term::Int(0)], opts)
            .expect("spawned");
        let down = inbox.recv(Duration::from_secs(20)).expect(":DOWN");
        let Term::Tuple(d) = &down else {
            panic!("{down}")
        };
        let Term::Tuple(r) = &d[4] else {
            panic!("{down}")
        };
        assert_eq!(r[0], Term::atom("max_heap"), "{down}");
        let Term::Int(words) = r[1] else {
            panic!("{down}")
        };
        assert_eq!(r[2], Term::Int(limit as i64));
        let words = words as u64;
        assert!(
            words > limit && words < 2 * limit,
            "killed at {words} words against a limit of {limit}"
        );
    }
}

/// Every way of growing a heap is stopped within twice the limit: list
/// cells, maps, binaries doubling, nested terms, and a mailbox flooded
/// by the host while the process waits for a message that never comes.
#[test]
fn max_heap_holds_for_every_kind_of_growth() {
    let vm = vm();
    let inbox = vm.mailbox();
    let limit = 1_000_000u64;
    let cases: Vec<(&str, Vec<Term>)> = vec![
        ("grow_map", vec![Term::Map(vec![]), Term::Int(0)]),
        ("grow_str", vec![Term::Str("ab".into())]),
        ("grow_tuples", vec![Term::list(vec![]), Term::Int(0)]),
        ("forever", vec![]),
    ];
    for (f, args) in cases {
        let opts = SpawnOptions {
            max_heap: Some(limit),
            monitor: Some(&inbox),
            ..Default::default()
        };
        let p = vm.spawn_opts("lim", f, args, opts).expect("spawned");
        if f == "forever" {
            let msg = Term::list((0..100).map(Term::Int).collect());
            // 4M words in all: a send to a process that is gone is dropped.
            for _ in 0..20_000 {
                vm.send(&p.pid, &msg);
            }
        }
        let down = inbox
            .recv(Duration::from_secs(20))
            .unwrap_or_else(|| panic!("{f}: no :DOWN"));
        let Term::Tuple(d) = &down else {
            panic!("{down}")
        };
        let Term::Tuple(r) = &d[4] else {
            panic!("{f}: {down}")
        };
        assert_eq!(r[0], Term::atom("max_heap"), "{f}: {down}");
        let Term::Int(words) = r[1] else {
            panic!("{down}")
        };
        let words = words as u64;
        assert!(
            words > limit && words < 2 * limit,
            "{f}: killed at {words} words against a limit of {limit}"
        );
    }
}

#[test]
fn the_process_limit_stops_a_spawn_bomb_and_spawn_opts() {
    let vm = vm_with(Vm::builder().max_processes(40));
    let err = vm
        .call_timeout("lim", "bomb", vec![Term::Int(0)], Duration::from_secs(10))
        .unwrap_err();
    // An error's exit reason is `(reason, stack)`.
    assert!(
        matches!(&err.reason, Term::Tuple(r) if r[0] == Term::atom("system_limit")),
        "{}",
        err.report
    );
    assert!(vm.processes().len() <= 40);
    // The bomb's children still hold the table (it crashed, they wait):
    // its own slot is free, and then none is.
    eventually("the bomb's slot is free", || vm.processes().len() < 40);
    let last = vm.spawn_opts("lim", "forever", vec![], SpawnOptions::default());
    assert!(last.is_ok());
    let full = vm.spawn_opts("lim", "forever", vec![], SpawnOptions::default());
    assert_eq!(full.unwrap_err().reason, Term::atom("system_limit"));
    // The plain `spawn` holds the same limit.
    let plain = vm.spawn("lim", "forever", vec![]);
    assert_eq!(plain.unwrap_err().reason, Term::atom("system_limit"));
}

#[test]
fn processes_lists_a_running_process_with_its_status() {
    let vm = vm_with(Vm::builder().schedulers(1));
    let call = vm.start_call("lim", "spin", vec![Term::Int(0)]);
    let Term::Pid(pid) = call.pid() else {
        unreachable!()
    };
    let mut seen = Vec::new();
    eventually("the spinner is listed as running or runnable", || {
        let all = vm.processes();
        let me = all.iter().find(|p| p.pid.0 == pid).map(|p| p.status);
        if let Some(s) = me {
            seen.push(s.name().to_string());
        }
        seen.iter().any(|s| s == "running" || s == "runnable")
    });
    call.kill();
}

#[test]
fn after_shutdown_every_call_and_wait_ends_with_vm_stopped() {
    let vm = std::sync::Arc::new(vm());
    let inbox = vm.mailbox();
    // A call blocked in another host thread at the moment of shutdown.
    let blocked = {
        let vm = vm.clone();
        std::thread::spawn(move || vm.call("lim", "forever", vec![]))
    };
    let spinning = {
        let vm = vm.clone();
        std::thread::spawn(move || vm.call("lim", "spin", vec![Term::Int(0)]))
    };
    let receiving = {
        let vm = vm.clone();
        std::thread::spawn(move || {
            let mb = vm.mailbox();
            let t = Instant::now();
            (mb.recv(Duration::from_secs(30)), t.elapsed())
        })
    };
    std::thread::sleep(Duration::from_millis(50));
    let t = Instant::now();
    vm.shutdown();
    for h in [blocked, spinning] {
        let err = h.join().expect("no panic").unwrap_err();
        assert_eq!(err.reason, Term::atom("vm_stopped"));
    }
    let (got, waited) = receiving.join().expect("no panic");
    assert_eq!(got, None);
    assert!(waited < Duration::from_secs(5), "{waited:?}");
    assert!(t.elapsed() < Duration::from_secs(5));
    // Calls after it, too.
    let err = vm.call("lim", "id", vec![Term::Int(1)]).unwrap_err();
    assert_eq!(err.reason, Term::atom("vm_stopped"));
    let err = vm
        .call_timeout("lim", "id", vec![Term::Int(1)], Duration::from_secs(1))
        .unwrap_err();
    assert_eq!(err.reason, Term::atom("vm_stopped"));
    assert_eq!(inbox.recv(Duration::from_secs(10)), None);
}
