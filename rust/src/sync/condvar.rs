// SPDX-License-Identifier: GPL-2.0
//! Condition variables: a kernel wait queue used with a [`Mutex`](super::Mutex).

use super::{LockClassKey, LockName, MutexGuard};
use crate::abi;
use crate::error::{code::*, Result};
use core::time::Duration;

/// How a timed wait ended without a signal (a signal is `Err(ERESTARTSYS)`).
///
/// ```
/// # use rkm::prelude::*;
/// # use core::time::Duration;
/// # fn f(cv: &CondVar, m: &Mutex<u32>) -> Result {
/// # let mut g = m.lock();
/// match cv.wait_timeout(&mut g, Duration::from_millis(100))? {
///     WaitTimeout::Notified { remaining } => { let _ = remaining; }
///     WaitTimeout::TimedOut => return Err(ETIMEDOUT),
/// }
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[must_use]
pub enum WaitTimeout {
    /// Woken (by a notify, or spuriously) with `remaining` of the timeout
    /// left: re-check the condition, and wait again for at most `remaining`.
    Notified {
        /// What is left of the timeout (rounded to the tick).
        remaining: Duration,
    },
    /// The whole timeout passed without a wakeup.
    TimedOut,
}

/// The glue's "no timeout".
const FOREVER: u64 = 0;

