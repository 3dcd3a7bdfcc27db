//! The binary module format (`.reefc`), its decoder, and the validator that
//! makes malformed bytecode a clear error instead of a VM crash.
//!
//! Layout (all integers little-endian):
//! ```text
//! magic "REEF" | format u16 | name str | file str
//! atoms:     u32 count, str each
//! literals:  u32 count, tag u8 + payload each
//! imports:   u32 count, (module str, name str, arity u32) each
//! functions: u32 count, each: name str, arity u32, kind u8 (+ u32),
//!            num_regs u32, code (u32 byte length, instructions),
//!            lines (u32 count, (pc u32, line u32) each)
//! ```
//! A `str` is a u32 byte length and UTF-8 bytes.

use crate::module::{Const, FunKind, Function, Import, LineEntry, Module};
use crate::opcodes::{DecodeError, Instr, OperandKind};

pub const MAGIC: &[u8; 4] = b"REEF";
/// Bumped whenever the layout above changes.
pub const FORMAT_VERSION: u16 = 1;

/// Limits that keep a hostile file from asking for absurd allocations.
const MAX_COUNT: u32 = 1 << 24;

struct Writer(Vec<u8>);

impl Writer {
    fn u8(&mut self, v: u8) {
        self.0.push(v);
    }
    fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn str(&mut self, s: &str) {
        self.u32(s.len() as u32);
        self.0.extend_from_slice(s.as_bytes());
    }
}

/// Encodes a module into the binary format.
pub fn encode_module(m: &Module) -> Vec<u8> {
    let mut w = Writer(Vec::new());
    w.0.extend_from_slice(MAGIC);
    w.0.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    w.str(&m.name);
    w.str(&m.file);
    w.u32(m.atoms.len() as u32);
    for a in &m.atoms {
        w.str(a);
    }
    w.u32(m.literals.len() as u32);
    for lit in &m.literals {
        match lit {
            Const::Int(i) => {
                w.u8(0);
                w.0.extend_from_slice(&i.to_le_bytes());
            }
            Const::BigInt(s) => {
                w.u8(1);
                w.str(s);
            }
            Const::Float(f) => {
                w.u8(2);
                w.0.extend_from_slice(&f.to_bits().to_le_bytes());
            }
            Const::Str(s) => {
                w.u8(3);
                w.str(s);
            }
            Const::Atom(s) => {
                w.u8(4);
                w.str(s);
            }
        }
    }
    w.u32(m.imports.len() as u32);
    for imp in &m.imports {
        w.str(&imp.module);
        w.str(&imp.name);
        w.u32(imp.arity);
    }
    w.u32(m.functions.len() as u32);
    for f in &m.functions {
        w.str(&f.name);
        w.u32(f.arity);
        match f.kind {
            FunKind::Named { exported } => w.u8(exported as u8),
            FunKind::Lambda { captured } => {
                w.u8(2);
                w.u32(captured);
            }
        }
        w.u32(f.num_regs);
        let mut code = Vec::new();
        for i in &f.code {
            i.encode(&mut code);
        }
        w.u32(code.len() as u32);
        w.0.extend_from_slice(&code);
        w.u32(f.lines.len() as u32);
        for l in &f.lines {
            w.u32(l.pc);
            w.u32(l.line);
        }
    }
    w.0
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        let end = self
            .pos
            .checked_add(n)
            .ok_or(DecodeError::UnexpectedEnd { at: self.pos })?;
        let s = self
            .bytes
            .get(self.pos..end)
            .ok_or(DecodeError::UnexpectedEnd { at: self.pos })?;
        self.pos = end;
        Ok(s)
    }
    fn u8(&mut self) -> Result<u8, DecodeError> {
        Ok(self.take(1)?[0])
    }
    fn u32(&mut self) -> Result<u32, DecodeError> {
        Ok(u32::from_le_bytes(
            self.take(4)?.try_into().expect("4 bytes"),
        ))
    }
    fn u64(&mut self) -> Result<u64, DecodeError> {
        Ok(u64::from_le_bytes(
            self.take(8)?.try_into().expect("8 bytes"),
        ))
    }
    fn count(&mut self, what: &str) -> Result<u32, DecodeError> {
        let at = self.pos;
        let n = self.u32()?;
        if n > MAX_COUNT || n as usize > self.bytes.len() {
            return Err(DecodeError::Invalid {
                what: format!("{what} count {n} is too large"),
                at,
            });
        }
        Ok(n)
    }
    fn str(&mut self) -> Result<String, DecodeError> {
        let at = self.pos;
        let n = self.u32()? as usize;
        let bytes = self.take(n)?;
        String::from_utf8(bytes.to_vec()).map_err(|_| DecodeError::Invalid {
            what: "string is not UTF-8".into(),
            at,
        })
    }
}

