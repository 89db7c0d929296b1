// SPDX-License-Identifier: GPL-2.0
//! Locks, condition variables and reference counting.
//!
//! [`Mutex`], [`SpinLock`] and [`SpinLockIrq`] (one generic [`Lock`] with
//! three backends) protect their data: it is
//! reachable only through a `#[must_use]` guard that unlocks on drop and
//! cannot leave its thread. The kernel lock objects are allocated and owned
//! by the glue, so they never move even when the Rust value does: nothing
//! needs pinning. Each construction site ([`new_mutex!`](crate::new_mutex!)
//! and friends) gets its own lockdep class. On PREEMPT_RT a spinlock sleeps,
//! as in C; code under a [`SpinLock`] must not sleep on other kernels.

use crate::abi;
use core::cell::UnsafeCell;

/// Wraps a glue-owned kernel object made with a lockdep name and key (a
/// lock or a wait queue), of ABI type `$raw`: allocated by `$new`, freed by
/// `$free` on drop.
macro_rules! glue_lock {
    ($(#[$doc:meta])* $name:ident, $raw:ty, $new:ident, $free:ident) => {
        $(#[$doc])*
        #[doc(hidden)]
        pub struct $name(core::ptr::NonNull<$raw>);

        impl $name {
            fn new(
                name: $crate::sync::LockName,
                key: &'static $crate::sync::LockClassKey,
            ) -> $crate::error::Result<Self> {
                // SAFETY: name and key are static (their types say so), as
                // the kernel requires of a lock's name and class key.
                let p = unsafe { $crate::abi::$new(name.as_ptr(), key.as_ptr()) };
                core::ptr::NonNull::new(p).map($name).ok_or($crate::error::code::ENOMEM)
            }

            pub(crate) fn ptr(&self) -> *mut $raw {
                self.0.as_ptr()
            }
        }

        impl Drop for $name {
            fn drop(&mut self) {
                // SAFETY: we own the object; the owner's `&mut self` (or its
                // drop) proves nobody holds or waits on it.
                unsafe { $crate::abi::$free(self.0.as_ptr()) };
            }
        }

        // SAFETY: the glue's kernel object may be used from any thread.
        unsafe impl Send for $name {}
        // SAFETY: as above; the kernel object does its own synchronisation.
        unsafe impl Sync for $name {}
    };
}

mod arc;
mod completion;
pub(crate) mod condvar;
mod lock;

pub use arc::Arc;
pub use completion::Completion;
pub use condvar::{CondVar, RawCondVar, WaitTimeout};
pub use lock::mutex::{Mutex, MutexBackend, MutexGuard, RawMutex};
pub use lock::spinlock::{RawSpinLock, SpinBackend, SpinIrqBackend, SpinLock, SpinLockIrq};
pub use lock::{Backend, Guard, Lock, RawLock};

/// Static storage for a lockdep class key: one per lock construction site,
/// made by the `new_*!` macros. The glue owns its contents.
///
/// ```
/// # use rkm::prelude::*;
/// static KEY: rkm::sync::LockClassKey = rkm::sync::LockClassKey::new();
/// ```
#[repr(C, align(8))]
pub struct LockClassKey(UnsafeCell<[u8; abi::LOCK_KEY_SIZE]>);

// SAFETY: only the kernel's lockdep touches the key, under its own locking;
// Rust never reads or writes it.
unsafe impl Sync for LockClassKey {}

impl LockClassKey {
    /// An unused key (all zeroes, as a C `static struct lock_class_key`).
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// # use rkm::sync::LockClassKey;
    /// static KEY: LockClassKey = LockClassKey::new();
    /// ```
    pub const fn new() -> Self {
        LockClassKey(UnsafeCell::new([0; abi::LOCK_KEY_SIZE]))
    }

    fn as_ptr(&'static self) -> *mut abi::LockKey {
        self.0.get().cast()
    }
}

impl Default for LockClassKey {
    fn default() -> Self {
        Self::new()
    }
}

/// A lock's name for lockdep: a static NUL-terminated string, made by the
/// `new_*!` macros from the source location.
///
/// ```
/// # use rkm::prelude::*;
/// let name = rkm::sync::LockName::new("my_lock\0");
/// ```
#[derive(Clone, Copy)]
pub struct LockName(&'static str);

impl LockName {
    /// Wraps `s`, which must end with its only NUL (checked at compile time
    /// when used in a `const`).
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// # use rkm::sync::LockName;
    /// const N: LockName = LockName::new("queue\0");
    /// ```
    pub const fn new(s: &'static str) -> Self {
        let b = s.as_bytes();
        assert!(!b.is_empty() && b[b.len() - 1] == 0, "a lock name ends with NUL");
        LockName(s)
    }

    fn as_ptr(self) -> *const core::ffi::c_char {
        self.0.as_ptr().cast()
    }
}

/// Makes a lockdep name from the call site, and a class key for it.
///
/// Hygiene: the name's macros go through `$crate::__private` (a driver's
/// own `concat!` or `line!` cannot change them), and the key and name are
/// items of blocks of their own, so the driver's `$args` cannot see them (an
/// argument `NAME` or `KEY` means the driver's item, not these).
#[doc(hidden)]
#[macro_export]
macro_rules! __lock_site {
    (@key) => {{
        static KEY: $crate::sync::LockClassKey = $crate::sync::LockClassKey::new();
        &KEY
    }};
    (@name) => {{
        const NAME: $crate::sync::LockName = $crate::sync::LockName::new($crate::__private::concat!(
            $crate::__private::file!(),
            ":",
            $crate::__private::line!(),
            "\0"
        ));
        NAME
    }};
    ($ty:path, $($args:expr),*) => {
        <$ty>::try_new($($args,)* $crate::__lock_site!(@name), $crate::__lock_site!(@key))
    };
}

#[cfg(rkm_ktest)]
pub(crate) mod ktests {
    use super::*;
    use crate::error::Result;
    use crate::ktest::{kassert, Case};
    use core::sync::atomic::{AtomicUsize, Ordering};

    pub(crate) const CASES: &[Case] = &[
        ("mutex_guards_data", mutex_guards_data),
        ("spinlocks_guard_data", spinlocks_guard_data),
        ("condvar_notify_without_waiters", condvar_notify_without_waiters),
        ("arc_counts_and_frees_once", arc_counts_and_frees_once),
        ("lock_name_is_nul_terminated", lock_name_is_nul_terminated),
        ("completion_counts_completions", completion_counts_completions),
        ("spinlock_irq_guards_drop_in_any_order", spinlock_irq_guards_drop_in_any_order),
        ("nested_locks_of_one_class", nested_locks_of_one_class),
    ];

    fn irqs_disabled() -> bool {
        // SAFETY: reads this CPU's interrupt state; no precondition.
        unsafe { crate::abi::rkm_irqs_disabled() }
    }

    /// Safe Rust may drop two SpinLockIrq guards first-taken-first: the
    /// interrupt state must stay off while either is held and come back as
    /// it was once both are gone, in both orders (on PREEMPT_RT the locks
    /// leave interrupts on throughout).
    fn spinlock_irq_guards_drop_in_any_order() -> Result {
        let a = crate::new_spinlock_irq!(0u32)?;
        let b = crate::new_spinlock_irq!(0u32)?;
        kassert!(!irqs_disabled());
        for fifo in [true, false] {
            let ga = a.lock();
            let off = irqs_disabled();
            let gb = b.lock();
            kassert!(irqs_disabled() == off);
            if fifo {
                drop(ga);
                kassert!(irqs_disabled() == off);
                drop(gb);
            } else {
                drop(gb);
                kassert!(irqs_disabled() == off);
                drop(ga);
            }
            kassert!(!irqs_disabled());
        }
        Ok(())
    }

    fn mutex_at_one_site() -> Result<Mutex<u32>> {
        crate::new_mutex!(0)
    }

    fn spinlock_at_one_site() -> Result<SpinLock<u32>> {
        crate::new_spinlock!(0)
    }

    fn spinlock_irq_at_one_site() -> Result<SpinLockIrq<u32>> {
        crate::new_spinlock_irq!(0)
    }

    /// A parent and a child lock made at one site share a lockdep class:
    /// taking the child with `lock_nested::<1>` inside the parent is not a
    /// recursive-locking report (which would turn lockdep off for the rest
    /// of the boot and fail the run on the debug kernel).
    fn nested_locks_of_one_class() -> Result {
        let (p, c, g) = (mutex_at_one_site()?, mutex_at_one_site()?, mutex_at_one_site()?);
        {
            let mut gp = p.lock();
            let mut gc = c.lock_nested::<1>();
            let mut gg = g.lock_nested::<2>();
            *gp += 1;
            *gc += 1;
            *gg += 1;
        }
        let (p, c) = (spinlock_at_one_site()?, spinlock_at_one_site()?);
        {
            let _gp = p.lock();
            let _gc = c.lock_nested::<1>();
        }
        let (p, c) = (spinlock_irq_at_one_site()?, spinlock_irq_at_one_site()?);
        {
            let gp = p.lock();
            let gc = c.lock_nested::<1>();
            drop(gp);
            drop(gc);
        }
        kassert!(!irqs_disabled());
        Ok(())
    }

    fn mutex_guards_data() -> Result {
        let m = crate::new_mutex!(KVecWrap::default())?;
        m.lock().0 += 2;
        {
            let mut g = m.lock();
            g.0 *= 5;
        }
        kassert!(m.lock().0 == 10);
        Ok(())
    }

    #[derive(Default)]
    struct KVecWrap(u64);

    fn spinlocks_guard_data() -> Result {
        let s = crate::new_spinlock!(1u32)?;
        *s.lock() += 1;
        let i = crate::new_spinlock_irq!(3u32)?;
        *i.lock() *= 3;
        kassert!(*s.lock() == 2 && *i.lock() == 9);
        Ok(())
    }

    fn condvar_notify_without_waiters() -> Result {
        let cv = crate::new_condvar!()?;
        cv.notify_all();
        Ok(())
    }

    static DROPS: AtomicUsize = AtomicUsize::new(0);
    struct Counted;
    impl Drop for Counted {
        fn drop(&mut self) {
            DROPS.fetch_add(1, Ordering::Relaxed);
        }
    }

    fn arc_counts_and_frees_once() -> Result {
        let before = DROPS.load(Ordering::Relaxed);
        let a = Arc::try_new(Counted)?;
        let b = a.clone();
        let c = b.clone();
        kassert!(Arc::count(&a) == 3);
        drop(a);
        drop(b);
        kassert!(Arc::count(&c) == 1 && DROPS.load(Ordering::Relaxed) == before);
        drop(c);
        kassert!(DROPS.load(Ordering::Relaxed) == before + 1);
        Ok(())
    }

    fn lock_name_is_nul_terminated() -> Result {
        const N: LockName = LockName::new("x\0");
        kassert!(N.0.len() == 2);
        Ok(())
    }

    fn completion_counts_completions() -> Result {
        let c = Completion::try_new()?;
        // Two completions let two waits through at once; reinit forgets them.
        c.complete();
        c.complete();
        c.wait()?;
        c.wait()?;
        c.complete();
        c.reinit();
        c.complete();
        c.wait()?;
        Ok(())
    }
}
