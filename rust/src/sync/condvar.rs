// SPDX-License-Identifier: GPL-2.0
//! Condition variables: a kernel wait queue used with a [`Mutex`](super::Mutex).

use super::{LockClassKey, LockName, MutexGuard};
use crate::abi;
use crate::error::Result;

glue_lock!(
    /// A `wait_queue_head` owned by the glue.
    RawCondVar, abi::Condvar, rkm_condvar_new, rkm_condvar_free
);

/// A condition variable (a kernel wait queue) used with a [`Mutex`](super::Mutex); also
/// what `poll` waits on.
///
/// ```
/// # use rkm::prelude::*;
/// # struct Dev { state: Mutex<KVec<u8>>, ready: CondVar }
/// # fn f(dev: &Dev) -> Result {
/// let mut g = dev.state.lock();
/// while g.is_empty() {
///     dev.ready.wait(&mut g)?; // ERESTARTSYS on a signal
/// }
/// # Ok(()) }
/// ```
///
/// # Invariants
///
/// `raw` is a glue wait queue owned by this value; a poller still on it at
/// drop is told with `wake_up_pollfree`. `wait` sleeps with the mutex
/// released and re-takes it with its lockdep subclass: process context, with
/// no spinlock held (only a [`MutexGuard`] is accepted).
pub struct CondVar {
    raw: RawCondVar,
}

impl CondVar {
    /// Use [`new_condvar!`](crate::new_condvar!).
    #[doc(hidden)]
    pub fn try_new(name: LockName, key: &'static LockClassKey) -> Result<Self> {
        Ok(CondVar { raw: RawCondVar::new(name, key)? })
    }

    /// Releases the guard's mutex, sleeps until [`CondVar::notify_all`] or a
    /// signal, and takes the mutex again. Returns `ERESTARTSYS` if a signal
    /// is pending (the syscall then returns `EINTR` to userspace, or is
    /// restarted under `SA_RESTART`). Wakeups can be spurious: re-check the
    /// condition in a loop.
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// # fn ready(g: &u32) -> bool { *g > 0 }
    /// # fn f(cv: &CondVar, m: &Mutex<u32>) -> Result {
    /// # let mut g = m.lock();
    /// while !ready(&g) { cv.wait(&mut g)?; }
    /// # Ok(()) }
    /// ```
    pub fn wait<T>(&self, guard: &mut MutexGuard<'_, T>) -> Result {
        // SAFETY: the guard proves this thread holds the mutex; the glue
        // gives it back held, so the guard's invariant still holds.
        crate::error::to_result(unsafe {
            abi::rkm_condvar_wait_mutex(self.raw.ptr(), guard.lock.raw.ptr(), *guard.state())
        })
    }

    /// Wakes every waiter and poller.
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// # fn f(cv: &CondVar) {
    /// cv.notify_all();
    /// # }
    /// ```
    pub fn notify_all(&self) {
        // SAFETY: a live wait queue.
        unsafe { abi::rkm_condvar_notify_all(self.raw.ptr()) };
    }

    pub(crate) fn ptr(&self) -> *mut abi::Condvar {
        self.raw.ptr()
    }
}

/// A new [`CondVar`], with its own lockdep class.
///
/// ```
/// # use rkm::prelude::*;
/// let cv = rkm::new_condvar!()?;
/// # Ok::<(), Error>(())
/// ```
#[macro_export]
macro_rules! new_condvar {
    () => {
        $crate::__lock_site!($crate::sync::CondVar,)
    };
}
