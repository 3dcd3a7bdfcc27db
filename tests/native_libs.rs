//! Native modules from shared libraries, end to end: the example
//! `examples/native_hash` (built here with cargo, into the same target
//! directory) through `reef run --native` and `Vm::load_native_library`,
//! and libraries that break the ABI (built here with rustc from
//! `tests/native/bad_lib.rs`), which are refused or whose bad replies are
//! raised in the caller, the VM going on.

// `Crash` is the VM's error type; its size is the API's, not this test's.
#![allow(clippy::result_large_err)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, OnceLock};

use reef_vm::{NativeLibError, Term, Vm};

const SHA256_ABC: &str = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
const BLAKE3_ABC: &str = "6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d85";

fn reef() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_reef"))
}

fn lib_name(stem: &str) -> String {
    format!(
        "{}{stem}{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    )
}

/// `target/<profile>/libreef_native_hash.so`, built by a nested cargo (it
/// is up to date when the workspace was built first, as `cargo test
/// --workspace` does).
fn hash_lib() -> &'static Path {
    static LIB: OnceLock<PathBuf> = OnceLock::new();
    LIB.get_or_init(|| {
        let profile_dir = reef().parent().expect("target/<profile>");
        let target_dir = profile_dir.parent().expect("target");
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let mut cmd = Command::new(cargo);
        cmd.args(["build", "--quiet", "-p", "reef-native-hash"])
            .arg("--target-dir")
            .arg(target_dir)
            .current_dir(env!("CARGO_MANIFEST_DIR"));
        if profile_dir.file_name().and_then(|n| n.to_str()) == Some("release") {
            cmd.arg("--release");
        }
        let status = cmd.status().expect("run cargo");
        assert!(status.success(), "cargo build -p reef-native-hash failed");
        let lib = profile_dir.join(lib_name("reef_native_hash"));
        assert!(lib.is_file(), "{} not built", lib.display());
        lib
    })
}

/// A library from `tests/native/bad_lib.rs` with `--cfg variant="..."`,
/// built once (tests run in parallel; a library being rewritten while
/// another test loads it would not load).
fn bad_lib(variant: &str) -> PathBuf {
    static BUILT: Mutex<Vec<(String, PathBuf)>> = Mutex::new(Vec::new());
    let mut built = BUILT.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, p)) = built.iter().find(|(v, _)| v == variant) {
        return p.clone();
    }
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("native_libs");
    std::fs::create_dir_all(&dir).expect("tmp dir");
    let out = dir.join(lib_name(&format!("bad_{variant}")));
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/native/bad_lib.rs");
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let st = Command::new(rustc)
        .args(["--edition", "2021", "--crate-type", "cdylib", "--cfg"])
        .arg(format!("variant=\"{variant}\""))
        .arg("-o")
        .arg(&out)
        .arg(src)
        .status()
        .expect("run rustc");
    assert!(st.success(), "rustc bad_lib.rs ({variant}) failed");
    built.push((variant.to_string(), out.clone()));
    out
}

fn write(name: &str, text: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("native_libs");
    std::fs::create_dir_all(&dir).expect("tmp dir");
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write");
    p
}

/// The error reason of a crash (its exit reason is `(reason, stack)`).
fn reason(crash: &reef_vm::Crash) -> String {
    match &crash.reason {
        Term::Tuple(parts) if parts.len() == 2 => parts[0].to_string(),
        other => other.to_string(),
    }
}

const PROGRAM: &str = r#"
fn attempt(f) {
  try { f() } catch { (class, reason) => (class, reason) }
}

pub fn main() {
  io.println(hash.sha256("abc"))
  io.println(hash.blake3("abc"))
  io.println(hash.sha256(hash.from_hex("616263")))
  io.println(inspect(attempt(fn() { hash.from_hex("0g") })))
  io.println(inspect(attempt(fn() { hash.from_hex("abc") })))
  io.println(inspect(attempt(fn() { hash.sha256(5) })))
  io.println(inspect(attempt(fn() { hash.crash("on purpose") })))
  io.println("still here")
  hash.crash("uncaught")
}
"#;

#[test]
fn reef_run_native_uses_the_example_library() {
    let file = write("hash_app.reef", PROGRAM);
    let out = Command::new(reef())
        .arg("run")
        .arg("--native")
        .arg(hash_lib())
        .arg(&file)
        .env("RUST_BACKTRACE", "0")
        .output()
        .expect("run reef");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        stdout,
        format!(
            "{SHA256_ABC}\n{BLAKE3_ABC}\n{SHA256_ABC}\n\
             (:error, (:invalid_digit, 1))\n\
             (:error, :odd_length)\n\
             (:error, (:badarg, \"hash.sha256/1, argument 1: expected a binary or string, got an integer\"))\n\
             (:error, (:native_panic, \"on purpose\"))\n\
             still here\n"
        ),
        "stderr: {stderr}"
    );
    // The uncaught panic ends main's process with a crash report.
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr.contains("crashed: error (:native_panic, \"uncaught\")"),
        "{stderr}"
    );
}

#[test]
fn the_repl_takes_native_libraries_too() {
    use std::io::Write as _;
    let mut child = Command::new(reef())
        .arg("--native")
        .arg(hash_lib())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run reef");
    let input = "hash.blake3(\"abc\")\ntry { hash.sha256(self()) } catch { (_, r) => r }\n";
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write");
    let out = child.wait_with_output().expect("wait");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains(&format!("\"{BLAKE3_ABC}\"\n")), "{stdout}");
    // A pid does not cross into a library.
    assert!(
        stdout.contains(
            "(:badarg, \"hash.sha256/1, argument 1: expected a binary or string, \
             got a term native libraries do not take (a pid, reference or fun)\")"
        ),
        "{stdout}"
    );
}

