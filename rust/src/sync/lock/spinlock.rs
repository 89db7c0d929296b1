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
    fn lock(raw: &RawSpinLock, subclass: u32) {
        // SAFETY: a live spinlock; subclass in range (Backend's contract).
        unsafe { abi::rkm_spin_lock(raw.ptr(), subclass) }
    }
    unsafe fn unlock(raw: &RawSpinLock, _: ()) {
        // SAFETY: held by this thread (the caller's contract).
        unsafe { abi::rkm_spin_unlock(raw.ptr()) }
    }
}

// SAFETY: as SpinBackend, with local interrupts off while any SpinLockIrq
// guard of this CPU lives. The glue counts the guards of each CPU instead of
// saving the flags in each guard, so releasing them in any order (safe Rust
// may drop the first one taken first) leaves interrupts off until the last
// one goes and then restores the state from before the first.
unsafe impl Backend for SpinIrqBackend {
    type Raw = RawSpinLock;
    type State = ();
    fn lock(raw: &RawSpinLock, subclass: u32) {
        // SAFETY: a live spinlock; subclass in range (Backend's contract).
        unsafe { abi::rkm_spin_lock_irq(raw.ptr(), subclass) }
    }
    unsafe fn unlock(raw: &RawSpinLock, _: ()) {
        // SAFETY: held by this thread, taken by rkm_spin_lock_irq (the
        // caller's contract).
        unsafe { abi::rkm_spin_unlock_irq(raw.ptr()) }
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
