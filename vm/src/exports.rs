//! The export table: one entry per `module.name/arity` that code has asked
//! for, holding what a call to it runs now (a native, or a function of the
//! current version of a Reef module) or nothing yet. Import slots point at
//! entries, so loading a new version of a module, or registering a native,
//! redirects every caller at once; the hot path is one atomic load.

use std::sync::atomic::{AtomicPtr, Ordering};
use std::sync::{Arc, Mutex};

use crate::code::LoadedModule;
use crate::interp::Exception;
use crate::native::Ctx;
use crate::value::{Atom, Value};

/// A native function built into the VM.
pub type NativeFn = fn(&mut Ctx<'_>, &[Value]) -> Result<Value, Exception>;

/// A built-in native that may consume its arguments: the interpreter hands
/// over the values it moved out of the argument registers, so a unique
/// map passed at its last use (codegen's ownership pass moves it) is
/// updated in place instead of copied (`maps.put`, `maps.remove`).
pub type OwningFn = fn(&mut Ctx<'_>, &mut [Value]) -> Result<Value, Exception>;

/// A native function registered by a host program.
pub type HostFn = Arc<dyn Fn(&mut Ctx<'_>, &[Value]) -> Result<Value, Exception> + Send + Sync>;

#[derive(Clone)]
pub enum Native {
    Builtin(NativeFn),
    Owning(OwningFn),
    Host(HostFn),
}

impl Native {
    /// Runs the native. A host native that panics raises
    /// `(:native_panic, message)` in the caller instead of unwinding into
    /// the scheduler (the VM's own natives do not panic: that would be a
    /// bug, which the scheduler reports as `:vm_panic`).
    #[inline]
    pub fn call(&self, ctx: &mut Ctx<'_>, args: &mut [Value]) -> Result<Value, Exception> {
        match self {
            Native::Builtin(f) => f(ctx, args),
            Native::Owning(f) => f(ctx, args),
            Native::Host(f) => {
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(ctx, &*args)))
                    .unwrap_or_else(|p| {
                        Err(Exception::error(crate::embed::functions::native_panic(&p)))
                    })
            }
        }
    }
}

/// What an export entry runs.
pub enum Target {
    Native(Native),
    Reef {
        module: Arc<LoadedModule>,
        func: u32,
    },
}

/// `module.name/arity`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Mfa {
    pub module: Atom,
    pub name: Atom,
    pub arity: u32,
}

pub struct ExportEntry {
    pub mfa: Mfa,
    /// The current target, or null. Points into `current` or `retired`.
    target: AtomicPtr<Target>,
    /// Every target this entry ever had. A caller may still be using an old
    /// one when it is replaced, so none is freed before the entry. (Boxed:
    /// the target must not move when the vector grows.)
    #[allow(clippy::vec_box)]
    retired: Mutex<Vec<Box<Target>>>,
}

impl ExportEntry {
    pub fn new(mfa: Mfa) -> ExportEntry {
        ExportEntry {
            mfa,
            target: AtomicPtr::new(std::ptr::null_mut()),
            retired: Mutex::new(Vec::new()),
        }
    }

    /// What a call runs now.
    #[inline(always)]
    pub fn target(&self) -> Option<&Target> {
        let p = self.target.load(Ordering::Acquire);
        // SAFETY: a non-null pointer was made from a `Box` that `retired`
        // owns until the entry is dropped, and targets are never mutated.
        unsafe { p.as_ref() }
    }

    /// Forgets every target, current and retired, when the runtime goes:
    /// an import slot of a module caches the entries it calls, and an
    /// entry holds the module it runs, so a module that calls itself (or
    /// two that call each other) would otherwise keep each other alive
    /// past the VM.
    ///
    /// # Safety
    /// No code may run or ever run again through this entry: a reference
    /// from `target()` would dangle. Only for `Runtime`'s drop.
    pub(crate) unsafe fn forget(&self) {
        let mut retired = self.retired.lock().unwrap_or_else(|e| e.into_inner());
        self.target.store(std::ptr::null_mut(), Ordering::Release);
        retired.clear();
    }

    /// Points the entry at a new target (or none).
    pub fn set(&self, target: Option<Target>) {
        let mut retired = self.retired.lock().expect("export entry lock");
        let ptr = match target {
            Some(t) => {
                let mut b = Box::new(t);
                let p: *mut Target = &mut *b;
                retired.push(b);
                p
            }
            None => std::ptr::null_mut(),
        };
        self.target.store(ptr, Ordering::Release);
    }

    /// Frees the retired targets that run `module` (a purged version),
    /// never the current one. The purge has proved no process is in it,
    /// and a thread only holds a target inside a slice, which has ended.
    pub(crate) fn prune(&self, module: *const LoadedModule) {
        let mut retired = self.retired.lock().expect("export entry lock");
        let current = self.target.load(Ordering::Acquire) as *const Target;
        retired.retain(|t| {
            std::ptr::eq(&**t, current)
                || !matches!(&**t, Target::Reef { module: m, .. } if std::ptr::eq(Arc::as_ptr(m), module))
        });
    }

    pub fn is_native(&self) -> bool {
        matches!(self.target(), Some(Target::Native(_)))
    }
}
