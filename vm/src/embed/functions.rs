//! Typed host functions: `Vm::register_fn` makes a Rust closure callable
//! from Reef as `module.name(args...)`, its arguments read with serde
//! straight from the caller's values and its result written straight into
//! one; `Vm::register_blocking_fn` runs the closure on the dirty I/O pool
//! while the caller waits as in a receive (BEAM's dirty schedulers).
//!
//! What the caller sees (docs/embedding/functions.md): an argument that
//! does not decode raises `(:badarg, (position, expected))`; an `Err(e)`
//! raises `e`'s term; a panic raises `(:native_panic, message)` (caught
//! at `Native::call` for every host native, and inside the blocking job).
//! None of these APIs hands the host a process's value, so a host cannot
//! keep one past the call.

use std::any::Any;
use std::sync::Arc;

use super::typed::HostFunction;
use crate::exports::{HostFn, Mfa, Native};
use crate::interp::Exception;
use crate::native::{ext_fun, Ctx};
use crate::value::{Atom, Value};
use crate::Vm;

/// The module holding the Reef half of a blocking host function: the
/// receive its caller waits in.
const WAIT_MODULE: &str = "reef_host";
const WAIT_SOURCE: &str = "\
// The Reef half of a blocking host function (Vm::register_blocking_fn):
// the caller waits here, in a receive, for the dirty I/O pool's reply.
pub fn wait(r) {
  receive {
    (:dirty_reply, ^r, (:ok, v)) => v,
    (:dirty_reply, ^r, (:error, reason)) => error(reason),
  }
}
";

/// The reason a panicking host function raises: `(:native_panic, message)`.
pub(crate) fn native_panic(payload: &Box<dyn Any + Send>) -> Value {
    Value::tuple(vec![
        Value::atom("native_panic"),
        Value::str(crate::loader::panic_message(payload)),
    ])
}

fn mfa(module: &str, name: &str, arity: u32) -> Mfa {
    Mfa {
        module: Atom::new(module),
        name: Atom::new(name),
        arity,
    }
}

impl Vm {
    /// Registers a Rust closure as the function `module.name/N` (N its
    /// number of arguments, up to eight), callable from Reef and taking
    /// precedence over a Reef function of the same name.
    ///
    /// Each argument is read with serde from the caller's value (the term
    /// shapes of [`from_term`](crate::from_term)), and the result written
    /// back the same way ([`to_term`](crate::to_term)), with no `Term` in
    /// between. In the caller:
    /// - an argument that does not decode raises `(:badarg, (position,
    ///   expected))`, position counting from 1;
    /// - a result `Err(e)` raises `e`'s term (a `String` as that string,
    ///   a unit enum variant as its atom; [`HostError`](crate::HostError)
    ///   for errors that are only `Display`), caught as `(:error, reason)`;
    /// - a panic raises `(:native_panic, message)`; uncaught, the process
    ///   ends with a crash report, and every other process goes on.
    ///
    /// The closure runs on a scheduler thread: it must not block (use
    /// [`Vm::register_blocking_fn`] for work that waits).
    ///
    /// # Examples
    /// ```
    /// let vm = reef_vm::Vm::builder().env_path(false).build();
    /// vm.register_fn("host", "add", |a: i64, b: i64| a + b);
    /// vm.register_fn("host", "parse", |s: String| s.parse::<i64>().map_err(|e| e.to_string()));
    /// vm.load_source("m", "m.reef", r#"
    /// pub fn run() {
    ///   let bad = try { host.parse("x") } catch { (:error, why) => why }
    ///   (host.add(1, host.parse("41")), bad)
    /// }"#).unwrap();
    /// let r = vm.call("m", "run", vec![]).unwrap();
    /// assert_eq!(r.to_string(), r#"(42, "invalid digit found in string")"#);
    /// ```
    pub fn register_fn<Args, F: HostFunction<Args>>(&self, module: &str, name: &str, f: F) {
        let host: HostFn = Arc::new(move |_: &mut Ctx<'_>, args: &[Value]| {
            let decoded = F::decode(args).map_err(Exception::error)?;
            f.invoke(decoded).map_err(Exception::error)
        });
        self.rt
            .register_native(mfa(module, name, F::ARITY), Native::Host(host));
    }

    /// As [`Vm::register_fn`], for a closure that blocks (a database
    /// query, a file, a network call): it runs on the VM's dirty I/O
    /// threads, and the calling process waits for it as in a receive, so
    /// its scheduler thread runs other processes meanwhile. Arguments are
    /// decoded in the caller before the job starts; errors and panics are
    /// raised in the caller as by `register_fn`.
    ///
    /// The pool has 10 threads (BEAM's default number of dirty I/O
    /// schedulers): an eleventh blocking call waits for one to be free.
    ///
    /// # Examples
    /// ```
    /// let vm = reef_vm::Vm::builder().env_path(false).build();
    /// vm.register_blocking_fn("db", "slow_square", |n: i64| {
    ///     std::thread::sleep(std::time::Duration::from_millis(10));
    ///     n * n
    /// });
    /// vm.load_source("m", "m.reef", "pub fn run() { db.slow_square(12) }").unwrap();
    /// assert_eq!(vm.call("m", "run", vec![]).unwrap().as_int(), Some(144));
    /// ```
    pub fn register_blocking_fn<Args, F: HostFunction<Args>>(
        &self,
        module: &str,
        name: &str,
        f: F,
    ) {
        if self.rt.code.get(Atom::new(WAIT_MODULE)).is_none() {
            let loaded = crate::loader::load_source(
                &self.rt,
                WAIT_MODULE,
                "reef_host.reef",
                WAIT_SOURCE,
                None,
                &mut Vec::new(),
                // The VM's own helper: a sandbox lets it in as it does the
                // host's modules.
                true,
            );
            debug_assert!(loaded.is_ok(), "the wait module compiles");
        }
        let wait = (Atom::new(WAIT_MODULE), Atom::new("wait"));
        let f = Arc::new(f);
        let host: HostFn = Arc::new(move |ctx: &mut Ctx<'_>, args: &[Value]| {
            let decoded = F::decode(args).map_err(Exception::error)?;
            let f = f.clone();
            let pending = ctx.dirty_io(Box::new(move || {
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f.invoke(decoded)))
                    .unwrap_or_else(|p| Err(native_panic(&p)))
            }));
            let r = match &pending {
                Value::Tuple(t) if t.len() == 2 => t[1].clone(),
                _ => return Ok(pending),
            };
            ctx.apply(ext_fun(wait.0, wait.1, 1), vec![r])
        });
        self.rt
            .register_native(mfa(module, name, F::ARITY), Native::Host(host));
    }
}