/// A non-zero timeout as the glue takes it: whole milliseconds, rounded up
/// (never 0, which is [`FOREVER`]).
fn timeout_ms(t: Duration) -> u64 {
    let ms = u64::try_from(t.as_millis()).unwrap_or(u64::MAX);
    let ms = if Duration::from_millis(ms) < t { ms.saturating_add(1) } else { ms };
    ms.max(1)
}

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
/// drop is told with `wake_up_pollfree`. The waits sleep with the mutex
/// released and re-take it with its lockdep subclass: process context, with
/// no spinlock held (only a [`MutexGuard`] is accepted). The notifies never
/// sleep: any context, IRQ included. An exclusive waiter woken by
/// `notify_one` always reports the wakeup (never `ERESTARTSYS` or
/// `TimedOut` instead), so no wakeup is consumed silently.
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

    /// [`CondVar::wait`] for at most `timeout` (the kernel's
    /// `wait_event_interruptible_timeout`): `Ok(Notified { remaining })`
    /// when woken (re-check the condition), `Ok(TimedOut)` when the timeout
    /// passed, `Err(ERESTARTSYS)` on a signal. A zero timeout answers
    /// `TimedOut` at once, without releasing the mutex. Process context.
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// # use core::time::Duration;
    /// # fn f(cv: &CondVar, m: &Mutex<u32>) -> Result {
    /// let mut g = m.lock();
    /// let mut left = Duration::from_secs(1);
    /// while *g == 0 {
    ///     match cv.wait_timeout(&mut g, left)? {
    ///         WaitTimeout::Notified { remaining } => left = remaining,
    ///         WaitTimeout::TimedOut => return Err(ETIMEDOUT),
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    pub fn wait_timeout<T>(
        &self,
        guard: &mut MutexGuard<'_, T>,
        timeout: Duration,
    ) -> Result<WaitTimeout> {
        if timeout.is_zero() {
            return Ok(WaitTimeout::TimedOut);
        }
        self.wait_raw(guard, false, timeout_ms(timeout))
    }

    /// [`CondVar::wait`], exclusively: [`CondVar::notify_one`] wakes one
    /// exclusive waiter at a time (and every non-exclusive one), as the
    /// kernel's `prepare_to_wait_exclusive` + `wake_up`. For many waiters of
    /// which one can proceed (writers waiting for room). A waiter chosen by
    /// a notify reports `Ok` even if a signal arrived too, so the wakeup is
    /// not lost: re-check the condition in a loop.
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// # fn f(cv: &CondVar, m: &Mutex<u32>) -> Result {
    /// let mut g = m.lock();
    /// while *g == 0 { cv.wait_exclusive(&mut g)?; }
    /// *g -= 1;
    /// # Ok(()) }
    /// ```
    pub fn wait_exclusive<T>(&self, guard: &mut MutexGuard<'_, T>) -> Result {
        self.wait_raw(guard, true, FOREVER).map(|_| ())
    }

    /// [`CondVar::wait_exclusive`] for at most `timeout`, answered as
    /// [`CondVar::wait_timeout`].
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// # use core::time::Duration;
    /// # fn f(cv: &CondVar, m: &Mutex<u32>) -> Result {
    /// # let mut g = m.lock();
    /// if cv.wait_exclusive_timeout(&mut g, Duration::from_millis(10))? == WaitTimeout::TimedOut {
    ///     return Err(ETIMEDOUT);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn wait_exclusive_timeout<T>(
        &self,
        guard: &mut MutexGuard<'_, T>,
        timeout: Duration,
    ) -> Result<WaitTimeout> {
        if timeout.is_zero() {
            return Ok(WaitTimeout::TimedOut);
        }
        self.wait_raw(guard, true, timeout_ms(timeout))
    }

    fn wait_raw<T>(
        &self,
        guard: &mut MutexGuard<'_, T>,
        exclusive: bool,
        ms: u64,
    ) -> Result<WaitTimeout> {
        let mut left: u64 = 0;
        // SAFETY: the guard proves this thread holds the mutex; the glue
        // gives it back held, so the guard's invariant still holds.
        let r = unsafe {
            abi::rkm_condvar_wait_timeout(
                self.raw.ptr(),
                guard.lock.raw.ptr(),
                *guard.state(),
                exclusive,
                ms,
                &mut left,
            )
        };
        match crate::error::to_result(r) {
            Ok(()) => Ok(WaitTimeout::Notified { remaining: Duration::from_millis(left) }),
            Err(e) if e == ETIMEDOUT => Ok(WaitTimeout::TimedOut),
            Err(e) => Err(e),
        }
    }

    /// Wakes one exclusive waiter ([`CondVar::wait_exclusive`]) and every
    /// non-exclusive waiter and poller (the kernel's `wake_up`). Any
    /// context, as [`CondVar::notify_all`].
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// # fn f(cv: &CondVar) {
    /// cv.notify_one();
    /// # }
    /// ```
    pub fn notify_one(&self) {
        // SAFETY: a live wait queue.
        unsafe { abi::rkm_condvar_notify_one(self.raw.ptr()) };
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

#[cfg(rkm_ktest)]
pub(crate) mod ktests {
    use super::*;
    use crate::ktest::{kassert, Case};
    use crate::kthread::KThread;
    use crate::sync::{Arc, Mutex};

    pub(crate) const CASES: &[Case] = &[
        ("wait_timeout_times_out", wait_timeout_times_out),
        ("wait_timeout_notified", wait_timeout_notified),
        ("notify_one_wakes_one_exclusive_waiter", notify_one_wakes_one_exclusive_waiter),
        ("notify_one_wakes_every_plain_waiter", notify_one_wakes_every_plain_waiter),
        ("exclusive_timeout_times_out", exclusive_timeout_times_out),
    ];

    /// Runs each body on its own kernel thread with `arg`, then `main`,
    /// then stops and joins every thread (also when `main` fails).
    fn with_threads<T: Send + Sync + 'static>(
        arg: &Arc<T>,
        bodies: &[fn(&T)],
        main: impl FnOnce() -> Result,
    ) -> Result {
        let mut threads: [Option<KThread>; 2] = [None, None];
        for (t, &body) in threads.iter_mut().zip(bodies) {
            let a = arg.clone();
            *t = Some(KThread::spawn("rkm-ktest", move |_| body(&a))?);
        }
        let r = main();
        drop(threads);
        r
    }

    struct Shared {
        /// (waiting, woken, timed out)
        m: Mutex<(u32, u32, u32)>,
        cv: CondVar,
    }

    fn shared() -> Result<Arc<Shared>> {
        Arc::try_new(Shared { m: crate::new_mutex!((0, 0, 0))?, cv: crate::new_condvar!()? })
    }

    /// Waits (from the main thread) until `n` threads are waiting; the
    /// count is raised under the mutex the wait then releases, so a notify
    /// after this sees every one of them on the queue.
    fn until_waiting(s: &Shared, n: u32) -> Result {
        for _ in 0..400 {
            if s.m.lock().0 >= n {
                return Ok(());
            }
            crate::task::msleep(5)?;
        }
        Err(crate::error::code::ETIMEDOUT)
    }

    fn wait_timeout_times_out() -> Result {
        let s = shared()?;
        let mut g = s.m.lock();
        kassert!(s.cv.wait_timeout(&mut g, Duration::ZERO) == Ok(WaitTimeout::TimedOut));
        kassert!(s.cv.wait_timeout(&mut g, Duration::from_millis(30)) == Ok(WaitTimeout::TimedOut));
        Ok(())
    }

    fn wait_timeout_notified() -> Result {
        let s = shared()?;
        let notifier: fn(&Shared) = |s| {
            let _ = crate::task::msleep(20);
            s.m.lock().1 = 1;
            s.cv.notify_all();
        };
        with_threads(&s, &[notifier], || {
            let mut g = s.m.lock();
            let mut left = Duration::from_secs(5);
            while g.1 == 0 {
                match s.cv.wait_timeout(&mut g, left)? {
                    WaitTimeout::Notified { remaining } => left = remaining,
                    WaitTimeout::TimedOut => return Err(ETIMEDOUT),
                }
            }
            kassert!(left > Duration::ZERO && left < Duration::from_secs(5));
            Ok(())
        })
    }

    fn exclusive_waiter(s: &Shared) {
        let mut g = s.m.lock();
        g.0 += 1;
        match s.cv.wait_exclusive_timeout(&mut g, Duration::from_secs(5)) {
            Ok(WaitTimeout::Notified { .. }) => g.1 += 1,
            _ => g.2 += 1,
        }
    }

    fn plain_waiter(s: &Shared) {
        let mut g = s.m.lock();
        g.0 += 1;
        match s.cv.wait_timeout(&mut g, Duration::from_secs(5)) {
            Ok(WaitTimeout::Notified { .. }) => g.1 += 1,
            _ => g.2 += 1,
        }
    }

    fn notify_one_wakes_one_exclusive_waiter() -> Result {
        let s = shared()?;
        with_threads(&s, &[exclusive_waiter, exclusive_waiter], || {
            until_waiting(&s, 2)?;
            s.cv.notify_one();
            crate::task::msleep(100)?;
            kassert!(s.m.lock().1 == 1);
            s.cv.notify_one();
            crate::task::msleep(100)?;
            kassert!(*s.m.lock() == (2, 2, 0));
            Ok(())
        })?;
        kassert!(*s.m.lock() == (2, 2, 0));
        Ok(())
    }

    fn notify_one_wakes_every_plain_waiter() -> Result {
        let s = shared()?;
        with_threads(&s, &[plain_waiter, plain_waiter], || {
            until_waiting(&s, 2)?;
            s.cv.notify_one();
            Ok(())
        })?;
        kassert!(*s.m.lock() == (2, 2, 0));
        Ok(())
    }

    fn exclusive_timeout_times_out() -> Result {
        let s = shared()?;
        let mut g = s.m.lock();
        let r = s.cv.wait_exclusive_timeout(&mut g, Duration::from_millis(20));
        kassert!(r == Ok(WaitTimeout::TimedOut));
        Ok(())
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
