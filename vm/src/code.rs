//! Loaded code: a validated bytecode module prepared for the interpreter
//! (names interned, literals turned into values, an import cache per call
//! site module). A `LoadedModule` is immutable and shared by every process
//! and thread through `Arc`; a version, once installed, stays alive as long
//! as the runtime (frames point at it by raw pointer, see `process.rs`). A
//! transient module (a REPL input) is never installed and lives while
//! closures and the processes running it hold it.

use std::path::PathBuf;
use std::sync::atomic::{AtomicPtr, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use reef_bytecode::{Const, FunKind, Instr, LineEntry, Module};

use crate::exports::ExportEntry;
use crate::value::{Atom, Value};

/// One function, ready to run.
pub struct FunctionCode {
    /// The module it belongs to: set when the module is put in its `Arc`
    /// (the only way to make one, see [`LoadedModule::new`]), so a frame
    /// needs only the function (`Frame` is 16 bytes). Read with `module()`.
    module: AtomicPtr<LoadedModule>,
    pub name: Atom,
    pub arity: u32,
    pub kind: FunKind,
    pub num_regs: u32,
    pub code: Box<[Instr]>,
    pub lines: Box<[LineEntry]>,
}

impl FunctionCode {
    /// The module this function belongs to.
    #[inline(always)]
    pub fn module(&self) -> &LoadedModule {
        // SAFETY: set to the module's place in its `Arc` before the module
        // is shared (`LoadedModule::new`), and a function lives inside its
        // module, so the module outlives every borrow of the function.
        unsafe { &*self.module.load(Ordering::Relaxed) }
    }

    /// The source line of instruction `pc` (0 if unknown).
    pub fn line_of(&self, pc: usize) -> u32 {
        let i = self.lines.partition_point(|e| e.pc as usize <= pc);
        if i == 0 {
            0
        } else {
            self.lines[i - 1].line
        }
    }

    pub fn is_exported(&self) -> bool {
        matches!(self.kind, FunKind::Named { exported: true })
    }

    pub fn captured(&self) -> u32 {
        match self.kind {
            FunKind::Lambda { captured } => captured,
            FunKind::Named { .. } => 0,
        }
    }
}

/// An import `module.name/arity` of a module, with the export entry it
/// resolves to, looked up on its first call and cached here.
pub struct ImportSlot {
    pub module: Atom,
    pub name: Atom,
    pub arity: u32,
    pub entry: OnceLock<Arc<ExportEntry>>,
}

/// The module's literal table. Only scalars (integers, big integers,
/// floats, strings, atoms) ever go in, which the constructor checks: no
/// `Rc` inside, so sharing the table between threads is sound.
pub struct Literals(Box<[Value]>);

// SAFETY: `Literals::new` only admits values without `Rc` parts (their
// `Arc` parts are thread-safe), so no thread can observe a non-atomic
// refcount another thread touches.
unsafe impl Send for Literals {}
// SAFETY: as above; the table is never mutated after construction.
unsafe impl Sync for Literals {}

impl Literals {
    fn new(values: Vec<Value>) -> Literals {
        for v in &values {
            assert!(
                matches!(
                    v,
                    Value::Int(_)
                        | Value::BigInt(_)
                        | Value::Float(_)
                        | Value::Str(_)
                        | Value::Atom(_)
                ),
                "module literals must be scalars"
            );
        }
        Literals(values.into_boxed_slice())
    }

    #[inline(always)]
    pub fn get(&self, i: usize) -> &Value {
        &self.0[i]
    }
}

/// A module ready to run.
pub struct LoadedModule {
    pub name: Atom,
    /// The source file, for stack traces.
    pub file: Arc<str>,
    /// The directory of the source file: modules it calls are looked for
    /// here first. `None` for modules loaded from strings or the stdlib.
    pub dir: Option<PathBuf>,
    pub atoms: Box<[Atom]>,
    pub literals: Literals,
    pub imports: Box<[ImportSlot]>,
    pub functions: Box<[FunctionCode]>,
    /// Loaded for one REPL evaluation and not installed: no export entry
    /// names it, so it is freed with its last `Arc`. A process that enters
    /// it through a closure pins it (`Process::pins`) while it may have a
    /// frame in it (ARCHITECTURE.md, "Code").
    pub transient: bool,
    /// Set when a purge starts (`embed/reload.rs`): from then on, a
    /// process entering it through a closure pins it, as a transient
    /// module, since nothing else may keep it alive.
    pub(crate) purged: std::sync::atomic::AtomicBool,
    /// MD5 of the module's encoded bytecode, computed once at load: the
    /// `Uniq` of its funs on the wire (NEW_FUN_EXT), so a node accepts a
    /// fun as its own only when it runs the very same code.
    pub md5: [u8; 16],
}

/// How many transient modules (REPL inputs) are alive: what the REPL's
/// memory tests watch.
static TRANSIENT_LIVE: AtomicUsize = AtomicUsize::new(0);

/// How many transient modules are alive now.
#[cfg(test)]
pub fn transient_live() -> usize {
    TRANSIENT_LIVE.load(Ordering::SeqCst)
}

impl Drop for LoadedModule {
    fn drop(&mut self) {
        if self.transient {
            TRANSIENT_LIVE.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

impl LoadedModule {
    /// A module for one evaluation, never installed (see `transient`).
    /// (The caller has validated it.)
    pub fn new_transient(m: Module) -> Arc<LoadedModule> {
        TRANSIENT_LIVE.fetch_add(1, Ordering::SeqCst);
        LoadedModule::build(m, None, true)
    }

    /// Prepares a validated bytecode module. (The caller has run
    /// `reef_bytecode::encode::validate` on it.)
    pub fn new(m: Module, dir: Option<PathBuf>) -> Arc<LoadedModule> {
        LoadedModule::build(m, dir, false)
    }

    fn build(m: Module, dir: Option<PathBuf>, transient: bool) -> Arc<LoadedModule> {
        let md5 = {
            use md5::Digest;
            md5::Md5::digest(reef_bytecode::encode::encode_module(&m)).into()
        };
        let literals = m
            .literals
            .iter()
            .map(|c| match c {
                Const::Int(i) => Value::Int(*i),
                Const::BigInt(s) => Value::from_bigint(parse_decimal(s)),
                Const::Float(f) => Value::Float(*f),
                Const::Str(s) => Value::str(s.clone()),
                Const::Atom(a) => Value::atom(a),
            })
            .collect();
        let loaded = Arc::new(LoadedModule {
            name: Atom::new(&m.name),
            file: m.file.into(),
            dir,
            atoms: m.atoms.iter().map(|a| Atom::new(a)).collect(),
            literals: Literals::new(literals),
            imports: m
                .imports
                .iter()
                .map(|i| ImportSlot {
                    module: Atom::new(&i.module),
                    name: Atom::new(&i.name),
                    arity: i.arity,
                    entry: OnceLock::new(),
                })
                .collect(),
            functions: m
                .functions
                .into_iter()
                .map(|f| FunctionCode {
                    module: AtomicPtr::new(std::ptr::null_mut()),
                    // A lambda is `fn` in stack traces, `function_clause`
                    // reasons and `#Fn<module.fn/arity>` (spec 2.4, 6.3).
                    name: match f.kind {
                        FunKind::Lambda { .. } => Atom::new("fn"),
                        FunKind::Named { .. } => Atom::new(&f.name),
                    },
                    arity: f.arity,
                    kind: f.kind,
                    num_regs: f.num_regs,
                    code: f.code.into_boxed_slice(),
                    lines: f.lines.into_boxed_slice(),
                })
                .collect(),
            transient,
            purged: Default::default(),
            md5,
        });
        let at = Arc::as_ptr(&loaded).cast_mut();
        for f in loaded.functions.iter() {
            f.module.store(at, Ordering::Relaxed);
        }
        loaded
    }

    /// Whether a process entering it through a closure must pin it: a
    /// transient module, or a purged one (only closures hold it).
    #[inline(always)]
    pub fn pinned_on_entry(&self) -> bool {
        self.transient || self.purged.load(Ordering::Relaxed)
    }

    /// The exported function `name/arity`.
    pub fn exported(&self, name: Atom, arity: u32) -> Option<u32> {
        self.functions
            .iter()
            .position(|f| f.is_exported() && f.name == name && f.arity == arity)
            .map(|i| i as u32)
    }
}

/// Parses a validated decimal literal (`-?[0-9]+`) by divide and conquer:
/// the high half times a power of ten plus the low half, so the cost is
/// that of a few big multiplications (Karatsuba in num-bigint), not the
/// quadratic digit-by-digit loop (a 5,000,000-digit literal took 42 s).
pub fn parse_decimal(s: &str) -> num_bigint::BigInt {
    use num_bigint::{BigInt, BigUint, Sign};
    fn magnitude(digits: &[u8]) -> BigUint {
        const LEAF: usize = 1_000;
        if digits.len() <= LEAF {
            return BigUint::parse_bytes(digits, 10).unwrap_or_default();
        }
        let low_len = digits.len() / 2;
        let (high, low) = digits.split_at(digits.len() - low_len);
        magnitude(high) * BigUint::from(10u32).pow(low_len as u32) + magnitude(low)
    }
    let (sign, digits) = match s.strip_prefix('-') {
        Some(rest) => (Sign::Minus, rest),
        None => (Sign::Plus, s),
    };
    BigInt::from_biguint(sign, magnitude(digits.as_bytes()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn decimal_literals_parse_like_num_bigint() {
        for s in ["0", "-1", "123456789012345678901234567890", "-98765"] {
            assert_eq!(super::parse_decimal(s), s.parse().unwrap(), "{s}");
        }
        let long: String = (0..5_001)
            .map(|i| char::from(b'0' + (i * 7 % 10) as u8))
            .collect();
        let long = format!("9{long}");
        assert_eq!(super::parse_decimal(&long), long.parse().unwrap());
        let neg = format!("-{long}");
        assert_eq!(super::parse_decimal(&neg), neg.parse().unwrap());
    }
}
