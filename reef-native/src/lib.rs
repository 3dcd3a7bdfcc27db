//! Write Reef native modules as shared libraries.
//!
//! A native library is a Rust `cdylib` that depends on this crate (and
//! never on `reef-vm`: it talks to the VM only through the C ABI of
//! [`abi`]). The [`module!`] macro declares its module and functions with
//! serde types; the VM loads it with `Vm::load_native_library(path)` or
//! `reef run --native PATH`, and Reef code calls `hash.sha256(data)` like
//! any function:
//!
//! ```
//! use reef_native::Binary;
//!
//! reef_native::module! {
//!     "hash";
//!
//!     /// The length of a string or binary, in bytes.
//!     fn size(data: Binary) -> usize {
//!         data.len()
//!     }
//!
//!     /// A failing function returns `Result`: `Err(reason)` raises
//!     /// `reason` (any serde value) in the calling process.
//!     fn checked_half(n: i64) -> Result<i64, (String, i64)> {
//!         if n % 2 == 0 { Ok(n / 2) } else { Err(("odd".to_string(), n)) }
//!     }
//! }
//! # fn main() {}
//! ```
//!
//! Terms cross the boundary as bytes in Erlang's external term format:
//! [`to_etf`] and [`from_etf`] are the serde `Serializer` and
//! `Deserializer` over them, with the shapes every Reef embedding uses
//! (structs are maps with atom keys, unit enum variants atoms, other
//! variants tagged tuples `(:variant, ...)`, `Option` `nil` or the value,
//! sequences lists, tuples tuples, strings and [`Binary`] binaries).

pub mod abi;
mod atom;
mod binary;
#[doc(hidden)]
pub mod call;
mod de;
mod error;
pub mod etf;
mod ser;
#[cfg(test)]
mod tests;

pub use atom::Atom;
pub use binary::Binary;
pub use de::{from_etf, Deserializer, MAX_DEPTH};
pub use error::Error;
pub use ser::{to_etf, Serializer};

/// Declares a native module: its name, then its functions as ordinary
/// Rust functions whose arguments and result are serde types. It defines
/// the functions and the library's entry point
/// ([`abi::ENTRY_SYMBOL`]); use it once per library, at the crate root.
///
/// - An argument that does not decode to its type raises
///   `(:badarg, "module.name/arity, argument N: why")`.
/// - A function returning `Result<T, E>` (written so, with `Result`)
///   returns `T` or raises the term `E` serializes to; any other return
///   type is the result; a function with no return type returns `nil`.
/// - A panic is caught in the library and raised in the calling process
///   as `(:native_panic, message)`.
///
/// The functions run on the calling process's scheduler thread: keep
/// them short (a long computation stalls the processes queued there).
#[macro_export]
macro_rules! module {
    ($module:literal; $($fns:tt)*) => {
        $crate::__reef_native_fns!(@munch $module [] $($fns)*);
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __reef_native_fns {
    (@munch $module:literal [$($done:tt)*]) => {
        /// The native library's entry point (reef-native ABI).
        #[unsafe(no_mangle)]
        pub extern "C" fn reef_native_init() -> *const $crate::abi::ModuleTable {
            static FUNCTIONS: &[$crate::abi::Function] = &[$($done)*];
            static TABLE: $crate::abi::ModuleTable =
                $crate::abi::ModuleTable::new($module, FUNCTIONS, $crate::abi::free_buffer);
            &TABLE
        }
    };
    (@munch $module:literal [$($done:tt)*]
        $(#[$m:meta])* $vis:vis fn $name:ident ($($arg:ident : $ty:ty),* $(,)?)
            -> Result<$ok:ty, $err:ty> $body:block $($rest:tt)*) => {
        $(#[$m])* $vis fn $name($($arg: $ty),*) -> ::core::result::Result<$ok, $err> $body
        $crate::__reef_native_fns!(@munch $module
            [$($done)* $crate::__reef_native_fns!(@entry $module $name ($($arg: $ty),*) result),]
            $($rest)*);
    };
    (@munch $module:literal [$($done:tt)*]
        $(#[$m:meta])* $vis:vis fn $name:ident ($($arg:ident : $ty:ty),* $(,)?)
            -> $ret:ty $body:block $($rest:tt)*) => {
        $(#[$m])* $vis fn $name($($arg: $ty),*) -> $ret $body
        $crate::__reef_native_fns!(@munch $module
            [$($done)* $crate::__reef_native_fns!(@entry $module $name ($($arg: $ty),*) value),]
            $($rest)*);
    };
    (@munch $module:literal [$($done:tt)*]
        $(#[$m:meta])* $vis:vis fn $name:ident ($($arg:ident : $ty:ty),* $(,)?)
            $body:block $($rest:tt)*) => {
        $(#[$m])* $vis fn $name($($arg: $ty),*) $body
        $crate::__reef_native_fns!(@munch $module
            [$($done)* $crate::__reef_native_fns!(@entry $module $name ($($arg: $ty),*) value),]
            $($rest)*);
    };
    (@entry $module:literal $name:ident ($($arg:ident : $ty:ty),*) $kind:ident) => {{
        const ARITY: u32 = $crate::__reef_native_fns!(@count $($arg)*);
        unsafe extern "C" fn call(
            args: *const u8,
            len: usize,
            out: *mut $crate::abi::Buffer,
        ) -> i32 {
            // SAFETY: the VM calls with `len` readable bytes at `args` and
            // a writable buffer at `out` (the ABI's contract, `abi.rs`).
            unsafe {
                $crate::call::call(args, len, out, |input| {
                    #[allow(unused_mut)]
                    let mut a = match $crate::call::Args::new(input, $module, stringify!($name), ARITY) {
                        Ok(a) => a,
                        Err(o) => return o,
                    };
                    $(
                        let $arg: $ty = match a.arg() {
                            Ok(v) => v,
                            Err(o) => return o,
                        };
                    )*
                    if let Err(o) = a.finish() {
                        return o;
                    }
                    $crate::__reef_native_fns!(@reply $kind $name ($($arg),*))
                })
            }
        }
        $crate::abi::Function::new(stringify!($name), ARITY, call)
    }};
    (@reply result $name:ident ($($arg:ident),*)) => {
        match $name($($arg),*) {
            Ok(v) => $crate::call::ok(&v),
            Err(e) => $crate::call::raise(&e),
        }
    };
    (@reply value $name:ident ($($arg:ident),*)) => {
        $crate::call::ok(&$name($($arg),*))
    };
    (@count) => { 0u32 };
    (@count $x:ident $($xs:ident)*) => { 1u32 + $crate::__reef_native_fns!(@count $($xs)*) };
}
