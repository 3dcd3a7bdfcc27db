//! Async hosts: `HostMailbox::recv_async` and an awaited `CallHandle`,
//! driven by a minimal executor (no runtime): each future must wake its
//! task through the `Waker`, or the executor would park for ever (the
//! test's timeouts catch that).

use std::future::Future;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::time::{Duration, Instant};

use reef_vm::{Term, Vm};

struct Unpark(std::thread::Thread);

impl Wake for Unpark {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }
}

/// Polls `f` to the end, parking between polls (no busy loop: a lost
/// wake-up shows as a timeout). Panics after `limit`.
fn block_on<F: Future>(f: F, limit: Duration) -> F::Output {
    let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut f = std::pin::pin!(f);
    let until = Instant::now() + limit;
    loop {
        if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
        let now = Instant::now();
        assert!(now < until, "the future was never woken");
        std::thread::park_timeout(until - now);
    }
}

const SRC: &str = r#"
pub fn echo_later(to, ms, x) { sleep(ms) ; to ! x }
pub fn slow_id(ms, x) { sleep(ms) ; x }
pub fn forever() { receive { :never => :ok } }
"#;

fn vm() -> Vm {
    let vm = Vm::builder()
        .env_path(false)
        .stderr(std::io::sink())
        .build();
    vm.load_source("a", "a.reef", SRC)
        .unwrap_or_else(|e| panic!("{e}"));
    vm
}

#[test]
fn recv_async_is_woken_by_a_late_message() {
    let vm = vm();
    let inbox = vm.mailbox();
    for i in 0..20 {
        vm.spawn(
            "a",
            "echo_later",
            vec![inbox.pid(), Term::Int(5), Term::Int(i)],
        )
        .unwrap();
        let got = block_on(inbox.recv_async(), Duration::from_secs(10));
        assert_eq!(got, Some(Term::Int(i)));
    }
    // One already there is taken at the first poll.
    vm.spawn(
        "a",
        "echo_later",
        vec![inbox.pid(), Term::Int(0), Term::atom("x")],
    )
    .unwrap();
    std::thread::sleep(Duration::from_millis(50));
    assert_eq!(inbox.try_recv(), Some(Term::atom("x")));
}

#[test]
fn an_awaited_call_returns_its_value_or_its_crash() {
    let vm = vm();
    let call = vm.start_call("a", "slow_id", vec![Term::Int(10), Term::atom("done")]);
    assert_eq!(
        block_on(call, Duration::from_secs(10)).expect("returns"),
        Term::atom("done")
    );
    let call = vm.start_call("a", "slow_id", vec![Term::atom("bad"), Term::Int(1)]);
    let err = block_on(call, Duration::from_secs(10)).unwrap_err();
    assert!(err.report.contains("sleep"), "{}", err.report);
}

#[test]
fn shutdown_wakes_every_awaiting_future_with_vm_stopped() {
    let vm = Arc::new(vm());
    let waiter = {
        let vm = vm.clone();
        std::thread::spawn(move || {
            let inbox = vm.mailbox();
            let call = vm.start_call("a", "forever", vec![]);
            let r = block_on(call, Duration::from_secs(10));
            let m = block_on(inbox.recv_async(), Duration::from_secs(10));
            (r, m)
        })
    };
    std::thread::sleep(Duration::from_millis(50));
    vm.shutdown();
    let (r, m) = waiter.join().expect("no panic");
    assert_eq!(r.unwrap_err().reason, Term::atom("vm_stopped"));
    assert_eq!(m, None);
}
