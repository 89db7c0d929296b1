// SPDX-License-Identifier: GPL-2.0
//! The generic lock: data reachable only through a guard, with one backend
//! per kind of kernel lock.

use super::{LockClassKey, LockName};
use crate::error::Result;
use core::cell::UnsafeCell;
use core::marker::PhantomData;
use core::ops::{Deref, DerefMut};

pub(crate) mod mutex;
pub(crate) mod spinlock;

/// How a kind of lock takes and releases its glue-owned kernel object.
///
/// # Safety
///
/// `lock` must give the caller exclusive access until `unlock` with the
/// state it returned, on the same thread, whatever other locks of any
/// backend the thread takes or releases in between, in any order.
pub unsafe trait Backend {
    /// The kernel object.
    #[doc(hidden)]
    type Raw: RawLock;
    /// What `lock` hands to `unlock`: the lockdep subclass (to re-take a
    /// mutex after a condition wait), or nothing.
    #[doc(hidden)]
    type State;
    /// Takes the lock, with lockdep subclass `subclass` (below
    /// [`Lock::SUBCLASSES`]).
    #[doc(hidden)]
    fn lock(raw: &Self::Raw, subclass: u32) -> Self::State;
    /// Releases it.
    ///
    /// # Safety
    ///
    /// The caller holds the lock, taken by `lock` on this thread, which
    /// returned `state`.
    #[doc(hidden)]
    unsafe fn unlock(raw: &Self::Raw, state: Self::State);
}

/// A glue-owned kernel lock object, made with a lockdep name and key.
#[doc(hidden)]
pub trait RawLock: Sized + Send + Sync {
    /// Allocates and initialises the kernel object.
    fn new(name: LockName, key: &'static LockClassKey) -> Result<Self>;
}

/// A lock whose data `T` is reachable only through [`Lock::lock`]'s guard;
/// use it as [`Mutex`](super::Mutex), [`SpinLock`](super::SpinLock) or
/// [`SpinLockIrq`](super::SpinLockIrq).
///
/// ```
/// # use rkm::prelude::*;
/// let counter: Mutex<u64> = rkm::new_mutex!(0)?;
/// *counter.lock() += 1;
/// # Ok::<(), Error>(())
/// ```
pub struct Lock<T, B: Backend> {
    pub(super) raw: B::Raw,
    data: UnsafeCell<T>,
}

// SAFETY: the lock hands out `&mut T` to one thread at a time, so sharing it
// needs only that T may move between threads.
unsafe impl<T: Send, B: Backend> Sync for Lock<T, B> {}
// SAFETY: sending the lock sends the T (the kernel object may be used anywhere).
unsafe impl<T: Send, B: Backend> Send for Lock<T, B> {}

impl<T, B: Backend> Lock<T, B> {
    /// Use [`new_mutex!`](crate::new_mutex!) and friends, which supply the
    /// name and the per-site key.
    #[doc(hidden)]
    pub fn try_new(value: T, name: LockName, key: &'static LockClassKey) -> Result<Self> {
        Ok(Lock { raw: B::Raw::new(name, key)?, data: UnsafeCell::new(value) })
    }

    /// Waits for the lock (sleeping or spinning, as `B` does), then holds it
    /// until the guard drops.
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// # fn f(m: &Mutex<u32>) {
    /// let mut g = m.lock();
    /// *g += 1;
    /// # }
    /// ```
    pub fn lock(&self) -> Guard<'_, T, B> {
        self.lock_subclass(0)
    }

    /// How many lockdep subclasses [`lock_nested`](Lock::lock_nested) accepts
    /// (the kernel's `MAX_LOCKDEP_SUBCLASSES`).
    pub const SUBCLASSES: u32 = crate::abi::LOCK_SUBCLASSES;

    /// Like [`lock`](Lock::lock), telling lockdep that this lock nests, at
    /// level `SUBCLASS`, inside a lock of the same class (the kernel's
    /// `mutex_lock_nested` / `spin_lock_nested`): two locks made at one
    /// site, such as a parent's and a child's, always taken parent first.
    /// Without it lockdep reports the second acquisition as possible
    /// recursive locking and turns itself off. `SUBCLASS` must be below
    /// [`SUBCLASSES`](Lock::SUBCLASSES) (checked at compile time). Lockdep
    /// still checks the order: taking the levels in both orders is reported.
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// # fn f(parent: &Mutex<u32>, child: &Mutex<u32>) {
    /// let p = parent.lock();
    /// let c = child.lock_nested::<1>();
    /// # let _ = (p, c); }
    /// ```
    pub fn lock_nested<const SUBCLASS: u32>(&self) -> Guard<'_, T, B> {
        const {
            ::core::assert!(SUBCLASS < crate::abi::LOCK_SUBCLASSES, "lockdep subclass out of range")
        };
        self.lock_subclass(SUBCLASS)
    }

    fn lock_subclass(&self, subclass: u32) -> Guard<'_, T, B> {
        let state = B::lock(&self.raw, subclass);
        // INVARIANT: the lock is held, with `state`.
        Guard { lock: self, state: core::mem::ManuallyDrop::new(state), _not_send: PhantomData }
    }
}

/// Proof that a [`Lock`] is held: gives access to the data, unlocks on drop,
/// and cannot leave its thread.
///
/// ```
/// # use rkm::prelude::*;
/// # fn f(m: &Mutex<u32>) {
/// let g = m.lock();
/// let v = *g;
/// drop(g); // unlocked here
/// # }
/// ```
///
/// # Invariants
///
/// `lock` is held by the current thread, taken with `state`, while the guard lives.
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct Guard<'a, T, B: Backend> {
    pub(super) lock: &'a Lock<T, B>,
    state: core::mem::ManuallyDrop<B::State>,
    _not_send: PhantomData<*mut ()>,
}

// SAFETY: sharing the guard shares `&T`, which needs T: Sync; the guard
// itself stays on its thread (!Send).
unsafe impl<T: Sync, B: Backend> Sync for Guard<'_, T, B> {}

impl<T, B: Backend> Guard<'_, T, B> {
    pub(super) fn state(&self) -> &B::State {
        &self.state
    }
}

impl<T, B: Backend> Deref for Guard<'_, T, B> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: the lock is held (type invariant): no other access.
        unsafe { &*self.lock.data.get() }
    }
}

impl<T, B: Backend> DerefMut for Guard<'_, T, B> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the lock is held (type invariant) and the guard is borrowed uniquely.
        unsafe { &mut *self.lock.data.get() }
    }
}

impl<T, B: Backend> Drop for Guard<'_, T, B> {
    fn drop(&mut self) {
        // SAFETY: taken once, here, and never used again.
        let state = unsafe { core::mem::ManuallyDrop::take(&mut self.state) };
        // SAFETY: held by this thread with `state` (type invariant); released once.
        unsafe { B::unlock(&self.lock.raw, state) };
    }
}
