//! Runs the async example as a user would and checks what it prints.

#[path = "../../embed_common/run_example.rs"]
mod run_example;

use run_example::stdout_of;

#[test]
fn the_async_host_awaits_every_reply() {
    let stdout = stdout_of(env!("CARGO_BIN_EXE_embed_async"));
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines,
        [
            "fib(25) -> (:ok, 25, 75025)",
            "fib(5) -> (:ok, 5, 5)",
            "fib(20) -> (:ok, 20, 6765)",
            "fib(1) -> (:ok, 1, 1)",
            "fib(15) -> (:ok, 15, 610)",
            "fib(10) -> (:ok, 10, 55)",
            "fib(22) -> (:ok, 22, 17711)",
            "fib(2) -> (:ok, 2, 1)",
            "fib(18) -> (:ok, 18, 2584)",
            "fib(12) -> (:ok, 12, 144)",
            "the runtime thread stayed free",
            "awaited calls: [1, 4, 9], concurrently: true",
            "shut down",
        ],
        "{stdout}"
    );
}
