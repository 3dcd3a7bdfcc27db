//! The slow side of calls: calling a function value in general (natives,
//! `&module.name/arity`, wrong arity, not a function), resolving an import
//! whose module is not loaded yet, and growing the register stack.

use std::path::Path;
use std::sync::Arc;

use super::regs::move_reg;
use super::Exception;
use crate::code::{FunctionCode, LoadedModule};
use crate::exports::{ExportEntry, Mfa, Target};
use crate::loader;
use crate::native::Ctx;
use crate::process::{Frame, Process};
use crate::runtime::Runtime;
use crate::value::{Atom, Closure, Value};

/// The most registers a process's stack may hold (2 GiB of values): far
/// beyond a 1,000,000-deep recursion, but a runaway one ends with
/// `:system_limit` instead of taking the machine's memory.
pub const MAX_REGS: usize = 1 << 27;

/// Grows the register stack to hold at least `need` registers.
#[cold]
#[inline(never)]
pub fn grow(p: &mut Process, need: usize) -> Result<(), Exception> {
    if need > MAX_REGS {
        return Err(Exception::error(Value::Atom(Atom::SYSTEM_LIMIT)));
    }
    // Start small (most processes are small and many are idle); double
    // after that, so deep recursion costs amortised O(1) per frame.
    let new_len = need.max(p.regs.len() * 2).clamp(4, MAX_REGS);
    // A big step (a runaway recursion doubles its stack) is checked
    // against the VM's memory ceiling now, not at the monitor's next
    // sample: past it, the process is killed as the monitor would.
    let grown = (new_len - p.regs.len()) * std::mem::size_of::<Value>();
    if grown >= 1 << 20 && crate::ceiling::would_pass(grown) {
        p.pending_exit = Some(crate::ceiling::memory_reason());
        return Err(Exception::error(Value::Atom(Atom::SYSTEM_LIMIT)));
    }
    // Counted toward its memory (`heap.rs`); checked at the slice's end.
    p.alloc += 2 * (new_len - p.regs.len());
    p.regs.resize(new_len, Value::Nil);
    Ok(())
}

/// `(:undef, (module, name, arity))`
pub fn undef(mfa: Mfa) -> Exception {
    Exception::tagged(
        Atom::UNDEF,
        Value::tuple(vec![
            Value::Atom(mfa.module),
            Value::Atom(mfa.name),
            Value::Int(mfa.arity as i64),
        ]),
    )
}

/// An entry with no target yet: load its module (looking beside the
/// calling module first) and look again; `:undef` if it is still missing.
#[cold]
#[inline(never)]
pub fn resolve_missing<'e>(
    rt: &Runtime,
    entry: &'e ExportEntry,
    from_dir: Option<&Path>,
) -> Result<&'e Target, Exception> {
    if let Err(e) = loader::ensure_loaded(rt, entry.mfa.module, from_dir) {
        rt.write_err(&format!("{e}\n"));
    }
    entry.target().ok_or_else(|| {
        rt.sandbox_refuses(entry.mfa)
            .unwrap_or_else(|| undef(entry.mfa))
    })
}

/// The module a code pointer of the process belongs to, as an `Arc` (to
/// put in a closure).
///
/// # Safety
/// `m` must come from `Arc::as_ptr` of a module the runtime keeps alive.
pub unsafe fn arc_of(m: *const LoadedModule) -> Arc<LoadedModule> {
    // SAFETY: per the contract, `m` is the pointer of a live `Arc`.
    unsafe {
        Arc::increment_strong_count(m);
        Arc::from_raw(m)
    }
}

/// Keeps a transient module (a REPL input) alive while the process may
/// have a frame in it: called when a closure enters one, since the closure
/// (the only other holder) may be dropped while its code still runs.
#[cold]
#[inline(never)]
pub fn pin(p: &mut Process, module: &Arc<LoadedModule>) {
    let pins = p.pins.get_or_insert_with(Default::default);
    if !pins.iter().any(|m| Arc::ptr_eq(m, module)) {
        pins.push(module.clone());
    }
}

/// `pin` for the closure `fun` (the interpreter's fast path).
#[cold]
#[inline(never)]
pub fn pin_closure(p: &mut Process, fun: &Value) {
    if let Value::Fun(c) = fun {
        if let Closure::Local { module, .. } = &**c {
            pin(p, module);
        }
    }
}

