//! Selective receive, timeouts, deadlock, and the REPL session process.

use super::*;

fn receive_module() -> Module {
    module(
        "recvm",
        &["first", "second", "ok", "timeout"],
        &[("kernel", "self", 0), ("kernel", "spawn", 1)],
        vec![
            // main(): spawns a child that sends :first then :second; receives
            // :second first, then the oldest remaining; returns both.
            fun(
                "main",
                0,
                5,
                vec![
                    CallExt { base: 0, import: 0 },
                    MakeClosure {
                        dst: 1,
                        func: 1,
                        start: 0,
                        count: 1,
                    },
                    CallExt { base: 1, import: 1 },
                    RecvNext { dst: 2, empty: 7 },
                    TestEqAtom {
                        src: 2,
                        atom: 1,
                        fail: 6,
                    },
                    Jump { target: 8 },
                    RecvSkip { target: 3 },
                    RecvWait { target: 3 },
                    RecvAccept {},
                    RecvNext { dst: 3, empty: 11 },
                    Jump { target: 12 },
                    RecvWait { target: 9 },
                    RecvAccept {},
                    MakeTuple {
                        dst: 4,
                        start: 2,
                        count: 2,
                    },
                    Return { src: 4 },
                ],
            ),
            lambda(
                "-main/0-fun-0-",
                0,
                1,
                2,
                vec![
                    LoadAtom { dst: 1, atom: 0 },
                    Send { dest: 0, msg: 1 },
                    LoadAtom { dst: 1, atom: 1 },
                    Send { dest: 0, msg: 1 },
                    LoadAtom { dst: 1, atom: 2 },
                    Return { src: 1 },
                ],
            ),
            // wait(ms): receive { :never => :ok } after ms => :timeout
            fun(
                "wait",
                1,
                2,
                vec![
                    RecvNext { dst: 1, empty: 4 },
                    TestEqAtom {
                        src: 1,
                        atom: 0,
                        fail: 3,
                    },
                    Jump { target: 6 },
                    RecvSkip { target: 0 },
                    RecvWaitTimeout {
                        timeout: 0,
                        target: 0,
                        expired: 8,
                    },
                    Return { src: 1 },
                    RecvAccept {},
                    Return { src: 1 },
                    LoadAtom { dst: 1, atom: 3 },
                    Return { src: 1 },
                ],
            ),
            // forever(): waits for a message that never comes
            fun(
                "forever",
                0,
                1,
                vec![
                    RecvNext { dst: 0, empty: 2 },
                    Return { src: 0 },
                    RecvWait { target: 0 },
                ],
            ),
        ],
    )
}

#[test]
fn selective_receive_between_two_processes() {
    let vm = quiet_vm();
    vm.load_module(receive_module()).unwrap();
    assert_eq!(
        vm.call("recvm", "main", vec![]).unwrap().to_string(),
        "(:second, :first)"
    );
}

#[test]
fn receive_after_times_out() {
    let vm = quiet_vm();
    vm.load_module(receive_module()).unwrap();
    let t = std::time::Instant::now();
    assert_eq!(
        vm.call("recvm", "wait", vec![int(30)]).unwrap().to_string(),
        ":timeout"
    );
    assert!(t.elapsed() >= std::time::Duration::from_millis(30));
    assert_eq!(
        vm.call("recvm", "wait", vec![int(0)]).unwrap().to_string(),
        ":timeout"
    );
    let crash = vm.call("recvm", "wait", vec![int(-1)]).unwrap_err();
    assert!(crash.reason.to_string().starts_with("(:timeout_value, ["));
}

/// A VM that reports deadlocks (as the `reef` command's does).
fn detecting_vm() -> Vm {
    Vm::builder()
        .env_path(false)
        .stdout(std::io::sink())
        .detect_deadlocks(true)
        .build()
}