#[test]
fn the_readmes_demo_runs() {
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/native_hash/demo.reef");
    let out = Command::new(reef())
        .arg("--native")
        .arg(hash_lib())
        .arg(demo)
        .output()
        .expect("run reef");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!(
            "sha256(abc) = {SHA256_ABC}\nblake3(abc) = {BLAKE3_ABC}\n\
             from_hex(xyz1) raised (:invalid_digit, 0)\n\
             crash raised (:native_panic, \"on purpose\")\n"
        )
    );
}

#[test]
fn reef_native_flag_reports_a_library_that_does_not_load() {
    let file = write("unused.reef", "pub fn main() { io.println(1) }\n");
    for (lib, says) in [
        (file.clone(), "cannot load native library"),
        (
            bad_lib("v99"),
            "was built for ABI version 99, this VM speaks version 1",
        ),
        (bad_lib("noentry"), "is not a Reef native library"),
    ] {
        let out = Command::new(reef())
            .arg("--native")
            .arg(&lib)
            .arg(&file)
            .output()
            .expect("run reef");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        assert!(out.stdout.is_empty(), "the program must not run");
        assert!(
            stderr.starts_with("reef: ") && stderr.contains(says),
            "{stderr}"
        );
    }
}

#[test]
fn the_vm_loads_the_library_and_calls_it() {
    let vm = Vm::new();
    let lib = vm.load_native_library(hash_lib()).expect("load");
    assert_eq!(lib.module(), "hash");
    assert_eq!(lib.path(), hash_lib());
    let names: Vec<(&str, u32)> = lib
        .functions()
        .iter()
        .map(|(n, a)| (n.as_str(), *a))
        .collect();
    assert_eq!(
        names,
        [("sha256", 1), ("blake3", 1), ("from_hex", 1), ("crash", 1)]
    );
    let call = |f: &str, arg: Term| vm.call("hash", f, vec![arg]);
    assert_eq!(
        call("sha256", Term::from("abc")).expect("sha256"),
        Term::from(SHA256_ABC)
    );
    assert_eq!(
        call("blake3", Term::from("abc")).expect("blake3"),
        Term::from(BLAKE3_ABC)
    );
    // A binary that is not UTF-8 goes in as bytes and comes back as such.
    assert_eq!(
        call("from_hex", Term::from("ff00")).expect("from_hex"),
        Term::Bytes(vec![0xff, 0])
    );
    assert_eq!(
        call("sha256", Term::Bytes(vec![0xff, 0])).expect("sha256 of bytes"),
        Term::from("ea5dbf9596d187e9500f23e9a680109475341cf4e81f7e043f7d97152c10772f")
    );
    let err = call("from_hex", Term::from("xy")).expect_err("bad hex raises");
    assert_eq!(reason(&err), "(:invalid_digit, 0)");
    // A panic is raised in the calling process; the VM goes on.
    let crash = call("crash", Term::from("boom")).expect_err("panic raises");
    assert_eq!(reason(&crash), "(:native_panic, \"boom\")");
    for _ in 0..3 {
        assert!(call("crash", Term::from("again")).is_err());
    }
    assert_eq!(
        call("sha256", Term::from("abc")).expect("alive"),
        Term::from(SHA256_ABC)
    );
    // Loading it twice is harmless (the same functions, registered again).
    assert_eq!(vm.load_native_library(hash_lib()).expect("twice"), lib);
}

#[test]
fn libraries_that_break_the_abi_are_refused() {
    let vm = Vm::new();
    let v99 = bad_lib("v99");
    assert_eq!(
        vm.load_native_library(&v99),
        Err(NativeLibError::AbiVersion {
            path: v99.clone(),
            found: 99,
            expected: 1
        })
    );
    let noentry = bad_lib("noentry");
    assert_eq!(
        vm.load_native_library(&noentry),
        Err(NativeLibError::NoEntry { path: noentry })
    );
    match vm.load_native_library(bad_lib("dup")) {
        Err(NativeLibError::BadTable { what, .. }) => {
            assert_eq!(what, "bad.garbage/0 is listed twice")
        }
        other => panic!("{other:?}"),
    }
    let text = write("not_a_library.so", "just text\n");
    match vm.load_native_library(&text) {
        Err(e @ NativeLibError::Open { .. }) => {
            assert!(
                e.to_string().starts_with("cannot load native library"),
                "{e}"
            )
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        vm.load_native_library("/no/such/library.so"),
        Err(NativeLibError::Open { .. })
    ));
    // Nothing of a refused library was registered.
    let e = vm
        .call("bad", "garbage", vec![])
        .expect_err("not registered");
    assert!(reason(&e).contains("undef"), "{}", e.reason);
}

#[test]
fn replies_that_are_no_term_are_raised_in_the_caller() {
    let vm = Vm::new();
    let lib = vm.load_native_library(bad_lib("replies")).expect("load");
    assert_eq!(lib.module(), "bad");
    let e = vm
        .call("bad", "garbage", vec![])
        .expect_err("garbage reply");
    assert_eq!(
        reason(&e),
        "(:native_bad_reply, \"bad.garbage/0: unknown external term tag 255\")"
    );
    let e = vm
        .call("bad", "status", vec![])
        .expect_err("unknown status");
    assert_eq!(
        reason(&e),
        "(:native_bad_reply, \"bad.status/0: unknown status 7\")"
    );
    // The VM goes on.
    vm.load_native_library(hash_lib()).expect("load hash");
    assert_eq!(
        vm.call("hash", "blake3", vec![Term::from("abc")])
            .expect("alive"),
        Term::from(BLAKE3_ABC)
    );
}
