//! Tuples: one allocation holding a reference count, the length and the
//! elements, behind a thin pointer (so a `Value` stays 16 bytes). An
//! `Rc<Box<[Value]>>` would cost two allocations and two dependent loads
//! per element access; tuples are the most common compound term (records,
//! tagged messages, tree nodes), so this matters.
//!
//! Like `Rc`, a `Tuple` is neither `Send` nor `Sync`: it belongs to one
//! process's heap (see ARCHITECTURE.md, "Processes may move between
//! threads").

use std::alloc::{handle_alloc_error, Layout};
use std::cell::Cell;
use std::marker::PhantomData;
use std::ptr::NonNull;

use super::tuple_cache;
use super::Value;

/// Eight bytes: a pair is 40 bytes in all, not 48, which a tree of them
/// feels in the cache (binary-trees 18: 22% less time). Neither field can
/// overflow in practice: a count or a length past `u32::MAX` needs tens of
/// gigabytes of references or elements; a count that would wrap aborts,
/// as `Rc`'s does.
#[repr(C)]
struct Header {
    count: Cell<u32>,
    len: u32,
}

/// A reference-counted tuple.
pub struct Tuple {
    ptr: NonNull<Header>,
    /// Owns values, and is `!Send`/`!Sync` like `Rc`.
    _marker: PhantomData<std::rc::Rc<Value>>,
}

/// The layout of a tuple block of `len` elements.
pub(super) fn layout(len: usize) -> Layout {
    Layout::new::<Header>()
        .extend(Layout::array::<Value>(len).expect("tuple size overflows"))
        .expect("tuple size overflows")
        .0
        .pad_to_align()
}

/// Offset of the first element: the header is 8 bytes and `Value` is
/// 8-aligned, so the elements follow it directly.
const ELEMS: usize = std::mem::size_of::<Header>();
const _: () = assert!(ELEMS.is_multiple_of(std::mem::align_of::<Value>()));

impl Tuple {
    /// A tuple of the values, moved in.
    pub fn from_vec(elems: Vec<Value>) -> Tuple {
        let t = Tuple::alloc(elems.len());
        let dst = t.elems_ptr();
        for (i, v) in elems.into_iter().enumerate() {
            // SAFETY: `alloc` made room for `len` values; each slot is
            // written once.
            unsafe { dst.add(i).write(v) };
        }
        t
    }

    /// A tuple of clones of the values.
    pub fn from_slice(elems: &[Value]) -> Tuple {
        let t = Tuple::alloc(elems.len());
        let dst = t.elems_ptr();
        for (i, v) in elems.iter().enumerate() {
            // SAFETY: as in `from_vec`.
            unsafe { dst.add(i).write(v.clone()) };
        }
        t
    }

    /// A tuple of `f` applied to each element of `src` (one allocation,
    /// no intermediate vector). `f` must not panic: the tuple is only
    /// fully formed once every element is written.
    pub fn map_from(src: &[Value], f: impl Fn(&Value) -> Value) -> Tuple {
        let t = Tuple::alloc(src.len());
        let dst = t.elems_ptr();
        for (i, v) in src.iter().enumerate() {
            // SAFETY: as in `from_vec`.
            unsafe { dst.add(i).write(f(v)) };
        }
        t
    }

    /// A tuple of the values moved out of `elems` (each slot is left
    /// `[]`): a constructor's last use of its argument registers.
    pub fn from_taken(elems: &mut [Value]) -> Tuple {
        let t = Tuple::alloc(elems.len());
        let dst = t.elems_ptr();
        for (i, v) in elems.iter_mut().enumerate() {
            // SAFETY: as in `from_vec`.
            unsafe { dst.add(i).write(std::mem::replace(v, Value::Nil)) };
        }
        t
    }

