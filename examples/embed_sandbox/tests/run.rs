//! Runs the sandbox example as a user would and checks what it prints:
//! every limit stopped its script, and the host went on.

#[path = "../../embed_common/run_example.rs"]
mod run_example;

use run_example::stdout_of;

#[test]
fn every_limit_stops_its_script_and_the_host_goes_on() {
    let stdout = stdout_of(env!("CARGO_BIN_EXE_embed_sandbox"));
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines,
        [
            "snooper: error: module `snooper` calls what the sandbox forbids: file.read/1",
            "sneak: refused by the sandbox, reason (:sandbox, (:file, :read, 1))",
            "spin: stopped by the call timeout, reason :timeout (after 100 ms or more)",
            "spin: stopped by max_reductions (1000000), reason (:system_limit, :reductions)",
            "hog: stopped by max_heap (1000000 words), reason (:max_heap, ...), within twice the limit: true",
            "spawn_bomb: stopped by max_processes (200), reason :system_limit, 199 processes left",
            "cleaned up: 1 process left (the host's mailbox)",
            "after all that, add(40, 2) = 42",
            "shut down",
        ],
        "{stdout}"
    );
}
