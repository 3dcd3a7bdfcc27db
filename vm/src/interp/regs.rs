//! Register slots: writes that skip the drop of a scalar, and moves and
//! copies that write small integers and atoms as their own variant. Used
//! by the dispatch loop on every instruction.

use crate::value::Value;

/// Writes `v` into a register, dropping the old value only if it holds
/// something to free (most registers hold integers and atoms).
///
/// # Safety
/// `slot` must point to a live register.
#[inline(always)]
pub(super) unsafe fn put(slot: *mut Value, v: Value) {
    // SAFETY: the caller guarantees `slot` is a valid, initialised value.
    unsafe {
        if (*slot).is_boxed() {
            *slot = v;
        } else {
            std::ptr::write(slot, v);
        }
    }
}

/// Takes a register's value, leaving `[]` (or, for a scalar, leaving it:
/// a scalar needs no drop). A small integer is read as its tag and its
/// payload, not as one 16-byte load: the instruction before usually wrote
/// it with two stores, and a wide load of narrower stores stalls the CPU
/// (no store forwarding), which cost a third of a tail loop's time.
///
/// # Safety
/// `slot` must point to a live register.
#[inline(always)]
pub(super) unsafe fn take(slot: *mut Value) -> Value {
    // SAFETY: as for `put`.
    unsafe {
        match *slot {
            Value::Int(i) => Value::Int(i),
            Value::Atom(a) => Value::Atom(a),
            _ => std::ptr::replace(slot, Value::Nil),
        }
    }
}

/// Moves a register's value into another (a call's arguments into
/// place), leaving `[]` behind unless it is a scalar. Each case writes its
/// own variant, so a small integer is stored as a tag and a payload, not
/// copied as 16 opaque bytes through the stack.
///
/// # Safety
/// `dst` and `src` must point to live registers.
#[inline(always)]
pub(super) unsafe fn move_reg(dst: *mut Value, src: *mut Value) {
    // SAFETY: as for `put`.
    unsafe {
        match *src {
            Value::Int(i) => put(dst, Value::Int(i)),
            Value::Atom(a) => put(dst, Value::Atom(a)),
            _ => put(dst, std::ptr::replace(src, Value::Nil)),
        }
    }
}

/// Copies a register's value into another, writing a small integer or an
/// atom as its own variant (see [`move_reg`]).
///
/// # Safety
/// `dst` and `src` must point to live registers.
#[inline(always)]
pub(super) unsafe fn copy_reg(dst: *mut Value, src: *const Value) {
    // SAFETY: as for `put`.
    unsafe {
        match *src {
            Value::Int(i) => put(dst, Value::Int(i)),
            Value::Atom(a) => put(dst, Value::Atom(a)),
            ref v => put(dst, v.clone()),
        }
    }
}
