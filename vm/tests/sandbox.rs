//! The sandbox (`VmBuilder::sandbox`): every forbidden capability is
//! refused with `(:sandbox, (module, name, arity))`, the pure stdlib
//! works, a script reaches no module the host did not allow, and a host's
//! module that imports a forbidden function is refused at load.

mod common;

use common::Sink;
use reef_vm::{Capability, LoadError, Term, Vm, VmBuilder};

fn sandboxed(b: VmBuilder) -> (Vm, Sink, Sink) {
    let (out, err) = (Sink::default(), Sink::default());
    let vm = b.stdout(out.clone()).stderr(err.clone()).build();
    (vm, out, err)
}

/// A module whose `try_call(m, f, args)` applies `m.f(args)` and returns
/// `(:ok, value)` or the error reason (a dynamic call: never refused at
/// load, so the check at call time is what is tested).
const PROBE: &str = r#"
pub fn try_call(m, f, args) {
  try { (:ok, apply(m, f, args)) } catch { (:error, reason) => reason }
}
"#;

fn probe(vm: &Vm, m: &str, f: &str, args: Vec<Term>) -> String {
    vm.call(
        "probe",
        "try_call",
        vec![Term::atom(m), Term::atom(f), Term::list(args)],
    )
    .unwrap_or_else(|c| panic!("{c}"))
    .to_string()
}

fn s(x: &str) -> Term {
    Term::Str(x.into())
}

#[test]
fn each_forbidden_capability_is_refused_at_call_time() {
    let (vm, _, _) = sandboxed(Vm::builder().sandbox());
    vm.load_source("probe", "probe.reef", PROBE).unwrap();
    let cases: Vec<(&str, &str, Vec<Term>, &str)> = vec![
        ("io", "read_line", vec![], "(:io, :read_line, 0)"),
        ("io", "read_all", vec![], "(:io, :read_all, 0)"),
        (
            "io",
            "__stdin_request",
            vec![Term::Int(1), Term::atom("all")],
            "(:io, :__stdin_request, 2)",
        ),
        ("os", "getenv", vec![s("HOME")], "(:os, :getenv, 1)"),
        ("os", "env", vec![], "(:os, :env, 0)"),
        ("os", "cwd", vec![], "(:os, :cwd, 0)"),
        (
            "os",
            "cmd",
            vec![s("true"), Term::list(vec![])],
            "(:os, :cmd, 2)",
        ),
        ("path", "expand", vec![s("~/x")], "(:path, :expand, 1)"),
        ("path", "absolute", vec![s("x")], "(:path, :absolute, 1)"),
        ("file", "read", vec![s("/etc/passwd")], "(:file, :read, 1)"),
        (
            "file",
            "write",
            vec![s("/tmp/reef-sandbox-x"), s("x")],
            "(:file, :write, 2)",
        ),
        (
            "file",
            "__read",
            vec![s("/etc/passwd")],
            "(:file, :__read, 1)",
        ),
        ("kernel", "halt", vec![], "(:kernel, :halt, 0)"),
        ("kernel", "halt", vec![Term::Int(3)], "(:kernel, :halt, 1)"),
        ("node", "alive", vec![], "(:node, :alive, 0)"),
        ("node", "list", vec![], "(:node, :list, 0)"),
        (
            "erpc",
            "call",
            vec![s("n"), s("m"), s("f"), Term::list(vec![])],
            "(:erpc, :call, 4)",
        ),
    ];
    for (m, f, args, mfa) in cases {
        assert_eq!(
            probe(&vm, m, f, args),
            format!("(:sandbox, {mfa})"),
            "{m}.{f}"
        );
    }
    // `halt` was refused: the VM still runs.
    assert_eq!(vm.exit_status(), None);
    assert!(!std::path::Path::new("/tmp/reef-sandbox-x").exists());
}

