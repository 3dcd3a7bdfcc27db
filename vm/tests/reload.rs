//! Hot code loading as BEAM: at most a current and an old version of a
//! module; a third load kills the processes still in the oldest
//! (`code:purge`); `Vm::purge`/`soft_purge`; memory stays flat over
//! 1,000 reloads; a server's state changes shape through `code_change`.

mod common;

use std::time::Duration;

use common::Sink;
use reef_vm::{Term, Vm};

fn vm() -> Vm {
    vm_with(Sink::default())
}

fn vm_with(err: Sink) -> Vm {
    Vm::builder()
        .env_path(false)
        .stdout(Sink::default())
        .stderr(err)
        .build()
}

fn hot(version: i64) -> String {
    format!(
        "pub fn version() {{ {version} }}\n\
         pub fn wait() {{ receive {{ :stop => {version} }} }}\n"
    )
}

/// Spawns a process that enters `hot.wait()` (the current version) and
/// tells `host` `(:down, reason)` when it ends.
const WATCH: &str = r#"
pub fn watch(host) {
  spawn(fn() {
    let pid = spawn(fn() { hot.wait() })
    let r = monitor(pid)
    host ! (:started, pid)
    receive { (:DOWN, ^r, :process, _pid, reason) => host ! (:down, reason) }
  })
  :ok
}
"#;

fn started(mb: &reef_vm::HostMailbox) -> Term {
    match mb.recv(Duration::from_secs(5)) {
        Some(Term::Tuple(ref t)) if t[0] == Term::atom("started") => t[1].clone(),
        other => panic!("expected (:started, pid), got {other:?}"),
    }
}

#[test]
fn a_third_version_kills_the_processes_in_the_oldest() {
    let vm = vm();
    vm.load_source("hot", "hot.reef", &hot(1)).unwrap();
    vm.load_source("watch", "watch.reef", WATCH).unwrap();
    let mb = vm.mailbox();
    vm.call("watch", "watch", vec![mb.pid()]).unwrap();
    let pid = started(&mb);
    // Parked in version 1's receive before the reload.
    std::thread::sleep(Duration::from_millis(50));

    vm.load_source("hot", "hot.reef", &hot(2)).unwrap();
    assert_eq!(vm.call("hot", "version", vec![]).unwrap(), Term::Int(2));
    // Version 1 is old and in use: a soft purge refuses, the process lives.
    assert!(!vm.soft_purge("hot"));
    assert_eq!(vm.code_stats().old_versions, 1);
    assert!(
        mb.recv(Duration::from_millis(50)).is_none(),
        "still running"
    );

    // A third version purges version 1: its process is killed.
    vm.load_source("hot", "hot.reef", &hot(3)).unwrap();
    let down = mb.recv(Duration::from_secs(5)).expect("a :DOWN");
    assert_eq!(down.to_string(), "(:down, :killed)");
    assert!(vm.processes().iter().all(|p| Term::Pid(p.pid.0) != pid));
    assert_eq!(vm.call("hot", "version", vec![]).unwrap(), Term::Int(3));
}

#[test]
fn purge_kills_and_soft_purge_waits_as_erlang() {
    let vm = vm();
    vm.load_source("hot", "hot.reef", &hot(1)).unwrap();
    vm.load_source("watch", "watch.reef", WATCH).unwrap();
    // Nothing old yet: both succeed and kill nothing.
    assert!(vm.soft_purge("hot"));
    assert!(!vm.purge("hot"));
    let mb = vm.mailbox();
    vm.call("watch", "watch", vec![mb.pid()]).unwrap();
    let _pid = started(&mb);
    std::thread::sleep(Duration::from_millis(50));
    vm.load_source("hot", "hot.reef", &hot(2)).unwrap();
    assert!(!vm.soft_purge("hot"));
    assert!(vm.purge("hot"), "a process was killed");
    assert_eq!(
        mb.recv(Duration::from_secs(5)).unwrap().to_string(),
        "(:down, :killed)"
    );
    assert_eq!(vm.code_stats().old_versions, 0);
    assert!(vm.soft_purge("hot"));

    // A process in the current version is not touched by a purge, and
    // ends normally when told.
    vm.call("watch", "watch", vec![mb.pid()]).unwrap();
    let pid = started(&mb);
    std::thread::sleep(Duration::from_millis(20));
    assert!(!vm.purge("hot"));
    vm.send(&pid, &Term::atom("stop"));
    assert_eq!(
        mb.recv(Duration::from_secs(5)).unwrap().to_string(),
        "(:down, :normal)"
    );
}

