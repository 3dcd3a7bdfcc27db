//! The instruction set: one table, below, is the single source of truth.
//! The `opcodes!` macro turns it into the [`Instr`] enum that the VM's
//! dispatch loop matches on, the binary encoder and decoder, and the
//! [`OPCODES`] table that the disassembler and the docs read.
//!
//! Conventions used in the doc lines:
//! - `R[x]` is register `x` of the current frame (registers are numbered
//!   from 0; a function's arguments arrive in `R[0..arity]`).
//! - `K[k]` is the module's literal `k`, `A[a]` its atom `a`, `F[f]` its
//!   function `f`, `I[i]` its import `i` (module, name, arity).
//! - A `fail` or `target` operand is an absolute instruction index in the
//!   same function.
//!
//! Opcode numbers are explicit and only ever grow: a number, once given,
//! keeps its meaning, so saved bytecode never silently changes meaning.
//! A removed opcode leaves a gap.

/// A register of the current frame.
pub type Reg = u16;
/// An index into the module's literal table.
pub type Lit = u32;
/// An index into the module's atom table.
pub type Atom = u32;
/// An absolute instruction index inside the current function.
pub type Label = u32;
/// An index into the module's function table.
pub type Fun = u32;
/// An index into the module's import table.
pub type Imp = u32;
pub type U8 = u8;
pub type U16 = u16;
pub type I32 = i32;

/// The kind of an operand, for the disassembler and the encoder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OperandKind {
    Reg,
    Lit,
    Atom,
    Label,
    Fun,
    Imp,
    U8,
    U16,
    I32,
}

impl OperandKind {
    /// Width in bytes in the encoded form.
    pub const fn width(self) -> usize {
        match self {
            OperandKind::U8 => 1,
            OperandKind::Reg | OperandKind::U16 => 2,
            _ => 4,
        }
    }
}

/// One row of the opcode table.
#[derive(Debug, Clone, Copy)]
pub struct OpInfo {
    pub code: u8,
    pub name: &'static str,
    pub operands: &'static [(&'static str, OperandKind)],
    pub doc: &'static str,
}

/// Exception classes, as the `class` operand of [`Instr::Raise`] and the
/// class atom a `catch` arm sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum ExcClass {
    Error = 0,
    Exit = 1,
    Throw = 2,
}

/// Why decoding bytecode failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    UnexpectedEnd { at: usize },
    UnknownOpcode { code: u8, at: usize },
    Invalid { what: String, at: usize },
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DecodeError::UnexpectedEnd { at } => {
                write!(f, "bytecode ends unexpectedly at byte {at}")
            }
            DecodeError::UnknownOpcode { code, at } => {
                write!(f, "unknown opcode {code} at byte {at}")
            }
            DecodeError::Invalid { what, at } => write!(f, "invalid bytecode at byte {at}: {what}"),
        }
    }
}

impl std::error::Error for DecodeError {}

trait Operand: Sized + Copy {
    fn put(self, out: &mut Vec<u8>);
    fn get(bytes: &[u8], pos: &mut usize) -> Result<Self, DecodeError>;
    fn as_i64(self) -> i64;
}

macro_rules! impl_operand {
    ($($t:ty),*) => {$(
        impl Operand for $t {
            fn put(self, out: &mut Vec<u8>) {
                out.extend_from_slice(&self.to_le_bytes());
            }
            fn get(bytes: &[u8], pos: &mut usize) -> Result<Self, DecodeError> {
                const N: usize = std::mem::size_of::<$t>();
                let end = *pos + N;
                let slice = bytes.get(*pos..end).ok_or(DecodeError::UnexpectedEnd { at: *pos })?;
                *pos = end;
                Ok(<$t>::from_le_bytes(slice.try_into().expect("slice has N bytes")))
            }
            fn as_i64(self) -> i64 {
                self as i64
            }
        }
    )*};
}
impl_operand!(u8, u16, u32, i32);