/// Decodes and validates a module. Any malformed input gives an error,
/// never a panic, and a module that decodes is safe for the VM to run.
pub fn decode_module(bytes: &[u8]) -> Result<Module, DecodeError> {
    let mut r = Reader { bytes, pos: 0 };
    if r.take(4)? != MAGIC {
        return Err(DecodeError::Invalid {
            what: "not a Reef bytecode file (bad magic)".into(),
            at: 0,
        });
    }
    let version = u16::from_le_bytes(r.take(2)?.try_into().expect("2 bytes"));
    if version != FORMAT_VERSION {
        return Err(DecodeError::Invalid {
            what: format!("format version {version}, this VM reads {FORMAT_VERSION}"),
            at: 4,
        });
    }
    let mut m = Module {
        name: r.str()?,
        file: r.str()?,
        ..Module::default()
    };
    for _ in 0..r.count("atom")? {
        m.atoms.push(r.str()?);
    }
    for _ in 0..r.count("literal")? {
        let at = r.pos;
        let lit = match r.u8()? {
            0 => Const::Int(r.u64()? as i64),
            1 => {
                let s = r.str()?;
                let digits = s.strip_prefix('-').unwrap_or(&s);
                if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(DecodeError::Invalid {
                        what: "bad big integer literal".into(),
                        at,
                    });
                }
                Const::BigInt(s)
            }
            2 => Const::Float(f64::from_bits(r.u64()?)),
            3 => Const::Str(r.str()?),
            4 => Const::Atom(r.str()?),
            t => {
                return Err(DecodeError::Invalid {
                    what: format!("unknown literal tag {t}"),
                    at,
                })
            }
        };
        m.literals.push(lit);
    }
    for _ in 0..r.count("import")? {
        m.imports.push(Import {
            module: r.str()?,
            name: r.str()?,
            arity: r.u32()?,
        });
    }
    for _ in 0..r.count("function")? {
        let name = r.str()?;
        let arity = r.u32()?;
        let at = r.pos;
        let kind = match r.u8()? {
            0 => FunKind::Named { exported: false },
            1 => FunKind::Named { exported: true },
            2 => FunKind::Lambda { captured: r.u32()? },
            t => {
                return Err(DecodeError::Invalid {
                    what: format!("unknown function kind {t}"),
                    at,
                })
            }
        };
        let num_regs = r.u32()?;
        let len = r.count("code byte")? as usize;
        let code_start = r.pos;
        let code_bytes = r.take(len)?;
        let mut code = Vec::new();
        let mut pos = 0;
        while pos < code_bytes.len() {
            code.push(Instr::decode(code_bytes, &mut pos).map_err(|e| shift(e, code_start))?);
        }
        let mut lines = Vec::new();
        for _ in 0..r.count("line")? {
            lines.push(LineEntry {
                pc: r.u32()?,
                line: r.u32()?,
            });
        }
        m.functions.push(Function {
            name,
            arity,
            kind,
            num_regs,
            code,
            lines,
        });
    }
    if r.pos != bytes.len() {
        return Err(DecodeError::Invalid {
            what: "trailing bytes after the module".into(),
            at: r.pos,
        });
    }
    validate(&m)?;
    Ok(m)
}

fn shift(e: DecodeError, by: usize) -> DecodeError {
    match e {
        DecodeError::UnexpectedEnd { at } => DecodeError::UnexpectedEnd { at: at + by },
        DecodeError::UnknownOpcode { code, at } => DecodeError::UnknownOpcode { code, at: at + by },
        DecodeError::Invalid { what, at } => DecodeError::Invalid { what, at: at + by },
    }
}

