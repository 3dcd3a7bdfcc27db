//! The disassembler: readable text for a module, driven by the opcode table
//! (operand names and kinds), with atoms, literals, imports and functions
//! shown by name next to their indices.

use std::fmt::Write;

use crate::module::{Const, FunKind, Module};
use crate::opcodes::OperandKind;

/// Renders a whole module.
pub fn disassemble(m: &Module) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "module {} ({})", m.name, m.file);
    for (i, f) in m.functions.iter().enumerate() {
        let kind = match f.kind {
            FunKind::Named { exported: true } => "pub fn".to_string(),
            FunKind::Named { exported: false } => "fn".to_string(),
            FunKind::Lambda { captured } => format!("lambda captures={captured}"),
        };
        let _ = writeln!(
            out,
            "\n{kind} {}/{} (F{i}) regs={}",
            f.name, f.arity, f.num_regs
        );
        let mut last_line = None;
        for (pc, instr) in f.code.iter().enumerate() {
            let line = f.line_of(pc);
            let line_col = if line != last_line {
                last_line = line;
                line.map(|l| format!("L{l}")).unwrap_or_default()
            } else {
                String::new()
            };
            let info = instr.info();
            let mut ops = Vec::new();
            for ((name, kind), v) in info.operands.iter().zip(instr.operand_values()) {
                ops.push(format!("{name}={}", operand(m, *kind, v)));
            }
            let _ = writeln!(
                out,
                "  {line_col:>5} {pc:>4}  {:<16}{}",
                info.name,
                ops.join(" ")
            );
        }
    }
    out
}

fn operand(m: &Module, kind: OperandKind, v: i64) -> String {
    let idx = v as usize;
    match kind {
        OperandKind::Reg => format!("R{v}"),
        OperandKind::Label => format!("@{v}"),
        OperandKind::Atom => match m.atoms.get(idx) {
            Some(a) => format!(":{a}"),
            None => format!("A{v}?"),
        },
        OperandKind::Lit => match m.literals.get(idx) {
            Some(Const::Int(i)) => i.to_string(),
            Some(Const::BigInt(s)) => s.clone(),
            Some(Const::Float(f)) => format!("{f:?}"),
            Some(Const::Str(s)) => format!("{s:?}"),
            Some(Const::Atom(a)) => format!(":{a}"),
            None => format!("K{v}?"),
        },
        OperandKind::Fun => match m.functions.get(idx) {
            Some(f) => format!("{}/{}", f.name, f.arity),
            None => format!("F{v}?"),
        },
        OperandKind::Imp => match m.imports.get(idx) {
            Some(i) => format!("{}.{}/{}", i.module, i.name, i.arity),
            None => format!("I{v}?"),
        },
        OperandKind::U8 | OperandKind::U16 | OperandKind::I32 => v.to_string(),
    }
}

/// The instruction set reference, one line per opcode, generated from the
/// table (used by `reef disasm --opcodes` and the spec).
pub fn opcode_reference() -> String {
    let mut out = String::new();
    for op in crate::OPCODES {
        let ops: Vec<_> = op
            .operands
            .iter()
            .map(|(n, k)| format!("{n}:{k:?}"))
            .collect();
        let _ = writeln!(
            out,
            "{:>3} {:<15} {:<40} {}",
            op.code,
            op.name,
            ops.join(" "),
            op.doc
        );
    }
    out
}
