//! Typed host functions (`Vm::register_fn`, `Vm::register_blocking_fn`):
//! serde arguments and results, errors raised in the caller, `:badarg`
//! for arguments that do not decode, panics caught as `:native_panic`,
//! and a blocking call that does not hold up other processes. Uses only
//! `reef_vm::` root items.

// A crash is the cold path; boxing it would only make the tests clumsier.
#![allow(clippy::result_large_err)]

mod common;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::Sink;
use reef_vm::{term, HostError, Term, Vm};
use serde::{Deserialize, Serialize};

fn vm(schedulers: usize) -> (Vm, Sink) {
    let err = Sink::default();
    let vm = Vm::builder()
        .env_path(false)
        .schedulers(schedulers)
        .stdout(Sink::default())
        .stderr(err.clone())
        .build();
    (vm, err)
}

fn load(vm: &Vm, src: &str) {
    vm.load_source("t", "t.reef", src)
        .unwrap_or_else(|e| panic!("{e}"));
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
struct Item {
    name: String,
    qty: u32,
}

#[derive(Serialize, Debug)]
#[serde(rename_all = "snake_case")]
enum StoreError {
    NotFound,
    Full { limit: usize },
}

#[test]
fn typed_arguments_results_and_errors() {
    let (vm, _) = vm(2);
    let store: Arc<Mutex<BTreeMap<String, Item>>> = Arc::default();
    let s = store.clone();
    vm.register_fn("kv", "put", move |key: String, item: Item| {
        let mut s = s.lock().unwrap();
        if s.len() >= 2 {
            return Err(StoreError::Full { limit: 2 });
        }
        s.insert(key, item);
        Ok(())
    });
    let s = store.clone();
    vm.register_fn("kv", "get", move |key: String| {
        s.lock().unwrap().get(&key).cloned()
    });
    let s = store.clone();
    vm.register_fn("kv", "take", move |key: String| {
        s.lock().unwrap().remove(&key).ok_or(StoreError::NotFound)
    });
    vm.register_fn("kv", "count", move || store.lock().unwrap().len());
    vm.register_fn("kv", "open", |path: String| -> Result<i64, HostError> {
        let n: i64 = path.parse()?; // a Display error, through HostError
        if n < 0 {
            return Err(HostError::reason(term!((:negative, n))));
        }
        Ok(n)
    });
    vm.register_fn(
        "kv",
        "six",
        |a: i8, b: u16, c: f64, d: bool, e: Option<String>, f: Vec<(i32, char)>| {
            format!("{a} {b} {c} {d} {e:?} {f:?}")
        },
    );
    load(
        &vm,
        r#"
pub fn run() {
  let ok = kv.put("a", #{:name => "apple", :qty => 3})
  kv.put("b", #{:name => "pear", :qty => 1})
  let full = try { kv.put("c", #{:name => "fig", :qty => 9}) } catch { (:error, why) => why }
  let got = kv.get("a")
  let none = kv.get("zz")
  let taken = kv.take("b")
  let missing = try { kv.take("b") } catch { (:error, why) => why }
  let bad = try { kv.open("x1") } catch { (:error, why) => why }
  let neg = try { kv.open("-4") } catch { (:error, why) => why }
  [ok, full, got, none, taken, missing, kv.count(), bad, neg, kv.open("7"),
   kv.six(-1, 2, 0.5, true, nil, [(1, "x")])]
}
"#,
    );
    let r = vm.call("t", "run", vec![]).unwrap();
    assert_eq!(
        r,
        term!([
            nil,
            (:full, #{limit: 2}),
            #{name: "apple", qty: 3},
            nil,
            #{name: "pear", qty: 1},
            :not_found,
            1,
            "invalid digit found in string",
            (:negative, -4),
            7,
            "-1 2 0.5 true None [(1, 'x')]",
        ]),
        "{r}"
    );
}

#[test]
fn arguments_that_do_not_decode_raise_badarg_with_position_and_type() {
    let (vm, _) = vm(1);
    vm.register_fn("h", "f", |_a: i64, _item: Item| true);
    load(
        &vm,
        r#"
fn why(f) { try { f() } catch { (:error, r) => r } }
pub fn run() {
  [why(fn() { h.f("1", #{:name => "x", :qty => 1}) }),
   why(fn() { h.f(1, #{:name => :x, :qty => 1}) }),
   why(fn() { h.f(1, #{:name => "x", :qty => -1}) }),
   why(fn() { h.f(1, #{:name => "x"}) }),
   h.f(1, #{:name => "x", :qty => 1, :extra => 0})]
}
"#,
    );
    let r = vm.call("t", "run", vec![]).unwrap();
    assert_eq!(
        r,
        term!([
            (:badarg, (1, "i64")),
            (:badarg, (2, "a string at .name")),
            (:badarg, (2, "u32 at .qty")),
            (:badarg, (2, "missing field `qty`")),
            true,
        ]),
        "{r}"
    );
}

#[test]
fn panics_raise_native_panic_and_the_vm_goes_on() {
    let (vm, err) = vm(2);
    vm.register_fn("h", "boom", |n: i64| -> i64 { panic!("boom {n}") });
    vm.register_fn("h", "ok", |n: i64| n + 1);
    load(
        &vm,
        r#"
pub fn caught(n) { try { h.boom(n) } catch { (:error, r) => r } }
pub fn uncaught() { h.boom(99) }
pub fn many() {
  let me = self()
  lists.map(lists.seq(1, 10), fn(i) { spawn(fn() { me ! caught(i) }) })
  lists.map(lists.seq(1, 10), fn(_) { receive { (:native_panic, m) => m } })
}
"#,
    );
    assert_eq!(
        vm.call("t", "caught", vec![term!(1)]).unwrap(),
        term!((:native_panic, "boom 1"))
    );
    let many = vm.call("t", "many", vec![]).unwrap();
    assert_eq!(many.items().map(<[Term]>::len), Some(10), "{many}");
    // Ten panics on two scheduler threads, then a normal call works.
    let crash = vm.call("t", "uncaught", vec![]).unwrap_err();
    assert_eq!(
        crash.reason.elements().unwrap()[0],
        term!((:native_panic, "boom 99"))
    );
    assert!(crash.report.contains("native_panic"), "{}", crash.report);
    load(&vm, "pub fn ok() { h.ok(41) }");
    assert_eq!(vm.call("t", "ok", vec![]).unwrap(), term!(42));
    // Caught panics leave no crash report; the uncaught one was returned.
    assert!(!err.text().contains("boom 1"), "{}", err.text());
}

#[test]
fn a_blocking_call_does_not_stop_other_processes() {
    // One scheduler thread: if the blocking call held it, nothing else
    // could run for a second.
    let (vm, _) = vm(1);
    vm.register_blocking_fn("db", "slow", |ms: u64| {
        std::thread::sleep(Duration::from_millis(ms));
        format!("slept {ms}")
    });
    vm.register_blocking_fn("db", "fail", |why: String| -> Result<(), String> {
        Err(why)
    });
    vm.register_blocking_fn("db", "boom", || -> () { panic!("in the pool") });
    load(
        &vm,
        r#"
pub fn slow(host) { host ! (:slow, db.slow(1000)) }
pub fn count(n, acc) { if n == 0 { acc } else { count(n - 1, acc + n) } }
pub fn errors() {
  let a = try { db.fail("nope") } catch { (:error, r) => r }
  let b = try { db.boom() } catch { (:error, r) => r }
  (a, b)
}
"#,
    );
    let mailbox = vm.mailbox();
    let start = Instant::now();
    vm.spawn("t", "slow", vec![mailbox.pid()]).unwrap();
    std::thread::sleep(Duration::from_millis(50));
    // While the slow call blocks, other processes run on the one thread.
    for _ in 0..5 {
        assert_eq!(
            vm.call("t", "count", vec![term!(100_000), term!(0)])
                .unwrap(),
            term!(5_000_050_000i64)
        );
    }
    assert_eq!(
        vm.call("t", "errors", vec![]).unwrap(),
        term!(("nope", (:native_panic, "in the pool")))
    );
    let others_done = start.elapsed();
    assert!(others_done < Duration::from_millis(700), "{others_done:?}");
    let slow = mailbox
        .recv(Duration::from_secs(5))
        .expect("the slow call's reply");
    assert_eq!(slow, term!((:slow, "slept 1000")));
    assert!(start.elapsed() >= Duration::from_millis(1000));
}
