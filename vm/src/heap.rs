//! How much memory a process holds, without walking its heap every slice.
//!
//! A process keeps an estimate: its size at the last exact measure
//! (`Process::measured`) plus the words allocated since (`Process::alloc`,
//! bumped by the interpreter's constructors, the natives that build big
//! terms, arriving messages and stack growth). Frees are not counted, so
//! the estimate only errs upward until the next measure. When the words
//! allocated since pass `alloc_check`, the process yields and is measured
//! exactly (`info::heap_words`); the next check is set so that a process
//! with `max_heap` is stopped within twice its limit while the walk costs
//! O(1) per allocated word, amortised.

use crate::info;
use crate::interp::Exception;
use crate::process::Process;
use crate::value::{Atom, Value};

/// Without `max_heap` a process is measured only to keep its published
/// estimate honest (for the VM-wide ceiling, which only needs to find the
/// biggest process): after this many words (128 MiB), or eight times its
/// size, whichever is more. A new process starts there too
/// (`process.max_heap` asks for a measure at once).
pub const FIRST_CHECK: usize = 1 << 24;
const UNLIMITED_CHECK: usize = FIRST_CHECK;

/// The words a native call is taken to have allocated, from the
/// reductions it charged: natives do not count what they build (only the
/// big ones `reserve`), and one that adds to a term the process keeps
/// (`maps.put` in a loop) would otherwise grow its heap unmeasured past
/// any `max_heap`. Over-counting only brings the next exact measure
/// closer; under-counting by more than 2x could let a process pass twice
/// its limit, so the estimate is generous: 8 words a call, and 16 a
/// charged reduction (a native charges about one reduction per 4 to 64
/// elements it handles).
#[inline]
pub fn native_words(charged: u32) -> usize {
    8 + 16 * charged as usize
}

/// The most bytes one term a native builds in one step may take, whatever
/// the limits: beyond it, `:system_limit` (a term that big is a bug, and
/// building it would take the machine's memory).
pub const MAX_TERM_BYTES: usize = 1 << 32;

/// Words of a process's own structures: registers, frames, handlers, the
/// queue itself (not the terms in it).
pub fn stack_words(p: &Process) -> usize {
    (info::memory(p, 0)) / 8
}

/// The estimate of the words a process holds now (never below its true
/// size at the last measure).
pub fn estimate(p: &Process) -> usize {
    p.measured + p.alloc
}

/// Bytes to publish for the VM-wide ceiling and `process.info` of a
/// running process.
pub fn estimate_bytes(p: &Process) -> usize {
    estimate(p).saturating_mul(8)
}

/// Measures `p` if it has allocated enough since the last measure; the
/// reason to kill it when it is past its `max_heap`.
pub fn check(p: &mut Process) -> Option<Value> {
    if p.alloc <= p.alloc_check {
        return None;
    }
    measure(p)
}

/// Measures `p` exactly, resets the estimate and sets the next check.
pub fn measure(p: &mut Process) -> Option<Value> {
    let words = info::heap_words(p) + stack_words(p);
    p.measured = words;
    p.alloc = 0;
    match p.max_heap.map(std::num::NonZeroU64::get) {
        Some(limit) => {
            let limit = limit as usize;
            if words > limit {
                return Some(max_heap_reason(words, limit));
            }
            // Within 2x: at most `limit / 2` more words when near the
            // limit, and never less than half the limit (the walk stays
            // amortised O(1) per word: it is paid by as many new words).
            p.alloc_check = (limit - words).max(limit / 2).max(64);
            None
        }
        None => {
            p.alloc_check = words.saturating_mul(8).max(UNLIMITED_CHECK);
            None
        }
    }
}

/// `(:max_heap, words, limit)`: the exit reason of a process past its
/// `max_heap`.
pub fn max_heap_reason(words: usize, limit: usize) -> Value {
    Value::tuple(vec![
        Value::Atom(Atom::MAX_HEAP),
        Value::Int(words as i64),
        Value::Int(limit as i64),
    ])
}

/// Terms smaller than this are built without asking how much memory the
/// VM uses (reading it costs a few microseconds).
const BIG_TERM_BYTES: usize = 1 << 20;

/// What a native (or `<>`, `++`) that is about to build a term of `words`
/// words checks first: the max_heap kill if the term would take the
/// process past its limit; `:system_limit` if the term passes the
/// absolute cap, or would take the VM past its memory ceiling. Else the
/// words are counted.
pub fn reserve(p: &mut Process, words: usize, ceiling: usize) -> Result<(), Exception> {
    if let Some(limit) = p.max_heap.map(std::num::NonZeroU64::get) {
        let limit = limit as usize;
        if estimate(p).saturating_add(words) > limit {
            // Measure first: the estimate errs upward.
            let _ = measure(p);
            let total = p.measured.saturating_add(words);
            if total > limit {
                // Untrappable: `unwind` ends the process with this reason.
                p.pending_exit = Some(max_heap_reason(total, limit));
                return Err(system_limit());
            }
        }
    }
    let bytes = words.saturating_mul(8);
    if bytes > MAX_TERM_BYTES || bytes > ceiling {
        return Err(system_limit());
    }
    if bytes >= BIG_TERM_BYTES && ceiling != usize::MAX {
        let used = crate::ceiling::rss_bytes().unwrap_or(0);
        if used.saturating_add(bytes) > ceiling {
            return Err(system_limit());
        }
    }
    p.alloc += words;
    Ok(())
}

/// `:system_limit`, raised as an error.
pub fn system_limit() -> Exception {
    Exception::error(Value::Atom(Atom::SYSTEM_LIMIT))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Pid;

    /// A process holding a big list and allocating steadily: it is
    /// measured O(allocated / limit) times, not once per slice, and it is
    /// stopped before it holds twice its limit.
    #[test]
    fn measures_are_amortised_and_the_kill_comes_within_twice_the_limit() {
        let mut p = Process::new(Pid(1));
        let held = Value::list((0..200_000).map(Value::Int).collect::<Vec<_>>());
        p.regs.push(held); // 1,000,000 words
        let limit = 4_000_000;
        p.max_heap = std::num::NonZeroU64::new(limit as u64);
        let _ = measure(&mut p);
        let mut measures = 0;
        // 40M words allocated and dropped at once (garbage): no kill.
        for _ in 0..8_000_000 {
            if p.charge(5) {
                measures += 1;
                assert!(check(&mut p).is_none());
            }
        }
        assert!(
            measures <= 40_000_000 / (limit / 2) + 1,
            "{measures} measures"
        );
        // Now keep what it allocates: killed, within twice the limit.
        let mut kept = Vec::new();
        let killed = loop {
            kept.push(Value::list(vec![Value::Int(1); 100]));
            p.regs.push(kept.last().cloned().expect("pushed"));
            if p.charge(500) {
                if let Some(reason) = check(&mut p) {
                    break reason;
                }
            }
        };
        let words = match killed.as_tuple() {
            Some([_, Value::Int(w), _]) => *w as usize,
            _ => panic!("{killed}"),
        };
        assert!(words > limit && words < 2 * limit, "{words}");
    }
}
