// SPDX-License-Identifier: GPL-2.0
//! The sleeping lock: `struct mutex`.

use super::{Backend, Guard, Lock, RawLock};
use crate::abi;
use crate::error::Result;
use crate::sync::{LockClassKey, LockName};
use core::marker::PhantomData;

glue_lock!(
    /// A `struct mutex` owned by the glue.
    RawMutex, abi::Mutex, rkm_mutex_new, rkm_mutex_free
);

impl RawLock for RawMutex {
    fn new(name: LockName, key: &'static LockClassKey) -> Result<Self> {
        RawMutex::new(name, key)
    }
}

/// [`Mutex`]'s backend: `mutex_lock` / `mutex_unlock`.
#[doc(hidden)]
pub struct MutexBackend;

// SAFETY: mutex_lock gives exclusive access until mutex_unlock by the owner.
unsafe impl Backend for MutexBackend {
    type Raw = RawMutex;
    type State = u32;
    fn lock(raw: &RawMutex, subclass: u32) -> u32 {
        // SAFETY: a live mutex (RawMutex's invariant); subclass in range
        // (Backend::lock's contract, checked by Lock::lock_nested).
        unsafe { abi::rkm_mutex_lock(raw.ptr(), subclass) };
        subclass
    }
    unsafe fn unlock(raw: &RawMutex, _: u32) {
        // SAFETY: held by this thread (the caller's contract).
        unsafe { abi::rkm_mutex_unlock(raw.ptr()) }
    }
}

/// A sleeping lock (`struct mutex`).
///
/// ```
/// # use rkm::prelude::*;
/// let m: Mutex<KVec<u8>> = rkm::new_mutex!(KVec::new())?;
/// m.lock().try_push(1)?;
/// # Ok::<(), Error>(())
/// ```
pub type Mutex<T> = Lock<T, MutexBackend>;

impl<T> Lock<T, MutexBackend> {
    /// Like [`lock`](Lock::lock), but a signal ends the wait with `EINTR`
    /// (`mutex_lock_interruptible`): for locks held across long waits.
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// # fn f(m: &Mutex<u32>) -> Result {
    /// let mut g = m.lock_interruptible()?;
    /// # Ok(()) }
    /// ```
    pub fn lock_interruptible(&self) -> Result<MutexGuard<'_, T>> {
        // SAFETY: a live mutex (RawMutex's invariant).
        crate::error::to_result(unsafe { abi::rkm_mutex_lock_interruptible(self.raw.ptr()) })?;
        // INVARIANT: the lock is held.
        Ok(Guard { lock: self, state: core::mem::ManuallyDrop::new(0), _not_send: PhantomData })
    }
}

/// The guard of a [`Mutex`] (what [`CondVar::wait`](crate::sync::CondVar::wait) takes).
///
/// ```
/// # use rkm::prelude::*;
/// # use rkm::sync::MutexGuard;
/// fn take(g: &mut MutexGuard<'_, u64>) { **g -= 1; }
/// ```
pub type MutexGuard<'a, T> = Guard<'a, T, MutexBackend>;

/// A new [`Mutex`] holding `value`, with its own lockdep class.
///
/// ```
/// # use rkm::prelude::*;
/// let m: Mutex<KVec<u8>> = rkm::new_mutex!(KVec::new())?;
/// # Ok::<(), Error>(())
/// ```
#[macro_export]
macro_rules! new_mutex {
    ($value:expr) => {
        $crate::__lock_site!($crate::sync::Mutex<_>, $value)
    };
}
