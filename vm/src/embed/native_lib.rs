//! Native modules from shared libraries (`Vm::load_native_library`,
//! `reef run --native`). A library built with the `reef-native` crate
//! exports one entry point returning a table of functions; each becomes
//! a native `module.name/arity`. Terms cross as external term format bytes
//! (`dist/etf`), so the library never sees a process heap: no `Value` can
//! leak out of a call, and the library may link another Rust version.
//! The contract is `reef_native::abi`; this file is the VM's half.

use std::collections::HashSet;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use libloading::Library;
use reef_native::abi::{self, Buffer, CallFn, FreeFn, InitFn, ModuleTable};

use crate::dist::etf;
use crate::exports::{Mfa, Native};
use crate::interp::Exception;
use crate::native::Ctx;
use crate::value::{Atom, Value};
use crate::Vm;

/// New atoms one reply of a native library may create (atoms are never
/// freed; existing atoms cost nothing).
const REPLY_ATOM_BUDGET: usize = 4096;

/// What [`Vm::load_native_library`] loaded: the module and its functions,
/// now callable from Reef as `module.name(...)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NativeLibrary {
    path: PathBuf,
    module: String,
    functions: Vec<(String, u32)>,
}

impl NativeLibrary {
    /// The file it was loaded from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The module its functions belong to.
    pub fn module(&self) -> &str {
        &self.module
    }

    /// Its functions: name and arity, in the library's order.
    pub fn functions(&self) -> &[(String, u32)] {
        &self.functions
    }
}

/// Why a native library was not loaded. Nothing of a refused library is
/// registered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NativeLibError {
    /// The file is missing or is no shared library the system can load
    /// (the loader's own message).
    Open {
        /// The library's path.
        path: PathBuf,
        /// The system loader's message.
        message: String,
    },
    /// The library has no `reef_native_init`: it was not built with
    /// `reef-native`.
    NoEntry {
        /// The library's path.
        path: PathBuf,
    },
    /// The library speaks another version of the ABI (rebuild it against
    /// this VM's `reef-native`).
    AbiVersion {
        /// The library's path.
        path: PathBuf,
        /// The version the library was built for.
        found: u32,
        /// The version this VM speaks.
        expected: u32,
    },
    /// Its table breaks a rule of the ABI (named).
    BadTable {
        /// The library's path.
        path: PathBuf,
        /// The rule it breaks.
        what: String,
    },
}

impl fmt::Display for NativeLibError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NativeLibError::Open { path, message } => {
                write!(f, "cannot load native library {}: {message}", path.display())
            }
            NativeLibError::NoEntry { path } => write!(
                f,
                "{} is not a Reef native library (it has no `reef_native_init`; build it with the reef-native crate)",
                path.display()
            ),
            NativeLibError::AbiVersion { path, found, expected } => write!(
                f,
                "native library {} was built for ABI version {found}, this VM speaks version {expected} (rebuild it against this reef-native)",
                path.display()
            ),
            NativeLibError::BadTable { path, what } => {
                write!(f, "native library {} has a malformed table: {what}", path.display())
            }
        }
    }
}

impl std::error::Error for NativeLibError {}

/// One function of a checked table.
struct Entry {
    name: String,
    arity: u32,
    call: CallFn,
}