/// From a host thread, 300 ms later: `(:hello, x)` to the process
/// registered as `waiter`.
/// Sends `(:hello, x)` to `:waiter` 300 ms from now, and again every
/// 50 ms until `done`: a message to a name not registered yet is dropped,
/// and on a loaded machine (valgrind) registering can take longer.
fn send_late(vm: &Vm, x: Term, done: &std::sync::atomic::AtomicBool) {
    std::thread::sleep(std::time::Duration::from_millis(300));
    while !done.load(std::sync::atomic::Ordering::SeqCst) {
        vm.send(
            &Term::atom("waiter"),
            &Term::Tuple(vec![Term::atom("hello"), x.clone()]),
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

#[test]
fn waiting_forever_alone_is_a_deadlock_when_detection_is_on() {
    let vm = detecting_vm();
    vm.load_source(
        "dl",
        "dl.reef",
        "pub fn main() { receive { :never => :ok } }\n",
    )
    .unwrap();
    let crash = vm.run_main("dl", vec![]).unwrap_err();
    assert_eq!(crash.reason.to_string(), ":deadlock");
}

#[test]
fn a_call_waiting_for_a_late_host_message_is_no_deadlock() {
    // Every process parked and no timer pending for 300 ms: a host thread
    // still sends, so this was never a deadlock.
    let vm = detecting_vm();
    vm.load_source(
        "late",
        "late.reef",
        "pub fn wait() {\n  register(:waiter, self())\n  receive { (:hello, x) => x }\n}\n",
    )
    .unwrap();
    let done = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|s| {
        s.spawn(|| send_late(&vm, int(42), &done));
        let r = vm.call("late", "wait", vec![]);
        done.store(true, std::sync::atomic::Ordering::SeqCst);
        assert_eq!(r.unwrap().to_string(), "42");
    });
}

#[test]
fn an_open_host_mailbox_means_no_deadlock() {
    let vm = detecting_vm();
    vm.load_source(
        "mb",
        "mb.reef",
        "pub fn main() {\n  register(:waiter, self())\n  receive { (:hello, x) => x }\n}\n",
    )
    .unwrap();
    let host = vm.mailbox();
    let done = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|s| {
        s.spawn(|| send_late(&vm, host.pid(), &done));
        let r = vm.run_main("mb", vec![]);
        done.store(true, std::sync::atomic::Ordering::SeqCst);
        assert_eq!(r.unwrap(), host.pid());
    });
}

#[test]
fn a_session_keeps_its_pid_mailbox_and_state() {
    let vm = quiet_vm();
    // step(state) = (state, [1 | state]) using a map state at first.
    let m = module(
        "sess",
        &["boom"],
        &[("kernel", "self", 0), ("kernel", "error", 1)],
        vec![
            fun(
                "step",
                1,
                3,
                vec![
                    LoadInt { dst: 1, val: 1 },
                    MakeCons {
                        dst: 2,
                        head: 1,
                        tail: 0,
                    },
                    Move { dst: 1, src: 0 },
                    MakeTuple {
                        dst: 0,
                        start: 1,
                        count: 2,
                    },
                    Return { src: 0 },
                ],
            ),
            fun(
                "mail",
                1,
                3,
                vec![
                    CallExt { base: 1, import: 0 },
                    Send { dest: 1, msg: 1 },
                    Move { dst: 2, src: 0 },
                    MakeTuple {
                        dst: 0,
                        start: 1,
                        count: 2,
                    },
                    Return { src: 0 },
                ],
            ),
            fun(
                "crash",
                1,
                1,
                vec![
                    LoadAtom { dst: 0, atom: 0 },
                    TailCallExt { base: 0, import: 1 },
                ],
            ),
        ],
    );
    vm.load_module(m).unwrap();
    let mut s = vm.session();
    assert_eq!(s.eval("sess", "step").unwrap().text, "#{}");
    assert_eq!(s.eval("sess", "step").unwrap().text, "[1 | #{}]");
    let err = s.eval("sess", "crash").unwrap_err();
    assert!(err.to_string().contains("crashed: error :boom"), "{err}");
    assert_eq!(s.eval("sess", "step").unwrap().text, "[1, 1 | #{}]");
    // Processes spawned by an evaluation run before the next prompt.
    let pid = s.eval("sess", "mail").unwrap().value;
    assert_eq!(pid, s.pid());
    assert_eq!(s.flush(), vec![pid.to_string()]);
    assert!(s.flush().is_empty());
}