/// Checks every operand of every instruction against the module's tables,
/// and every invariant the interpreter relies on without re-checking (the
/// list is in ARCHITECTURE.md, "Invariants of validated bytecode"):
/// registers and register windows inside the frame, labels inside the
/// function, indices inside their tables, a closure's captured count equal
/// to what its function expects, and no way to fall off a function's end.
/// All arithmetic on operands is done in `u64`, so no operand (an import of
/// arity `u32::MAX`) can overflow the checks themselves.
pub fn validate(m: &Module) -> Result<(), DecodeError> {
    for f in &m.functions {
        validate_function(m, f)?;
    }
    Ok(())
}

/// The values a lambda carries after its arguments (0 for a named function).
fn captured_of(f: &Function) -> u32 {
    match f.kind {
        FunKind::Lambda { captured } => captured,
        FunKind::Named { .. } => 0,
    }
}

fn validate_function(m: &Module, f: &Function) -> Result<(), DecodeError> {
    let bad = |pc: usize, what: String| DecodeError::Invalid {
        what: format!("{}/{} instruction {pc}: {what}", f.name, f.arity),
        at: 0,
    };
    let num_regs = u64::from(f.num_regs);
    if u64::from(f.arity) + u64::from(captured_of(f)) > num_regs || f.num_regs > u32::from(u16::MAX)
    {
        return Err(bad(
            0,
            "frame too small for its arguments, or too large".into(),
        ));
    }
    match f.code.last() {
        Some(Instr::Return { .. })
        | Some(Instr::TailCall { .. })
        | Some(Instr::TailCallExt { .. })
        | Some(Instr::TailCallFun { .. })
        | Some(Instr::Jump { .. })
        | Some(Instr::Raise { .. })
        | Some(Instr::Badmatch { .. })
        | Some(Instr::CaseClause { .. })
        | Some(Instr::FunctionClause {})
        | Some(Instr::Reraise { .. })
        | Some(Instr::RecvWait { .. })
        | Some(Instr::RecvSkip { .. }) => {}
        _ => return Err(bad(f.code.len(), "code may fall off the end".into())),
    }
    for (pc, instr) in f.code.iter().enumerate() {
        let info = instr.info();
        for ((name, kind), value) in info.operands.iter().zip(instr.operand_values()) {
            let limit = match kind {
                OperandKind::Reg => num_regs,
                OperandKind::Lit => m.literals.len() as u64,
                OperandKind::Atom => m.atoms.len() as u64,
                OperandKind::Label => f.code.len() as u64,
                OperandKind::Fun => m.functions.len() as u64,
                OperandKind::Imp => m.imports.len() as u64,
                OperandKind::U8 | OperandKind::U16 | OperandKind::I32 => continue,
            };
            if value < 0 || value as u64 >= limit {
                return Err(bad(
                    pc,
                    format!("{} operand {name} = {value} is out of range", info.name),
                ));
            }
        }
        // Only a `Jump` (which costs a reduction when it goes back), a
        // `RecvSkip` (likewise) and the resume points of a receive's wait
        // may go backwards: a test, a handler or an `expired` label that
        // went back would make a loop that never yields, hogging its
        // scheduler thread forever.
        let may_go_back = |name: &str| match *instr {
            Instr::Jump { .. } | Instr::RecvSkip { .. } | Instr::RecvWait { .. } => true,
            Instr::RecvWaitTimeout { .. } => name == "target",
            _ => false,
        };
        for ((name, kind), value) in info.operands.iter().zip(instr.operand_values()) {
            if *kind == OperandKind::Label && value as u64 <= pc as u64 && !may_go_back(name) {
                return Err(bad(
                    pc,
                    format!("{} operand {name} = {value} goes backwards", info.name),
                ));
            }
        }
        // Multi-register operands: the whole window must fit (in u64: a
        // count may be as large as u32::MAX).
        let window = |start: u16, count: u64| u64::from(start) + count <= num_regs;
        let ok = match *instr {
            Instr::MakeTuple { start, count, .. }
            | Instr::MakeTupleLast { start, count, .. }
            | Instr::Interp { start, count, .. } => window(start, count.into()),
            Instr::MakeClosure {
                start, count, func, ..
            } => {
                // The callee finds its captured values in
                // R[arity..arity+captured]; a closure carrying more would
                // write past its frame when called.
                let callee = &m.functions[func as usize];
                if u32::from(count) != captured_of(callee) {
                    return Err(bad(
                        pc,
                        format!(
                            "MakeClosure captures {count} values but {} expects {}",
                            callee.name,
                            captured_of(callee)
                        ),
                    ));
                }
                window(start, count.into())
            }
            Instr::MakeFunRef { func, .. } => {
                let callee = &m.functions[func as usize];
                if captured_of(callee) != 0 {
                    return Err(bad(
                        pc,
                        format!(
                            "MakeFunRef of {}, a lambda that captures values",
                            callee.name
                        ),
                    ));
                }
                true
            }
            // The token is a dead register of its own, never one of the
            // moved values.
            Instr::MakeTupleReuse {
                start,
                count,
                token,
                ..
            } => {
                window(start, count.into())
                    && (token < start || u64::from(token) >= u64::from(start) + u64::from(count))
            }
            Instr::MakeMap { start, count, .. }
            | Instr::UpdateMap { start, count, .. }
            | Instr::UpdateMapLast { start, count, .. } => window(start, 2 * u64::from(count)),
            Instr::Call { base, func } | Instr::TailCall { base, func } => {
                window(base, m.functions[func as usize].arity.max(1).into())
            }
            Instr::CallExt { base, import } | Instr::TailCallExt { base, import } => {
                window(base, m.imports[import as usize].arity.max(1).into())
            }
            Instr::CallFun { base, argc } | Instr::TailCallFun { base, argc } => {
                window(base, u64::from(argc) + 1)
            }
            Instr::TryBegin { dst, .. } | Instr::Reraise { src: dst } => window(dst, 3),
            // A superinstruction stands for itself and the instruction
            // after it, which must be exactly the second of the pair.
            Instr::AddIntCall { dst, func, .. }
            | Instr::MoveCall { dst, func, .. }
            | Instr::MoveLastCall { dst, func, .. } => {
                f.code.get(pc + 1) == Some(&Instr::Call { base: dst, func })
                    && window(dst, m.functions[func as usize].arity.max(1).into())
            }
            Instr::AddReturn { dst, .. } => f.code.get(pc + 1) == Some(&Instr::Return { src: dst }),
            Instr::GetElem2 {
                dst,
                src,
                dst2,
                index2,
                ..
            } => {
                dst != src
                    && f.code.get(pc + 1)
                        == Some(&Instr::GetElem {
                            dst: dst2,
                            src,
                            index: index2,
                        })
            }
            Instr::Raise { class, .. } => class <= 2,
            Instr::MakeConsOwn { moves, .. } | Instr::MakeConsReuse { moves, .. } => moves <= 3,
            _ => true,
        };
        if !ok {
            return Err(bad(
                pc,
                format!("{} register window out of range", info.name),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Module {
        Module {
            name: "m".into(),
            file: "m.reef".into(),
            atoms: vec!["ok".into()],
            literals: vec![
                Const::Str("hi".into()),
                Const::BigInt("-123456789012345678901234".into()),
            ],
            imports: vec![Import {
                module: "io".into(),
                name: "println".into(),
                arity: 1,
            }],
            functions: vec![Function {
                name: "main".into(),
                arity: 0,
                kind: FunKind::Named { exported: true },
                num_regs: 2,
                code: vec![
                    Instr::LoadLit { dst: 0, lit: 0 },
                    Instr::CallExt { base: 0, import: 0 },
                    Instr::LoadAtom { dst: 1, atom: 0 },
                    Instr::Return { src: 1 },
                ],
                lines: vec![LineEntry { pc: 0, line: 1 }],
            }],
        }
    }

    #[test]
    fn round_trip() {
        let m = sample();
        assert_eq!(decode_module(&encode_module(&m)).unwrap(), m);
    }

    #[test]
    fn every_truncation_is_an_error_not_a_panic() {
        let bytes = encode_module(&sample());
        for n in 0..bytes.len() {
            assert!(
                decode_module(&bytes[..n]).is_err(),
                "prefix of {n} bytes decoded"
            );
        }
    }

    #[test]
    fn out_of_range_operand_is_rejected() {
        let mut m = sample();
        m.functions[0].code[0] = Instr::LoadLit { dst: 0, lit: 9 };
        let err = decode_module(&encode_module(&m)).unwrap_err();
        assert!(err.to_string().contains("operand lit = 9"), "{err}");
    }

    /// A superinstruction is accepted only followed by the second
    /// instruction of its pair, with the operands it names.
    #[test]
    fn superinstructions_need_their_second_instruction() {
        let with = |code: Vec<Instr>| {
            let mut m = sample();
            m.functions[0].num_regs = 4;
            m.functions[0].code = code;
            validate(&m)
        };
        let ret = Instr::Return { src: 0 };
        let call = Instr::Call { base: 1, func: 0 };
        let move_call = Instr::MoveCall {
            dst: 1,
            src: 0,
            func: 0,
        };
        assert!(with(vec![move_call, call, ret]).is_ok());
        assert!(with(vec![move_call, Instr::Call { base: 2, func: 0 }, ret]).is_err());
        assert!(with(vec![move_call, ret]).is_err());
        let move_last_call = Instr::MoveLastCall {
            dst: 1,
            src: 0,
            func: 0,
        };
        assert!(with(vec![move_last_call, call, ret]).is_ok());
        assert!(with(vec![move_last_call, Instr::Call { base: 2, func: 0 }, ret]).is_err());
        let add_call = Instr::AddIntCall {
            dst: 1,
            a: 0,
            val: -1,
            func: 0,
        };
        assert!(with(vec![add_call, call, ret]).is_ok());
        assert!(with(vec![add_call, Instr::Move { dst: 1, src: 0 }, ret]).is_err());
        let add_ret = Instr::AddReturn { dst: 1, a: 0, b: 0 };
        assert!(with(vec![add_ret, Instr::Return { src: 1 }]).is_ok());
        assert!(with(vec![add_ret, Instr::Return { src: 0 }]).is_err());
        assert!(with(vec![add_ret, call, Instr::Return { src: 1 }]).is_err());
        let get2 = |dst, src| Instr::GetElem2 {
            dst,
            src,
            index: 0,
            dst2: 2,
            index2: 1,
        };
        let second = |src| Instr::GetElem {
            dst: 2,
            src,
            index: 1,
        };
        assert!(with(vec![get2(1, 0), second(0), ret]).is_ok());
        assert!(
            with(vec![get2(0, 0), second(0), ret]).is_err(),
            "dst == src"
        );
        assert!(with(vec![get2(1, 0), second(3), ret]).is_err());
        assert!(with(vec![get2(1, 0), ret]).is_err());
    }

    #[test]
    fn malformed_ownership_instructions_are_rejected() {
        let bad = [
            (Instr::MoveLast { dst: 0, src: 2 }, "operand src = 2"),
            (
                Instr::GetElemTake {
                    dst: 2,
                    src: 0,
                    index: 0,
                },
                "operand dst = 2",
            ),
            (Instr::GetTailLast { dst: 0, src: 7 }, "operand src = 7"),
            (Instr::Drop { src: 2 }, "operand src = 2"),
            (
                Instr::MakeTupleLast {
                    dst: 0,
                    start: 1,
                    count: 2,
                },
                "register window",
            ),
            (
                Instr::UpdateMapLast {
                    dst: 0,
                    map: 0,
                    start: 1,
                    count: 1,
                },
                "register window",
            ),
            (
                Instr::MakeConsOwn {
                    dst: 0,
                    head: 0,
                    tail: 1,
                    moves: 4,
                },
                "register window",
            ),
            (
                Instr::MakeConsReuse {
                    dst: 0,
                    head: 0,
                    tail: 1,
                    moves: 4,
                    token: 1,
                },
                "register window",
            ),
            (
                Instr::MakeTupleReuse {
                    dst: 0,
                    start: 0,
                    count: 2,
                    token: 1,
                },
                "register window",
            ),
        ];
        for (instr, what) in bad {
            let mut m = sample();
            m.functions[0].code[0] = instr;
            let err = decode_module(&encode_module(&m)).unwrap_err();
            assert!(err.to_string().contains(what), "{instr:?}: {err}");
        }
        // And their well-formed uses pass.
        let mut m = sample();
        m.functions[0].code[0] = Instr::MakeConsOwn {
            dst: 0,
            head: 0,
            tail: 1,
            moves: 3,
        };
        assert!(decode_module(&encode_module(&m)).is_ok());
        m.functions[0].code[0] = Instr::MakeTupleReuse {
            dst: 0,
            start: 0,
            count: 1,
            token: 1,
        };
        assert!(decode_module(&encode_module(&m)).is_ok());
    }

    #[test]
    fn opcode_numbers_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for op in crate::OPCODES {
            assert!(seen.insert(op.code), "opcode {} used twice", op.code);
        }
    }
}