macro_rules! opcodes {
    ($( $code:literal $name:ident { $($field:ident : $kind:ident),* $(,)? } $doc:literal; )*) => {
        /// One decoded instruction. See the table in `opcodes.rs`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Instr {
            $( #[doc = $doc] $name { $($field: $kind),* }, )*
        }

        /// The opcode table, in opcode order.
        pub const OPCODES: &[OpInfo] = &[
            $( OpInfo {
                code: $code,
                name: stringify!($name),
                operands: &[$((stringify!($field), OperandKind::$kind)),*],
                doc: $doc,
            }, )*
        ];

        impl Instr {
            /// The instruction's opcode number.
            pub fn opcode(&self) -> u8 {
                match self { $( Instr::$name { .. } => $code, )* }
            }

            /// The row of the opcode table for this instruction.
            pub fn info(&self) -> &'static OpInfo {
                op_info(self.opcode()).expect("every instruction is in the table")
            }

            /// The operand values, in table order, widened to i64.
            pub fn operand_values(&self) -> Vec<i64> {
                match *self {
                    $( Instr::$name { $($field),* } => vec![$(Operand::as_i64($field)),*], )*
                }
            }

            /// Appends the binary form: the opcode byte, then each operand
            /// little-endian at its width.
            pub fn encode(&self, out: &mut Vec<u8>) {
                out.push(self.opcode());
                match *self {
                    $( Instr::$name { $($field),* } => { $(Operand::put($field, out);)* } )*
                }
            }

            /// Reads one instruction at `*pos`, advancing it.
            pub fn decode(bytes: &[u8], pos: &mut usize) -> Result<Instr, DecodeError> {
                let at = *pos;
                let code = *bytes.get(at).ok_or(DecodeError::UnexpectedEnd { at })?;
                *pos += 1;
                match code {
                    $( $code => Ok(Instr::$name { $($field: <$kind as Operand>::get(bytes, pos)?),* }), )*
                    _ => Err(DecodeError::UnknownOpcode { code, at }),
                }
            }
        }
    };
}

/// Looks an opcode number up in the table.
pub fn op_info(code: u8) -> Option<&'static OpInfo> {
    OPCODES.iter().find(|op| op.code == code)
}

