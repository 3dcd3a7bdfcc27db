//! Exceptions: raising, stack traces, unwinding to a handler, and what an
//! uncaught exception makes of the process's exit reason.
//!
//! Error reasons follow ARCHITECTURE.md ("Errors"). An uncaught error ends
//! the process with `(reason, stacktrace)`, an uncaught throw with
//! `((:nocatch, value), stacktrace)`, an exit with its reason. A stack trace
//! is a list of `(module, function, arity, file, line)`, innermost first.

use std::fmt::Write;

use reef_bytecode::ExcClass;

use crate::code::{FunctionCode, LoadedModule};
use crate::process::{HandlerKind, Process};
use crate::value::{print, Atom, Value};

/// How many frames a stack trace keeps (innermost first). Erlang keeps 8;
/// a few more help with Reef's many small functions, and a 1,000,000-deep
/// recursion that fails must not build a million tuples.
pub const TRACE_DEPTH: usize = 20;

/// A raised exception on its way to a handler.
// The raw native interface: `#[doc(hidden)]` at the crate root, not part
// of the embedding API (hosts use `Term`), so not documented item by item.
#[allow(missing_docs)]
pub struct Exception {
    pub class: ExcClass,
    pub reason: Value,
    /// Set once the trace has been taken (a re-raise keeps the original).
    pub trace: Option<Value>,
    /// Why, in words, where the cause is a common mistake (`"a" ++ "b"`):
    /// printed as a `** hint:` line of the crash report if the exception
    /// ends the process. Never part of the reason, which stays Erlang's.
    pub hint: Option<&'static str>,
}

// The raw native interface: `#[doc(hidden)]` at the crate root, not part
// of the embedding API (hosts use `Term`), so not documented item by item.
#[allow(missing_docs)]
impl Exception {
    pub fn error(reason: Value) -> Exception {
        Exception {
            class: ExcClass::Error,
            reason,
            trace: None,
            hint: None,
        }
    }

    pub fn throw(value: Value) -> Exception {
        Exception {
            class: ExcClass::Throw,
            reason: value,
            trace: None,
            hint: None,
        }
    }

    pub fn exit(reason: Value) -> Exception {
        Exception {
            class: ExcClass::Exit,
            reason,
            trace: None,
            hint: None,
        }
    }

    /// `:badarg`
    pub fn badarg() -> Exception {
        Exception::error(Value::Atom(Atom::BADARG))
    }

    /// `:badarg`, with a hint for the crash report.
    pub fn badarg_because(hint: &'static str) -> Exception {
        Exception {
            hint: Some(hint),
            ..Exception::badarg()
        }
    }

    /// `:badarith`
    pub fn badarith() -> Exception {
        Exception::error(Value::Atom(Atom::BADARITH))
    }

    /// `(tag, value)` as an error, e.g. `(:badmatch, v)`.
    pub fn tagged(tag: Atom, v: Value) -> Exception {
        Exception::error(Value::tuple(vec![Value::Atom(tag), v]))
    }
}

impl std::fmt::Debug for Exception {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", class_atom(self.class).name(), self.reason)
    }
}

pub fn class_atom(class: ExcClass) -> Atom {
    match class {
        ExcClass::Error => Atom::ERROR,
        ExcClass::Exit => Atom::new("exit"),
        ExcClass::Throw => Atom::THROW,
    }
}

pub fn class_of_atom(a: Atom) -> Option<ExcClass> {
    match a.name() {
        "error" => Some(ExcClass::Error),
        "exit" => Some(ExcClass::Exit),
        "throw" => Some(ExcClass::Throw),
        _ => None,
    }
}

/// How a process ended when an exception was not caught.
pub struct Exit {
    pub class: ExcClass,
    /// The exception's own reason (the thrown value for a throw).
    pub raised: Value,
    pub trace: Value,
    /// The exception's hint, if it had one ([`Exception::hint`]).
    pub hint: Option<&'static str>,
}

impl Exit {
    /// An end by an exit signal (or a VM-imposed limit): no stack trace.
    pub fn signal(reason: Value) -> Exit {
        Exit {
            class: ExcClass::Exit,
            raised: reason,
            trace: Value::Nil,
            hint: None,
        }
    }

    /// The process's exit reason, as links and monitors will see it.
    pub fn reason(&self) -> Value {
        match self.class {
            ExcClass::Error => Value::tuple(vec![self.raised.clone(), self.trace.clone()]),
            ExcClass::Throw => Value::tuple(vec![
                Value::tuple(vec![Value::Atom(Atom::NOCATCH), self.raised.clone()]),
                self.trace.clone(),
            ]),
            ExcClass::Exit => self.raised.clone(),
        }
    }