impl Vm {
    /// Loads the native library at `path` (a `cdylib` built with the
    /// `reef-native` crate) and registers each of its functions as a
    /// native `module.name/arity`, which takes precedence over a Reef
    /// function of the same name (as [`Vm::register_native`]).
    ///
    /// A library is trusted code once loaded, as a NIF is in Erlang: its
    /// load-time code runs, and the VM cannot check that its pointers or
    /// functions keep the contract. What it does check, before registering
    /// anything: the entry point exists, the ABI version matches, the
    /// table is well formed (names, arities, no duplicates, no null
    /// pointers). A panic in a function is caught inside the library and
    /// raised in the caller as `(:native_panic, message)`; a reply that is
    /// no term raises `(:native_bad_reply, message)`.
    ///
    /// Libraries stay loaded for the life of the program (no unload):
    /// a process may be inside a function at any time, and a library's
    /// thread-local destructors may run on scheduler threads long after.
    ///
    /// # Errors
    ///
    /// [`NativeLibError`]: the file does not load, has no entry point,
    /// another ABI version, or a malformed table.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// let vm = reef_vm::Vm::new();
    /// let lib = vm.load_native_library("target/release/libreef_native_hash.so")?;
    /// assert_eq!(lib.module(), "hash");
    /// let digest = vm.call("hash", "sha256", vec![reef_vm::Term::from("abc")]);
    /// # Ok::<(), reef_vm::NativeLibError>(())
    /// ```
    pub fn load_native_library(
        &self,
        path: impl AsRef<Path>,
    ) -> Result<NativeLibrary, NativeLibError> {
        let path = path.as_ref().to_path_buf();
        let (module, entries, free) = open(&path)?;
        let module_atom = Atom::try_new(&module).ok_or_else(|| bad(&path, "atom table full"))?;
        let mut mfas = Vec::with_capacity(entries.len());
        for e in &entries {
            let name = Atom::try_new(&e.name).ok_or_else(|| bad(&path, "atom table full"))?;
            mfas.push(Mfa {
                module: module_atom,
                name,
                arity: e.arity,
            });
        }
        let mut functions = Vec::with_capacity(entries.len());
        for (e, mfa) in entries.into_iter().zip(mfas) {
            let label: Arc<str> = format!("{module}.{}/{}", e.name, e.arity).into();
            let call = e.call;
            let f =
                move |ctx: &mut Ctx<'_>, args: &[Value]| call_native(ctx, args, call, free, &label);
            self.rt.register_native(mfa, Native::Host(Arc::new(f)));
            functions.push((e.name, e.arity));
        }
        Ok(NativeLibrary {
            path,
            module,
            functions,
        })
    }
}

fn bad(path: &Path, what: impl Into<String>) -> NativeLibError {
    NativeLibError::BadTable {
        path: path.to_path_buf(),
        what: what.into(),
    }
}

/// Loads the library and checks its table.
fn open(path: &Path) -> Result<(String, Vec<Entry>, FreeFn), NativeLibError> {
    // SAFETY: loading a library runs its initialisers; a native library is
    // trusted code (the doc of `load_native_library` says so), as a NIF is.
    let lib = unsafe { Library::new(path) }.map_err(|e| NativeLibError::Open {
        path: path.to_path_buf(),
        message: loader_message(&e),
    })?;
    // Never unloaded (see `load_native_library`): leaked, so every pointer
    // into it is valid for the rest of the program.
    let lib: &'static Library = Box::leak(Box::new(lib));
    // SAFETY: `ENTRY_SYMBOL` has the type `InitFn` in every ABI version
    // (`reef_native::abi`); a library that exports the name with another
    // type breaks the contract it was built against (trusted code).
    let init: InitFn = match unsafe { lib.get::<InitFn>(abi::ENTRY_SYMBOL) } {
        Ok(sym) => *sym,
        Err(_) => {
            return Err(NativeLibError::NoEntry {
                path: path.to_path_buf(),
            })
        }
    };
    // SAFETY: as above: the entry point takes nothing and returns a
    // pointer, which is checked before it is read.
    let table = unsafe { init() };
    check_table(path, table)
}

/// The loader's message: libloading's own ("dlopen failed") says little;
/// the system's reason ("invalid ELF header", "No such file") is its source.
fn loader_message(e: &libloading::Error) -> String {
    use std::error::Error as _;
    match e.source() {
        Some(why) => why.to_string(),
        None => e.to_string(),
    }
}