#[test]
fn the_pure_stdlib_and_processes_work() {
    let (vm, out, _) = sandboxed(Vm::builder().sandbox());
    vm.load_source(
        "pure",
        "pure.reef",
        r##"
pub fn main() {
  let xs = lists.map([3, 1, 2], fn(x) { x * 10 })
  let m = maps.put(#{:a => 1}, :b, 2)
  let j = json.encode(#{"k" => [1, 2]})
  let r = regex.is_match("abc123", "[0-9]+")
  let up = strings.upcase("reef")
  let me = self()
  let pid = spawn(fn() { me ! (:sq, 7 * 7) })
  let sq = receive { (:sq, v) => v }
  let (:ok, counter) = agent.start(fn() { 0 })
  agent.update(counter, fn(n) { n + 5 })
  io.println("#{lists.sort(xs)} #{maps.get(m, :b)} #{j} #{r} #{up} #{sq} #{agent.get(counter, fn(n) { n })} #{math.sqrt(16.0)} #{is_pid(pid)}")
}
"##,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    vm.run_main("pure", vec![])
        .unwrap_or_else(|c| panic!("{c}"));
    assert_eq!(
        out.text(),
        "[10, 20, 30] 2 {\"k\":[1,2]} true REEF 49 5 4.0 true\n"
    );
}

#[test]
fn a_script_reaches_no_module_the_host_did_not_allow() {
    // A module on disk beside nothing the script can name, and on the
    // host's search path but not allowed.
    let dir = std::env::temp_dir().join(format!("reef-sandbox-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("secret.reef"), "pub fn key() { 42 }\n").unwrap();
    std::fs::write(dir.join("helper.reef"), "pub fn twice(x) { x * 2 }\n").unwrap();
    let (vm, _, _) = sandboxed(Vm::builder().search_path(&dir).allow_modules(["helper"]));
    vm.load_source("probe", "probe.reef", PROBE).unwrap();
    vm.load_source("mine", "mine.reef", "pub fn f() { :mine }\n")
        .unwrap();
    assert_eq!(
        probe(&vm, "secret", "key", vec![]),
        "(:sandbox, (:secret, :key, 0))"
    );
    assert_eq!(
        probe(&vm, "file", "exists", vec![s("/")]),
        "(:sandbox, (:file, :exists, 1))"
    );
    // Allowed: on the host's search path, and loaded by the host itself.
    assert_eq!(
        probe(&vm, "helper", "twice", vec![Term::Int(21)]),
        "(:ok, 42)"
    );
    assert_eq!(probe(&vm, "mine", "f", vec![]), "(:ok, :mine)");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_host_module_that_imports_a_forbidden_function_is_refused_at_load() {
    let (vm, _, _) = sandboxed(Vm::builder().sandbox());
    let err = vm
        .load_source(
            "bad",
            "bad.reef",
            "pub fn f() { os.getenv(\"HOME\") }\npub fn g() { file.read(\"x\") }\npub fn h() { lists.sum([1]) }\n",
        )
        .unwrap_err();
    match &err {
        LoadError::Sandbox { module, forbidden } => {
            assert_eq!(module, "bad");
            let names: Vec<String> = forbidden
                .iter()
                .map(|(m, n, a)| format!("{m}.{n}/{a}"))
                .collect();
            assert_eq!(names, ["os.getenv/1", "file.read/1"]);
        }
        other => panic!("expected a sandbox refusal, got {other:?}"),
    }
    assert!(err.to_string().contains("os.getenv/1"), "{err}");
    assert!(
        vm.call("bad", "h", vec![]).is_err(),
        "a refused module is not installed"
    );
}

#[test]
fn capabilities_and_natives_open_the_sandbox_one_by_one() {
    std::env::set_var("REEF_SANDBOX_TEST", "visible");
    let (vm, _, _) = sandboxed(
        Vm::builder()
            .allow_natives([("os", "getenv", 1)])
            .allow(Capability::FileSystem),
    );
    vm.load_source("probe", "probe.reef", PROBE).unwrap();
    assert_eq!(
        probe(&vm, "os", "getenv", vec![s("REEF_SANDBOX_TEST")]),
        "(:ok, \"visible\")"
    );
    // The rest of Env stays shut.
    assert_eq!(
        probe(&vm, "os", "env", vec![]),
        "(:sandbox, (:os, :env, 0))"
    );
    assert_eq!(probe(&vm, "file", "exists", vec![s("/")]), "(:ok, true)");
    assert_eq!(
        probe(&vm, "io", "read_line", vec![]),
        "(:sandbox, (:io, :read_line, 0))"
    );
}

#[test]
fn a_sandbox_ignores_reef_path_and_host_natives_stay_allowed() {
    let dir = std::env::temp_dir().join(format!("reef-sandbox-path-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("lists.reef"), "pub fn sum(_xs) { :hijacked }\n").unwrap();
    std::env::set_var("REEF_PATH", &dir);
    let (vm, _, _) = sandboxed(Vm::builder().sandbox());
    std::env::remove_var("REEF_PATH");
    vm.register_fn("host", "double", |n: i64| n * 2);
    vm.load_source("probe", "probe.reef", PROBE).unwrap();
    assert_eq!(probe(&vm, "host", "double", vec![Term::Int(4)]), "(:ok, 8)");
    assert_eq!(
        probe(
            &vm,
            "lists",
            "sum",
            vec![Term::list(vec![Term::Int(1), Term::Int(2)])]
        ),
        "(:ok, 3)"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_unsandboxed_vm_is_unchanged() {
    let (vm, _, _) = sandboxed(Vm::builder().env_path(false));
    vm.load_source("probe", "probe.reef", PROBE).unwrap();
    let cwd = probe(&vm, "os", "cwd", vec![]);
    assert!(cwd.starts_with("(:ok, "), "{cwd}");
    assert!(!cwd.contains("sandbox"), "{cwd}");
    assert_eq!(probe(&vm, "node", "alive", vec![]), "(:ok, false)");
}
