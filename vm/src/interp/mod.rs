//! The interpreter: runs one process for a budget of reductions.
//!
//! The dispatch loop keeps the current function, an instruction pointer
//! into its code and the register base in locals and matches on each
//! instruction; each arm does its common case inline (two small integers,
//! a local call) and calls a named cold function for the rest (big
//! integers, floats, errors, natives that trap). Calls push a [`Frame`] on
//! the process's frame stack (a heap `Vec`), never on the Rust stack. Every
//! call and backward jump costs a reduction; when the budget runs out the
//! process yields at a point where it can simply resume.

mod arith;
pub mod call;
pub mod exception;
mod ownership;
mod receive;
mod regs;

use std::cmp::Ordering;
use std::sync::Arc;

use reef_bytecode::Instr;
use smallvec::SmallVec;

pub use exception::{crash_report, Exception, Exit};

use crate::code::{FunctionCode, LoadedModule};
use crate::exports::{Mfa, Target};
use crate::native::{self, Ctx};
use crate::process::{Frame, Handler, HandlerKind, Process, Start};
use crate::runtime::Runtime;
use crate::value::{order, print, Atom, Closure, MapData, Tuple, Value};
use regs::{copy_reg, move_reg, put, take};

/// Why `run` returned.
pub enum Outcome {
    /// The budget ran out; run it again later.
    Yield,
    /// Parked in a receive: run it again when a message comes, or (if
    /// `recv_deadline` is set) when the deadline passes.
    Wait,
    /// The outermost function returned this value.
    Returned(Value),
    /// An uncaught exception ended the process.
    Exited(Exit),
}

/// Runs `p` until it yields, waits, returns from its outermost function
/// or ends, using at most `budget` reductions.
pub fn run(rt: &Runtime, p: &mut Process, budget: u32) -> Outcome {
    if let Some(start) = p.start.take() {
        let Start { fun, args } = *start;
        p.frames.clear();
        p.handlers.clear();
        p.base = 0;
        p.pc = 0;
        match call::apply_fun(rt, p, 0, true, fun, args) {
            Ok(None) => {}
            Ok(Some(v)) => return Outcome::Returned(v),
            Err(e) => {
                // Nothing can catch it: there is no frame yet.
                p.handlers.clear();
                return match exception::unwind(p, e, 0) {
                    Ok(()) => unreachable!("no handlers"),
                    Err(exit) => Outcome::Exited(exit),
                };
            }
        }
    }
    let (outcome, left) = dispatch(rt, p, budget);
    p.reductions += u64::from(budget - left);
    outcome
}