/// A name of `len` bytes at `ptr`: non-null, at most 255 bytes, UTF-8,
/// not empty.
///
/// # Safety
///
/// A non-null `ptr` points at `len` readable bytes that live as long as
/// the (never unloaded) library.
unsafe fn name(ptr: *const std::os::raw::c_char, len: usize) -> Result<String, String> {
    if ptr.is_null() {
        return Err("a null name".into());
    }
    if len == 0 || len > abi::MAX_NAME_BYTES {
        return Err(format!("a name of {len} bytes (1 to 255 allowed)"));
    }
    // SAFETY: the caller's promise; the length is at most 255.
    let bytes = unsafe { std::slice::from_raw_parts(ptr as *const u8, len) };
    match std::str::from_utf8(bytes) {
        Ok(s) if !s.contains('\0') => Ok(s.to_string()),
        _ => Err("a name that is not UTF-8 text".into()),
    }
}

/// Checks the table an entry point returned, field by field, reading the
/// version before anything else (it is the one field every version keeps
/// at offset 0).
fn check_table(
    path: &Path,
    table: *const ModuleTable,
) -> Result<(String, Vec<Entry>, FreeFn), NativeLibError> {
    if table.is_null() {
        return Err(bad(path, "the entry point returned a null table"));
    }
    if !(table as usize).is_multiple_of(std::mem::align_of::<u32>()) {
        return Err(bad(path, "the table is not aligned"));
    }
    // SAFETY: non-null and aligned; every ABI version starts its table
    // with this u32, in the library's static memory.
    let found = unsafe { (table as *const u32).read() };
    if found != abi::ABI_VERSION {
        return Err(NativeLibError::AbiVersion {
            path: path.to_path_buf(),
            found,
            expected: abi::ABI_VERSION,
        });
    }
    if !(table as usize).is_multiple_of(std::mem::align_of::<ModuleTable>()) {
        return Err(bad(path, "the table is not aligned"));
    }
    // SAFETY: a version-1 table (checked above), aligned, non-null; the
    // library keeps it alive (it is never unloaded).
    let t: &'static ModuleTable = unsafe { &*table };
    if t.table_size as usize != std::mem::size_of::<ModuleTable>() {
        return Err(bad(
            path,
            format!(
                "table_size is {}, version 1's table is {} bytes",
                t.table_size,
                std::mem::size_of::<ModuleTable>()
            ),
        ));
    }
    let free = t.free.ok_or_else(|| bad(path, "no free function"))?;
    // SAFETY: the table's contract: `module` points at `module_len` bytes.
    let module = unsafe { name(t.module, t.module_len) }
        .map_err(|e| bad(path, format!("module name: {e}")))?;
    if t.function_count > abi::MAX_FUNCTIONS {
        return Err(bad(
            path,
            format!(
                "{} functions (at most {})",
                t.function_count,
                abi::MAX_FUNCTIONS
            ),
        ));
    }
    let functions: &[abi::Function] = if t.function_count == 0 {
        &[]
    } else if t.functions.is_null() {
        return Err(bad(path, "a null function list"));
    } else if !(t.functions as usize).is_multiple_of(std::mem::align_of::<abi::Function>()) {
        return Err(bad(path, "the function list is not aligned"));
    } else {
        // SAFETY: non-null, aligned, a bounded count; the table's contract
        // is that `functions` points at that many entries.
        unsafe { std::slice::from_raw_parts(t.functions, t.function_count) }
    };
    let mut entries = Vec::with_capacity(functions.len());
    let mut seen = HashSet::new();
    for (i, f) in functions.iter().enumerate() {
        // SAFETY: the entry's contract: `name` points at `name_len` bytes.
        let fname = unsafe { name(f.name, f.name_len) }
            .map_err(|e| bad(path, format!("function {i}: {e}")))?;
        let at = format!("{module}.{fname}/{}", f.arity);
        if f.arity > abi::MAX_ARITY {
            return Err(bad(path, format!("{at}: arity above {}", abi::MAX_ARITY)));
        }
        if f.flags != 0 {
            return Err(bad(path, format!("{at}: unknown flags {:#x}", f.flags)));
        }
        let call = f
            .call
            .ok_or_else(|| bad(path, format!("{at}: a null function")))?;
        if !seen.insert((fname.clone(), f.arity)) {
            return Err(bad(path, format!("{at} is listed twice")));
        }
        entries.push(Entry {
            name: fname,
            arity: f.arity,
            call,
        });
    }
    Ok((module, entries, free))
}

