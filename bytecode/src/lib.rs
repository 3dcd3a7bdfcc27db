//! Reef bytecode: the instruction set ([`opcodes`]), the compiled module
//! format ([`module`]), its binary encoding ([`encode`]) and the
//! disassembler ([`disasm`]). Shared by the compiler, which writes it, and
//! the VM, which runs it; it depends on neither.

pub mod disasm;
pub mod encode;
pub mod module;
pub mod opcodes;

pub use module::{Const, FunKind, Function, Import, LineEntry, Module};
pub use opcodes::{DecodeError, ExcClass, Instr, OpInfo, OperandKind, OPCODES};
