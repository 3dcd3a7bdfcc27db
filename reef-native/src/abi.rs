//! The C ABI between the Reef VM and a native library: the one contract
//! both sides compile against, version 1. Everything here is `#[repr(C)]`
//! and plain data, so a library built by another Rust version (or written
//! in C) meets the VM on equal terms.
//!
//! # The contract
//!
//! - **Entry symbol.** A library exports [`ENTRY_SYMBOL`]
//!   (`reef_native_init`), an `extern "C" fn() -> *const ModuleTable`
//!   ([`InitFn`]). Its name and signature never change between ABI
//!   versions, so the VM can always call it and read the version.
//! - **The table.** It returns a pointer to a [`ModuleTable`] that lives
//!   as long as the library (a `static`). The table's first field,
//!   `abi_version` (a `u32` at offset 0), stays first in every future
//!   version; the VM reads it before anything else and refuses a library
//!   whose version is not [`ABI_VERSION`]. `table_size` must equal
//!   `size_of::<ModuleTable>()`. The table names the module and lists its
//!   functions ([`Function`]: name, arity, flags, an `extern "C"` pointer)
//!   and the library's [`FreeFn`].
//! - **Terms are bytes** in Erlang's external term format (ETF, starting
//!   with the version byte 131): the encoding Reef's distribution already
//!   speaks, stable, documented by Erlang/OTP, and independent of either
//!   side's memory layout.
//! - **A call.** [`CallFn`] gets the arguments as one ETF tuple of `arity`
//!   elements (`args`, `args_len`: owned by the VM, valid only during the
//!   call) and writes its reply into `*out` (a [`Buffer`] the library
//!   allocated). It returns a status: [`STATUS_OK`] (the reply is the
//!   result), [`STATUS_RAISE`] (the reply is an error reason the VM raises
//!   in the calling process) or [`STATUS_PANIC`] (the function panicked;
//!   the reply is the panic message as an ETF binary, raised as
//!   `(:native_panic, message)`).
//! - **Memory is freed by the side that allocated it.** The VM copies the
//!   reply out, then hands the buffer back to the table's `free`. (A
//!   library may use its own allocator and its own copy of `std`.)
//! - **No unwinding crosses the boundary.** Every function body runs under
//!   `catch_unwind` inside the library (the [`module!`](crate::module)
//!   macro does it); a library must be built with `panic = "unwind"` (the
//!   default), since with `panic = "abort"` a panic ends the whole program.
//!
//! What the VM cannot check: that the pointers point at memory of the
//! lengths given, that a function keeps the contract, that the library's
//! load-time code is harmless. Loading a library is trusting it, as
//! loading a NIF is in Erlang.

use std::os::raw::c_char;

/// The ABI version this crate and the VM speak. A library built against
/// another version is refused when loaded.
pub const ABI_VERSION: u32 = 1;

/// The name of the function every native library exports (with a NUL, as
/// `dlsym` wants it). The same in every ABI version.
pub const ENTRY_SYMBOL: &[u8] = b"reef_native_init\0";

/// The call succeeded: the reply is the function's result.
pub const STATUS_OK: i32 = 0;
/// The function raised: the reply is the reason, raised as an error in
/// the calling process.
pub const STATUS_RAISE: i32 = 1;
/// The function panicked: the reply is the panic message (an ETF binary),
/// raised as `(:native_panic, message)`.
pub const STATUS_PANIC: i32 = 2;

/// The most functions one table may list (the VM refuses more: a bound
/// that catches a garbage count before it is trusted).
pub const MAX_FUNCTIONS: usize = 65_536;
/// The highest arity a native function may have (Erlang's limit).
pub const MAX_ARITY: u32 = 255;
/// The longest module or function name, in bytes (an atom's limit is 255
/// characters; names here are ASCII in practice).
pub const MAX_NAME_BYTES: usize = 255;

/// Bytes the library allocated and hands to the VM: `ptr` to `len`
/// initialised bytes of a block of `cap` bytes. The VM only reads it, then
/// passes it back unchanged to [`ModuleTable::free`].
#[repr(C)]
#[derive(Debug)]
pub struct Buffer {
    pub ptr: *mut u8,
    pub len: usize,
    pub cap: usize,
}

