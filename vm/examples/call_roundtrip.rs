//! Measures the host call round trip (`vm.call` of a trivial function):
//! `cargo run --release -p reef-vm --example call_roundtrip`.

use std::time::Instant;

use reef_vm::{Term, Vm};

fn main() {
    let vm = Vm::builder().env_path(false).build();
    vm.load_source("m", "m.reef", "pub fn id(x) { x }")
        .expect("loads");
    let n: u32 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(100_000);
    for _ in 0..1000 {
        vm.call("m", "id", vec![Term::Int(1)]).expect("call");
    }
    let t = Instant::now();
    for i in 0..n {
        let r = vm.call("m", "id", vec![Term::Int(i.into())]).expect("call");
        assert_eq!(r, Term::Int(i.into()));
    }
    let per = t.elapsed() / n;
    println!("vm.call round trip: {per:?} per call ({n} calls)");
}
