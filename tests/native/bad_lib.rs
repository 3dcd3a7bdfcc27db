//! Native libraries that break the ABI, one per `--cfg variant="..."`,
//! built with rustc by `tests/native_libs.rs` (no Cargo.toml: the ABI's
//! types are written out here as a C library would, since a library
//! built with reef-native cannot get them wrong).
//!
//! - `v99`: a table of ABI version 99.
//! - `noentry`: no `reef_native_init` at all.
//! - `dup`: a function listed twice.
//! - `replies`: a well-formed table whose functions reply with bytes that
//!   are no term (`bad.garbage/0`) or with an unknown status
//!   (`bad.status/0`).

#![allow(dead_code)]

use std::os::raw::c_char;

#[repr(C)]
pub struct Buffer {
    ptr: *mut u8,
    len: usize,
    cap: usize,
}

type CallFn = unsafe extern "C" fn(*const u8, usize, *mut Buffer) -> i32;

#[repr(C)]
pub struct Function {
    name: *const c_char,
    name_len: usize,
    arity: u32,
    flags: u32,
    call: Option<CallFn>,
}

#[repr(C)]
pub struct ModuleTable {
    abi_version: u32,
    table_size: u32,
    module: *const c_char,
    module_len: usize,
    functions: *const Function,
    function_count: usize,
    free: Option<unsafe extern "C" fn(Buffer)>,
}

unsafe impl Sync for Function {}
unsafe impl Sync for ModuleTable {}

/// Replies point at static bytes: nothing to free.
unsafe extern "C" fn free(_: Buffer) {}

static GARBAGE: [u8; 3] = [131, 255, 0];
static OK_ATOM: [u8; 5] = [131, 119, 2, b'o', b'k'];

unsafe extern "C" fn garbage(_: *const u8, _: usize, out: *mut Buffer) -> i32 {
    unsafe {
        out.write(Buffer {
            ptr: GARBAGE.as_ptr() as *mut u8,
            len: GARBAGE.len(),
            cap: GARBAGE.len(),
        })
    };
    0
}

unsafe extern "C" fn status(_: *const u8, _: usize, out: *mut Buffer) -> i32 {
    unsafe {
        out.write(Buffer {
            ptr: OK_ATOM.as_ptr() as *mut u8,
            len: OK_ATOM.len(),
            cap: OK_ATOM.len(),
        })
    };
    7
}

const fn function(name: &'static str, call: CallFn) -> Function {
    Function {
        name: name.as_ptr() as *const c_char,
        name_len: name.len(),
        arity: 0,
        flags: 0,
        call: Some(call),
    }
}

#[cfg(variant = "dup")]
static FUNCTIONS: [Function; 2] = [function("garbage", garbage), function("garbage", garbage)];
#[cfg(not(variant = "dup"))]
static FUNCTIONS: [Function; 2] = [function("garbage", garbage), function("status", status)];

static TABLE: ModuleTable = ModuleTable {
    abi_version: if cfg!(variant = "v99") { 99 } else { 1 },
    table_size: std::mem::size_of::<ModuleTable>() as u32,
    module: "bad".as_ptr() as *const c_char,
    module_len: 3,
    functions: FUNCTIONS.as_ptr(),
    function_count: 2,
    free: Some(free),
};

#[cfg(not(variant = "noentry"))]
#[no_mangle]
pub extern "C" fn reef_native_init() -> *const ModuleTable {
    &TABLE
}

/// Something exported, so the `noentry` library is not empty.
#[no_mangle]
pub extern "C" fn not_reef() -> i32 {
    0
}