#[test]
fn a_thousand_reloads_keep_code_memory_flat() {
    let err = Sink::default();
    let vm = vm_with(err.clone());
    vm.load_source("hot", "hot.reef", &hot(0)).unwrap();
    let base = vm.code_stats().live_versions;
    for v in 1..=1000 {
        vm.load_source("hot", "hot.reef", &hot(v)).unwrap();
        if v % 100 == 0 {
            assert_eq!(vm.call("hot", "version", vec![]).unwrap(), Term::Int(v));
        }
    }
    let after = vm.code_stats();
    // The current and the old version of `hot`, nothing more.
    assert_eq!(after.old_versions, 1);
    assert!(
        after.live_versions <= base + 1,
        "{} module versions alive after 1,000 reloads (base {base})",
        after.live_versions
    );
    assert_eq!(err.text(), "", "no warning, no crash");
}

#[test]
fn a_closure_of_purged_code_still_runs() {
    let vm = vm();
    let v =
        |n: i64| format!("pub fn make() {{ fn() {{ {n} * 100 }} }}\npub fn version() {{ {n} }}\n");
    vm.load_source("hot", "hot.reef", &v(1)).unwrap();
    vm.load_source(
        "keeper",
        "keeper.reef",
        "pub fn start(host) {\n  let f = hot.make()\n  spawn(fn() { receive { :go => host ! f() } })\n}\n",
    )
    .unwrap();
    let mb = vm.mailbox();
    let pid = vm.call("keeper", "start", vec![mb.pid()]).unwrap();
    std::thread::sleep(Duration::from_millis(20));
    vm.load_source("hot", "hot.reef", &v(2)).unwrap();
    vm.load_source("hot", "hot.reef", &v(3)).unwrap();
    // Version 1 is purged (the keeper runs keeper code, so it lives); its
    // closure holds the code and still runs.
    vm.send(&pid, &Term::atom("go"));
    assert_eq!(mb.recv(Duration::from_secs(5)), Some(Term::Int(100)));
}

const COUNTER_V1: &str = r#"
pub fn init(n) { (:ok, n) }
pub fn handle_call(:get, _from, n) { (:reply, n, n) }
pub fn handle_cast(:inc, n) { (:noreply, n + 1) }
"#;

const COUNTER_V2: &str = r#"
pub fn init(n) { (:ok, #{:count => n, :since => nil}) }
pub fn handle_call(:get, _from, s) { (:reply, maps.get(s, :count), s) }
pub fn handle_call(:state, _from, s) { (:reply, s, s) }
pub fn handle_cast(:inc, s) { (:noreply, #{s | :count => maps.get(s, :count) + 1}) }
pub fn code_change(1, n, since) { (:ok, #{:count => n, :since => since}) }
"#;

const CLIENT: &str = r#"
pub fn start() { let (:ok, _pid) = server.start(:counter, 5, [(:name, :ctr)]); :ok }
pub fn get() { server.call(:ctr, :get) }
pub fn state() { server.call(:ctr, :state) }
pub fn inc() { server.cast(:ctr, :inc) }
pub fn upgrade(old, extra) { server.code_change(:ctr, old, extra) }
"#;

#[test]
fn a_server_changes_its_state_shape_through_code_change() {
    let vm = vm();
    vm.load_source("counter", "counter.reef", COUNTER_V1)
        .unwrap();
    vm.load_source("client", "client.reef", CLIENT).unwrap();
    vm.call("client", "start", vec![]).unwrap();
    vm.call("client", "inc", vec![]).unwrap();
    assert_eq!(vm.call("client", "get", vec![]).unwrap(), Term::Int(6));

    vm.load_source("counter", "counter.reef", COUNTER_V2)
        .unwrap();
    let answer = vm
        .call("client", "upgrade", vec![Term::Int(1), Term::atom("v2")])
        .unwrap();
    assert_eq!(answer, Term::atom("ok"));
    vm.call("client", "inc", vec![]).unwrap();
    assert_eq!(vm.call("client", "get", vec![]).unwrap(), Term::Int(7));
    assert_eq!(
        vm.call("client", "state", vec![]).unwrap().to_string(),
        "#{:count => 7, :since => :v2}"
    );
    // A code_change that does not match leaves the state as it was and
    // answers with the error.
    let failed = vm
        .call("client", "upgrade", vec![Term::Int(9), Term::Int(0)])
        .unwrap();
    assert!(
        failed
            .to_string()
            .starts_with("(:error, (:error, (:function_clause"),
        "{failed}"
    );
    assert_eq!(vm.call("client", "get", vec![]).unwrap(), Term::Int(7));
}

#[test]
fn code_change_without_the_callback_keeps_the_state() {
    let vm = vm();
    vm.load_source("counter", "counter.reef", COUNTER_V1)
        .unwrap();
    vm.load_source("client", "client.reef", CLIENT).unwrap();
    vm.call("client", "start", vec![]).unwrap();
    let answer = vm
        .call("client", "upgrade", vec![Term::Int(1), Term::Int(0)])
        .unwrap();
    assert_eq!(answer, Term::atom("ok"));
    assert_eq!(vm.call("client", "get", vec![]).unwrap(), Term::Int(5));
}