    /// Whether this ending is worth a crash report: not `:normal`,
    /// `:shutdown` or `(:shutdown, _)`.
    pub fn is_abnormal(&self) -> bool {
        if self.class != ExcClass::Exit {
            return true;
        }
        match &self.raised {
            Value::Atom(a) => *a != Atom::NORMAL && *a != Atom::SHUTDOWN,
            Value::Tuple(t) => !(t.len() == 2 && matches!(t[0], Value::Atom(Atom::SHUTDOWN))),
            _ => true,
        }
    }
}

/// The crash report of a process (spec 6.4): its pid, the class and
/// reason in inspect form, shortened to `Limits::REPORT` (a reason may be
/// a list of millions or a term nested a million deep), and one line per
/// frame of the stack trace:
/// ```text
/// ** process #PID<0.1.0> crashed: error :badarith
/// **   in app.divide/2 (app.reef:7)
/// ```
/// An exception raised for a common mistake adds a `** hint: ...` line
/// after the first (spec 6.4).
///
/// A failed assertion (`assert_eq(x + 1, 3)` outside `reef test`, spec
/// 14.2) is reported by its fields rather than as the map it raised:
/// ```text
/// ** process #PID<0.1.0> crashed: assertion failed (app.reef:3)
/// **   assert_eq(x + 1, 3)
/// **   Assertion with == failed
/// **   left:  2
/// **   right: 3
/// ```
/// and its trace leaves out the assertion module's own frames.
pub fn crash_report(pid: &Value, exit: &Exit) -> String {
    let mut out = String::new();
    let class = class_atom(exit.class).name();
    let assertion = match exit.class {
        ExcClass::Error => assertion_fields(&exit.raised),
        _ => None,
    };
    if let Some(fields) = assertion {
        write_assertion(&mut out, pid, fields);
        let trace: Vec<Value> = exit
            .trace
            .iter_list()
            .filter(
                |e| !matches!(e.as_tuple(), Some([Value::Atom(m), ..]) if m.name() == "assertions"),
            )
            .cloned()
            .collect();
        write_trace(&mut out, &Value::list(trace));
        return out;
    }
    let _ = writeln!(
        out,
        "** process {} crashed: {class} {}",
        print::inspect(pid),
        print::inspect_limited(&exit.raised, &print::Limits::REPORT)
    );
    if let Some(hint) = exit.hint {
        let _ = writeln!(out, "** hint: {hint}");
    }
    if exit.class != ExcClass::Exit {
        write_trace(&mut out, &exit.trace);
    }
    out
}

/// The fields of `(:assertion_failed, #{...})`, the reason the assertion
/// built-ins raise (`stdlib/lib/assertions.reef`).
fn assertion_fields(raised: &Value) -> Option<&crate::value::MapRef> {
    match raised.as_tuple()? {
        [Value::Atom(tag), Value::Map(fields)] if tag.name() == "assertion_failed" => Some(fields),
        _ => None,
    }
}

/// The lines of a failed assertion: where, its source text, its message
/// and the values it compared, each shortened like a reason.
fn write_assertion(out: &mut String, pid: &Value, fields: &crate::value::MapRef) {
    let get = |key: &str| fields.get(&Value::atom(key));
    let short = |v: &Value| print::inspect_limited(v, &print::Limits::REPORT);
    let at = match (get("file"), get("line")) {
        (Some(Value::Str(f)), Some(Value::Int(l))) => format!(" ({f}:{l})"),
        _ => String::new(),
    };
    let _ = writeln!(
        out,
        "** process {} crashed: assertion failed{at}",
        print::inspect(pid)
    );
    for key in ["expr", "message"] {
        match get(key) {
            Some(Value::Str(text)) => {
                for line in text.lines() {
                    let _ = writeln!(out, "**   {line}");
                }
            }
            Some(other) => {
                let _ = writeln!(out, "**   {}", short(other));
            }
            None => {}
        }
    }
    for (key, label) in [
        ("value", "value: "),
        ("left", "left:  "),
        ("right", "right: "),
    ] {
        if let Some(v) = get(key) {
            let _ = writeln!(out, "**   {label}{}", short(v));
        }
    }
}

/// The `**   in module.function/arity (file:line)` lines of a stack trace.
/// A trace that `reraise` was given may be any list: at most
/// `TRACE_DEPTH` lines are written, each part shortened like a reason.
pub fn write_trace(out: &mut String, trace: &Value) {
    let text = |v: &Value| match v {
        Value::Atom(a) => a.name().to_string(),
        _ => print::inspect_limited(v, &print::Limits::REPORT),
    };
    for entry in trace.iter_list().take(TRACE_DEPTH) {
        let Some([m, f, a, file, line]) = entry
            .as_tuple()
            .and_then(|t| <&[Value; 5]>::try_from(t).ok())
        else {
            continue;
        };
        let (m, f, a) = (text(m), text(f), text(a));
        let file = match file {
            Value::Str(s) => s.chars().take(print::Limits::REPORT.chars).collect(),
            _ => text(file),
        };
        let _ = match line {
            Value::Int(l) if *l > 0 => writeln!(out, "**   in {m}.{f}/{a} ({file}:{l})"),
            _ => writeln!(out, "**   in {m}.{f}/{a} ({file})"),
        };
    }
}

