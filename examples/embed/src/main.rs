//! Embedding Reef in a Rust program: start a VM with two scheduler
//! threads, load a module from a string, spawn one of its functions as a
//! process, talk to it through a host mailbox, and shut down.
//!
//! ```text
//! cargo run -p reef-embed-example
//! ```

use std::process::ExitCode;
use std::time::Duration;

use reef_vm::{Term, Vm};

/// An accumulator process: it adds what it is sent and reports the total
/// to the host's mailbox.
const SOURCE: &str = r#"
pub fn start(host) { loop(host, 0) }

fn loop(host, total) {
  receive {
    (:add, n) when is_int(n) => {
      host ! (:total, total + n)
      loop(host, total + n)
    }
    :stop => host ! (:bye, total)
  }
}
"#;

fn main() -> ExitCode {
    let vm = Vm::builder().schedulers(2).build();
    if let Err(e) = vm.load_source("accumulator", "accumulator.reef", SOURCE) {
        eprintln!("{e}");
        return ExitCode::FAILURE;
    }
    println!("started a VM with {} schedulers", vm.schedulers());

    // The host's own mailbox: a pid processes can send to.
    let inbox = vm.mailbox();
    let acc = vm
        .spawn("accumulator", "start", vec![inbox.pid()])
        .expect("under the process limit");
    println!("spawned accumulator.start/1 as {acc}");

    for n in [5, 10, 27] {
        vm.send(&acc, &Term::Tuple(vec![Term::atom("add"), Term::Int(n)]));
        match inbox.recv(Duration::from_secs(5)) {
            Some(reply) => println!("sent (:add, {n}), got {reply}"),
            None => {
                eprintln!("no reply within 5 s");
                return ExitCode::FAILURE;
            }
        }
    }
    vm.send(&acc, &Term::atom("stop"));
    let last = inbox.recv(Duration::from_secs(5));
    println!(
        "last message: {}",
        last.map_or("none".into(), |t| t.to_string())
    );

    // Nothing else comes: a receive with a timeout gives up.
    let nothing = inbox.recv(Duration::from_millis(20));
    println!(
        "after stop: {}",
        nothing.map_or("nothing".into(), |t| t.to_string())
    );

    vm.shutdown();
    println!("shut down");
    ExitCode::SUCCESS
}
