// SPDX-License-Identifier: GPL-2.0
//! Kernel threads: a named thread running a closure that owns its data.
//!
//! ```
//! use core::{sync::atomic::{AtomicU64, Ordering}, time::Duration};
//! use rkm::{kthread::KThread, sync::Arc};
//! # fn f() -> rkm::Result {
//! let count = Arc::try_new(AtomicU64::new(0))?;
//! let mine = count.clone();
//! let thread = KThread::spawn("counter", move |t| {
//!     while !t.should_stop() {
//!         mine.fetch_add(1, Ordering::Relaxed);
//!         t.sleep(Duration::from_millis(10)); // until woken, stopped or 10 ms
//!     }
//! })?;
//! thread.wake();
//! drop(thread); // kthread_stop: asks it to stop and waits for it
//! # Ok(()) }
//! ```
//!
//! # Invariants
//!
//! The closure is moved into kernel memory and runs (once) in the new
//! thread, which drops it when it returns; if the thread is stopped before
//! it starts, the closure is dropped by [`KThread`]'s drop instead. Dropping
//! a `KThread` is `kthread_stop`: it sets `should_stop` (ending any
//! [`ThreadCtx::sleep`]) and waits for the closure to return, so a closure
//! that never checks [`ThreadCtx::should_stop`] blocks its owner's drop
//! (and a leaked thread, module unload), as in C. [`KThread::wake`] never
//! sleeps and is allowed in any context, so a `KThread` is
//! [`IrqSafe`] (an interrupt handler or timer can wake
//! it); it is not `IrqDrop`. The [`ThreadCtx`] exists only inside the
//! thread (it is neither `Send` nor `'static`).

use crate::abi;
use crate::alloc::KBox;
use crate::error::{Error, Result};
use crate::irq::IrqSafe;
use core::ffi::{c_int, c_void};
use core::marker::PhantomData;
use core::ptr::NonNull;
use core::time::Duration;

/// A running kernel thread, stopped and joined on drop.
///
/// ```
/// # fn f() -> rkm::Result {
/// let t = rkm::kthread::KThread::spawn("idle", |t| while !t.should_stop() {
///     t.sleep(core::time::Duration::from_millis(100));
/// })?;
/// # Ok(()) }
/// ```
///
/// # Invariants
///
/// `raw` is a glue thread running `trampoline::<F>` with `closure`, a
/// leaked `KBox<F>` that the thread takes if it starts; `drop_closure`
/// frees it otherwise.
pub struct KThread {
    raw: NonNull<abi::Kthread>,
    closure: NonNull<c_void>,
    drop_closure: unsafe fn(NonNull<c_void>),
}

// SAFETY: wake and kthread_stop may be called from any thread; the closure
// (F: Send) may be dropped by the owner.
unsafe impl Send for KThread {}
// SAFETY: `&self` only wakes (wake_up_process, kernel-synchronised).
unsafe impl Sync for KThread {}
// SAFETY: `wake` is allowed in any context.
unsafe impl IrqSafe for KThread {}

/// The running thread, inside its closure.
///
/// ```
/// fn body(t: &rkm::kthread::ThreadCtx) {
///     while !t.should_stop() {
///         t.sleep(core::time::Duration::from_secs(1));
///     }
/// }
/// ```
pub struct ThreadCtx {
    raw: *mut abi::Kthread,
    _not_send: PhantomData<*mut ()>,
}

impl ThreadCtx {
    /// Whether the owner is stopping the thread (`kthread_should_stop`):
    /// the closure should return soon.
    ///
    /// ```
    /// # fn body(t: &rkm::kthread::ThreadCtx) { if t.should_stop() { return; } }
    /// ```
    pub fn should_stop(&self) -> bool {
        // SAFETY: called in the thread itself (a ThreadCtx never leaves it).
        unsafe { abi::rkm_kthread_should_stop() }
    }

    /// Sleeps up to `timeout` (rounded up to ms, at most 30 days); true if
    /// [`KThread::wake`] was called (during the sleep or since the last one
    /// returned), false on timeout or stop. Not interruptible by signals.
    ///
    /// ```
    /// # fn body(t: &rkm::kthread::ThreadCtx) -> bool {
    /// t.sleep(core::time::Duration::from_millis(50))
    /// # }
    /// ```
    pub fn sleep(&self, timeout: Duration) -> bool {
        // SAFETY: in the thread `raw` runs (a ThreadCtx never leaves it).
        unsafe { abi::rkm_kthread_sleep(self.raw, crate::workqueue::delay_ms(timeout)) != 0 }
    }
}

extern "C" fn trampoline<F: FnOnce(&ThreadCtx) + Send + 'static>(
    raw: *mut abi::Kthread,
    data: *mut c_void,
) {
    // SAFETY: the leaked KBox<F> of `spawn`; the glue calls this at most
    // once, and then `drop` does not free it (rkm_kthread_stop says it ran).
    let f = unsafe { KBox::<F>::from_raw(NonNull::new_unchecked(data.cast())) }.into_inner();
    f(&ThreadCtx { raw, _not_send: PhantomData });
}

/// # Safety
///
/// `p` is the leaked `KBox<F>` of a thread that never took it.
unsafe fn drop_closure<F>(p: NonNull<c_void>) {
    // SAFETY: the caller's contract.
    drop(unsafe { KBox::<F>::from_raw(p.cast()) });
}