/// `(:native_bad_reply, "hash.sha256/1: why")`.
fn bad_reply(label: &str, why: impl fmt::Display) -> Exception {
    Exception::tagged(
        Atom::new("native_bad_reply"),
        Value::str(format!("{label}: {why}")),
    )
}

/// One call: the arguments go out as an ETF tuple, the reply comes back
/// as ETF bytes in the library's buffer, which is read, then handed back
/// to the library's `free`.
fn call_native(
    ctx: &mut Ctx<'_>,
    args: &[Value],
    call: CallFn,
    free: FreeFn,
    label: &str,
) -> Result<Value, Exception> {
    // The arguments as one tuple (arity <= 255: checked at load), written
    // element by element rather than building a tuple first.
    let mut bytes = Vec::with_capacity(64);
    bytes.extend_from_slice(&[etf::VERSION, etf::tag::SMALL_TUPLE, args.len() as u8]);
    for a in args {
        etf::encode_body(a, &ctx.rt.nodes, &mut bytes);
    }
    let mut out = Buffer::empty();
    // SAFETY: `call` came from a checked table of a library that is never
    // unloaded; `bytes` lives through the call; `out` is a valid Buffer.
    // What the function does is the library's (trusted code).
    let status = unsafe { call(bytes.as_ptr(), bytes.len(), &mut out) };
    let reply = if out.ptr.is_null() {
        Err("no reply".to_string())
    } else if out.len > isize::MAX as usize || out.len > out.cap {
        Err(format!(
            "a reply of {} bytes in a buffer of {}",
            out.len, out.cap
        ))
    } else {
        // SAFETY: the ABI's contract: a non-null `ptr` points at `len`
        // initialised bytes that stay until `free` gets them back.
        let reply = unsafe { std::slice::from_raw_parts(out.ptr, out.len) };
        ctx.charge((bytes.len() + reply.len()) / 64);
        decode(ctx, reply)
    };
    if !out.ptr.is_null() {
        // SAFETY: the buffer the library wrote, handed back once, unchanged.
        unsafe { free(out) };
    }
    let reply = reply.map_err(|why| bad_reply(label, why))?;
    match status {
        abi::STATUS_OK => Ok(reply),
        abi::STATUS_RAISE => Err(Exception::error(reply)),
        abi::STATUS_PANIC => Err(Exception::tagged(Atom::new("native_panic"), reply)),
        other => Err(bad_reply(label, format!("unknown status {other}"))),
    }
}

/// The one term of a reply, with atoms bounded by [`REPLY_ATOM_BUDGET`].
fn decode(ctx: &Ctx<'_>, bytes: &[u8]) -> Result<Value, String> {
    let rt = ctx.rt;
    let mut atoms = etf::AtomBudget::new(REPLY_ATOM_BUDGET);
    let code = |m: Atom| rt.code.get(m);
    let mut cx = etf::DecodeCx {
        nodes: &rt.nodes,
        atoms: &mut atoms,
        code: &code,
    };
    match etf::decode(bytes, &mut cx) {
        Ok((v, n)) if n == bytes.len() => Ok(v),
        Ok(_) => Err("bytes after the term".into()),
        Err(e) => Err(e.to_string()),
    }
}

/// The guide's chapter on native libraries, whose Rust blocks run as
/// doctests.
#[cfg(doctest)]
#[doc = include_str!("../../../docs/embedding/native-libraries.md")]
pub struct GuideNativeLibraries;