    /// The elements, writable, if this is the only handle (count 1):
    /// then nothing else can see a change, which is what makes taking an
    /// element out or updating in place invisible (ARCHITECTURE.md,
    /// "Ownership").
    #[inline]
    pub fn get_mut(&mut self) -> Option<&mut [Value]> {
        if self.header().count.get() != 1 {
            return None;
        }
        // SAFETY: `len` initialised values follow the header, and with a
        // count of one `self` is the only handle, borrowed mutably here.
        Some(unsafe {
            std::slice::from_raw_parts_mut(self.elems_ptr(), self.header().len as usize)
        })
    }

    /// Allocates a tuple of `len` elements, which the caller must write
    /// before anything reads them.
    #[inline]
    fn alloc(len: usize) -> Tuple {
        let raw = tuple_cache::reuse(len) as *mut Header;
        let ptr = match NonNull::new(raw) {
            Some(ptr) => ptr,
            None => Tuple::alloc_block(len),
        };
        // SAFETY: freshly allocated, properly aligned for `Header`.
        unsafe {
            ptr.as_ptr().write(Header {
                count: Cell::new(1),
                // 2^32 elements would be 64 GiB: the heap limits stop such
                // a term long before.
                len: u32::try_from(len).unwrap_or_else(|_| std::process::abort()),
            })
        };
        Tuple {
            ptr,
            _marker: PhantomData,
        }
    }

    /// A new block from the allocator (the cache had none).
    #[inline(never)]
    fn alloc_block(len: usize) -> NonNull<Header> {
        let layout = layout(len);
        // SAFETY: the layout has a non-zero size (the 8-byte header).
        let raw = unsafe { tuple_cache::take(len, layout) } as *mut Header;
        match NonNull::new(raw) {
            Some(ptr) => ptr,
            None => handle_alloc_error(layout),
        }
    }

    fn header(&self) -> &Header {
        // SAFETY: the pointer is live while any handle exists.
        unsafe { self.ptr.as_ref() }
    }

    fn elems_ptr(&self) -> *mut Value {
        // SAFETY: the elements start `ELEMS` bytes into the allocation.
        unsafe { (self.ptr.as_ptr() as *mut u8).add(ELEMS) as *mut Value }
    }

    /// How many handles share this tuple.
    pub fn strong_count(&self) -> usize {
        self.header().count.get() as usize
    }

    /// The address of the shared node (to count a shared tuple once).
    pub fn addr(&self) -> usize {
        self.ptr.as_ptr() as usize
    }

    pub fn ptr_eq(a: &Tuple, b: &Tuple) -> bool {
        a.ptr == b.ptr
    }
}

impl std::ops::Deref for Tuple {
    type Target = [Value];
    #[inline]
    fn deref(&self) -> &[Value] {
        // SAFETY: `len` initialised values follow the header.
        unsafe { std::slice::from_raw_parts(self.elems_ptr(), self.header().len as usize) }
    }
}

impl Clone for Tuple {
    #[inline]
    fn clone(&self) -> Tuple {
        let c = &self.header().count;
        let n = c.get().wrapping_add(1);
        if n == 0 {
            std::process::abort();
        }
        c.set(n);
        Tuple {
            ptr: self.ptr,
            _marker: PhantomData,
        }
    }
}

// ---- dropping without recursion ----
//
// Freeing a tuple frees its elements, which may be tuples, and so on: a
// "list" made of nested 2-tuples a million deep would overflow the Rust
// stack. A tuple freed too deep is deferred whole (`value/drop.rs`).

impl Drop for Tuple {
    #[inline]
    fn drop(&mut self) {
        let c = &self.header().count;
        let n = c.get() - 1;
        c.set(n);
        if n == 0 {
            self.free();
        }
    }
}

