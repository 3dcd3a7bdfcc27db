//! Diagnostics as data: a host reads a compile error's code, line and
//! column without parsing text, and a warning goes to the configured sink
//! (a callback or `VmBuilder::stderr`) and nowhere else.

mod common;

use std::sync::{Arc, Mutex};

use common::Sink;
use reef_vm::{Diagnostic, LoadError, Severity, Vm};

#[test]
fn a_compile_error_is_data() {
    let vm = Vm::builder()
        .env_path(false)
        .stderr(Sink::default())
        .build();
    let src = "pub fn f(a) {\n  let b = a + 1\n  é + c\n}\n";
    let err = vm.load_source("broken", "broken.reef", src).unwrap_err();
    let LoadError::Compile {
        module,
        rendered,
        errors,
        diagnostics,
    } = &err
    else {
        panic!("expected a compile error, got {err:?}");
    };
    assert_eq!(module, "broken");
    assert!(*errors >= 1);
    assert!(rendered.contains("broken.reef"), "{rendered}");
    let d = diagnostics
        .iter()
        .find(|d| d.severity == Severity::Error)
        .expect("an error");
    // `é` at line 3, column 3; or `c`, unbound, at column 7: the first
    // error the compiler reports is where it stops.
    assert_eq!(d.file, "broken.reef");
    assert_eq!(d.module, "broken");
    assert_eq!(d.line, 3, "{d:?}");
    assert!(d.column == 3 || d.column == 7, "{d:?}");
    assert!(d.code.starts_with('E'), "{d:?}");
    assert_eq!(
        &src[d.span.clone()].chars().next(),
        &src[d.span.start..].chars().next()
    );
    assert_eq!(err.diagnostics(), &diagnostics[..]);
    assert!(d.to_string().starts_with("broken.reef:3:"), "{d}");
}

#[test]
fn an_unbound_variable_has_its_code_line_column_and_hint_fields() {
    let vm = Vm::builder()
        .env_path(false)
        .stderr(Sink::default())
        .build();
    let err = vm
        .load_source("unb", "unb.reef", "pub fn f(count) {\n  coutn + 1\n}\n")
        .unwrap_err();
    let ds = err.diagnostics();
    // The unused parameter is a warning beside it.
    assert!(ds
        .iter()
        .any(|d| d.code == "W0101" && d.severity == Severity::Warning));
    let d = ds.iter().find(|d| d.severity == Severity::Error).unwrap();
    assert_eq!(d.code, "E0201");
    assert_eq!((d.line, d.column), (2, 3));
    assert_eq!(d.span, 20..25);
    assert!(d.message.contains("coutn"), "{d:?}");
    assert_eq!(d.label, "not bound here");
    assert!(
        d.hint.as_deref().unwrap_or("").contains("let coutn"),
        "{d:?}"
    );
}

#[test]
fn a_warning_goes_to_the_callback_and_nowhere_else() {
    let seen: Arc<Mutex<Vec<Diagnostic>>> = Arc::default();
    let err = Sink::default();
    let seen2 = seen.clone();
    let vm = Vm::builder()
        .env_path(false)
        .stderr(err.clone())
        .on_warning(move |d| seen2.lock().unwrap().push(d.clone()))
        .build();
    let loaded = vm
        .load_source("w", "w.reef", "pub fn f(unused) {\n  1\n}\n")
        .unwrap();
    assert_eq!(loaded, "w");
    assert_eq!(loaded.warnings.len(), 1);
    let w = &loaded.warnings[0];
    assert_eq!((w.code.as_str(), w.severity), ("W0101", Severity::Warning));
    assert_eq!((w.line, w.column), (1, 10));
    assert_eq!(seen.lock().unwrap().as_slice(), &loaded.warnings[..]);
    assert_eq!(err.text(), "", "the error sink got nothing");
}

#[test]
fn without_a_callback_a_warning_is_rendered_to_the_stderr_sink() {
    let err = Sink::default();
    let vm = Vm::builder().env_path(false).stderr(err.clone()).build();
    let loaded = vm
        .load_source("w2", "w2.reef", "pub fn f(unused) { 1 }\n")
        .unwrap();
    assert_eq!(loaded.warnings[0].code, "W0101");
    let text = err.text();
    assert!(text.contains("W0101") && text.contains("w2.reef"), "{text}");
}

/// The child half of the next test: loads a module with warnings (itself,
/// and one loaded on demand beside it) into a VM whose sink is a buffer.
/// Its process stderr must stay empty.
#[test]
fn child_loads_with_warnings() {
    let Ok(dir) = std::env::var("REEF_DIAG_CHILD") else {
        return;
    };
    let dir = std::path::PathBuf::from(dir);
    let err = Sink::default();
    let vm = Vm::builder().env_path(false).stderr(err.clone()).build();
    let loaded = vm.load_file(dir.join("app.reef")).unwrap();
    assert_eq!(loaded.warnings.len(), 2, "{:?}", loaded.warnings);
    vm.run_main(&loaded, vec![]).unwrap();
    assert!(err.text().contains("W0101"));
}

#[test]
fn a_warning_never_reaches_the_process_stderr() {
    let dir = std::env::temp_dir().join(format!("reef-diag-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("app.reef"),
        "pub fn main(unused) { helper.one(2) }\n",
    )
    .unwrap();
    std::fs::write(dir.join("helper.reef"), "pub fn one(x) { 1 }\n").unwrap();
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "child_loads_with_warnings",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("REEF_DIAG_CHILD", &dir)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("1 passed"), "{stdout}");
    assert_eq!(stderr, "", "the process stderr got: {stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}
