// SPDX-License-Identifier: GPL-2.0
//! The spinning locks: `spinlock_t`, with or without interrupts disabled.

use super::{Backend, Lock, RawLock};
use crate::abi;
use crate::error::Result;
use crate::sync::{LockClassKey, LockName};

glue_lock!(
    /// A `spinlock_t` owned by the glue.
    RawSpinLock, abi::Spinlock, rkm_spinlock_new, rkm_spinlock_free
);

impl RawLock for RawSpinLock {
    fn new(name: LockName, key: &'static LockClassKey) -> Result<Self> {
        RawSpinLock::new(name, key)
    }
}

/// [`SpinLock`]'s backend: `spin_lock` / `spin_unlock`.
#[doc(hidden)]
pub struct SpinBackend;
/// [`SpinLockIrq`]'s backend: `spin_lock_irqsave` / `spin_unlock_irqrestore`.
#[doc(hidden)]
pub struct SpinIrqBackend;

// SAFETY: spin_lock gives exclusive access until spin_unlock on this CPU/task.
unsafe impl Backend for SpinBackend {
    type Raw = RawSpinLock;
    type State = ();
    fn lock(raw: &RawSpinLock) {
        // SAFETY: a live spinlock.
        unsafe { abi::rkm_spin_lock(raw.ptr()) }
    }
    unsafe fn unlock(raw: &RawSpinLock, _: ()) {
        // SAFETY: held by this thread (the caller's contract).
        unsafe { abi::rkm_spin_unlock(raw.ptr()) }
    }
}

// SAFETY: as SpinBackend, with interrupts off until the flags are restored.
unsafe impl Backend for SpinIrqBackend {
    type Raw = RawSpinLock;
    type State = core::ffi::c_ulong;
    fn lock(raw: &RawSpinLock) -> core::ffi::c_ulong {
        // SAFETY: a live spinlock.
        unsafe { abi::rkm_spin_lock_irqsave(raw.ptr()) }
    }
    unsafe fn unlock(raw: &RawSpinLock, flags: core::ffi::c_ulong) {
        // SAFETY: held by this thread with these flags (the caller's contract).
        unsafe { abi::rkm_spin_unlock_irqrestore(raw.ptr(), flags) }
    }
}

/// A spinning lock (`spinlock_t`; it sleeps on PREEMPT_RT). While holding
/// it, do not sleep: no `Mutex::lock`, `CondVar::wait`, `Flags::KERNEL`
/// allocation, user memory copy or string/array parameter read (as in C,
/// nothing checks this at compile time; `DEBUG_ATOMIC_SLEEP` kernels report
/// it). Never `mem::forget` a guard.
///
/// ```
/// # use rkm::prelude::*;
/// let stats: SpinLock<[u64; 4]> = rkm::new_spinlock!([0; 4])?;
/// stats.lock()[0] += 1;
/// # Ok::<(), Error>(())
/// ```
pub type SpinLock<T> = Lock<T, SpinBackend>;

/// A spinlock that also disables local interrupts while held
/// (`spin_lock_irqsave`), for data shared with interrupt handlers.
///
/// ```
/// # use rkm::prelude::*;
/// let ring: SpinLockIrq<u32> = rkm::new_spinlock_irq!(0)?;
/// *ring.lock() = 7;
/// # Ok::<(), Error>(())
/// ```
pub type SpinLockIrq<T> = Lock<T, SpinIrqBackend>;

/// A new [`SpinLock`] holding `value`, with its own lockdep class.
///
/// ```
/// # use rkm::prelude::*;
/// let s = rkm::new_spinlock!(0u32)?;
/// # Ok::<(), Error>(())
/// ```
#[macro_export]
macro_rules! new_spinlock {
    ($value:expr) => {
        $crate::__lock_site!($crate::sync::SpinLock<_>, $value)
    };
}

/// A new [`SpinLockIrq`] holding `value`, with its own lockdep class.
///
/// ```
/// # use rkm::prelude::*;
/// let s = rkm::new_spinlock_irq!(0u32)?;
/// # Ok::<(), Error>(())
/// ```
#[macro_export]
macro_rules! new_spinlock_irq {
    ($value:expr) => {
        $crate::__lock_site!($crate::sync::SpinLockIrq<_>, $value)
    };
}
