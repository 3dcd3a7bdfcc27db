//! Natives: built-in functions written in Rust, one file per module. A
//! native takes its arguments as a slice and returns a value or raises an
//! [`Exception`]; the [`Ctx`] gives it the calling process and the runtime
//! (for `self()`, `spawn`, `send`, output). A native that must call a Reef
//! function (`apply`) asks the interpreter to do it with [`Ctx::apply`], so
//! the Reef stack never nests inside the Rust stack.

pub mod bits;
pub mod bytes;
pub mod file;
pub mod io;
pub mod json;
pub mod kernel;
pub mod lists;
pub mod lists_extra;
pub mod maps;
pub mod math;
pub mod node;
pub mod os;
pub mod path;
pub mod process;
pub mod random;
pub mod regex;
pub mod sets;
pub mod strings;
pub mod strings_format;
mod system;
pub mod time;
pub mod timer;

use std::rc::Rc;

use crate::exports::{Mfa, Native, NativeFn, OwningFn};
use crate::interp::Exception;
use crate::mailbox::Message;
use crate::process::{Process, Start, Status};
use crate::runtime::Runtime;
use crate::signal::Signal;
use crate::value::copy::deep_copy;
use crate::value::{Atom, Closure, MapData, Pid, Ref, Value};

/// What a native sees of the world.
pub struct Ctx<'a> {
    pub(crate) rt: &'a Runtime,
    pub(crate) proc: &'a mut Process,
    /// A call the native asked the interpreter to make in its place.
    pub(crate) trap: Option<Start>,
    /// Reductions the native used beyond the call's one (`charge`).
    pub(crate) charged: u32,
    /// The words the native allocated, when it knows them exactly (an
    /// in-place update of a unique map: only a new key's); else the heap
    /// estimate takes them from `charged` (`heap::native_words`).
    pub(crate) allocated: Option<usize>,
}

impl<'a> Ctx<'a> {
    pub(crate) fn new(rt: &'a Runtime, proc: &'a mut Process) -> Ctx<'a> {
        Ctx {
            rt,
            proc,
            trap: None,
            charged: 0,
            allocated: None,
        }
    }

    /// The words the native allocated, for the heap estimate: what it
    /// said (`allocated`), else the estimate from the reductions it
    /// charged (`heap::native_words`).
    #[inline]
    pub(crate) fn allocated_words(&self) -> usize {
        match self.allocated {
            Some(w) => w,
            None => crate::heap::native_words(self.charged),
        }
    }

    /// Charges the calling process for work in proportion to its size
    /// (about one reduction per four list elements or 64 bytes walked), so
    /// a process that calls natives on long data yields as soon as it has
    /// used its slice, as one that did the same work in Reef would.
    pub fn charge(&mut self, reductions: usize) {
        let r = u32::try_from(reductions).unwrap_or(u32::MAX);
        self.charged = self.charged.saturating_add(r);
    }

    /// Hands `job` to the dirty schedulers (`dirty.rs`) and returns what
    /// the native gives back meanwhile: `(:dirty, ref)`, which the Reef
    /// half of the function waits on.
    pub(crate) fn dirty(&mut self, job: crate::dirty::Job) -> Value {
        let r = self.rt.new_ref();
        let rt = self.rt.this.get().cloned().unwrap_or_default();
        self.rt.dirty.submit(&rt, self.proc.pid, r, job);
        crate::dirty::pending(r)
    }

    /// Hands `job` to the dirty I/O schedulers, as [`Ctx::dirty`] does to
    /// the CPU ones: for work that blocks on a file, a pipe or a child.
    pub(crate) fn dirty_io(&mut self, job: crate::dirty::Job) -> Value {
        let r = self.rt.new_ref();
        let rt = self.rt.this.get().cloned().unwrap_or_default();
        self.rt.io.submit(&rt, self.proc.pid, r, job);
        crate::dirty::pending(r)
    }

    /// The calling process.
    pub fn self_pid(&self) -> Pid {
        self.proc.pid
    }

    /// A new unique reference.
    pub fn make_ref(&self) -> Ref {
        self.rt.new_ref()
    }

    /// Writes program output (stdout, or the host's sink).
    pub fn write_out(&self, s: &str) {
        self.rt.write_out(s);
    }

    /// Flushes program output.
    pub fn flush_out(&self) {
        self.rt.flush_out();
    }

    /// Makes the native's result the result of calling `fun` with `args`:
    /// return what this returns, and the interpreter makes the call (as a
    /// tail call of the native).
    pub fn apply(&mut self, fun: Value, args: Vec<Value>) -> Result<Value, Exception> {
        self.trap = Some(Start { fun, args });
        Ok(Value::Nil)
    }

    /// Starts a process running `fun()` (a function of no arguments),
    /// linked to the caller if `link`, monitored with `monitor` if given.
    pub fn spawn_opts(
        &mut self,
        fun: &Value,
        link: bool,
        monitor: Option<Ref>,
    ) -> Result<Pid, Exception> {
        match fun {
            Value::Fun(c) if c.arity() == 0 => {}
            Value::Fun(_) => {
                return Err(Exception::badarg_because(
                    "spawn needs a function of no arguments: to run `f(x)` in a new process, write `spawn(fn() { f(x) })`",
                ))
            }
            _ => {
                return Err(Exception::badarg_because(
                    "spawn needs a function of no arguments, as in `spawn(fn() { ... })`",
                ))
            }
        }
        if self.rt.scheduler.table.len() >= self.rt.limits.max_processes {
            return Err(crate::heap::system_limit());
        }
        let pid = self.rt.new_pid();
        let mut p = Box::new(Process::new(pid));
        p.start = Some(Box::new(Start {
            fun: deep_copy(fun),
            args: Vec::new(),
        }));
        p.status = Status::Runnable;
        let me = self.proc.pid;
        if link {
            p.links_mut().linked.insert(me);
            self.proc.links_mut().linked.insert(pid);
        }
        if let Some(r) = monitor {
            p.links_mut().monitored_by.insert(r, me);
            let watched = crate::links::Watched { pid, name: None };
            self.proc.links_mut().monitoring.insert(r, watched);
        }
        self.rt.scheduler.spawn(p);
        Ok(pid)
    }

    /// Reserves the words of a term this native is about to build in one
    /// step: `:system_limit` past the VM's ceiling, the max_heap kill past
    /// the process's limit (`heap::reserve`).
    pub fn reserve(&mut self, words: usize) -> Result<(), Exception> {
        crate::heap::reserve(self.proc, words, self.rt.term_ceiling())
    }

    /// Starts a process running `fun()`.
    pub fn spawn(&mut self, fun: &Value) -> Result<Pid, Exception> {
        self.spawn_opts(fun, false, None)
    }

    /// Sends a copy of `msg` to `dest` (a pid, a registered name, or
    /// `(name, node)`).
    pub fn send(&mut self, dest: &Value, msg: &Value) -> Result<(), Exception> {
        send(self.rt, self.proc, dest, msg, false)
    }
}

