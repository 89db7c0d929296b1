// SPDX-License-Identifier: GPL-2.0
//! Timers: high-resolution ([`HrTimer`], `struct hrtimer`, nanoseconds) and
//! jiffies-based ([`Timer`], `struct timer_list`, milliseconds).
//!
//! A timer owns its data `T`; its callback gets `&T` and returns whether to
//! run again ([`Restart`]). The callback runs in atomic context: an
//! `HrTimer`'s in hard interrupt context (on PREEMPT_RT in the timer softirq
//! thread), a `Timer`'s in softirq context. So `T` must be
//! [`IrqSafe`], as for an interrupt handler: atomics,
//! [`SpinLockIrq`](crate::sync::SpinLockIrq)s, completions, and handles that
//! only start things ([`Work`](crate::workqueue::Work) to defer sleeping
//! work, another timer, [`KThread`](crate::kthread::KThread) to wake a
//! thread); no `Mutex`, no allocation.
//!
//! ```
//! use core::{sync::atomic::{AtomicU64, Ordering}, time::Duration};
//! use rkm::timer::{HrTimer, Restart, TimerCallback};
//! rkm::irq_safe! { struct Ticks { n: AtomicU64 } }
//! impl TimerCallback for Ticks {
//!     fn expired(&self) -> Restart {
//!         self.n.fetch_add(1, Ordering::Relaxed);
//!         Restart::After(Duration::from_millis(1))
//!     }
//! }
//! # fn f() -> rkm::Result {
//! let t = HrTimer::new(Ticks { n: AtomicU64::new(0) })?;
//! t.start(Duration::from_millis(1));
//! // ... dropping `t` stops it, waiting for a running callback.
//! # Ok(()) }
//! ```
//!
//! A callback that would sleep or lock a `Mutex` does not compile:
//!
//! ```compile_fail
//! use rkm::prelude::*;
//! use rkm::timer::{Restart, TimerCallback};
//! rkm::irq_safe! { struct Bad { m: Mutex<u32> } }
//! impl TimerCallback for Bad {
//!     fn expired(&self) -> Restart { *self.m.lock() += 1; Restart::No }
//! }
//! ```
//!
//! # Invariants
//!
//! No callback runs after its timer is dropped: dropping refuses further
//! starts and re-arms (also the callback's own [`Restart`]), then cancels
//! synchronously (`hrtimer_cancel`, `del_timer_sync`) before freeing the
//! data. Timers a driver leaks are cancelled at module exit by the glue.
//! Starting and cancelling without waiting are allowed in any context, so
//! both timers are `IrqSafe`; dropping is for process context (it may wait
//! for the callback; neither timer is `IrqDrop`). The restart period of an
//! `HrTimer` is at least 10 µs, so a callback cannot storm the CPU.

use crate::abi;
use crate::alloc::KBox;
use crate::error::{code::*, Result};
use crate::irq::IrqSafe;
use core::ffi::c_void;
use core::marker::PhantomData;
use core::ptr::NonNull;
use core::time::Duration;

/// What a timer callback returns.
///
/// ```
/// # use rkm::timer::Restart;
/// let again = Restart::After(core::time::Duration::from_micros(500));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Restart {
    /// Do not run again (until started again).
    No,
    /// Run again this long after the current expiry (`hrtimer_forward_now`)
    /// for an [`HrTimer`], after now for a [`Timer`] (rounded up to ms).
    After(Duration),
}

/// The callback of an [`HrTimer`] or a [`Timer`].
///
/// ```
/// # use rkm::timer::{Restart, TimerCallback};
/// rkm::irq_safe! { struct Once { done: rkm::sync::Completion } }
/// impl TimerCallback for Once {
///     fn expired(&self) -> Restart { self.done.complete(); Restart::No }
/// }
/// ```
pub trait TimerCallback: IrqSafe + Send + Sync + 'static {
    /// Runs in atomic context (see the module documentation): must not sleep.
    fn expired(&self) -> Restart;
}

fn ns(d: Duration) -> u64 {
    d.as_secs()
        .saturating_mul(1_000_000_000)
        .saturating_add(u64::from(d.subsec_nanos()))
        .min(abi::HRTIMER_MAX_NS)
}