fn dispatch(rt: &Runtime, p: &mut Process, mut budget: u32) -> (Outcome, u32) {
    // The current function and where we are in it. The references are
    // derived from raw pointers into modules that outlive the process.
    // SAFETY: a process only ever runs code of modules the runtime keeps
    // alive, and `run` is only called on a process with a current function.
    let mut f: &FunctionCode = unsafe { &*p.fun };
    // The current function's first instruction, and the next one to run.
    // SAFETY: the saved `pc` is inside the function's code.
    let mut ip: *const Instr = unsafe { f.code.as_ptr().add(p.pc as usize) };
    let mut base = p.base as usize;
    // R[0] of the current frame. Register access goes through this
    // pointer without bounds checks. SAFETY (for every use below):
    // `validate` proved every register operand and register window of an
    // instruction lies inside its function's `num_regs`; on entering a
    // function (`enter!`, `call::apply_fun`) the stack is grown to hold
    // `base + num_regs` registers; the stack never shrinks while the
    // process runs; and `regs` is recomputed (`refresh!`) after anything
    // that may move the stack (growing it, or any slow path given `p`).
    let mut regs: *mut Value = unsafe { p.regs.as_mut_ptr().add(base) };

    // In debug builds (the tests, the bytecode fuzz test) every register
    // access is checked against the frame and the stack, so a hole in
    // `validate` is a panic there rather than silent memory corruption.
    macro_rules! check_reg {
        ($i:expr) => {
            debug_assert!(
                ($i as usize) < f.num_regs as usize && base + ($i as usize) < p.regs.len(),
                "register {} outside the frame ({} registers at base {}, stack {})",
                $i as usize,
                f.num_regs,
                base,
                p.regs.len()
            )
        };
    }
    // A pointer to register `i` (checked in debug builds).
    macro_rules! at {
        ($i:expr) => {{
            check_reg!($i);
            regs.add($i as usize)
        }};
    }
    // A shared reference to register `i`.
    macro_rules! reg {
        ($i:expr) => {{
            check_reg!($i);
            // SAFETY: registers inside the frame (`validate`; see `regs`).
            unsafe { &*regs.add($i as usize) }
        }};
    }
    macro_rules! set {
        ($i:expr, $v:expr) => {{
            let v = $v;
            check_reg!($i);
            // SAFETY: registers inside the frame (`validate`; see `regs`).
            unsafe { put(regs.add($i as usize), v) }
        }};
    }
    macro_rules! refresh {
        () => {
            // SAFETY: registers inside the frame (`validate`; see `regs`).
            regs = unsafe { p.regs.as_mut_ptr().add(base) }
        };
    }
    // The index of the next instruction to run.
    macro_rules! pc {
        () => {
            // SAFETY: `ip` always points into (or one past) `f`'s code.
            (unsafe { ip.offset_from(f.code.as_ptr()) } as usize)
        };
    }
    // Continues at instruction `target` of the current function.
    macro_rules! jump {
        ($target:expr) => {
            // SAFETY: `validate` proved every jump target lies inside the function.
            ip = unsafe { f.code.as_ptr().add($target as usize) }
        };
    }
    macro_rules! save {
        () => {{
            p.module = f.module();
            p.fun = f;
            p.pc = pc!() as u32;
            p.base = base as u32;
        }};
    }
    macro_rules! load {
        () => {{
            // SAFETY: the saved state always names live code.
            f = unsafe { &*p.fun };
            jump!(p.pc);
            base = p.base as usize;
            refresh!();
        }};
    }
    macro_rules! leave {
        ($outcome:expr) => {
            return ($outcome, budget)
        };
    }

    loop {
        let exc: Exception = 'run: loop {
            // Raises: leaves the dispatch loop with the exception, which is
            // unwound below (one copy of that code, not one per raise site).
            macro_rules! throw {
                ($exc:expr) => {
                    break 'run $exc
                };
            }
            macro_rules! yield_at {
                ($at:expr) => {{
                    ip = $at;
                    save!();
                    leave!(Outcome::Yield);
                }};
            }
            // Jumps to `target`; a backward jump is a loop and costs a
            // reduction, or yields at the target when the budget is spent.
            macro_rules! goto {
                ($target:expr) => {{
                    // SAFETY: as for `jump!`.
                    let target = unsafe { f.code.as_ptr().add($target as usize) };
                    if target < ip {
                        if budget == 0 {
                            yield_at!(target);
                        }
                        budget -= 1;
                    }
                    ip = target;
                }};
            }
            // Takes a reduction, or yields so that the instruction at `pc - 1`
            // runs again when the process is next scheduled.
            macro_rules! reduction {
                () => {{
                    if budget == 0 {
                        // SAFETY: an instruction is running, so `ip` is past `f`'s first.
                        yield_at!(unsafe { ip.sub(1) });
                    }
                    budget -= 1;
                }};
            }
            // Starts running `callee` (of its own module) with its frame at `nb`.
            macro_rules! enter {
                ($callee:expr, $nb:expr) => {{
                    f = $callee;
                    ip = f.code.as_ptr();
                    base = $nb;
                    let need = base + f.num_regs as usize;
                    if p.regs.len() < need {
                        if let Err(e) = call::grow(p, need) {
                            throw!(e);
                        }
                    }
                    refresh!();
                }};
            }
            macro_rules! push_frame {
                () => {
                    p.frames.push(Frame {
                        fun: f,
                        pc: pc!() as u32,
                        base: base as u32,
                    })
                };
            }
            // The second half of a fused `..Call` (opcodes 140-141): the
            // `Call { base: b, func }` that follows, which `validate`
            // checked is there; returns to the instruction after it.
            macro_rules! fused_call {
                ($b:expr, $func:expr) => {{
                    // SAFETY: the `Call` half is there (`validate`).
                    ip = unsafe { ip.add(1) };
                    reduction!();
                    push_frame!();
                    // SAFETY: as for `Call`.
                    let callee = unsafe { f.module().functions.get_unchecked($func as usize) };
                    enter!(callee, base + $b as usize);
                }};
            }
            // Returns `v` to the caller (or ends the outermost call). The callee's
            // R[0] is the caller's R[base] of the call.
            macro_rules! ret {
                ($v:expr) => {{
                    let v = $v;
                    match p.frames.pop() {
                        Some(fr) => {
                            set!(0, v);
                            // SAFETY: frames point into live modules.
                            f = unsafe { &*fr.fun };
                            jump!(fr.pc);
                            base = fr.base as usize;
                            refresh!();
                        }
                        None => {
                            save!();
                            leave!(Outcome::Returned(v));
                        }
                    }
                }};
            }
            // A binary integer operation: inline for two small integers whose
            // result fits, else the cold path.
            macro_rules! int_op {
                ($dst:expr, $a:expr, $b:expr, $checked:ident, $slow:ident) => {{
                    if let (Value::Int(x), Value::Int(y)) = (reg!($a), reg!($b)) {
                        if let Some(z) = x.$checked(*y) {
                            set!($dst, Value::Int(z));
                            continue;
                        }
                    }
                    match arith::$slow(reg!($a), reg!($b)) {
                        Ok(v) => set!($dst, v),
                        Err(e) => throw!(e),
                    }
                }};
            }
            macro_rules! compare {
                ($dst:expr, $a:expr, $b:expr, $op:tt, $ord:pat) => {{
                    let r = match (reg!($a), reg!($b)) {
                        (Value::Int(x), Value::Int(y)) => x $op y,
                        (x, y) => matches!(order::compare(x, y), $ord),
                    };
                    set!($dst, Value::bool(r));
                    branch_on!($dst, r);
                }};
            }
            // Compare-and-branch: unless `R[a] op R[b]`, goto `fail`.
            macro_rules! test_cmp {
                ($a:expr, $b:expr, $op:tt, $ord:pat, $fail:expr) => {{
                    let r = match (reg!($a), reg!($b)) {
                        (Value::Int(x), Value::Int(y)) => x $op y,
                        (x, y) => matches!(order::compare(x, y), $ord),
                    };
                    if !r {
                        jump!($fail);
                    }
                }};
            }
            // Unless `R[src] op val` (a small integer), goto `fail`.
            macro_rules! test_int {
                ($src:expr, $val:expr, $op:tt, $ord:pat, $fail:expr) => {{
                    let r = match reg!($src) {
                        Value::Int(x) => *x $op $val as i64,
                        x => matches!(order::compare(x, &Value::Int($val as i64)), $ord),
                    };
                    if !r {
                        jump!($fail);
                    }
                }};
            }
            // A comparison is nearly always followed by a test of its
            // result (a guard, an `if`): do that test here and skip it,
            // saving a dispatch. The result register is still written.
            macro_rules! branch_on {
                ($dst:expr, $r:expr) => {{
                    // SAFETY: a comparison is never a function's last
                    // instruction (`validate`), so `ip` is in bounds.
                    match *unsafe { &*ip } {
                        // SAFETY (the skips): the test is there, so the
                        // instruction after it is too.
                        Instr::TestTrue { src, fail } if src == $dst => {
                            if $r {
                                ip = unsafe { ip.add(1) };
                            } else {
                                jump!(fail);
                            }
                        }
                        Instr::JumpIfFalse { cond, target } if cond == $dst => {
                            if $r {
                                ip = unsafe { ip.add(1) };
                            } else {
                                jump!(target);
                            }
                        }
                        Instr::JumpIfTrue { cond, target } if cond == $dst => {
                            if $r {
                                jump!(target);
                            } else {
                                ip = unsafe { ip.add(1) };
                            }
                        }
                        _ => {}
                    }
                }};
            }
            // Counts words just allocated (`heap.rs`); past the check,
            // the process yields at its next reduction to be measured.
            macro_rules! charge {
                ($w:expr) => {{
                    if p.charge($w) {
                        budget = 0;
                    }
                }};
            }
            // Reserves the words of a term about to be built in one step
            // (`heap::reserve`: `:system_limit` or the max_heap kill).
            macro_rules! reserve {
                ($w:expr) => {{
                    if let Err(e) = crate::heap::reserve(p, $w, rt.term_ceiling()) {
                        throw!(e);
                    }
                    if p.alloc > p.alloc_check {
                        budget = 0;
                    }
                }};
            }
            macro_rules! result {
                ($dst:expr, $r:expr) => {{
                    match $r {
                        Ok(v) => set!($dst, v),
                        Err(e) => throw!(e),
                    }
                }};
            }
            // After a native returned (or trapped into a call) for `R[b]`.
            macro_rules! native_done {
                ($result:expr, $trap:expr, $b:expr, $tail:expr) => {{
                    refresh!();
                    match ($result, $trap) {
                        (Ok(v), None) => {
                            if $tail {
                                ret!(v);
                            } else {
                                set!($b, v);
                            }
                            if p.pending_exit.is_some() || p.alloc > p.alloc_check {
                                // `exit(self(), reason)` took effect: stop
                                // here; the scheduler ends the process. Or
                                // a native built a big term: yield to be
                                // measured (`heap.rs`), so that a loop of
                                // big natives cannot hold its thread long.
                                save!();
                                leave!(Outcome::Yield);
                            }
                        }
                        (Ok(_), Some(Start { fun, args })) => {
                            save!();
                            let r = call::apply_fun(rt, p, $b as usize, $tail, fun, args);
                            refresh!();
                            match r {
                                Ok(None) => load!(),
                                Ok(Some(v)) => {
                                    if $tail {
                                        ret!(v);
                                    } else {
                                        set!($b, v);
                                    }
                                }
                                Err(e) => throw!(e),
                            }
                        }
                        (Err(e), _) => throw!(e),
                    }
                }};
            }
            // `CallExt` and `TailCallExt`.
            macro_rules! call_ext {
                ($b:expr, $import:expr, $tail:expr) => {{
                    reduction!();
                    let slot = &f.module().imports[$import as usize];
                    let entry = slot.entry.get_or_init(|| {
                        rt.export_entry(Mfa {
                            module: slot.module,
                            name: slot.name,
                            arity: slot.arity,
                        })
                    });
                    let target = match entry.target() {
                        Some(t) => t,
                        None => {
                            save!();
                            match call::resolve_missing(rt, entry, f.module().dir.as_deref()) {
                                Ok(t) => t,
                                Err(e) => throw!(e),
                            }
                        }
                    };
                    let arity = slot.arity as usize;
                    match target {
                        Target::Reef { module, func } => {
                            // SAFETY: the target keeps the module alive, and the
                            // runtime keeps every version alive anyway.
                            let cm: &LoadedModule = unsafe { &*Arc::as_ptr(module) };
                            let callee = &cm.functions[*func as usize];
                            if $tail {
                                if $b != 0 {
                                    for i in 0..arity {
                                        // SAFETY: registers inside the frame (`validate`; see `regs`).
                                        unsafe { move_reg(at!(i), at!($b as usize + i)) };
                                    }
                                }
                                enter!(callee, base);
                            } else {
                                push_frame!();
                                enter!(callee, base + $b as usize);
                            }
                        }
                        Target::Native(native) => {
                            let mut args: SmallVec<[Value; 6]> = (0..arity)
                                // SAFETY: registers inside the frame (`validate`; see `regs`).
                                .map(|i| unsafe { take(at!($b as usize + i)) })
                                .collect();
                            save!();
                            let mut ctx = Ctx::new(rt, p);
                            let result = native.call(&mut ctx, &mut args);
                            let trap = ctx.trap.take();
                            let charged = ctx.charged;
                            // What it built (`Ctx::allocated_words`).
                            let words = ctx.allocated_words();
                            budget = budget.saturating_sub(charged);
                            drop(args);
                            charge!(words);
                            native_done!(result, trap, $b, $tail);
                        }
                    }
                }};
            }
            // `CallFun` and `TailCallFun`: the fun in `R[b]`, arguments after it.
            macro_rules! call_fun {
                ($b:expr, $argc:expr, $tail:expr) => {{
                    reduction!();
                    let b = $b as usize;
                    let argc = $argc as usize;
                    // SAFETY: registers inside the frame (`validate`; see `regs`).
                    let fv = unsafe { take(at!(b)) };
                    let fast = match &fv {
                        Value::Fun(c) => match &**c {
                            Closure::Local { module, func, .. } => {
                                // SAFETY: the runtime keeps every installed module
                                // version alive, and a transient one is pinned below
                                // before the closure can go, so the code outlives it.
                                let cm: &LoadedModule = unsafe { &*Arc::as_ptr(module) };
                                let callee = &cm.functions[*func as usize];
                                (callee.arity as usize == argc).then_some((cm, callee))
                            }
                            Closure::External { .. } => None,
                        },
                        _ => None,
                    };
                    if let Some((cm, callee)) = fast {
                        if cm.pinned_on_entry() && !std::ptr::eq(cm, f.module()) {
                            call::pin_closure(p, &fv);
                        }
                        let nb = if $tail {
                            for i in 0..argc {
                                // SAFETY: registers inside the frame (`validate`; see `regs`).
                                unsafe { move_reg(at!(i), at!(b + 1 + i)) };
                            }
                            base
                        } else {
                            for i in 0..argc {
                                // SAFETY: registers inside the frame (`validate`; see `regs`).
                                unsafe { move_reg(at!(b + i), at!(b + 1 + i)) };
                            }
                            push_frame!();
                            base + b
                        };
                        enter!(callee, nb);
                        if let Value::Fun(c) = &fv {
                            if let Closure::Local { captured, .. } = &**c {
                                for (i, v) in captured.iter().enumerate() {
                                    set!(argc + i, v.clone());
                                }
                            }
                        }
                    } else {
                        let args: Vec<Value> =
                            // SAFETY: registers inside the frame (`validate`; see `regs`).
                            (0..argc).map(|i| unsafe { take(at!(b + 1 + i)) }).collect();
                        save!();
                        let r = call::apply_fun(rt, p, b, $tail, fv, args);
                        refresh!();
                        match r {
                            Ok(None) => load!(),
                            Ok(Some(v)) => {
                                if $tail {
                                    ret!(v);
                                } else {
                                    set!(b, v);
                                }
                            }
                            Err(e) => throw!(e),
                        }
                    }
                }};
            }
            // The registers `R[start..start+count]` as a slice.
            macro_rules! window {
                ($start:expr, $count:expr) => {
                    // SAFETY: registers inside the frame (`validate`; see `regs`).
                    unsafe {
                        debug_assert!(
                            $start as usize + $count as usize <= f.num_regs as usize
                                && base + $start as usize + $count as usize <= p.regs.len(),
                            "register window outside the frame"
                        );
                        std::slice::from_raw_parts(regs.add($start as usize), $count as usize)
                    }
                };
            }

            // The registers `R[start..start+count]` as a mutable slice.
            macro_rules! window_mut {
                ($start:expr, $count:expr) => {
                    // SAFETY: registers inside the frame (`validate`; see `regs`),
                    // and no other reference to them lives while it is used.
                    unsafe {
                        debug_assert!(
                            $start as usize + $count as usize <= f.num_regs as usize
                                && base + $start as usize + $count as usize <= p.regs.len(),
                            "register window outside the frame"
                        );
                        std::slice::from_raw_parts_mut(regs.add($start as usize), $count as usize)
                    }
                };
            }

            // SAFETY: `validate` proved that every jump target is inside the
            // function and that the last instruction never falls through, so
            // `ip` always points at an instruction.
            let instr: &Instr = unsafe { &*ip };
            ip = unsafe { ip.add(1) };
            match *instr {
                // ---- moving and building values ----
                // SAFETY: registers inside the frame (`validate`; see `regs`).
                Instr::Move { dst, src } => unsafe {
                    copy_reg(at!(dst as usize), at!(src as usize))
                },
                Instr::LoadLit { dst, lit } => {
                    set!(dst, f.module().literals.get(lit as usize).clone())
                }
                Instr::LoadInt { dst, val } => set!(dst, Value::Int(val as i64)),
                Instr::LoadAtom { dst, atom } => {
                    // SAFETY: `validate` checked every atom operand against
                    // the module's atom table.
                    set!(
                        dst,
                        Value::Atom(unsafe { *f.module().atoms.get_unchecked(atom as usize) })
                    )
                }
                Instr::LoadNil { dst } => set!(dst, Value::Nil),
                Instr::MakeTuple { dst, start, count } => {
                    charge!(1 + 2 * count as usize);
                    set!(dst, Value::Tuple(Tuple::from_slice(window!(start, count))));
                }
                Instr::MakeCons { dst, head, tail } => {
                    charge!(5);
                    set!(dst, Value::cons(reg!(head).clone(), reg!(tail).clone()))
                }
                Instr::MakeMap { dst, start, count } => {
                    charge!(4 + 4 * count as usize);
                    let w = window!(start, 2 * count as usize);
                    let map: MapData = w
                        .chunks_exact(2)
                        .map(|kv| (kv[0].clone(), kv[1].clone()))
                        .collect();
                    set!(dst, Value::map(map));
                }
                Instr::UpdateMap {
                    dst,
                    map,
                    start,
                    count,
                } => {
                    let mut new = match reg!(map) {
                        Value::Map(old) => old.clone_with_room(count as usize),
                        other => throw!(Exception::tagged(Atom::BADMAP, other.clone())),
                    };
                    for kv in window!(start, 2 * count as usize).chunks_exact(2) {
                        new.insert(kv[0].clone(), kv[1].clone());
                    }
                    charge!(4 + 4 * count as usize);
                    set!(dst, Value::map(new));
                }
                Instr::MakeClosure {
                    dst,
                    func,
                    start,
                    count,
                } => {
                    charge!(4 + 2 * count as usize);
                    let captured: Box<[Value]> = window!(start, count).into();
                    // SAFETY: `m` is a module the runtime holds in an `Arc`.
                    let module = unsafe { call::arc_of(f.module()) };
                    set!(
                        dst,
                        Value::Fun(std::rc::Rc::new(Closure::Local {
                            module,
                            func,
                            captured
                        }))
                    );
                }
                Instr::MakeFunRef { dst, func } => {
                    // SAFETY: as for MakeClosure.
                    let module = unsafe { call::arc_of(f.module()) };
                    set!(
                        dst,
                        Value::Fun(std::rc::Rc::new(Closure::Local {
                            module,
                            func,
                            captured: Box::new([])
                        }))
                    );
                }
                Instr::MakeExtFunRef { dst, import } => {
                    let slot = &f.module().imports[import as usize];
                    set!(dst, native::ext_fun(slot.module, slot.name, slot.arity));
                }
                Instr::Interp { dst, start, count } => {
                    let mut text = String::new();
                    for v in window!(start, count) {
                        print::write_text(&mut text, v);
                    }
                    charge!(2 + text.len() / 8);
                    set!(dst, Value::str(text));
                }

                // ---- arithmetic ----
                Instr::Add { dst, a, b } => int_op!(dst, a, b, checked_add, add),
                Instr::Sub { dst, a, b } => int_op!(dst, a, b, checked_sub, sub),
                Instr::Mul { dst, a, b } => int_op!(dst, a, b, checked_mul, mul),
                Instr::Div { dst, a, b } => result!(dst, arith::div(reg!(a), reg!(b))),
                Instr::IntDiv { dst, a, b } => int_op!(dst, a, b, checked_div, int_div),
                Instr::Rem { dst, a, b } => int_op!(dst, a, b, checked_rem, rem),
                Instr::Neg { dst, src } => {
                    if let Value::Int(x) = reg!(src) {
                        if let Some(z) = x.checked_neg() {
                            set!(dst, Value::Int(z));
                            continue;
                        }
                    }
                    result!(dst, arith::neg(reg!(src)))
                }
                Instr::AddInt { dst, a, val } => {
                    if let Value::Int(x) = reg!(a) {
                        if let Some(z) = x.checked_add(val as i64) {
                            set!(dst, Value::Int(z));
                            continue;
                        }
                    }
                    result!(dst, arith::add(reg!(a), &Value::Int(val as i64)))
                }

                // ---- comparison and logic ----
                Instr::Eq { dst, a, b } => set!(dst, Value::bool(order::equal(reg!(a), reg!(b)))),
                Instr::Ne { dst, a, b } => set!(dst, Value::bool(!order::equal(reg!(a), reg!(b)))),
                Instr::Lt { dst, a, b } => compare!(dst, a, b, <, Ordering::Less),
                Instr::Le { dst, a, b } => {
                    compare!(dst, a, b, <=, Ordering::Less | Ordering::Equal)
                }
                Instr::Gt { dst, a, b } => compare!(dst, a, b, >, Ordering::Greater),
                Instr::Ge { dst, a, b } => {
                    compare!(dst, a, b, >=, Ordering::Greater | Ordering::Equal)
                }
                Instr::Not { dst, src } => {
                    let r = match reg!(src) {
                        Value::Atom(Atom::TRUE) => Value::FALSE,
                        Value::Atom(Atom::FALSE) => Value::TRUE,
                        _ => throw!(Exception::badarg()),
                    };
                    set!(dst, r);
                }
                Instr::ListConcat { dst, a, b } => {
                    reserve!(5 * reg!(a).iter_list().count());
                    result!(dst, arith::list_concat(reg!(a), reg!(b)))
                }
                Instr::StrConcat { dst, a, b } => {
                    if let (Value::Str(x), Value::Str(y)) = (reg!(a), reg!(b)) {
                        reserve!(2 + (x.len() + y.len()).div_ceil(8));
                    }
                    result!(dst, arith::str_concat(reg!(a), reg!(b)))
                }

                // ---- control flow ----
                Instr::Jump { target } => goto!(target),
                Instr::JumpIfFalse { cond, target } => match reg!(cond) {
                    Value::Atom(Atom::FALSE) => jump!(target),
                    Value::Atom(Atom::TRUE) => {}
                    _ => throw!(Exception::badarg()),
                },
                Instr::JumpIfTrue { cond, target } => match reg!(cond) {
                    Value::Atom(Atom::TRUE) => jump!(target),
                    Value::Atom(Atom::FALSE) => {}
                    _ => throw!(Exception::badarg()),
                },
                Instr::TestTrue { src, fail } => {
                    if !matches!(reg!(src), Value::Atom(Atom::TRUE)) {
                        jump!(fail);
                    }
                }

                // ---- pattern tests ----
                Instr::TestEq { a, b, fail } => {
                    let same = match (reg!(a), reg!(b)) {
                        (Value::Int(x), Value::Int(y)) => x == y,
                        (Value::Atom(x), Value::Atom(y)) => x == y,
                        (x, y) => order::equal(x, y),
                    };
                    if !same {
                        jump!(fail);
                    }
                }
                Instr::TestEqLit { src, lit, fail } => {
                    if !order::equal(reg!(src), f.module().literals.get(lit as usize)) {
                        jump!(fail);
                    }
                }
                Instr::TestEqAtom { src, atom, fail } => {
                    // SAFETY: as for `LoadAtom`.
                    let atom = unsafe { *f.module().atoms.get_unchecked(atom as usize) };
                    if !matches!(reg!(src), Value::Atom(a) if *a == atom) {
                        jump!(fail);
                    }
                }
                Instr::TestEqInt { src, val, fail } => {
                    if !matches!(reg!(src), Value::Int(i) if *i == val as i64) {
                        jump!(fail);
                    }
                }
                Instr::TestTagged {
                    src,
                    arity,
                    atom,
                    fail,
                } => {
                    // SAFETY: as for `LoadAtom`.
                    let tag = unsafe { *f.module().atoms.get_unchecked(atom as usize) };
                    if !reg!(src).is_tagged(arity as usize, tag) {
                        jump!(fail);
                    }
                }
                Instr::TestTuple { src, arity, fail } => {
                    if !matches!(reg!(src), Value::Tuple(t) if t.len() == arity as usize) {
                        jump!(fail);
                    }
                }
                Instr::TestCons { src, fail } => {
                    if !matches!(reg!(src), Value::Cons(_)) {
                        jump!(fail);
                    }
                }
                Instr::TestNil { src, fail } => {
                    if !matches!(reg!(src), Value::Nil) {
                        jump!(fail);
                    }
                }
                Instr::TestMap { src, fail } => {
                    if !matches!(reg!(src), Value::Map(_)) {
                        jump!(fail);
                    }
                }
                Instr::GetElem { dst, src, index } => {
                    let v = match reg!(src) {
                        Value::Tuple(t) if (index as usize) < t.len() => t[index as usize].clone(),
                        _ => throw!(exception::internal("GetElem on a value not tested")),
                    };
                    set!(dst, v);
                }
                Instr::GetHead { dst, src } => {
                    let v = match reg!(src) {
                        Value::Cons(c) => c.head.clone(),
                        _ => throw!(exception::internal("GetHead on a value not tested")),
                    };
                    set!(dst, v);
                }
                Instr::GetTail { dst, src } => {
                    let v = match reg!(src) {
                        Value::Cons(c) => c.tail.clone(),
                        _ => throw!(exception::internal("GetTail on a value not tested")),
                    };
                    set!(dst, v);
                }
                // ---- ownership (bodies in `ownership.rs`) ----
                // SAFETY (these arms): registers inside the frame (`validate`; see `regs`).
                Instr::MoveLast { dst, src } => unsafe { move_reg(at!(dst), at!(src)) },
                Instr::GetElemTake { dst, src, index } | Instr::GetElemLast { dst, src, index } => {
                    let last = matches!(instr, Instr::GetElemLast { .. });
                    if !unsafe { ownership::elem(at!(dst), at!(src), index as usize, last) } {
                        throw!(exception::internal("GetElem on a value not tested"));
                    }
                }
                Instr::GetHeadTake { dst, src }
                | Instr::GetHeadLast { dst, src }
                | Instr::GetTailTake { dst, src }
                | Instr::GetTailLast { dst, src } => {
                    let tail =
                        matches!(instr, Instr::GetTailTake { .. } | Instr::GetTailLast { .. });
                    let last =
                        matches!(instr, Instr::GetHeadLast { .. } | Instr::GetTailLast { .. });
                    if !unsafe { ownership::cell(at!(dst), at!(src), tail, last) } {
                        throw!(exception::internal(
                            "GetHead or GetTail on a value not tested"
                        ));
                    }
                }
                Instr::Drop { src } => set!(src, Value::Nil),
                Instr::MakeTupleLast { dst, start, count } => {
                    charge!(1 + 2 * count as usize);
                    set!(dst, ownership::tuple(window_mut!(start, count)));
                }
                Instr::MakeConsOwn {
                    dst,
                    head,
                    tail,
                    moves,
                } => {
                    charge!(5);
                    set!(dst, unsafe { ownership::cons(at!(head), at!(tail), moves) });
                }
                Instr::MakeTupleReuse {
                    dst,
                    start,
                    count,
                    token,
                } => {
                    let window = window_mut!(start, count);
                    // SAFETY: registers inside the frame (`validate`), the
                    // token outside the window (`validate`).
                    let (v, reused) = unsafe { ownership::tuple_reuse(window, at!(token)) };
                    if !reused {
                        charge!(1 + 2 * count as usize);
                    }
                    set!(dst, v);
                }
                Instr::MakeConsReuse {
                    dst,
                    head,
                    tail,
                    moves,
                    token,
                } => {
                    // SAFETY: registers inside the frame (`validate`).
                    let (v, reused) =
                        unsafe { ownership::cons_reuse(at!(head), at!(tail), moves, at!(token)) };
                    if !reused {
                        charge!(5);
                    }
                    set!(dst, v);
                }
                Instr::UpdateMapLast {
                    dst,
                    map,
                    start,
                    count,
                } => {
                    let old = unsafe { take(at!(map)) };
                    let r = ownership::update_map(old, window_mut!(start, 2 * count as usize));
                    charge!(4 + 4 * count as usize);
                    result!(dst, r);
                }
                Instr::MapFind {
                    dst,
                    map,
                    key,
                    fail,
                } => {
                    let found = match reg!(map) {
                        Value::Map(mm) => mm.get(reg!(key)).cloned(),
                        _ => None,
                    };
                    match found {
                        Some(v) => set!(dst, v),
                        None => jump!(fail),
                    }
                }

                Instr::TestLt { a, b, fail } => test_cmp!(a, b, <, Ordering::Less, fail),
                Instr::TestLe { a, b, fail } => {
                    test_cmp!(a, b, <=, Ordering::Less | Ordering::Equal, fail)
                }
                Instr::TestNe { a, b, fail } => {
                    let same = match (reg!(a), reg!(b)) {
                        (Value::Int(x), Value::Int(y)) => x == y,
                        (Value::Atom(x), Value::Atom(y)) => x == y,
                        (x, y) => order::equal(x, y),
                    };
                    if same {
                        jump!(fail);
                    }
                }
                Instr::TestLtInt { src, val, fail } => {
                    test_int!(src, val, <, Ordering::Less, fail)
                }
                Instr::TestLeInt { src, val, fail } => {
                    test_int!(src, val, <=, Ordering::Less | Ordering::Equal, fail)
                }
                Instr::TestGtInt { src, val, fail } => {
                    test_int!(src, val, >, Ordering::Greater, fail)
                }
                Instr::TestGeInt { src, val, fail } => {
                    test_int!(src, val, >=, Ordering::Greater | Ordering::Equal, fail)
                }
                Instr::TestNeInt { src, val, fail } => {
                    if matches!(reg!(src), Value::Int(i) if *i == val as i64) {
                        jump!(fail);
                    }
                }

                // ---- calls ----
                Instr::Call { base: b, func } => {
                    reduction!();
                    push_frame!();
                    // SAFETY: `validate` checked every function operand
                    // against the module's function table.
                    let callee = unsafe { f.module().functions.get_unchecked(func as usize) };
                    enter!(callee, base + b as usize);
                }
                Instr::TailCall { base: b, func } => {
                    reduction!();
                    // SAFETY: as for `Call`.
                    let callee = unsafe { f.module().functions.get_unchecked(func as usize) };
                    if b != 0 {
                        if callee.arity > 0 {
                            check_reg!(b as usize + callee.arity as usize - 1);
                        }
                        // SAFETY: `validate` proved the argument window
                        // `R[b..b+arity]` and `R[0..arity]` lie in the frame.
                        unsafe { call::move_args(regs, b as usize, callee.arity) };
                    }
                    if std::ptr::eq(callee, f) {
                        // A loop: same code, same frame, already big enough.
                        ip = f.code.as_ptr();
                    } else {
                        enter!(callee, base);
                    }
                }
                Instr::CallExt { base: b, import } => call_ext!(b, import, false),
                Instr::TailCallExt { base: b, import } => call_ext!(b, import, true),
                Instr::CallFun { base: b, argc } => call_fun!(b, argc, false),
                Instr::TailCallFun { base: b, argc } => call_fun!(b, argc, true),
                Instr::Return { src } => match p.frames.pop() {
                    Some(fr) => {
                        // The callee's R[0] is the caller's R[base] of the call.
                        // SAFETY: registers inside the frame (`validate`; see `regs`).
                        unsafe { move_reg(at!(0), at!(src as usize)) };
                        // SAFETY: frames point into live modules.
                        f = unsafe { &*fr.fun };
                        jump!(fr.pc);
                        base = fr.base as usize;
                        refresh!();
                    }
                    None => {
                        // SAFETY: registers inside the frame (`validate`; see `regs`).
                        let v = unsafe { take(at!(src as usize)) };
                        save!();
                        leave!(Outcome::Returned(v));
                    }
                },

                // ---- superinstructions (peephole.rs; the pair's second
                // instruction follows, see `fused_call!`) ----
                Instr::AddIntCall { dst, a, val, func } => {
                    if let Value::Int(x) = reg!(a) {
                        if let Some(z) = x.checked_add(val as i64) {
                            set!(dst, Value::Int(z));
                            fused_call!(dst, func);
                            continue;
                        }
                    }
                    // The slow add only; the `Call` after it runs next.
                    result!(dst, arith::add(reg!(a), &Value::Int(val as i64)))
                }
                Instr::AddReturn { dst, a, b } => {
                    if let (Value::Int(x), Value::Int(y)) = (reg!(a), reg!(b)) {
                        if let Some(z) = x.checked_add(*y) {
                            ret!(Value::Int(z));
                            continue;
                        }
                    }
                    // The slow add only; the `Return` after it runs next.
                    result!(dst, arith::add(reg!(a), reg!(b)))
                }
                Instr::MoveCall { dst, src, func } => {
                    // SAFETY: registers inside the frame (`validate`; see `regs`).
                    unsafe { copy_reg(at!(dst as usize), at!(src as usize)) };
                    fused_call!(dst, func);
                }
                Instr::MoveLastCall { dst, src, func } => {
                    // SAFETY: registers inside the frame (`validate`; see `regs`).
                    unsafe { move_reg(at!(dst as usize), at!(src as usize)) };
                    fused_call!(dst, func);
                }
                Instr::GetElem2 {
                    dst,
                    src,
                    index,
                    dst2,
                    index2,
                } => {
                    let (v, w) = match reg!(src) {
                        Value::Tuple(t) => match (t.get(index as usize), t.get(index2 as usize)) {
                            (Some(v), Some(w)) => (v.clone(), w.clone()),
                            _ => throw!(exception::internal("GetElem2 on a value not tested")),
                        },
                        _ => throw!(exception::internal("GetElem2 on a value not tested")),
                    };
                    set!(dst, v);
                    set!(dst2, w);
                    // SAFETY: the pair's second half is there (`validate`).
                    ip = unsafe { ip.add(1) };
                }

                // ---- errors ----
                Instr::Raise { class, reason } => {
                    throw!(exception::raised(class, reg!(reason)))
                }
                Instr::Badmatch { src } => {
                    throw!(Exception::tagged(Atom::BADMATCH, reg!(src).clone()))
                }
                Instr::CaseClause { src } => {
                    throw!(Exception::tagged(Atom::CASE_CLAUSE, reg!(src).clone()))
                }
                Instr::FunctionClause {} => {
                    let e = exception::function_clause(f.module(), f, window!(0, f.arity));
                    throw!(e);
                }
                Instr::Reraise { src } => {
                    throw!(exception::reraised(window!(src, 3)))
                }

                // ---- exception handlers ----
                Instr::TryBegin { dst, handler } => p.handlers.push(Handler {
                    kind: HandlerKind::Try { dst },
                    depth: p.frames.len() as u32,
                    fun: f,
                    base: base as u32,
                    label: handler,
                }),
                Instr::TryEnd {} | Instr::GuardEnd {} => {
                    p.handlers.pop();
                }
                Instr::GuardBegin { fail } => p.handlers.push(Handler {
                    kind: HandlerKind::Guard,
                    depth: p.frames.len() as u32,
                    fun: f,
                    base: base as u32,
                    label: fail,
                }),

                // ---- receive ----
                Instr::RecvNext { dst, empty } => match p.mailbox.current() {
                    Some(msg) => {
                        let msg = msg.clone();
                        set!(dst, msg);
                    }
                    None => jump!(empty),
                },
                Instr::RecvScanTagged {
                    dst,
                    arity,
                    atom,
                    empty,
                } => match p
                    .mailbox
                    .scan_tagged(arity as usize, f.module().atoms[atom as usize])
                {
                    Some(msg) => {
                        let msg = msg.clone();
                        set!(dst, msg);
                    }
                    None => jump!(empty),
                },
                Instr::RecvMarker { src } => {
                    if let Value::Ref(r) = reg!(src) {
                        p.mailbox.use_marker(*r);
                    }
                }
                Instr::RecvSkip { target } => {
                    p.mailbox.skip();
                    // Scanning a long mailbox is a loop: it costs reductions
                    // like any other (BEAM's loop_rec_end). It yields after
                    // the skip, at the scan: running the skip again would
                    // pass over a message.
                    goto!(target)
                }
                Instr::RecvAccept {} => {
                    p.mailbox.accept();
                    p.recv_deadline = None;
                }
                Instr::RecvWait { target } => {
                    jump!(target);
                    save!();
                    p.wait_expired = None;
                    leave!(Outcome::Wait);
                }
                Instr::RecvWaitTimeout {
                    timeout,
                    target,
                    expired,
                } => match receive::timeout_ms(reg!(timeout)) {
                    Err(e) => throw!(e),
                    Ok(None) => {
                        jump!(target);
                        save!();
                        p.wait_expired = None;
                        leave!(Outcome::Wait);
                    }
                    Ok(Some(ms)) => {
                        if receive::timed_out(p, ms) {
                            jump!(expired);
                        } else {
                            jump!(target);
                            save!();
                            p.wait_expired = Some(expired);
                            leave!(Outcome::Wait);
                        }
                    }
                },
                Instr::Send { dest, msg } => {
                    let (d, v) = (reg!(dest).clone(), reg!(msg).clone());
                    let r = native::send(rt, p, &d, &v, true);
                    refresh!();
                    if let Err(e) = r {
                        throw!(e);
                    }
                    if p.blocked_on.is_some() {
                        // The receiver's queue is full: park, and run this
                        // send again when it has room.
                        ip = unsafe { ip.sub(1) };
                        save!();
                        leave!(Outcome::Wait);
                    }
                    if p.send_busy {
                        // Another node's connection is busy: let the
                        // others run, then send again.
                        p.send_busy = false;
                        ip = unsafe { ip.sub(1) };
                        save!();
                        leave!(Outcome::Yield);
                    }
                }
            }
        };
        save!();
        match exception::unwind(p, exc, pc!().saturating_sub(1)) {
            Ok(()) => load!(),
            Err(exit) => leave!(Outcome::Exited(exit)),
        }
    }
}