fn trace_entry(m: &LoadedModule, f: &FunctionCode, pc: usize) -> Value {
    Value::tuple(vec![
        Value::Atom(m.name),
        Value::Atom(f.name),
        Value::Int(f.arity as i64),
        Value::Str(std::sync::Arc::new(m.file.to_string())),
        Value::Int(f.line_of(pc) as i64),
    ])
}

/// The stack trace at the instruction `pc` of the current function.
/// Natives do not appear (spec 6.3): the innermost frame is the Reef
/// function that called the failing built-in.
pub fn build_trace(p: &Process, pc: usize) -> Value {
    let mut entries = Vec::new();
    if !p.fun.is_null() {
        // SAFETY: code pointers of a process point into live modules.
        let (m, f) = unsafe { (&*p.module, &*p.fun) };
        entries.push(trace_entry(m, f, pc));
    }
    for fr in p.frames.iter().rev() {
        if entries.len() >= TRACE_DEPTH {
            break;
        }
        // SAFETY: as above. `fr.pc` is the instruction after the call.
        let (m, f) = unsafe { (&*fr.module(), &*fr.fun) };
        entries.push(trace_entry(m, f, (fr.pc as usize).saturating_sub(1)));
    }
    entries.truncate(TRACE_DEPTH);
    Value::list(entries)
}

/// Unwinds to the innermost live handler. On success the process's saved
/// state (`module`, `fun`, `pc`, `base`) is the handler's and `Ok` is
/// returned; an uncaught exception gives the process's ending. `pc` is the
/// index of the instruction that raised.
pub fn unwind(p: &mut Process, mut exc: Exception, pc: usize) -> Result<(), Exit> {
    // A limit killed it (`heap::reserve`): no handler may catch that.
    if let Some(reason) = p.pending_exit.take() {
        return Err(Exit::signal(reason));
    }
    // A guard handler on top needs no trace: the guard is simply false.
    let guard_on_top = matches!(p.handlers.last(), Some(h) if h.kind == HandlerKind::Guard);
    if exc.trace.is_none() && !guard_on_top {
        exc.trace = Some(build_trace(p, pc));
    }
    while let Some(h) = p.handlers.pop() {
        let d = h.depth as usize;
        let (module, fun, base) = if d == p.frames.len() {
            (p.module, p.fun, p.base)
        } else if d < p.frames.len() {
            let fr = p.frames[d];
            (fr.module(), fr.fun, fr.base)
        } else {
            continue; // its frame is gone
        };
        if fun != h.fun || base != h.base {
            continue; // a stale handler of a frame that returned
        }
        p.frames.truncate(d);
        p.module = module;
        p.fun = fun;
        p.base = base;
        p.pc = h.label;
        p.recv_deadline = None;
        p.mailbox.reset_cursor();
        if let HandlerKind::Try { dst } = h.kind {
            let trace = exc.trace.take().unwrap_or_else(|| build_trace(p, pc));
            let at = base as usize + dst as usize;
            p.regs[at] = Value::Atom(class_atom(exc.class));
            p.regs[at + 1] = exc.reason;
            p.regs[at + 2] = trace;
        }
        return Ok(());
    }
    let trace = exc.trace.take().unwrap_or_else(|| build_trace(p, pc));
    Err(Exit {
        class: exc.class,
        raised: exc.reason,
        trace,
        hint: exc.hint,
    })
}

#[cold]
#[inline(never)]
pub(super) fn function_clause(m: &LoadedModule, f: &FunctionCode, args: &[Value]) -> Exception {
    Exception::tagged(
        Atom::FUNCTION_CLAUSE,
        Value::tuple(vec![
            Value::Atom(m.name),
            Value::Atom(f.name),
            Value::list(args.to_vec()),
        ]),
    )
}

#[cold]
#[inline(never)]
pub(super) fn internal(what: &str) -> Exception {
    Exception::tagged(Atom::BADARG, Value::str(format!("internal error: {what}")))
}

/// The exception of a `Raise` instruction: class 0 error, 1 exit, 2 throw.
#[cold]
#[inline(never)]
pub(super) fn raised(class: u8, reason: &Value) -> Exception {
    let class = match class {
        0 => ExcClass::Error,
        1 => ExcClass::Exit,
        _ => ExcClass::Throw,
    };
    Exception {
        class,
        reason: reason.clone(),
        trace: None,
        hint: None,
    }
}

/// The exception of a `Reraise`: the caught class, reason and stack trace
/// in three registers.
#[cold]
#[inline(never)]
pub(super) fn reraised(caught: &[Value]) -> Exception {
    let class = caught[0]
        .as_atom()
        .and_then(class_of_atom)
        .unwrap_or(ExcClass::Error);
    Exception {
        class,
        reason: caught[1].clone(),
        trace: Some(caught[2].clone()),
        hint: None,
    }
}
