//! A Rust host that lends Reef code its key-value store: each operation
//! is a typed host function (`Vm::register_fn`), its arguments and result
//! converted by serde, its errors (a Rust enum) raised in Reef as atoms
//! or tagged tuples that `app.reef` catches. Saving blocks, so it is a
//! `register_blocking_fn`.
//!
//! ```text
//! cargo run -p reef-embed-kv
//! ```

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reef_vm::Vm;
use serde::Serialize;

/// What the store refuses, as Reef sees it: `:not_found`,
/// `(:too_large, #{:max => 64})`.
#[derive(Serialize, Debug)]
#[serde(rename_all = "snake_case")]
enum KvError {
    NotFound,
    TooLarge { max: usize },
}

const MAX_VALUE: usize = 64;

type Store = Arc<Mutex<BTreeMap<String, String>>>;

fn register(vm: &Vm, store: &Store) {
    let s = store.clone();
    vm.register_fn("kv", "get", move |key: String| -> Option<String> {
        s.lock().unwrap().get(&key).cloned()
    });
    let s = store.clone();
    vm.register_fn("kv", "put", move |key: String, value: String| {
        if value.len() > MAX_VALUE {
            return Err(KvError::TooLarge { max: MAX_VALUE });
        }
        s.lock().unwrap().insert(key, value);
        Ok(())
    });
    let s = store.clone();
    vm.register_fn("kv", "delete", move |key: String| {
        s.lock().unwrap().remove(&key).ok_or(KvError::NotFound)
    });
    let s = store.clone();
    vm.register_fn("kv", "keys", move || -> Vec<String> {
        s.lock().unwrap().keys().cloned().collect()
    });
    let s = store.clone();
    vm.register_blocking_fn("kv", "save", move || -> usize {
        // Stands for a write to disk or a database.
        std::thread::sleep(Duration::from_millis(20));
        s.lock().unwrap().len()
    });
}

fn main() -> ExitCode {
    let vm = Vm::builder().env_path(false).build();
    let store: Store = Arc::default();
    register(&vm, &store);
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/app.reef");
    if let Err(e) = vm.load_file(path) {
        eprintln!("{e}");
        return ExitCode::FAILURE;
    }
    if let Err(crash) = vm.run_main("app", vec![]) {
        eprint!("{crash}");
        return ExitCode::FAILURE;
    }
    vm.flush();
    println!("host store: {:?}", store.lock().unwrap());
    ExitCode::SUCCESS
}
