//! A compiled module: what the compiler produces for one `.reef` file and
//! the VM loads. Plain data; all cross references are indices.

use crate::opcodes::Instr;

/// A literal constant. Only scalars: compound literals are built by
/// instructions, so every tuple, list and map belongs to the heap of the
/// process that built it (literals are shared between processes, so they
/// must be immutable and thread-safe: numbers, atoms, strings).
#[derive(Debug, Clone, PartialEq)]
pub enum Const {
    /// An integer that does not fit in an `i32` immediate but fits `i64`.
    Int(i64),
    /// An integer beyond `i64`, as decimal digits with an optional `-`.
    BigInt(String),
    Float(f64),
    /// A string (UTF-8).
    Str(String),
    /// An atom, by name (atoms usually go through the atom table; this
    /// exists so a literal table can hold any scalar).
    Atom(String),
}

/// A function called in another module (or a native built-in):
/// `module.name/arity`. Built-ins called without a module prefix
/// (`len(x)`, `spawn(f)`, `error(r)`) are imports of the module `kernel`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Import {
    pub module: String,
    pub name: String,
    pub arity: u32,
}

/// What kind of function a [`Function`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FunKind {
    /// A named function `name/arity`, callable by local calls; exported
    /// ones (`pub fn`) by other modules too.
    Named { exported: bool },
    /// The body of an anonymous function. Its registers start with the
    /// `arity` arguments, then the `captured` values the closure carries.
    Lambda { captured: u32 },
}

/// Maps an instruction index to a source line (1-based): the entry with
/// the greatest `pc` not above an instruction's index gives its line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineEntry {
    pub pc: u32,
    pub line: u32,
}

/// One function's code.
#[derive(Debug, Clone, PartialEq)]
pub struct Function {
    /// `fact`, or for a lambda a generated name such as `-main/1-fun-0-`.
    pub name: String,
    pub arity: u32,
    pub kind: FunKind,
    /// How many registers a frame of this function needs (arguments
    /// included).
    pub num_regs: u32,
    pub code: Vec<Instr>,
    /// Sorted by `pc`.
    pub lines: Vec<LineEntry>,
}

impl Function {
    /// The source line of instruction `pc`, if known.
    pub fn line_of(&self, pc: usize) -> Option<u32> {
        let i = self.lines.partition_point(|e| e.pc as usize <= pc);
        if i == 0 {
            None
        } else {
            Some(self.lines[i - 1].line)
        }
    }

    pub fn is_exported(&self) -> bool {
        matches!(self.kind, FunKind::Named { exported: true })
    }
}

/// A compiled module.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Module {
    pub name: String,
    /// The source file it was compiled from, as given to the compiler (for
    /// stack traces).
    pub file: String,
    pub atoms: Vec<String>,
    pub literals: Vec<Const>,
    pub imports: Vec<Import>,
    pub functions: Vec<Function>,
}

impl Module {
    /// Finds a named function by name and arity.
    pub fn find_function(&self, name: &str, arity: u32) -> Option<usize> {
        self.functions.iter().position(|f| {
            matches!(f.kind, FunKind::Named { .. }) && f.name == name && f.arity == arity
        })
    }
}