impl Buffer {
    /// An empty buffer (what `out` holds before a call).
    pub const fn empty() -> Buffer {
        Buffer {
            ptr: std::ptr::null_mut(),
            len: 0,
            cap: 0,
        }
    }

    /// Gives up a `Vec`'s memory to the other side; [`Buffer::into_vec`]
    /// takes it back.
    pub fn from_vec(v: Vec<u8>) -> Buffer {
        let mut v = std::mem::ManuallyDrop::new(v);
        Buffer {
            ptr: v.as_mut_ptr(),
            len: v.len(),
            cap: v.capacity(),
        }
    }

    /// The `Vec` a [`Buffer::from_vec`] gave up.
    ///
    /// # Safety
    ///
    /// `self` must come from [`Buffer::from_vec`] in this same library
    /// (same allocator), unchanged, and not have been taken back before.
    pub unsafe fn into_vec(self) -> Vec<u8> {
        if self.ptr.is_null() {
            return Vec::new();
        }
        // SAFETY: the caller promises the three fields are those of a Vec
        // this library's allocator made and nobody owns any more.
        unsafe { Vec::from_raw_parts(self.ptr, self.len, self.cap) }
    }
}

/// One native function: `call` is `module.name/arity`.
pub type CallFn = unsafe extern "C" fn(args: *const u8, args_len: usize, out: *mut Buffer) -> i32;

/// Frees a [`Buffer`] the library allocated.
pub type FreeFn = unsafe extern "C" fn(buffer: Buffer);

/// The entry point's type.
pub type InitFn = unsafe extern "C" fn() -> *const ModuleTable;

/// One function of the table.
#[repr(C)]
#[derive(Debug)]
pub struct Function {
    /// The name: `name_len` bytes of UTF-8 (no NUL needed).
    pub name: *const c_char,
    pub name_len: usize,
    pub arity: u32,
    /// Reserved: must be 0 in version 1 (the VM refuses other bits, so a
    /// later meaning cannot be silently ignored).
    pub flags: u32,
    /// The function; `None` (a null pointer) is refused.
    pub call: Option<CallFn>,
}

// SAFETY: a `Function` only points at immutable data and code of the
// library (names in `static`s, functions), which every thread may read.
unsafe impl Sync for Function {}

impl Function {
    /// A table entry (usable in a `static`).
    pub const fn new(name: &'static str, arity: u32, call: CallFn) -> Function {
        Function {
            name: name.as_ptr() as *const c_char,
            name_len: name.len(),
            arity,
            flags: 0,
            call: Some(call),
        }
    }
}

/// What [`ENTRY_SYMBOL`] returns.
#[repr(C)]
#[derive(Debug)]
pub struct ModuleTable {
    /// [`ABI_VERSION`]; at offset 0 in every version.
    pub abi_version: u32,
    /// `size_of::<ModuleTable>()` as the library saw it.
    pub table_size: u32,
    /// The module's name: `module_len` bytes of UTF-8.
    pub module: *const c_char,
    pub module_len: usize,
    /// `function_count` entries.
    pub functions: *const Function,
    pub function_count: usize,
    /// Frees what a call wrote into `out`; `None` is refused.
    pub free: Option<FreeFn>,
}

// SAFETY: as for `Function`: the table points at immutable statics.
unsafe impl Sync for ModuleTable {}

impl ModuleTable {
    /// The table of `module` with `functions` (usable in a `static`).
    pub const fn new(
        module: &'static str,
        functions: &'static [Function],
        free: FreeFn,
    ) -> ModuleTable {
        ModuleTable {
            abi_version: ABI_VERSION,
            table_size: std::mem::size_of::<ModuleTable>() as u32,
            module: module.as_ptr() as *const c_char,
            module_len: module.len(),
            functions: functions.as_ptr(),
            function_count: functions.len(),
            free: Some(free),
        }
    }
}

/// The [`FreeFn`] of a library built with this crate: takes back a
/// [`Buffer::from_vec`].
///
/// # Safety
///
/// `buffer` must be one this library handed out and not yet freed.
pub unsafe extern "C" fn free_buffer(buffer: Buffer) {
    // SAFETY: the VM passes back, once, a buffer a call of this library
    // made with `Buffer::from_vec`.
    drop(unsafe { buffer.into_vec() });
}
