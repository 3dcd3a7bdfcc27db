//! Runs the embedding example as a user would and checks what it prints.

use std::process::Command;

#[test]
fn the_embedding_example_talks_to_its_process() {
    let out = Command::new(env!("CARGO_BIN_EXE_embed")).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines[0], "started a VM with 2 schedulers");
    assert!(lines[1].starts_with("spawned accumulator.start/1 as #PID<0."));
    assert_eq!(
        &lines[2..],
        [
            "sent (:add, 5), got (:total, 5)",
            "sent (:add, 10), got (:total, 15)",
            "sent (:add, 27), got (:total, 42)",
            "last message: (:bye, 42)",
            "after stop: nothing",
            "shut down",
        ]
    );
}