impl KThread {
    /// Creates and starts a thread named `name` (at most 64 bytes, not
    /// empty: else `EINVAL`) running `f`. Process context; may sleep.
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// # use rkm::kthread::KThread;
    /// assert_eq!(KThread::spawn("", |_| {}).err(), Some(EINVAL));
    /// ```
    pub fn spawn<F: FnOnce(&ThreadCtx) + Send + 'static>(name: &str, f: F) -> Result<Self> {
        let closure = KBox::leak(KBox::try_new(f)?).cast::<c_void>();
        let mut err: c_int = 0;
        // SAFETY: name valid for its length (copied); the closure stays
        // valid until the thread takes it or `drop_closure` frees it.
        let raw = unsafe {
            abi::rkm_kthread_run(
                name.as_ptr().cast(),
                name.len(),
                Some(trampoline::<F>),
                closure.as_ptr(),
                &mut err,
            )
        };
        match NonNull::new(raw) {
            Some(raw) => Ok(KThread { raw, closure, drop_closure: drop_closure::<F> }),
            None => {
                // SAFETY: no thread was created: the closure is ours.
                unsafe { drop_closure::<F>(closure) };
                Err(Error::from_errno(err))
            }
        }
    }

    /// Wakes the thread: its current or next [`ThreadCtx::sleep`] returns
    /// true. Any context, never sleeps.
    ///
    /// ```
    /// # fn f(t: &rkm::kthread::KThread) { t.wake(); }
    /// ```
    pub fn wake(&self) {
        // SAFETY: a live thread handle (type invariant).
        unsafe { abi::rkm_kthread_wake(self.raw.as_ptr()) }
    }
}

impl Drop for KThread {
    fn drop(&mut self) {
        // SAFETY: ours (type invariant): stops and waits for the thread.
        let ran = unsafe { abi::rkm_kthread_stop(self.raw.as_ptr()) };
        if !ran {
            // SAFETY: the thread ended without calling the trampoline.
            unsafe { (self.drop_closure)(self.closure) };
        }
        // SAFETY: stopped; nothing uses the handle any more.
        unsafe { abi::rkm_kthread_free(self.raw.as_ptr()) };
    }
}

#[cfg(rkm_ktest)]
pub(crate) mod ktests {
    use super::*;
    use crate::error::code::*;
    use crate::ktest::{kassert, Case};
    use crate::sync::Arc;
    use core::sync::atomic::{AtomicU32, Ordering};

    pub(crate) const CASES: &[Case] = &[
        ("runs_until_stopped", runs_until_stopped),
        ("wake_ends_sleep", wake_ends_sleep),
        ("closure_dropped_once_run_or_not", closure_dropped_once_run_or_not),
        ("returns_early_then_stopped", returns_early_then_stopped),
        ("bad_names", bad_names),
    ];

    fn runs_until_stopped() -> Result {
        let n = Arc::try_new(AtomicU32::new(0))?;
        let m = n.clone();
        let t = KThread::spawn("rkm_kt_run", move |t| {
            while !t.should_stop() {
                m.fetch_add(1, Ordering::Relaxed);
                t.sleep(Duration::from_millis(1));
            }
        })?;
        crate::task::msleep(30)?;
        drop(t);
        let at_stop = n.load(Ordering::Relaxed);
        crate::task::msleep(10)?;
        kassert!(at_stop >= 2);
        kassert!(n.load(Ordering::Relaxed) == at_stop);
        kassert!(Arc::count(&n) == 1);
        Ok(())
    }

    fn wake_ends_sleep() -> Result {
        let woken = Arc::try_new(AtomicU32::new(0))?;
        let w = woken.clone();
        let t = KThread::spawn("rkm_kt_wake", move |t| {
            while !t.should_stop() {
                if t.sleep(Duration::from_secs(60)) {
                    w.fetch_add(1, Ordering::Relaxed);
                }
            }
        })?;
        t.wake();
        for _ in 0..100 {
            if woken.load(Ordering::Relaxed) > 0 {
                break;
            }
            crate::task::msleep(2)?;
        }
        kassert!(woken.load(Ordering::Relaxed) == 1);
        // A stop ends the 60 s sleep at once.
        drop(t);
        kassert!(woken.load(Ordering::Relaxed) == 1);
        Ok(())
    }

    struct Dropped(Arc<AtomicU32>);
    impl Drop for Dropped {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::Relaxed);
        }
    }

    fn closure_dropped_once_run_or_not() -> Result {
        let drops = Arc::try_new(AtomicU32::new(0))?;
        for _ in 0..20 {
            let d = Dropped(drops.clone());
            // Stopped at once: often before the thread function starts.
            drop(KThread::spawn("rkm_kt_quick", move |_| {
                let _keep = &d;
            })?);
        }
        kassert!(drops.load(Ordering::Relaxed) == 20);
        kassert!(Arc::count(&drops) == 1);
        Ok(())
    }

    fn returns_early_then_stopped() -> Result {
        let n = Arc::try_new(AtomicU32::new(0))?;
        let m = n.clone();
        let t = KThread::spawn("rkm_kt_early", move |_| {
            m.fetch_add(1, Ordering::Relaxed);
        })?;
        crate::task::msleep(10)?;
        kassert!(n.load(Ordering::Relaxed) == 1);
        t.wake();
        drop(t);
        kassert!(Arc::count(&n) == 1);
        Ok(())
    }

    fn bad_names() -> Result {
        kassert!(KThread::spawn("", |_| {}).err() == Some(EINVAL));
        let long = [b't'; 65];
        let long = core::str::from_utf8(&long).map_err(|_| EINVAL)?;
        kassert!(KThread::spawn(long, |_| {}).err() == Some(EINVAL));
        Ok(())
    }
}