impl Tuple {
    /// Frees a block whose count fell to zero. The common shallow case (a
    /// leaf, a tuple of integers and atoms, a node whose children were
    /// taken out) is a leaf function: nothing to drop, so nothing can
    /// recurse, the thread-local depth counter is not touched and the
    /// block goes back to the cache without a call.
    #[inline(never)]
    fn free(&mut self) {
        let len = self.header().len as usize;
        // SAFETY: the count is zero, so this handle is the block's only
        // one; its `len` elements are initialised.
        let elems = unsafe { std::slice::from_raw_parts(self.elems_ptr(), len) };
        // SAFETY: as above; scalar elements need no drop.
        if elems.iter().all(|v| !v.is_boxed())
            && unsafe { tuple_cache::keep(self.ptr.as_ptr() as *mut u8, len) }
        {
            return;
        }
        self.free_slow();
    }

    #[cold]
    #[inline(never)]
    fn free_slow(&mut self) {
        let len = self.header().len as usize;
        // SAFETY: as in `free`.
        let elems = unsafe { std::slice::from_raw_parts(self.elems_ptr(), len) };
        if elems.iter().all(|v| !v.is_boxed()) {
            // SAFETY: as above; scalar elements need no drop.
            unsafe { tuple_cache::give(self.ptr.as_ptr() as *mut u8, len, layout(len)) };
            return;
        }
        let Some(depth) = super::drop::enter() else {
            // Too deep: hand this last handle to the deferred stack (the
            // count goes back to one, owned by the new handle).
            self.header().count.set(1);
            super::drop::defer(Value::Tuple(Tuple {
                ptr: self.ptr,
                _marker: PhantomData,
            }));
            return;
        };
        // SAFETY: the count is zero; the elements are one level down.
        unsafe { free_block(self.ptr, depth + 1) };
        super::drop::leave(depth);
    }
}

/// Frees a tuple block whose count is zero: its elements, then the block.
/// A child tuple whose count falls to zero is freed here too, by recursion
/// with the depth carried as an argument, so freeing a tree of tuples reads
/// and writes the thread-local depth counter once, at its root, instead of
/// at every node (binary-trees frees a million nodes a second). Any other
/// boxed element is dropped as usual, with the counter first set to the
/// depth it is dropped at, so the bound of `drop.rs` holds for every kind.
///
/// # Safety
/// `ptr` is a tuple block whose count is zero (no handle is left), with
/// initialised elements; `depth` (at most `DROP_DEPTH`) is the nesting
/// depth of those elements.
unsafe fn free_block(ptr: NonNull<Header>, depth: u32) {
    // SAFETY: the caller guarantees a live block with `len` initialised
    // elements that nothing else refers to.
    unsafe {
        let len = (*ptr.as_ptr()).len as usize;
        let elems = (ptr.as_ptr() as *mut u8).add(ELEMS) as *mut Value;
        for i in 0..len {
            let e = elems.add(i);
            let child = match &*e {
                Value::Tuple(t) => t.ptr,
                v if v.is_boxed() => {
                    super::drop::set_depth(depth);
                    std::ptr::drop_in_place(e);
                    continue;
                }
                _ => continue,
            };
            let count = &(*child.as_ptr()).count;
            let n = count.get() - 1;
            count.set(n);
            if n == 0 {
                if depth >= super::drop::DROP_DEPTH {
                    // Too deep: the handle goes to the deferred stack,
                    // owning the block again.
                    count.set(1);
                    super::drop::defer(std::ptr::read(e));
                } else {
                    free_block(child, depth + 1);
                }
            }
        }
        tuple_cache::give(ptr.as_ptr() as *mut u8, len, layout(len));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elements_and_counts() {
        let t = Tuple::from_vec(vec![Value::Int(1), Value::str("a")]);
        assert_eq!(t.len(), 2);
        let u = t.clone();
        assert_eq!(t.strong_count(), 2);
        assert!(Tuple::ptr_eq(&t, &u));
        drop(u);
        assert_eq!(t.strong_count(), 1);
        assert!(matches!(t[0], Value::Int(1)));
        let empty = Tuple::from_slice(&[]);
        assert!(empty.is_empty());
    }
}
