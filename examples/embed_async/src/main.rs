//! An async host on tokio: it serves a batch of requests concurrently on
//! one runtime thread; each request sends a message to a Reef server
//! process and awaits the reply on its own host mailbox
//! (`HostMailbox::recv_async`), or awaits a whole call (`CallHandle` is a
//! future). No thread blocks while the processes work.
//!
//! ```text
//! cargo run -p reef-embed-async-example
//! ```

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use reef_vm::{Term, Vm};

/// The Reef side: a server that answers each request from a worker
/// process of its own (so slow requests do not hold up quick ones).
const SOURCE: &str = r#"
pub fn start() { loop() }

fn loop() {
  receive {
    (:fib, n, reply_to) => {
      spawn(fn() { reply_to ! (:ok, n, fib(n)) })
      loop()
    }
  }
}

pub fn fib(n) { if n < 2 { n } else { fib(n - 1) + fib(n - 2) } }

pub fn slow_square(ms, x) { sleep(ms) ; x * x }
"#;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let vm = Arc::new(Vm::builder().env_path(false).schedulers(2).build());
    if let Err(e) = vm.load_source("service", "service.reef", SOURCE) {
        eprintln!("{e}");
        return ExitCode::FAILURE;
    }
    let server = vm
        .spawn("service", "start", vec![])
        .expect("under the process limit");

    // Ten requests at once, each a task awaiting its reply.
    let mut tasks = Vec::new();
    for n in [25u8, 5, 20, 1, 15, 10, 22, 2, 18, 12] {
        let vm = vm.clone();
        let server = server.clone();
        tasks.push(tokio::spawn(async move {
            let inbox = vm.mailbox();
            let req = Term::Tuple(vec![Term::atom("fib"), Term::Int(n.into()), inbox.pid()]);
            vm.send(&server, &req);
            match tokio::time::timeout(Duration::from_secs(30), inbox.recv_async()).await {
                Ok(Some(reply)) => format!("fib({n}) -> {reply}"),
                Ok(None) => format!("fib({n}): the VM stopped"),
                Err(_) => format!("fib({n}): no reply in time"),
            }
        }));
    }
    // Meanwhile, the runtime thread is free: a timer task runs on it.
    let ticker = tokio::spawn(async {
        tokio::time::sleep(Duration::from_millis(1)).await;
        "the runtime thread stayed free"
    });
    for t in tasks {
        println!("{}", t.await.expect("the task ran"));
    }
    println!("{}", ticker.await.expect("the ticker ran"));

    // A whole call, awaited: 3 calls that each sleep 100 ms in Reef end
    // together, since none blocks the runtime.
    let started = std::time::Instant::now();
    let calls: Vec<_> = (1..=3)
        .map(|x| vm.start_call("service", "slow_square", vec![Term::Int(100), Term::Int(x)]))
        .collect();
    let mut squares = Vec::new();
    for c in calls {
        match c.await {
            Ok(v) => squares.push(v.to_string()),
            Err(crash) => {
                eprint!("{crash}");
                return ExitCode::FAILURE;
            }
        }
    }
    let together = started.elapsed() < Duration::from_millis(290);
    println!(
        "awaited calls: [{}], concurrently: {together}",
        squares.join(", ")
    );

    vm.shutdown();
    println!("shut down");
    ExitCode::SUCCESS
}
