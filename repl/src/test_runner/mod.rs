//! `reef test [PATH...]` (spec 14.2): loads every `*_test.reef` file under
//! the paths, runs each `pub fn test_*()` in a process of its own, many at
//! once on all schedulers, in a random order from a printed seed, each
//! killed past a timeout; prints one block per failure and the summary
//! line `N passed, M failed` (`, K skipped`). Exit status 1 on any
//! failure (a file that does not compile is one).

mod diff;
mod discover;
mod order;
mod report;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use reef_vm::{CallHandle, VmBuilder};

use report::{Failure, Outcome};

/// The options of `reef test`.
#[derive(Debug, Default)]
pub(crate) struct TestOptions {
    pub paths: Vec<PathBuf>,
    /// `--seed N`: the order of an earlier run.
    pub seed: Option<u64>,
    /// `--timeout MS`: each test's limit, in milliseconds (default 5000).
    pub timeout_ms: Option<u64>,
    /// `--filter NAME`: only tests whose `module.test_name` contains it.
    pub filter: Option<String>,
    /// `--verbose`: a line for every test, with its time.
    pub verbose: bool,
}

/// The default per-test timeout (ExUnit's is 60 s; Go's is per binary):
/// 5 s keeps a hung test from stalling a run for long.
const DEFAULT_TIMEOUT_MS: u64 = 5000;

/// One test: `module.name`, and the file it came from.
struct Test {
    module: String,
    name: String,
    file: String,
}

impl Test {
    fn full_name(&self) -> String {
        format!("{}.{}", self.module, self.name)
    }
}

/// Runs `reef test` on a VM from `builder` (the command's options: search
/// path, schedulers, limits).
pub(crate) fn run(opts: &TestOptions, mut builder: VmBuilder) -> ExitCode {
    let found = discover::find(&opts.paths);
    for m in &found.missing {
        errln!("reef test: {}: no such file or directory", m.display());
    }
    for dir in &found.search {
        builder = builder.search_path(dir);
    }
    let color = std::env::var_os("NO_COLOR").is_none() && std::io::stdout().is_terminal();
    let vm = builder.color(color).build();

    // Load every file; one that does not compile is a failure, reported
    // before the tests run.
    let mut tests = Vec::new();
    let mut load_failures = Vec::new();
    let mut modules: Vec<(String, PathBuf)> = Vec::new();
    for file in &found.files {
        let shown = file.display().to_string();
        let source = match std::fs::read_to_string(file) {
            Ok(s) => s,
            Err(e) => {
                load_failures.push(format!("{shown}: {e}"));
                continue;
            }
        };
        let loaded = match vm.load_file(file) {
            Ok(l) => l,
            Err(e) => {
                load_failures.push(format!("{shown} does not compile\n{e}"));
                continue;
            }
        };
        if let Some((_, other)) = modules.iter().find(|(m, _)| *m == loaded.name) {
            load_failures.push(format!(
                "{shown}: the module `{}` is already {} (test modules need distinct names)",
                loaded.name,
                other.display()
            ));
            continue;
        }
        modules.push((loaded.name.clone(), file.clone()));
        for name in discover::tests_of(&source).unwrap_or_default() {
            let test = Test {
                module: loaded.name.clone(),
                name,
                file: shown.clone(),
            };
            if opts
                .filter
                .as_ref()
                .is_none_or(|f| test.full_name().contains(f))
            {
                tests.push(test);
            }
        }
    }

    let seed = opts.seed.unwrap_or_else(order::fresh_seed);
    order::shuffle(&mut tests, seed);
    let files = found.files.len();
    outln!(
        "Running {} test{} from {files} file{} (seed {seed})",
        tests.len(),
        plural(tests.len()),
        plural(files)
    );
    let mut failed = 0;
    for f in &load_failures {
        failed += 1;
        outln!("\n{failed}) {}", f.trim_end());
    }
    let timeout = Duration::from_millis(opts.timeout_ms.unwrap_or(DEFAULT_TIMEOUT_MS));
    let (mut passed, mut skipped) = (0, 0);
    run_all(&vm, &tests, timeout, |test, outcome, time| {
        let name = test.full_name();
        let ms = time.as_secs_f64() * 1000.0;
        match &outcome {
            Outcome::Passed => {
                passed += 1;
                if opts.verbose {
                    outln!("ok    {name} ({ms:.1} ms)");
                }
            }
            Outcome::Skipped(reason) => {
                skipped += 1;
                if opts.verbose {
                    outln!("skip  {name}: {reason}");
                }
            }
            Outcome::Failed(failure) => {
                failed += 1;
                if opts.verbose {
                    outln!("FAIL  {name} ({ms:.1} ms)");
                }
                out!(
                    "\n{}",
                    report::failure_block(failed, &name, &test.file, failure)
                );
                if opts.verbose {
                    outln!();
                }
            }
        }
    });
    vm.flush();
    if let Some(status) = vm.exit_status() {
        errln!("reef test: a test called halt({status}): the VM stopped, so the tests after it could not run");
    }
    let skipped_text = if skipped > 0 {
        format!(", {skipped} skipped")
    } else {
        String::new()
    };
    outln!("\n{passed} passed, {failed} failed{skipped_text}");
    if failed > 0 || !found.missing.is_empty() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// Runs `tests`, at most twice as many at once as there are schedulers
/// (so a test that waits does not leave a scheduler idle), and hands each
/// outcome to `done` in the order of `tests`, as soon as it and every
/// test before it have ended: the output does not depend on timing.
fn run_all(
    vm: &reef_vm::Vm,
    tests: &[Test],
    timeout: Duration,
    mut done: impl FnMut(&Test, Outcome, Duration),
) {
    let at_once = (vm.schedulers() * 2).max(2);
    let mut running: Vec<(usize, CallHandle, Instant)> = Vec::new();
    let mut results: Vec<Option<(Outcome, Duration)>> = tests.iter().map(|_| None).collect();
    let (mut next, mut reported) = (0, 0);
    // After a round where nothing ended, the first running test is waited
    // for a little (its end wakes the wait) rather than polled again.
    let mut idle = false;
    while reported < tests.len() {
        while next < tests.len() && running.len() < at_once {
            let t = &tests[next];
            running.push((
                next,
                vm.start_call(&t.module, &t.name, Vec::new()),
                Instant::now(),
            ));
            next += 1;
        }
        let mut progressed = false;
        let mut i = 0;
        while i < running.len() {
            let (index, handle, started) = &mut running[i];
            let patience = if idle && i == 0 {
                Duration::from_millis(1)
            } else {
                Duration::ZERO
            };
            let result = handle.wait_timeout(patience);
            let elapsed = started.elapsed();
            let outcome = match result {
                Some(result) => Some(Outcome::of(result, &tests[*index].module)),
                None if elapsed >= timeout => {
                    handle.kill();
                    Some(Outcome::Failed(
                        Failure::Timeout(timeout.as_millis() as u64),
                    ))
                }
                None => None,
            };
            match outcome {
                Some(o) => {
                    results[*index] = Some((o, elapsed));
                    running.swap_remove(i);
                    progressed = true;
                }
                None => i += 1,
            }
        }
        while reported < tests.len() {
            let Some((outcome, time)) = results[reported].take() else {
                break;
            };
            done(&tests[reported], outcome, time);
            reported += 1;
        }
        idle = !progressed;
    }
}