/// `dest ! msg`: a message to a dead process is dropped; an unregistered
/// name is `:badarg`, as in Erlang. With `may_block`, a send to another
/// process whose `max_queue` is full sends nothing and sets
/// `p.blocked_on` (the interpreter parks the sender and runs the send
/// again when there is room).
pub(crate) fn send(
    rt: &Runtime,
    p: &mut Process,
    dest: &Value,
    msg: &Value,
    may_block: bool,
) -> Result<(), Exception> {
    let pid = match dest {
        Value::Pid(pid) => *pid,
        Value::Atom(name) => rt
            .scheduler
            .table
            .whereis(*name)
            .ok_or_else(Exception::badarg)?,
        Value::Tuple(t) if t.len() == 2 => match (&t[0], &t[1]) {
            (Value::Atom(name), Value::Atom(node)) if *node == this_node(rt) => {
                match rt.scheduler.table.whereis(*name) {
                    Some(pid) => pid,
                    None => return Ok(()),
                }
            }
            // A name on another node: through its connection (dropped
            // if this node is not alive, as to a name nobody holds).
            (Value::Atom(name), Value::Atom(node)) => {
                if let Some(d) = rt.scheduler.dist().cloned() {
                    if d.reg_send(p.pid, *name, *node, msg, may_block)
                        == crate::dist::control::Sent::Busy
                    {
                        return busy(p, may_block);
                    }
                }
                return Ok(());
            }
            _ => return Err(Exception::badarg()),
        },
        _ => return Err(Exception::badarg()),
    };
    if !pid.is_local() {
        if let Some(d) = rt.scheduler.dist().cloned() {
            if d.send(p.pid, pid, msg, may_block) == crate::dist::control::Sent::Busy {
                return busy(p, may_block);
            }
        }
        return Ok(());
    }
    if pid == p.pid {
        // To itself: never waits (it could never make room).
        let copy = Message::copy_of(msg);
        p.alloc += copy.words() + 2;
        p.mailbox.push(copy.into_value());
    } else {
        let cached = p.send_cache.as_ref().is_some_and(|e| e.pid == pid);
        if !cached {
            match rt.scheduler.table.get(pid) {
                Some(e) => p.send_cache = Some(e),
                None => return Ok(()), // gone: the message is dropped
            }
        }
        if let Some(e) = &p.send_cache {
            if may_block && rt.scheduler.is_full(e) {
                p.blocked_on = Some(e.clone());
                return Ok(());
            }
            rt.scheduler
                .deliver_to(e, Signal::Message(Message::copy_of(msg)));
        }
    }
    Ok(())
}

/// The connection to another node has a long queue: the sender yields
/// and runs the send again (`p.send_busy`; spec 13, back-pressure). A
/// send that may not wait (`send/2` called as a function) goes through
/// the queue regardless.
fn busy(p: &mut Process, may_block: bool) -> Result<(), Exception> {
    if may_block {
        p.send_busy = true;
    }
    Ok(())
}