opcodes! {
    // ---- moving and building values ----
    1 Move { dst: Reg, src: Reg } "R[dst] := R[src]";
    2 LoadLit { dst: Reg, lit: Lit } "R[dst] := K[lit]";
    3 LoadInt { dst: Reg, val: I32 } "R[dst] := val (a small integer)";
    4 LoadAtom { dst: Reg, atom: Atom } "R[dst] := A[atom]";
    5 LoadNil { dst: Reg } "R[dst] := [] (the empty list)";
    6 MakeTuple { dst: Reg, start: Reg, count: U16 } "R[dst] := (R[start], ..., R[start+count-1])";
    7 MakeCons { dst: Reg, head: Reg, tail: Reg } "R[dst] := [R[head] | R[tail]]";
    8 MakeMap { dst: Reg, start: Reg, count: U16 } "R[dst] := #{R[start] => R[start+1], ...} from count key/value pairs; a later duplicate key wins";
    9 UpdateMap { dst: Reg, map: Reg, start: Reg, count: U16 } "R[dst] := #{R[map] | R[start] => R[start+1], ...}; error (:badmap, R[map]) if it is not a map";
    10 MakeClosure { dst: Reg, func: Fun, start: Reg, count: U16 } "R[dst] := a closure of F[func] capturing R[start..start+count]";
    11 MakeFunRef { dst: Reg, func: Fun } "R[dst] := &name/arity of the local function F[func]";
    12 MakeExtFunRef { dst: Reg, import: Imp } "R[dst] := &module.name/arity of I[import]";
    13 Interp { dst: Reg, start: Reg, count: U16 } "R[dst] := the string joining R[start..start+count], each shown as text (strings as is, atoms without colon, others as inspect)";

    // ---- arithmetic: integers never overflow (they grow into big integers) ----
    20 Add { dst: Reg, a: Reg, b: Reg } "R[dst] := R[a] + R[b]; error :badarith unless both are numbers";
    21 Sub { dst: Reg, a: Reg, b: Reg } "R[dst] := R[a] - R[b]";
    22 Mul { dst: Reg, a: Reg, b: Reg } "R[dst] := R[a] * R[b]";
    23 Div { dst: Reg, a: Reg, b: Reg } "R[dst] := R[a] / R[b] as a float; :badarith on division by zero";
    24 IntDiv { dst: Reg, a: Reg, b: Reg } "R[dst] := R[a] div R[b] (integers, truncating); :badarith on zero or non-integers";
    25 Rem { dst: Reg, a: Reg, b: Reg } "R[dst] := R[a] rem R[b] (sign of the dividend)";
    26 Neg { dst: Reg, src: Reg } "R[dst] := -R[src]";
    27 AddInt { dst: Reg, a: Reg, val: I32 } "R[dst] := R[a] + val (val a small constant)";

    // ---- comparison and logic ----
    30 Eq { dst: Reg, a: Reg, b: Reg } "R[dst] := R[a] == R[b] (exact: 1 == 1.0 is false)";
    31 Ne { dst: Reg, a: Reg, b: Reg } "R[dst] := R[a] != R[b]";
    32 Lt { dst: Reg, a: Reg, b: Reg } "R[dst] := R[a] < R[b] in term order";
    33 Le { dst: Reg, a: Reg, b: Reg } "R[dst] := R[a] <= R[b]";
    34 Gt { dst: Reg, a: Reg, b: Reg } "R[dst] := R[a] > R[b]";
    35 Ge { dst: Reg, a: Reg, b: Reg } "R[dst] := R[a] >= R[b]";
    36 Not { dst: Reg, src: Reg } "R[dst] := not R[src]; error :badarg unless a boolean";
    37 ListConcat { dst: Reg, a: Reg, b: Reg } "R[dst] := R[a] ++ R[b]; error :badarg unless R[a] is a proper list";
    38 StrConcat { dst: Reg, a: Reg, b: Reg } "R[dst] := R[a] <> R[b]; error :badarg unless both are strings";

    // ---- control flow ----
    40 Jump { target: Label } "goto target (a backward jump costs a reduction)";
    41 JumpIfFalse { cond: Reg, target: Label } "if R[cond] is false goto target; if true fall through; else error :badarg";
    42 JumpIfTrue { cond: Reg, target: Label } "if R[cond] is true goto target; if false fall through; else error :badarg";
    43 TestTrue { src: Reg, fail: Label } "if R[src] is not the atom true goto fail (guards: never raises)";

    // ---- pattern tests: each jumps to fail when the test fails ----
    50 TestEq { a: Reg, b: Reg, fail: Label } "if R[a] != R[b] (exact) goto fail";
    51 TestEqLit { src: Reg, lit: Lit, fail: Label } "if R[src] != K[lit] goto fail";
    52 TestEqAtom { src: Reg, atom: Atom, fail: Label } "if R[src] is not A[atom] goto fail";
    53 TestEqInt { src: Reg, val: I32, fail: Label } "if R[src] is not the integer val goto fail";
    54 TestTuple { src: Reg, arity: U16, fail: Label } "if R[src] is not a tuple of size arity goto fail";
    55 TestCons { src: Reg, fail: Label } "if R[src] is not a non-empty list goto fail";
    56 TestNil { src: Reg, fail: Label } "if R[src] is not [] goto fail";
    57 TestMap { src: Reg, fail: Label } "if R[src] is not a map goto fail";
    58 GetElem { dst: Reg, src: Reg, index: U16 } "R[dst] := element index (from 0) of the tuple R[src] (already tested)";
    59 GetHead { dst: Reg, src: Reg } "R[dst] := head of the non-empty list R[src] (already tested)";
    60 GetTail { dst: Reg, src: Reg } "R[dst] := tail of the non-empty list R[src] (already tested)";
    61 MapFind { dst: Reg, map: Reg, key: Reg, fail: Label } "if the map R[map] has no key R[key] goto fail, else R[dst] := its value";
    62 TestLt { a: Reg, b: Reg, fail: Label } "unless R[a] < R[b] in term order goto fail (a guard or if condition; > compiles with the operands swapped)";
    63 TestLe { a: Reg, b: Reg, fail: Label } "unless R[a] <= R[b] goto fail (>= compiles with the operands swapped)";
    64 TestNe { a: Reg, b: Reg, fail: Label } "if R[a] == R[b] (exact) goto fail";
    65 TestLtInt { src: Reg, val: I32, fail: Label } "unless R[src] < val (a small integer) in term order goto fail";
    66 TestLeInt { src: Reg, val: I32, fail: Label } "unless R[src] <= val goto fail";
    67 TestGtInt { src: Reg, val: I32, fail: Label } "unless R[src] > val goto fail";
    68 TestGeInt { src: Reg, val: I32, fail: Label } "unless R[src] >= val goto fail";
    69 TestNeInt { src: Reg, val: I32, fail: Label } "if R[src] is the integer val goto fail";
    44 TestTagged { src: Reg, arity: U16, atom: Atom, fail: Label } "if R[src] is not a tuple of size arity whose first element is A[atom] goto fail (BEAM's is_tagged_tuple)";

    // ---- calls: arguments are in R[base..base+argc]; the result lands in R[base] ----
    70 Call { base: Reg, func: Fun } "R[base] := F[func](R[base..base+arity]); costs a reduction";
    71 TailCall { base: Reg, func: Fun } "return F[func](R[base..base+arity]) reusing this frame";
    72 CallExt { base: Reg, import: Imp } "R[base] := I[import](R[base..base+arity]) (a Reef function or a native)";
    73 TailCallExt { base: Reg, import: Imp } "return I[import](R[base..base+arity]) reusing this frame";
    74 CallFun { base: Reg, argc: U16 } "R[base] := R[base](R[base+1..base+1+argc]); (:badfun, f) if not a function, (:badarity, (f, args)) on a wrong count";
    75 TailCallFun { base: Reg, argc: U16 } "return R[base](R[base+1..base+1+argc]) reusing this frame";
    76 Return { src: Reg } "return R[src] to the caller";

    // ---- errors ----
    90 Raise { class: U8, reason: Reg } "raise R[reason] with class (0 error, 1 exit, 2 throw)";
    91 Badmatch { src: Reg } "error (:badmatch, R[src])";
    92 CaseClause { src: Reg } "error (:case_clause, R[src])";
    93 FunctionClause {} "error (:function_clause, detail) naming this function and its arguments R[0..arity]";
    94 Reraise { src: Reg } "raise again the exception caught into R[src..src+3] (class, reason, stack trace)";

    // ---- exception handlers ----
    100 TryBegin { dst: Reg, handler: Label } "push a handler: an exception raised until TryEnd (here or deeper) unwinds to this frame with R[dst] := class, R[dst+1] := reason, R[dst+2] := stack trace, and goes to handler";
    101 TryEnd {} "pop the innermost handler of this frame";
    102 GuardBegin { fail: Label } "push a guard handler: an exception until GuardEnd goes to fail (a guard that raises is false)";
    103 GuardEnd {} "pop the guard handler";

    // ---- receive: the mailbox has a cursor, reset to the oldest message when a receive starts ----
    110 RecvNext { dst: Reg, empty: Label } "R[dst] := the message under the cursor; goto empty if no message is left";
    111 RecvSkip { target: Label } "move the cursor past the current message; goto target";
    112 RecvAccept {} "remove the message under the cursor from the mailbox; reset the cursor";
    113 RecvWait { target: Label } "park until a message arrives, then goto target with the cursor on it";
    114 RecvWaitTimeout { timeout: Reg, target: Label, expired: Label } "like RecvWait, but once R[timeout] ms have passed since the receive began, reset the cursor and goto expired; :timeout_value unless a non-negative integer or :infinity";
    115 Send { dest: Reg, msg: Reg } "send R[msg] to R[dest] (a pid, a registered name or (name, node)); never blocks";
    117 RecvScanTagged { dst: Reg, arity: U16, atom: Atom, empty: Label } "like RecvNext, but first moves the cursor past every message that is not a tuple of size arity tagged with A[atom] (a receive whose every clause needs that tag)";
    116 RecvMarker { src: Reg } "at the start of a receive whose every clause needs R[src] in the message: if R[src] is the reference this process made last, start the scan at the first message that came after it";

    // ---- ownership (codegen's last-use analysis, `compiler/src/codegen/ownership/`):
    // a register's last use moves its value instead of cloning it; a unique cell
    // (reference count 1) is taken apart or updated in place ----
    120 MoveLast { dst: Reg, src: Reg } "R[dst] := R[src], leaving R[src] empty (its last use: a move, no clone)";
    121 GetElemTake { dst: Reg, src: Reg, index: U16 } "like GetElem, but if the tuple R[src] is unique its element is moved out (R[src] is only read again for other elements, then dies)";
    122 GetElemLast { dst: Reg, src: Reg, index: U16 } "like GetElemTake, then R[src] := [] (the tuple's last use: freed here if unique)";
    123 GetHeadTake { dst: Reg, src: Reg } "like GetHead, but if the cell R[src] is unique its head is moved out (only its tail is read later)";
    124 GetHeadLast { dst: Reg, src: Reg } "like GetHeadTake, then R[src] := [] (the cell's last use)";
    125 GetTailTake { dst: Reg, src: Reg } "like GetTail, but if the cell R[src] is unique its tail is moved out (only its head is read later)";
    126 GetTailLast { dst: Reg, src: Reg } "like GetTailTake, then R[src] := [] (the cell's last use)";
    127 Drop { src: Reg } "R[src] := [], freeing its value now (its last use was a borrow and the frame goes on)";
    128 MakeTupleLast { dst: Reg, start: Reg, count: U16 } "like MakeTuple, but the values are moved out of R[start..start+count] (their last use)";
    129 MakeConsOwn { dst: Reg, head: Reg, tail: Reg, moves: U8 } "like MakeCons, but moves R[head] if moves bit 0 is set and R[tail] if bit 1 is (their last uses)";
    130 UpdateMapLast { dst: Reg, map: Reg, start: Reg, count: U16 } "like UpdateMap, but R[map] and the pairs are moved (their last use): a unique map is updated in place";
    131 MakeTupleReuse { dst: Reg, start: Reg, count: U16, token: Reg } "like MakeTupleLast, but if R[token] (a dead register) holds a unique tuple of count elements, that tuple is rewritten in place and is the result (Perceus reuse); R[token] := [] either way";
    132 MakeConsReuse { dst: Reg, head: Reg, tail: Reg, moves: U8, token: Reg } "like MakeConsOwn, but if R[token] (a dead register) holds a unique cell, that cell is rewritten in place and is the result (Perceus reuse); R[token] := [] either way";
    // ---- superinstructions: a pair fused by the compiler's peephole pass
    // (`compiler/src/codegen/peephole.rs`). The pair's second instruction
    // stays in place right after the fused one (so a jump to it still
    // works, and labels never move); the fused one does the work of both
    // and continues after it. `validate` checks that the second is there. ----
    140 AddIntCall { dst: Reg, a: Reg, val: I32, func: Fun } "R[dst] := R[a] + val, then the `Call { base: dst, func }` that follows (continues after it); on anything but two small integers, only the add, and that Call runs next";
    141 MoveCall { dst: Reg, src: Reg, func: Fun } "R[dst] := R[src], then the `Call { base: dst, func }` that follows (continues after it)";
    142 GetElem2 { dst: Reg, src: Reg, index: U16, dst2: Reg, index2: U16 } "R[dst] := element index of the tuple R[src], then the `GetElem { dst: dst2, src, index: index2 }` that follows (continues after it); dst != src";
    143 MoveLastCall { dst: Reg, src: Reg, func: Fun } "R[dst] := R[src], leaving R[src] empty (as MoveLast), then the `Call { base: dst, func }` that follows (continues after it)";
    144 AddReturn { dst: Reg, a: Reg, b: Reg } "R[dst] := R[a] + R[b], then the `Return { src: dst }` that follows; on anything but two small integers whose sum fits, only the add, and that Return runs next";
}