/// Enters `callee` of `module` with `args` (and `captured` after them):
/// as a new frame whose base is `b` registers above the current one, or,
/// for a tail call, in place of the current frame.
fn enter(
    p: &mut Process,
    module: *const LoadedModule,
    callee: &FunctionCode,
    b: usize,
    tail: bool,
    args: Vec<Value>,
    captured: &[Value],
) -> Result<(), Exception> {
    let base = if tail {
        p.base as usize
    } else {
        p.frames.push(Frame {
            fun: p.fun,
            pc: p.pc,
            base: p.base,
        });
        p.base as usize + b
    };
    let need = base + (callee.num_regs as usize).max(args.len() + captured.len());
    if p.regs.len() < need {
        grow(p, need)?;
    }
    let n = args.len();
    for (i, v) in args.into_iter().enumerate() {
        p.regs[base + i] = v;
    }
    for (i, v) in captured.iter().enumerate() {
        p.regs[base + n + i] = v.clone();
    }
    p.module = module;
    p.fun = callee;
    p.pc = 0;
    p.base = base as u32;
    Ok(())
}

fn badarity(fun: &Value, args: Vec<Value>) -> Exception {
    Exception::tagged(
        Atom::BADARITY,
        Value::tuple(vec![fun.clone(), Value::list(args)]),
    )
}

/// Calls a function value with `args`, from the process's saved state
/// (`pc` is the instruction after the call). `Ok(None)`: a Reef function
/// was entered (the saved state is now its start). `Ok(Some(v))`: a native
/// ran and returned `v`.
#[inline(never)]
pub fn apply_fun(
    rt: &Runtime,
    p: &mut Process,
    b: usize,
    tail: bool,
    mut fun: Value,
    mut args: Vec<Value>,
) -> Result<Option<Value>, Exception> {
    loop {
        let Value::Fun(c) = &fun else {
            return Err(Exception::tagged(Atom::BADFUN, fun.clone()));
        };
        let (module, name, arity) = match &**c {
            Closure::Local {
                module,
                func,
                captured,
            } => {
                let callee = &module.functions[*func as usize];
                if callee.arity as usize != args.len() {
                    return Err(badarity(&fun, args));
                }
                if module.pinned_on_entry() {
                    pin(p, module);
                }
                enter(p, Arc::as_ptr(module), callee, b, tail, args, captured)?;
                return Ok(None);
            }
            Closure::External {
                module,
                name,
                arity,
            } => (*module, *name, *arity),
        };
        if arity as usize != args.len() {
            return Err(badarity(&fun, args));
        }
        let mfa = Mfa {
            module,
            name,
            arity,
        };
        let entry = rt.export_entry(mfa);
        let from_dir = if p.module.is_null() {
            None
        } else {
            // SAFETY: code pointers of a process point into live modules.
            unsafe { (*p.module).dir.clone() }
        };
        let target = match entry.target() {
            Some(t) => t,
            None => resolve_missing(rt, &entry, from_dir.as_deref())?,
        };
        match target {
            Target::Reef { module, func } => {
                let callee = &module.functions[*func as usize];
                enter(p, Arc::as_ptr(module), callee, b, tail, args, &[])?;
                return Ok(None);
            }
            Target::Native(native) => {
                let mut ctx = Ctx::new(rt, p);
                let result = native.call(&mut ctx, &mut args);
                let words =
                    (ctx.allocated).unwrap_or_else(|| crate::heap::native_words(ctx.charged));
                let trap = ctx.trap.take();
                // Measured at the end of the slice if need be (`heap.rs`).
                p.alloc += words;
                match (result, trap) {
                    (Ok(_), Some(trap)) => {
                        fun = trap.fun;
                        args = trap.args;
                    }
                    (Ok(v), None) => return Ok(Some(v)),
                    (Err(e), _) => return Err(e),
                }
            }
        }
    }
}

/// Moves a tail call's `arity` arguments from `R[b..]` down to `R[0..]`,
/// unrolled for the small arities nearly every loop has: a loop over a
/// count read from the callee cost a compare and a branch per argument.
///
/// # Safety
/// `regs` points to `R[0]` of a frame holding `R[0..b+arity]`, and `b > 0`
/// (the windows may overlap: the moves go low to high).
#[inline(always)]
pub(super) unsafe fn move_args(regs: *mut Value, b: usize, arity: u32) {
    // SAFETY: the caller guarantees both windows lie in the frame; the
    // moves go low to high and `b > 0`, so no source is overwritten
    // before it is read.
    unsafe {
        let src = regs.add(b);
        match arity {
            0 => {}
            1 => move_reg(regs, src),
            2 => {
                move_reg(regs, src);
                move_reg(regs.add(1), src.add(1));
            }
            3 => {
                move_reg(regs, src);
                move_reg(regs.add(1), src.add(1));
                move_reg(regs.add(2), src.add(2));
            }
            n => {
                for i in 0..n as usize {
                    move_reg(regs.add(i), src.add(i));
                }
            }
        }
    }
}