macro_rules! timer_type {
    ($(#[$doc:meta])* $name:ident, $raw:ty, $free:ident) => {
        $(#[$doc])*
        pub struct $name<T: TimerCallback> {
            raw: NonNull<$raw>,
            data: NonNull<T>,
            _owns: PhantomData<T>,
        }

        // SAFETY: the callback uses `&T` on another CPU (T: Sync), T is
        // dropped by the owner (T: Send).
        unsafe impl<T: TimerCallback> Send for $name<T> {}
        // SAFETY: `&self` only starts, cancels without waiting (kernel-
        // synchronised) and gives `&T` (T: Sync).
        unsafe impl<T: TimerCallback> Sync for $name<T> {}
        // SAFETY: every `&self` method is allowed in any context (start,
        // try-cancel, test) or gives `&T`, which is IrqSafe.
        unsafe impl<T: TimerCallback> IrqSafe for $name<T> {}

        impl<T: TimerCallback> $name<T> {
            /// The data the callback gets.
            ///
            /// ```
            /// # use rkm::timer::{HrTimer, Timer, TimerCallback};
            /// # fn f<'a, T: TimerCallback>(a: &'a HrTimer<T>, b: &'a Timer<T>) -> (&'a T, &'a T) {
            /// (a.data(), b.data())
            /// # }
            /// ```
            pub fn data(&self) -> &T {
                // SAFETY: live until drop (type invariant).
                unsafe { self.data.as_ref() }
            }
        }

        impl<T: TimerCallback> Drop for $name<T> {
            fn drop(&mut self) {
                // SAFETY: ours (type invariant): refuses re-arming, cancels
                // and waits for the callback, frees the glue object.
                unsafe { abi::$free(self.raw.as_ptr()) };
                // SAFETY: from KBox::leak in `new`, no longer shared.
                drop(unsafe { KBox::from_raw(self.data) });
            }
        }
    };
}

timer_type!(
    /// A high-resolution timer (`struct hrtimer`, `CLOCK_MONOTONIC`,
    /// relative) owning its data.
    ///
    /// # Invariants
    ///
    /// `raw` is a glue hrtimer calling `hr_trampoline::<T>` with `data`, a
    /// leaked `KBox<T>` freed in `drop` after `rkm_hrtimer_free`.
    HrTimer,
    abi::Hrtimer,
    rkm_hrtimer_free
);

timer_type!(
    /// A jiffies timer (`struct timer_list`) owning its data: coarse
    /// (rounded up to a jiffy), cheap, softirq context.
    ///
    /// # Invariants
    ///
    /// `raw` is a glue timer calling `jiffies_trampoline::<T>` with `data`,
    /// a leaked `KBox<T>` freed in `drop` after `rkm_timer_free`.
    Timer,
    abi::Timer,
    rkm_timer_free
);

extern "C" fn hr_trampoline<T: TimerCallback>(data: *mut c_void) -> u64 {
    // SAFETY: the live T of an HrTimer (freed only after rkm_hrtimer_free,
    // which waits for this callback).
    let t = unsafe { &*data.cast::<T>() };
    match t.expired() {
        Restart::No => 0,
        // The glue enforces the same minimum period.
        Restart::After(d) => ns(d).max(abi::HRTIMER_MIN_NS),
    }
}

extern "C" fn jiffies_trampoline<T: TimerCallback>(data: *mut c_void) -> u32 {
    // SAFETY: as above, for rkm_timer_free.
    let t = unsafe { &*data.cast::<T>() };
    match t.expired() {
        Restart::No => 0,
        Restart::After(d) => crate::workqueue::delay_ms(d).max(1),
    }
}

impl<T: TimerCallback> HrTimer<T> {
    /// A stopped timer owning `data`. May sleep.
    ///
    /// ```
    /// # use rkm::timer::{HrTimer, Restart, TimerCallback};
    /// # rkm::irq_safe! { struct T {} }
    /// # impl TimerCallback for T { fn expired(&self) -> Restart { Restart::No } }
    /// # fn f() -> rkm::Result {
    /// let t = HrTimer::new(T {})?;
    /// # Ok(()) }
    /// ```
    pub fn new(data: T) -> Result<Self> {
        let data = KBox::leak(KBox::try_new(data)?);
        // SAFETY: `data` stays valid until rkm_hrtimer_free (type invariant).
        let raw = unsafe { abi::rkm_hrtimer_new(Some(hr_trampoline::<T>), data.as_ptr().cast()) };
        match NonNull::new(raw) {
            Some(raw) => Ok(HrTimer { raw, data, _owns: PhantomData }),
            None => {
                // SAFETY: from KBox::leak above, never shared.
                drop(unsafe { KBox::from_raw(data) });
                Err(ENOMEM)
            }
        }
    }

    /// Starts it to expire `delay` from now (at most 30 days), or moves the
    /// expiry of a pending one. Any context.
    ///
    /// ```
    /// # use rkm::timer::{HrTimer, TimerCallback};
    /// # fn f<T: TimerCallback>(t: &HrTimer<T>) { t.start(core::time::Duration::from_micros(100)); }
    /// ```
    pub fn start(&self, delay: Duration) {
        // SAFETY: a live timer (type invariant).
        unsafe { abi::rkm_hrtimer_start(self.raw.as_ptr(), ns(delay)) }
    }

    /// Cancels a pending expiry without waiting: false if it was not
    /// pending or its callback is running now. Any context.
    ///
    /// ```
    /// # use rkm::timer::{HrTimer, TimerCallback};
    /// # fn f<T: TimerCallback>(t: &HrTimer<T>) -> bool { t.try_cancel() }
    /// ```
    pub fn try_cancel(&self) -> bool {
        // SAFETY: as above.
        unsafe { abi::rkm_hrtimer_try_cancel(self.raw.as_ptr()) == 1 }
    }

    /// Cancels, waiting for a running callback (`hrtimer_cancel`, which
    /// also cancels a restart the callback asked for): afterwards it is
    /// stopped until started again. True if it was pending. Process
    /// context: `&mut self`, so never from a callback (an `HrTimer` is not
    /// `IrqDrop`, so no `IrqSafe` data gives `&mut` to one).
    ///
    /// ```
    /// # use rkm::timer::{HrTimer, TimerCallback};
    /// # fn f<T: TimerCallback>(t: &mut HrTimer<T>) -> bool { t.cancel() }
    /// ```
    pub fn cancel(&mut self) -> bool {
        // SAFETY: a live timer (type invariant).
        unsafe { abi::rkm_hrtimer_cancel(self.raw.as_ptr()) }
    }

    /// Whether it is pending or its callback running. Any context.
    ///
    /// ```
    /// # use rkm::timer::{HrTimer, TimerCallback};
    /// # fn f<T: TimerCallback>(t: &HrTimer<T>) -> bool { t.is_active() }
    /// ```
    pub fn is_active(&self) -> bool {
        // SAFETY: as above.
        unsafe { abi::rkm_hrtimer_active(self.raw.as_ptr()) }
    }
}

impl<T: TimerCallback> Timer<T> {
    /// A stopped timer owning `data`. May sleep.
    ///
    /// ```
    /// # use rkm::timer::{Timer, Restart, TimerCallback};
    /// # rkm::irq_safe! { struct T {} }
    /// # impl TimerCallback for T { fn expired(&self) -> Restart { Restart::No } }
    /// # fn f() -> rkm::Result {
    /// let t = Timer::new(T {})?;
    /// # Ok(()) }
    /// ```
    pub fn new(data: T) -> Result<Self> {
        let data = KBox::leak(KBox::try_new(data)?);
        // SAFETY: `data` stays valid until rkm_timer_free (type invariant).
        let raw =
            unsafe { abi::rkm_timer_new(Some(jiffies_trampoline::<T>), data.as_ptr().cast()) };
        match NonNull::new(raw) {
            Some(raw) => Ok(Timer { raw, data, _owns: PhantomData }),
            None => {
                // SAFETY: from KBox::leak above, never shared.
                drop(unsafe { KBox::from_raw(data) });
                Err(ENOMEM)
            }
        }
    }

    /// Starts it to expire `delay` from now (rounded up to ms and then to a
    /// jiffy, at most 30 days), or moves a pending expiry (`mod_timer`).
    /// Any context.
    ///
    /// ```
    /// # use rkm::timer::{Timer, TimerCallback};
    /// # fn f<T: TimerCallback>(t: &Timer<T>) { t.start(core::time::Duration::from_millis(20)); }
    /// ```
    pub fn start(&self, delay: Duration) {
        // SAFETY: a live timer (type invariant).
        unsafe { abi::rkm_timer_start(self.raw.as_ptr(), crate::workqueue::delay_ms(delay)) }
    }

    /// Cancels a pending expiry without waiting for a running callback
    /// (`del_timer`); true if it was pending. Any context.
    ///
    /// ```
    /// # use rkm::timer::{Timer, TimerCallback};
    /// # fn f<T: TimerCallback>(t: &Timer<T>) -> bool { t.try_cancel() }
    /// ```
    pub fn try_cancel(&self) -> bool {
        // SAFETY: as above.
        unsafe { abi::rkm_timer_cancel(self.raw.as_ptr()) }
    }

    /// Whether it is pending. Any context.
    ///
    /// ```
    /// # use rkm::timer::{Timer, TimerCallback};
    /// # fn f<T: TimerCallback>(t: &Timer<T>) -> bool { t.is_pending() }
    /// ```
    pub fn is_pending(&self) -> bool {
        // SAFETY: as above.
        unsafe { abi::rkm_timer_pending(self.raw.as_ptr()) }
    }
}

#[cfg(rkm_ktest)]
pub(crate) mod ktests {
    use super::*;
    use crate::ktest::{kassert, Case};
    use crate::sync::{Arc, Completion};
    use core::sync::atomic::{AtomicU32, Ordering};

    pub(crate) const CASES: &[Case] = &[
        ("hrtimer_fires_once", hrtimer_fires_once),
        ("hrtimer_restarts_until_drop", hrtimer_restarts_until_drop),
        ("hrtimer_try_cancel", hrtimer_try_cancel),
        ("hrtimer_tiny_period_is_bounded", hrtimer_tiny_period_is_bounded),
        ("timer_fires_once", timer_fires_once),
        ("timer_restarts_until_drop", timer_restarts_until_drop),
        ("timer_try_cancel", timer_try_cancel),
    ];

    crate::irq_safe! {
        struct Tick { n: Arc<[AtomicU32; 1]>, done: Completion, again_us: u64 }
    }

    impl TimerCallback for Tick {
        fn expired(&self) -> Restart {
            self.n[0].fetch_add(1, Ordering::Relaxed);
            self.done.complete();
            match self.again_us {
                0 => Restart::No,
                us => Restart::After(Duration::from_micros(us)),
            }
        }
    }

    fn tick(again_us: u64) -> Result<(Arc<[AtomicU32; 1]>, Tick)> {
        let n = Arc::try_new([AtomicU32::new(0)])?;
        Ok((n.clone(), Tick { n, done: Completion::try_new()?, again_us }))
    }

    fn hrtimer_fires_once() -> Result {
        let (n, t) = tick(0)?;
        let t = HrTimer::new(t)?;
        t.start(Duration::from_millis(1));
        t.data().done.wait()?;
        crate::task::msleep(5)?;
        kassert!(n[0].load(Ordering::Relaxed) == 1);
        kassert!(!t.is_active());
        Ok(())
    }

    fn hrtimer_restarts_until_drop() -> Result {
        let (n, t) = tick(1000)?;
        let t = HrTimer::new(t)?;
        t.start(Duration::ZERO);
        crate::task::msleep(30)?;
        drop(t);
        let at_drop = n[0].load(Ordering::Relaxed);
        crate::task::msleep(10)?;
        kassert!(at_drop >= 5);
        kassert!(n[0].load(Ordering::Relaxed) == at_drop);
        kassert!(Arc::count(&n) == 1);
        Ok(())
    }

    fn hrtimer_try_cancel() -> Result {
        let (n, t) = tick(0)?;
        let t = HrTimer::new(t)?;
        kassert!(!t.try_cancel());
        t.start(Duration::from_secs(60));
        kassert!(t.is_active());
        kassert!(t.try_cancel());
        kassert!(!t.is_active());
        kassert!(n[0].load(Ordering::Relaxed) == 0);
        Ok(())
    }

    fn hrtimer_tiny_period_is_bounded() -> Result {
        // Asks for 1 ns: the glue's 10 us minimum caps it at 100 per ms.
        let (n, t) = tick(0)?;
        let t = HrTimer::new(FastTick { inner: t })?;
        t.start(Duration::ZERO);
        crate::task::msleep(20)?;
        drop(t);
        kassert!(n[0].load(Ordering::Relaxed) <= 20 * 100 + 100);
        kassert!(n[0].load(Ordering::Relaxed) > 0);
        Ok(())
    }

    crate::irq_safe! {
        struct FastTick { inner: Tick }
    }

    impl TimerCallback for FastTick {
        fn expired(&self) -> Restart {
            self.inner.n[0].fetch_add(1, Ordering::Relaxed);
            Restart::After(Duration::from_nanos(1))
        }
    }

    fn timer_fires_once() -> Result {
        let (n, t) = tick(0)?;
        let t = Timer::new(t)?;
        t.start(Duration::from_millis(1));
        kassert!(t.is_pending());
        t.data().done.wait()?;
        kassert!(n[0].load(Ordering::Relaxed) == 1);
        Ok(())
    }

    fn timer_restarts_until_drop() -> Result {
        let (n, t) = tick(1000)?;
        let t = Timer::new(t)?;
        t.start(Duration::ZERO);
        crate::task::msleep(60)?;
        drop(t);
        let at_drop = n[0].load(Ordering::Relaxed);
        crate::task::msleep(20)?;
        kassert!(at_drop >= 2);
        kassert!(n[0].load(Ordering::Relaxed) == at_drop);
        kassert!(Arc::count(&n) == 1);
        Ok(())
    }

    fn timer_try_cancel() -> Result {
        let (n, t) = tick(0)?;
        let t = Timer::new(t)?;
        kassert!(!t.try_cancel());
        t.start(Duration::from_secs(60));
        kassert!(t.is_pending());
        kassert!(t.try_cancel());
        kassert!(!t.is_pending());
        kassert!(n[0].load(Ordering::Relaxed) == 0);
        Ok(())
    }
}