/// This node's name (`nonode@nohost` until distribution names it).
pub fn this_node(rt: &Runtime) -> Atom {
    rt.nodes.local().0
}

type Table = &'static [(&'static str, u32, NativeFn)];

/// Every built-in native table, by module.
fn builtin_tables() -> [(&'static str, Table); 25] {
    [
        ("timer", timer::NATIVES),
        ("kernel", kernel::NATIVES),
        ("kernel", process::KERNEL),
        ("kernel", node::KERNEL),
        ("kernel", bits::NATIVES),
        ("node", node::NODE),
        ("process", process::PROCESS),
        ("io", io::NATIVES),
        ("lists", lists::NATIVES),
        ("maps", maps::NATIVES),
        ("strings", strings::NATIVES),
        ("math", math::NATIVES),
        ("bytes", bytes::NATIVES),
        ("file", file::NATIVES),
        ("path", path::NATIVES),
        ("os", os::NATIVES),
        ("kernel", os::KERNEL),
        ("time", time::NATIVES),
        ("lists", lists_extra::NATIVES),
        ("strings", strings_format::NATIVES),
        ("json", json::NATIVES),
        ("regex", self::regex::NATIVES),
        ("random", random::NATIVES),
        ("sets", sets::NATIVES),
        ("system", system::NATIVES),
    ]
}

/// `(module, name, arity)` of every built-in native: what a user can
/// call, with the internal halves (`__sort`) included; the spec test
/// (tests/spec_stdlib.rs) checks that every public one is documented.
pub fn builtin_names() -> Vec<(&'static str, &'static str, u32)> {
    builtins().map(|(m, n, a, _)| (m, n, a)).collect()
}

/// Registers every built-in native.
pub(crate) fn register_builtins(rt: &Runtime) {
    for (module, name, arity, native) in builtins() {
        let mfa = Mfa {
            module: Atom::new(module),
            name: Atom::new(name),
            arity,
        };
        rt.register_native(mfa, native);
    }
}

/// Every built-in native: `(module, name, arity, native)`.
fn builtins() -> impl Iterator<Item = (&'static str, &'static str, u32, Native)> {
    let plain = builtin_tables().into_iter().flat_map(|(m, t)| {
        t.iter()
            .map(move |&(n, a, f)| (m, n, a, Native::Builtin(f)))
    });
    let owning = owning_tables()
        .into_iter()
        .flat_map(|(m, t)| t.iter().map(move |&(n, a, f)| (m, n, a, Native::Owning(f))));
    plain.chain(owning)
}

/// A module's table of natives that may consume their arguments.
type OwningTable = &'static [(&'static str, u32, OwningFn)];

/// The natives that may consume their arguments (`exports::OwningFn`), by
/// module.
fn owning_tables() -> [(&'static str, OwningTable); 3] {
    [
        ("maps", maps::OWNING),
        ("kernel", kernel::OWNING),
        ("lists", lists::OWNING),
    ]
}

// ---- argument helpers: a wrong type is `:badarg` ----

pub fn int(v: &Value) -> Result<i64, Exception> {
    match v {
        Value::Int(i) => Ok(*i),
        _ => Err(Exception::badarg()),
    }
}

/// A non-negative integer that fits in usize.
pub fn index(v: &Value) -> Result<usize, Exception> {
    match v {
        Value::Int(i) if *i >= 0 => Ok(*i as usize),
        _ => Err(Exception::badarg()),
    }
}

/// A number as a float: `:badarg` for a non-number, `:badarith` for a
/// big integer too large for a float (as Erlang's `math` functions).
pub fn float(v: &Value) -> Result<f64, Exception> {
    match crate::value::number::to_f64(v) {
        Some(f) => Ok(f),
        None if v.is_number() => Err(Exception::badarith()),
        None => Err(Exception::badarg()),
    }
}

pub fn string(v: &Value) -> Result<&str, Exception> {
    v.as_str().ok_or_else(Exception::badarg)
}

pub fn atom(v: &Value) -> Result<Atom, Exception> {
    v.as_atom().ok_or_else(Exception::badarg)
}

/// The elements of a proper list.
pub fn list(v: &Value) -> Result<Vec<Value>, Exception> {
    v.list_to_vec().ok_or_else(Exception::badarg)
}

/// A map, or `(:badmap, v)`.
pub fn map(v: &Value) -> Result<&MapData, Exception> {
    match v {
        Value::Map(m) => Ok(m),
        _ => Err(Exception::tagged(Atom::BADMAP, v.clone())),
    }
}

pub fn new_map(m: MapData) -> Value {
    Value::map(m)
}

/// A function value for `module.name/arity`.
pub fn ext_fun(module: Atom, name: Atom, arity: u32) -> Value {
    Value::Fun(Rc::new(Closure::External {
        module,
        name,
        arity,
    }))
}
