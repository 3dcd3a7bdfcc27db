//! The peephole pass: fuses common pairs of instructions into one
//! superinstruction (opcodes 140-169), saving a dispatch per pair.
//!
//! The pair's second instruction is left in place after the fused one, so
//! no instruction moves: labels, the line table and every jump into the
//! second instruction stay as they were. The fused instruction does the
//! work of both and continues after the second (or, on a slow path, does
//! the first only and lets the second run as usual). The VM's validator
//! accepts a superinstruction only when the instruction after it is the
//! second of its pair. The pairs are those the profiles of `bench/ir`
//! show most often: an argument computed or copied into place just before
//! a call (fib, binary-trees), two elements taken out of a tuple that a
//! pattern just tested, and a sum returned (fib, binary-trees' check).

use reef_bytecode::Instr;

/// Fuses the pairs in `code`, each instruction in at most one pair.
pub(crate) fn fuse(code: &mut [Instr]) {
    let mut i = 0;
    while i + 1 < code.len() {
        match fused(code[i], code[i + 1]) {
            Some(f) => {
                code[i] = f;
                i += 2;
            }
            None => i += 1,
        }
    }
}

/// The superinstruction standing for `first` followed by `second`, if any.
fn fused(first: Instr, second: Instr) -> Option<Instr> {
    match (first, second) {
        (Instr::AddInt { dst, a, val }, Instr::Call { base, func }) if base == dst => {
            Some(Instr::AddIntCall { dst, a, val, func })
        }
        (Instr::Move { dst, src }, Instr::Call { base, func }) if base == dst => {
            Some(Instr::MoveCall { dst, src, func })
        }
        (Instr::MoveLast { dst, src }, Instr::Call { base, func }) if base == dst => {
            Some(Instr::MoveLastCall { dst, src, func })
        }
        (Instr::Add { dst, a, b }, Instr::Return { src }) if src == dst => {
            Some(Instr::AddReturn { dst, a, b })
        }
        (
            Instr::GetElem { dst, src, index },
            Instr::GetElem {
                dst: dst2,
                src: src2,
                index: index2,
            },
        ) if src2 == src && dst != src => Some(Instr::GetElem2 {
            dst,
            src,
            index,
            dst2,
            index2,
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_move_at_its_last_use_fuses_with_the_call() {
        let mut code = vec![
            Instr::MoveLast { dst: 5, src: 1 },
            Instr::Call { base: 5, func: 4 },
            Instr::MoveLast { dst: 5, src: 2 },
            Instr::Call { base: 6, func: 4 },
        ];
        fuse(&mut code);
        assert_eq!(
            code[0],
            Instr::MoveLastCall {
                dst: 5,
                src: 1,
                func: 4
            }
        );
        assert_eq!(code[1], Instr::Call { base: 5, func: 4 });
        // Into another register than the call's base: no pair.
        assert_eq!(code[2], Instr::MoveLast { dst: 5, src: 2 });
    }

    #[test]
    fn pairs_fuse_and_the_second_stays() {
        let mut code = vec![
            Instr::AddInt {
                dst: 2,
                a: 0,
                val: -1,
            },
            Instr::Call { base: 2, func: 1 },
            Instr::Move { dst: 3, src: 1 },
            Instr::Call { base: 3, func: 1 },
            Instr::GetElem {
                dst: 1,
                src: 0,
                index: 0,
            },
            Instr::GetElem {
                dst: 2,
                src: 0,
                index: 1,
            },
            Instr::GetElem {
                dst: 3,
                src: 0,
                index: 2,
            },
            Instr::Return { src: 1 },
        ];
        fuse(&mut code);
        assert_eq!(
            code[0],
            Instr::AddIntCall {
                dst: 2,
                a: 0,
                val: -1,
                func: 1
            }
        );
        assert_eq!(code[1], Instr::Call { base: 2, func: 1 });
        assert_eq!(
            code[2],
            Instr::MoveCall {
                dst: 3,
                src: 1,
                func: 1
            }
        );
        assert_eq!(code[3], Instr::Call { base: 3, func: 1 });
        assert_eq!(
            code[4],
            Instr::GetElem2 {
                dst: 1,
                src: 0,
                index: 0,
                dst2: 2,
                index2: 1
            }
        );
        // Each instruction is in one pair at most: the third GetElem stays.
        assert_eq!(
            code[6],
            Instr::GetElem {
                dst: 3,
                src: 0,
                index: 2
            }
        );
        assert_eq!(code.len(), 8);
    }

    #[test]
    fn pairs_that_do_not_fit_stay_apart() {
        let orig = vec![
            // The call's window is not where the add wrote.
            Instr::AddInt {
                dst: 2,
                a: 0,
                val: -1,
            },
            Instr::Call { base: 3, func: 1 },
            // The first element overwrites the tuple the second reads.
            Instr::GetElem {
                dst: 0,
                src: 0,
                index: 0,
            },
            Instr::GetElem {
                dst: 1,
                src: 0,
                index: 1,
            },
            // Two different tuples.
            Instr::LoadNil { dst: 4 },
            Instr::GetElem {
                dst: 2,
                src: 0,
                index: 0,
            },
            Instr::GetElem {
                dst: 3,
                src: 1,
                index: 1,
            },
            Instr::Return { src: 1 },
        ];
        let mut code = orig.clone();
        fuse(&mut code);
        assert_eq!(code, orig);
    }
}
