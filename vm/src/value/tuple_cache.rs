//! A per-thread cache of freed blocks of small tuples (1 to 4 elements),
//! reused by the next tuple of the same size: a tree or a list of records
//! is freed and rebuilt in bulk, and taking a block from a free list is
//! much cheaper than a round trip through the global allocator. The cache
//! is bounded, and returns its blocks to the allocator when the thread
//! ends.

use std::alloc::{alloc, dealloc, Layout};
use std::cell::Cell;
use std::ptr::null_mut;

use super::tuple::layout;

/// Tuples of `1..=SIZES` elements are cached, each size in its own list.
const SIZES: usize = 4;
/// At most this many blocks per size are kept.
const CAP: usize = 1 << 14;

/// Singly linked free lists: the first word of a free block points to the
/// next one. The blocks of list `i` have the layout of a tuple of `i + 1`
/// elements (`super::tuple::layout`).
struct Lists {
    heads: [Cell<*mut u8>; SIZES],
    counts: [Cell<usize>; SIZES],
}

impl Drop for Lists {
    fn drop(&mut self) {
        for i in 0..SIZES {
            let mut p = self.heads[i].get();
            while !p.is_null() {
                // SAFETY: every block in list `i` is a free block whose
                // first word links to the next, allocated with layout `i`.
                unsafe {
                    let next = *(p as *mut *mut u8);
                    dealloc(p, layout(i + 1));
                    p = next;
                }
            }
        }
    }
}

thread_local! {
    static LISTS: Lists = const {
        Lists {
            heads: [const { Cell::new(null_mut()) }; SIZES],
            counts: [const { Cell::new(0) }; SIZES],
        }
    };
}

/// A cached block for a tuple of `len` elements, or null if there is
/// none (then the caller allocates one with [`take`]).
#[inline(always)]
pub(super) fn reuse(len: usize) -> *mut u8 {
    if !(1..=SIZES).contains(&len) {
        return null_mut();
    }
    LISTS
        .try_with(|l| {
            let i = len - 1;
            let p = l.heads[i].get();
            if !p.is_null() {
                // SAFETY: a cached block is free and links to the next.
                l.heads[i].set(unsafe { *(p as *mut *mut u8) });
                l.counts[i].set(l.counts[i].get() - 1);
            }
            p
        })
        .unwrap_or(null_mut())
}

/// A block for a tuple of `len` elements with `layout` (always the same
/// layout for the same `len`): a cached one if there is one, else a new
/// one (null if the allocator fails).
///
/// # Safety
/// `layout` must have a non-zero size of at least one pointer.
#[inline]
pub(super) unsafe fn take(len: usize, layout: Layout) -> *mut u8 {
    let cached = reuse(len);
    if !cached.is_null() {
        return cached;
    }
    // SAFETY: the caller guarantees a non-zero size.
    unsafe { alloc(layout) }
}

/// Keeps the block of a tuple of `len` elements (allocated by [`take`],
/// its elements dropped or moved out) for reuse, if `len` is a cached
/// size and its list has room; else returns false and the caller frees
/// it. No call and no layout arithmetic: this is on every tuple's death.
///
/// # Safety
/// `p` must be such a block; if kept, the caller must not use it again.
#[inline(always)]
pub(super) unsafe fn keep(p: *mut u8, len: usize) -> bool {
    if !(1..=SIZES).contains(&len) {
        return false;
    }
    LISTS
        .try_with(|l| {
            let i = len - 1;
            if l.counts[i].get() >= CAP {
                return false;
            }
            // SAFETY: the block is free and at least a pointer in size
            // and alignment (a tuple header is 8 bytes, 8-aligned).
            unsafe { *(p as *mut *mut u8) = l.heads[i].get() };
            l.heads[i].set(p);
            l.counts[i].set(l.counts[i].get() + 1);
            true
        })
        .unwrap_or(false)
}

/// Gives back the block of a tuple of `len` elements, allocated (by
/// [`take`]) with `layout`, whose elements have been dropped or moved out.
///
/// # Safety
/// `p` must be such a block, not used again by the caller.
#[inline]
pub(super) unsafe fn give(p: *mut u8, len: usize, layout: Layout) {
    // SAFETY: per the contract.
    if unsafe { keep(p, len) } {
        return;
    }
    // SAFETY: per the contract, `p` was allocated with `layout`.
    unsafe { dealloc(p, layout) }
}
