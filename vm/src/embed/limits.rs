//! Limits the host sets on one process: [`Vm::spawn_opts`] with a heap
//! limit, a reduction budget, and a link or monitor from a host mailbox
//! so the host learns how the process ended. (The VM-wide limits are
//! `VmBuilder::max_processes`, `max_atoms`, `max_memory`.)

use crate::embed::mailbox::HostMailbox;
use crate::process::{Process, Start};
use crate::value::{Atom, Pid, Ref, Value};
use crate::{native, Crash, Term, Vm};

/// How [`Vm::spawn_opts`] starts a process. Every field is optional
/// (`SpawnOptions::default()` is a plain `spawn`).
#[derive(Clone, Copy, Default)]
pub struct SpawnOptions<'a> {
    /// The most words its heap (its terms, stack and mailbox) may hold,
    /// as `process.max_heap`: past it the process is killed with
    /// `(:max_heap, words, limit)`, untrappable, before it holds twice
    /// the limit.
    pub max_heap: Option<u64>,
    /// The most reductions (function calls and loop steps, roughly) it
    /// may run in all: past it the process is killed with
    /// `(:system_limit, :reductions)`. Checked at the end of each slice,
    /// so it may run up to one slice (4,000 reductions) past the budget.
    pub max_reductions: Option<u64>,
    /// Links the process to this host mailbox: when it ends, the mailbox
    /// gets `(:EXIT, pid, reason)` (whatever the reason, `:normal` too).
    /// The host's end sends nothing: dropping the mailbox does not end
    /// the process (use [`Vm::exit`]).
    pub link: Option<&'a HostMailbox>,
    /// Monitors the process from this host mailbox: when it ends, the
    /// mailbox gets `(:DOWN, ref, :process, pid, reason)`, `ref` being
    /// [`Spawned::monitor`].
    pub monitor: Option<&'a HostMailbox>,
}

/// A process [`Vm::spawn_opts`] started.
#[derive(Clone, Debug, PartialEq)]
pub struct Spawned {
    /// Its pid.
    pub pid: Term,
    /// The reference of the monitor, if one was asked for: the `ref` of
    /// its `:DOWN` message.
    pub monitor: Option<Term>,
}

impl Vm {
    /// Starts a process running `module.function(args...)` under the
    /// limits and with the link or monitor `opts` asks for. Fails with
    /// reason `:system_limit` when the VM already runs `max_processes`.
    ///
    /// # Examples
    ///
    /// ```
    /// # use std::time::Duration;
    /// # use reef_vm::{SpawnOptions, Term, Vm};
    /// let vm = Vm::builder().env_path(false).build();
    /// vm.load_source("m", "m.reef", "pub fn spin(n) { spin(n + 1) }")?;
    /// let inbox = vm.mailbox();
    /// let opts = SpawnOptions {
    ///     max_reductions: Some(100_000),
    ///     monitor: Some(&inbox),
    ///     ..Default::default()
    /// };
    /// let p = vm.spawn_opts("m", "spin", vec![Term::Int(0)], opts).expect("spawned");
    /// let down = inbox.recv(Duration::from_secs(5)).expect(":DOWN");
    /// let reason = Term::Tuple(vec![Term::atom("system_limit"), Term::atom("reductions")]);
    /// assert_eq!(
    ///     down,
    ///     Term::Tuple(vec![
    ///         Term::atom("DOWN"),
    ///         p.monitor.unwrap(),
    ///         Term::atom("process"),
    ///         p.pid,
    ///         reason,
    ///     ])
    /// );
    /// # Ok::<(), reef_vm::LoadError>(())
    /// ```
    pub fn spawn_opts(
        &self,
        module: &str,
        function: &str,
        args: Vec<Term>,
        opts: SpawnOptions<'_>,
    ) -> Result<Spawned, Crash> {
        if self.rt.scheduler.table.len() >= self.rt.limits.max_processes {
            return Err(Crash {
                pid: Term::Pid(0),
                reason: Term::atom("system_limit"),
                report: format!(
                    "** cannot spawn {module}.{function}: the VM runs its limit of {} processes (:system_limit)\n",
                    self.rt.limits.max_processes
                ),
            });
        }
        if self.rt.scheduler.is_stopped() {
            return Err(crate::embed::call::vm_stopped(Pid(0)));
        }
        let fun = native::ext_fun(Atom::new(module), Atom::new(function), args.len() as u32);
        let pid = self.rt.new_pid();
        let mut p = Process::new(pid);
        p.start = Some(Box::new(Start {
            fun,
            args: args.iter().map(Term::to_value).collect(),
        }));
        if let Some(words) = opts.max_heap.filter(|&w| w > 0) {
            p.max_heap = std::num::NonZeroU64::new(words);
            // Measured at the end of its first slice, then amortised.
            p.alloc_check = 0;
        }
        p.max_reductions = opts.max_reductions;
        if let Some(mb) = opts.link {
            p.links_mut().linked.insert(mb.entry.pid);
        }
        let mut monitor = None;
        if let Some(mb) = opts.monitor {
            let r: Ref = self.rt.new_ref();
            p.links_mut().monitored_by.insert(r, mb.entry.pid);
            monitor = Some(Term::Ref(r.0));
        }
        self.rt.scheduler.spawn(Box::new(p));
        Ok(Spawned {
            pid: Term::Pid(pid.0),
            monitor,
        })
    }
}

/// The reason to end `p` if it ran past its reduction budget
/// (`SpawnOptions::max_reductions`): `(:system_limit, :reductions)`.
pub(crate) fn over_reductions(p: &Process) -> Option<Value> {
    let max = p.max_reductions?;
    (p.reductions > max).then(|| {
        Value::tuple(vec![
            Value::Atom(Atom::SYSTEM_LIMIT),
            Value::atom("reductions"),
        ])
    })
}

/// The embedding guide's chapter on limits, its examples run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../../docs/embedding/limits.md")]
pub struct GuideLimits;
