// SPDX-License-Identifier: GPL-2.0
//! High-resolution one-shot timers that carry a value: [`OneShot`].
//!
//! A `OneShot` is a `CLOCK_MONOTONIC` relative hrtimer a driver embeds in
//! any of its objects, as many as it likes (one per request slot, one per
//! queue). [`start`](OneShot::start) moves a value into it; at expiry the
//! callback gets the value back, by value ([`OneShotCallback::fire`]); a
//! cancel before the expiry gives it back to the canceller instead. Exactly
//! one of them gets it: this is how a block driver completes a request
//! `completion_nsec` after it was queued, with the request owned by the
//! timer meanwhile. A slot holds one value at a time and can be started
//! again as soon as its value was handed out (also from its own callback).
//!
//! ```
//! use core::{sync::atomic::{AtomicU64, Ordering}, time::Duration};
//! use rkm::hrtimer::{Mode, OneShot, OneShotCallback};
//! // The value handed to the timer: any owned `Send + IrqDrop` type (a
//! // block driver's request; here a tag).
//! rkm::irq_safe! { struct Completer { completed: AtomicU64 } }
//! impl OneShotCallback for Completer {
//!     type Value = u32;
//!     fn fire(&self, tag: u32) {
//!         self.completed.fetch_add(u64::from(tag), Ordering::Relaxed);
//!     }
//! }
//! # fn f() -> rkm::Result {
//! let slot = OneShot::new(Completer { completed: AtomicU64::new(0) }, Mode::Soft)?;
//! if let Err(_busy) = slot.start(Duration::from_micros(50), 7) {
//!     // still holding an earlier value: the new one came back.
//! }
//! # Ok(()) }
//! ```
//!
//! The periodic, self-restarting timer with shared data is
//! [`timer::HrTimer`](crate::timer::HrTimer) (re-exported here as
//! [`HrTimer`]); its [`cancel`](crate::timer::HrTimer::cancel) waits.
//!
//! # Context
//!
//! [`Mode::Soft`] (`HRTIMER_MODE_REL_SOFT`): the callback runs in softirq
//! context (on PREEMPT_RT in the `ktimers` thread). [`Mode::Irq`]
//! (`HRTIMER_MODE_REL`): in hard interrupt context; PREEMPT_RT makes such a
//! timer soft (it is not `_HARD`), so on RT both modes run in the thread and
//! may take `spinlock_t` (a [`SpinLockIrq`](crate::sync::SpinLockIrq) is one).
//! Either way the callback is atomic: it must not sleep. It gets the
//! [`IrqSafe`] context `&C` (no `Mutex`, no allocation) and an
//! [`IrqDrop`] value (dropping it never sleeps). `start`, `try_cancel` and
//! `is_armed` may be called in any context, the callback included; the
//! waiting [`cancel`](OneShot::cancel) and `drop` need `&mut`/ownership,
//! which nothing `IrqSafe` gives (a `OneShot` is not `IrqDrop`), so they
//! run in process context only.
//!
//! # Invariants
//!
//! The value lives in the slot's own memory, guarded by a state word:
//! `EMPTY → FILLING` (a start claims the slot) `→ ARMED` (value written,
//! then the hrtimer started) `→ TAKING` (the callback or a cancel claims it)
//! `→ EMPTY` (value moved out). Only the claimer of a transition touches
//! the value, so two parties never hold it. Dropping a `OneShot` refuses
//! further starts (the glue's dead flag), cancels the hrtimer and waits for
//! a running callback (`hrtimer_cancel`), and only then drops a value left
//! and frees the slot: no callback runs on freed memory. A slot the driver
//! leaks is cancelled at module exit by the glue, before the module's code
//! goes (its value then stays allocated, as leaked memory does).
//!
//! A start racing with a cancel on another CPU can leave the hrtimer armed
//! for the older expiry with the newer value: that value then fires early
//! (never late, never twice, never lost). Serialize both per slot when the
//! delay matters.

use crate::abi;
use crate::alloc::KBox;
use crate::error::{Error, Result};
use crate::irq::{IrqDrop, IrqSafe};
use core::cell::UnsafeCell;
use core::ffi::{c_int, c_void};
use core::mem::MaybeUninit;
use core::ptr::NonNull;
use core::sync::atomic::{AtomicU8, Ordering};
use core::time::Duration;

pub use crate::timer::HrTimer;

/// Where a [`OneShot`]'s callback runs (see the module documentation).
///
/// ```
/// let m = rkm::hrtimer::Mode::Soft;
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// `HRTIMER_MODE_REL_SOFT`: softirq context (a thread on PREEMPT_RT).
    Soft,
    /// `HRTIMER_MODE_REL`: hard interrupt context (a thread on PREEMPT_RT).
    Irq,
}

/// The callback of a [`OneShot`] and the type of value it carries.
///
/// ```
/// # use rkm::hrtimer::OneShotCallback;
/// rkm::irq_safe! { struct Wake { done: rkm::sync::Completion } }
/// impl OneShotCallback for Wake {
///     type Value = u32;
///     fn fire(&self, _v: u32) { self.done.complete() }
/// }
/// ```
pub trait OneShotCallback: IrqSafe + Send + Sync + 'static {
    /// What [`OneShot::start`] hands to the timer: owned (`'static`), sent
    /// to the CPU the timer fires on (`Send`), dropped in atomic context
    /// (`IrqDrop`).
    type Value: Send + IrqDrop + 'static;
    /// Runs once per start, in atomic context (see the module
    /// documentation), with the value handed over: must not sleep.
    fn fire(&self, value: Self::Value);
}

const EMPTY: u8 = 0;
const FILLING: u8 = 1;
const ARMED: u8 = 2;
const TAKING: u8 = 3;

struct Inner<C: OneShotCallback> {
    ctx: C,
    state: AtomicU8,
    value: UnsafeCell<MaybeUninit<C::Value>>,
}

impl<C: OneShotCallback> Inner<C> {
    /// Moves the value out if one is armed.
    fn take(&self) -> Option<C::Value> {
        self.state.compare_exchange(ARMED, TAKING, Ordering::Acquire, Ordering::Relaxed).ok()?;
        // SAFETY: ARMED → TAKING made us the only party touching the value,
        // which the start that set ARMED had written (Release/Acquire).
        let v = unsafe { (*self.value.get()).assume_init_read() };
        self.state.store(EMPTY, Ordering::Release);
        Some(v)
    }
}

/// A one-shot high-resolution timer carrying a value of
/// `C::Value` to its callback `C` (see the module documentation).
///
/// ```
/// # use rkm::hrtimer::{Mode, OneShot, OneShotCallback};
/// rkm::irq_safe! { struct Count { n: core::sync::atomic::AtomicU64 } }
/// impl OneShotCallback for Count {
///     type Value = u64;
///     fn fire(&self, v: u64) { self.n.fetch_add(v, core::sync::atomic::Ordering::Relaxed); }
/// }
/// # fn f() -> rkm::Result {
/// let mut slot = OneShot::new(Count { n: Default::default() }, Mode::Soft)?;
/// let _ = slot.start(core::time::Duration::from_millis(1), 3);
/// let _maybe_back: Option<u64> = slot.cancel();
/// # Ok(()) }
/// ```
///
/// # Invariants
///
/// `raw` is a glue slot calling `fire::<C>` with `inner`, a leaked
/// `KBox<Inner<C>>` freed in `drop` after `rkm_hrslot_free`.
pub struct OneShot<C: OneShotCallback> {
    raw: NonNull<abi::Hrslot>,
    inner: NonNull<Inner<C>>,
}

// SAFETY: the callback uses `&C` on another CPU (C: Sync) and moves values
// across CPUs (Value: Send); the owner drops C and a value left (both Send).
unsafe impl<C: OneShotCallback> Send for OneShot<C> {}
// SAFETY: `&self` methods go through the state word (atomic), the glue's
// hrtimer calls (kernel-synchronised) and `&C` (C: Sync).
unsafe impl<C: OneShotCallback> Sync for OneShot<C> {}
// SAFETY: every `&self` method is allowed in any context: start and
// try_cancel never sleep, `context` gives `&C` (IrqSafe); the waiting
// cancel needs `&mut self`. A OneShot is not IrqDrop: never dropped there.
unsafe impl<C: OneShotCallback> IrqSafe for OneShot<C> {}

extern "C" fn fire<C: OneShotCallback>(data: *mut c_void) {
    // SAFETY: the live Inner of a OneShot (freed only after
    // rkm_hrslot_free, which waits for this callback).
    let inner = unsafe { &*data.cast::<Inner<C>>() };
    if let Some(v) = inner.take() {
        inner.ctx.fire(v);
    }
}

fn ns(d: Duration) -> u64 {
    d.as_secs()
        .saturating_mul(1_000_000_000)
        .saturating_add(u64::from(d.subsec_nanos()))
        .min(abi::HRTIMER_MAX_NS)
}

impl<C: OneShotCallback> OneShot<C> {
    /// An idle slot with callback context `ctx`. Process context (sleeps).
    ///
    /// ```
    /// # use rkm::hrtimer::{Mode, OneShot, OneShotCallback};
    /// # rkm::irq_safe! { struct T {} }
    /// # impl OneShotCallback for T { type Value = u64; fn fire(&self, _: u64) {} }
    /// # fn f() -> rkm::Result {
    /// let slot = OneShot::new(T {}, Mode::Irq)?;
    /// # Ok(()) }
    /// ```
    pub fn new(ctx: C, mode: Mode) -> Result<Self> {
        let inner = KBox::try_new(Inner {
            ctx,
            state: AtomicU8::new(EMPTY),
            value: UnsafeCell::new(MaybeUninit::uninit()),
        })?;
        let inner = KBox::leak(inner);
        let mode = match mode {
            Mode::Soft => abi::HRSLOT_SOFT,
            Mode::Irq => abi::HRSLOT_IRQ,
        };
        let mut err: c_int = 0;
        // SAFETY: `inner` stays valid until rkm_hrslot_free (type invariant).
        let raw =
            unsafe { abi::rkm_hrslot_new(Some(fire::<C>), inner.as_ptr().cast(), mode, &mut err) };
        match NonNull::new(raw) {
            Some(raw) => Ok(OneShot { raw, inner }),
            None => {
                // SAFETY: from KBox::leak above, never shared.
                drop(unsafe { KBox::from_raw(inner) });
                Err(Error::from_kernel(err))
            }
        }
    }

    fn inner(&self) -> &Inner<C> {
        // SAFETY: live until drop (type invariant).
        unsafe { self.inner.as_ref() }
    }

    /// The callback's context.
    ///
    /// ```
    /// # use rkm::hrtimer::{OneShot, OneShotCallback};
    /// # fn f<C: OneShotCallback>(s: &OneShot<C>) -> &C { s.context() }
    /// ```
    pub fn context(&self) -> &C {
        &self.inner().ctx
    }

    /// Hands `value` to the timer, to be given to the callback `delay` from
    /// now (at most 30 days). `Err(value)` gives it back if the slot still
    /// holds a value (started and neither fired nor cancelled) or is being
    /// dropped. Any context.
    ///
    /// ```
    /// # use rkm::hrtimer::{OneShot, OneShotCallback};
    /// # fn f<C: OneShotCallback<Value = u32>>(s: &OneShot<C>) {
    /// assert!(s.start(core::time::Duration::from_micros(10), 5).is_ok());
    /// # }
    /// ```
    pub fn start(&self, delay: Duration, value: C::Value) -> core::result::Result<(), C::Value> {
        let inner = self.inner();
        if inner
            .state
            .compare_exchange(EMPTY, FILLING, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            return Err(value);
        }
        // SAFETY: EMPTY → FILLING made us the only party touching the value
        // slot, which holds no value (EMPTY).
        unsafe { (*inner.value.get()).write(value) };
        inner.state.store(ARMED, Ordering::Release);
        // SAFETY: a live slot (type invariant).
        if unsafe { abi::rkm_hrslot_start(self.raw.as_ptr(), ns(delay)) } {
            return Ok(());
        }
        // Module exit refused it: take the value back (unless a cancel did).
        match inner.take() {
            Some(v) => Err(v),
            None => Ok(()),
        }
    }

    /// Cancels a pending expiry without waiting: the value if the timer was
    /// pending (its callback will not run for it), `None` if idle, already
    /// fired or firing now. Any context.
    ///
    /// ```
    /// # use rkm::hrtimer::{OneShot, OneShotCallback};
    /// # fn f<C: OneShotCallback>(s: &OneShot<C>) -> Option<C::Value> { s.try_cancel() }
    /// ```
    pub fn try_cancel(&self) -> Option<C::Value> {
        // SAFETY: a live slot (type invariant).
        if unsafe { abi::rkm_hrslot_try_cancel(self.raw.as_ptr()) } == 1 {
            self.inner().take()
        } else {
            None
        }
    }

    /// Cancels, waiting for a running callback: afterwards the callback is
    /// not running and will not run for anything started before. The value
    /// if it had not been handed to the callback. Process context: it may
    /// wait (`&mut self`: not reachable from a callback).
    ///
    /// ```
    /// # use rkm::hrtimer::{OneShot, OneShotCallback};
    /// # fn f<C: OneShotCallback>(s: &mut OneShot<C>) -> Option<C::Value> { s.cancel() }
    /// ```
    pub fn cancel(&mut self) -> Option<C::Value> {
        // SAFETY: a live slot (type invariant).
        unsafe { abi::rkm_hrslot_cancel(self.raw.as_ptr()) };
        self.inner().take()
    }

    /// Whether it holds a value (started, not yet fired or cancelled).
    /// Any context.
    ///
    /// ```
    /// # use rkm::hrtimer::{OneShot, OneShotCallback};
    /// # fn f<C: OneShotCallback>(s: &OneShot<C>) -> bool { s.is_armed() }
    /// ```
    pub fn is_armed(&self) -> bool {
        self.inner().state.load(Ordering::Acquire) != EMPTY
    }

    /// Whether the hrtimer is pending or its callback running
    /// (`hrtimer_active`). Any context.
    ///
    /// ```
    /// # use rkm::hrtimer::{OneShot, OneShotCallback};
    /// # fn f<C: OneShotCallback>(s: &OneShot<C>) -> bool { s.is_active() }
    /// ```
    pub fn is_active(&self) -> bool {
        // SAFETY: a live slot (type invariant).
        unsafe { abi::rkm_hrslot_active(self.raw.as_ptr()) }
    }
}

impl<C: OneShotCallback> Drop for OneShot<C> {
    fn drop(&mut self) {
        // SAFETY: ours (type invariant): refuses starts, cancels and waits
        // for the callback, frees the glue object.
        unsafe { abi::rkm_hrslot_free(self.raw.as_ptr()) };
        // SAFETY: from KBox::leak in `new`; nothing else uses it now.
        let inner = unsafe { KBox::from_raw(self.inner) };
        // A value never handed out is dropped here, in process context.
        drop(inner.take());
        drop(inner);
    }
}

#[cfg(rkm_ktest)]
pub(crate) mod ktests {
    use super::*;
    use crate::alloc::KVec;
    use crate::ktest::{kassert, Case};
    use crate::sync::{Arc, Completion};
    use crate::timer::{Restart, TimerCallback};
    use core::sync::atomic::{AtomicU32, AtomicU64};

    pub(crate) const CASES: &[Case] = &[
        ("oneshot_hands_value_back", oneshot_hands_value_back),
        ("oneshot_busy_returns_value", oneshot_busy_returns_value),
        ("oneshot_try_cancel_pending", oneshot_try_cancel_pending),
        ("oneshot_cancel_while_running", oneshot_cancel_while_running),
        ("oneshot_drop_pending_drops_value", oneshot_drop_pending_drops_value),
        ("oneshot_many_timers", oneshot_many_timers),
        ("oneshot_restart_from_callback", oneshot_restart_from_callback),
        ("oneshot_irq_mode", oneshot_irq_mode),
        ("hrtimer_cancel_waits", hrtimer_cancel_waits),
    ];

    /// A value that counts its drops, so a test sees it was dropped exactly once.
    /// Busy-waits about `n` thousand loop turns (atomic context: no sleep).
    fn spin(n: u32) {
        for _ in 0..n.saturating_mul(1000) {
            core::hint::spin_loop();
        }
    }

    struct Token {
        id: u64,
        drops: Arc<AtomicU32>,
    }
    // SAFETY: dropping it decrements a refcount and, at most, frees an atomic.
    unsafe impl IrqDrop for Token {}
    impl Drop for Token {
        fn drop(&mut self) {
            self.drops.fetch_add(1, Ordering::Relaxed);
        }
    }

    crate::irq_safe! {
        struct Sink { sum: AtomicU64, fired: AtomicU32, running: AtomicU32, done: Completion, spin: u32 }
    }

    impl OneShotCallback for Sink {
        type Value = Token;
        fn fire(&self, t: Token) {
            self.running.store(1, Ordering::Release);
            spin(self.spin);
            self.sum.fetch_add(t.id, Ordering::Relaxed);
            self.fired.fetch_add(1, Ordering::Relaxed);
            drop(t);
            self.done.complete();
        }
    }

    fn sink(spin: u32) -> Result<Sink> {
        Ok(Sink {
            sum: AtomicU64::new(0),
            fired: AtomicU32::new(0),
            running: AtomicU32::new(0),
            done: Completion::try_new()?,
            spin,
        })
    }

    fn token(id: u64, drops: &Arc<AtomicU32>) -> Token {
        Token { id, drops: drops.clone() }
    }

    fn oneshot_hands_value_back() -> Result {
        let drops = Arc::try_new(AtomicU32::new(0))?;
        let s = OneShot::new(sink(0)?, Mode::Soft)?;
        kassert!(s.start(Duration::from_millis(20), token(42, &drops)).is_ok());
        kassert!(s.is_armed());
        s.context().done.wait()?;
        kassert!(s.context().sum.load(Ordering::Relaxed) == 42);
        kassert!(drops.load(Ordering::Relaxed) == 1);
        kassert!(!s.is_armed());
        Ok(())
    }

    fn oneshot_busy_returns_value() -> Result {
        let drops = Arc::try_new(AtomicU32::new(0))?;
        let s = OneShot::new(sink(0)?, Mode::Soft)?;
        kassert!(s.start(Duration::from_secs(60), token(1, &drops)).is_ok());
        match s.start(Duration::from_micros(1), token(2, &drops)) {
            Err(t) => kassert!(t.id == 2),
            Ok(()) => kassert!(false),
        }
        kassert!(drops.load(Ordering::Relaxed) == 1);
        drop(s);
        // The pending value was dropped by drop(), the callback never ran.
        kassert!(drops.load(Ordering::Relaxed) == 2);
        Ok(())
    }

    fn oneshot_try_cancel_pending() -> Result {
        let drops = Arc::try_new(AtomicU32::new(0))?;
        let s = OneShot::new(sink(0)?, Mode::Soft)?;
        kassert!(s.try_cancel().is_none());
        kassert!(s.start(Duration::from_secs(60), token(9, &drops)).is_ok());
        let back = s.try_cancel();
        kassert!(back.as_ref().map(|t| t.id) == Some(9));
        kassert!(!s.is_armed());
        drop(back);
        // The slot is free again.
        kassert!(s.start(Duration::from_micros(10), token(3, &drops)).is_ok());
        s.context().done.wait()?;
        kassert!(s.context().sum.load(Ordering::Relaxed) == 3);
        kassert!(drops.load(Ordering::Relaxed) == 2);
        Ok(())
    }

    fn oneshot_cancel_while_running() -> Result {
        // The callback spins a while once running; cancel() must wait for
        // it to finish (fired is counted at its end).
        let drops = Arc::try_new(AtomicU32::new(0))?;
        let mut s = OneShot::new(sink(200)?, Mode::Soft)?;
        kassert!(s.start(Duration::from_micros(10), token(5, &drops)).is_ok());
        // Yields while it waits: on a PREEMPT_NONE kernel under load the soft
        // expiry may be left to ksoftirqd on this very CPU, which a bare
        // spin would starve forever (seen on the debug kernel in CI).
        while s.context().running.load(Ordering::Acquire) == 0 {
            crate::task::cond_resched();
            core::hint::spin_loop();
        }
        let back = s.cancel();
        kassert!(back.is_none());
        kassert!(s.context().fired.load(Ordering::Relaxed) == 1);
        kassert!(!s.is_active());
        kassert!(drops.load(Ordering::Relaxed) == 1);
        Ok(())
    }

    fn oneshot_drop_pending_drops_value() -> Result {
        let drops = Arc::try_new(AtomicU32::new(0))?;
        let s = OneShot::new(sink(0)?, Mode::Irq)?;
        kassert!(s.start(Duration::from_secs(3600), token(1, &drops)).is_ok());
        drop(s);
        kassert!(drops.load(Ordering::Relaxed) == 1);
        kassert!(Arc::count(&drops) == 1);
        Ok(())
    }

    crate::irq_safe! {
        struct Shared { sum: Arc<AtomicU64>, fired: Arc<AtomicU32> }
    }

    impl OneShotCallback for Shared {
        type Value = Token;
        fn fire(&self, t: Token) {
            self.sum.fetch_add(t.id, Ordering::Relaxed);
            self.fired.fetch_add(1, Ordering::Relaxed);
        }
    }

    fn oneshot_many_timers() -> Result {
        // 256 slots, every one started; half cancelled; the other half fire.
        const N: u64 = 256;
        let drops = Arc::try_new(AtomicU32::new(0))?;
        let sum = Arc::try_new(AtomicU64::new(0))?;
        let fired = Arc::try_new(AtomicU32::new(0))?;
        let mut slots = KVec::try_with_capacity(N as usize)?;
        for _ in 0..N {
            slots.try_push(OneShot::new(
                Shared { sum: sum.clone(), fired: fired.clone() },
                Mode::Soft,
            )?)?;
        }
        for (i, s) in slots.iter().enumerate() {
            let i = i as u64;
            let delay =
                if i % 2 == 0 { Duration::from_micros(50 + i) } else { Duration::from_secs(60) };
            kassert!(s.start(delay, token(i, &drops)).is_ok());
        }
        let mut cancelled = 0u64;
        for (i, s) in slots.iter().enumerate() {
            if i % 2 == 1 {
                let t = s.try_cancel();
                kassert!(t.as_ref().map(|t| t.id) == Some(i as u64));
                cancelled += 1;
            }
        }
        // The earliest fire after 50 µs, the last after ~306 µs; a loaded
        // emulated guest may defer soft expiry (wait_above: up to 5 s).
        wait_above(&fired, (N - cancelled - 1) as u32)?;
        kassert!(u64::from(fired.load(Ordering::Relaxed)) == N - cancelled);
        let even: u64 = (0..N).filter(|i| i % 2 == 0).sum();
        kassert!(sum.load(Ordering::Relaxed) == even);
        drop(slots);
        kassert!(u64::from(drops.load(Ordering::Relaxed)) == N);
        kassert!(Arc::count(&sum) == 1);
        Ok(())
    }

    crate::irq_safe! {
        struct Chain { next: OneShot<Sink>, drops: Arc<AtomicU32>, fired: AtomicU32 }
    }

    impl OneShotCallback for Chain {
        type Value = Token;
        fn fire(&self, t: Token) {
            self.fired.fetch_add(1, Ordering::Relaxed);
            // Hands the value on to another timer, from this one's callback.
            let _ = self.next.start(Duration::from_micros(20), t);
        }
    }

    fn oneshot_restart_from_callback() -> Result {
        let drops = Arc::try_new(AtomicU32::new(0))?;
        let next = OneShot::new(sink(0)?, Mode::Irq)?;
        let s = OneShot::new(
            Chain { next, drops: drops.clone(), fired: AtomicU32::new(0) },
            Mode::Soft,
        )?;
        for round in 1..=5u64 {
            kassert!(s.start(Duration::from_micros(20), token(round, &drops)).is_ok());
            s.context().next.context().done.wait()?;
            s.context().next.context().done.reinit();
        }
        kassert!(s.context().fired.load(Ordering::Relaxed) == 5);
        kassert!(s.context().next.context().sum.load(Ordering::Relaxed) == 15);
        kassert!(drops.load(Ordering::Relaxed) == 5);
        let _ = &s.context().drops;
        Ok(())
    }

    fn oneshot_irq_mode() -> Result {
        let drops = Arc::try_new(AtomicU32::new(0))?;
        let s = OneShot::new(sink(0)?, Mode::Irq)?;
        for i in 0..100u64 {
            kassert!(s.start(Duration::from_micros(10), token(i, &drops)).is_ok());
            s.context().done.wait()?;
            s.context().done.reinit();
        }
        kassert!(s.context().fired.load(Ordering::Relaxed) == 100);
        kassert!(drops.load(Ordering::Relaxed) == 100);
        Ok(())
    }

    crate::irq_safe! {
        struct Slow { n: Arc<AtomicU32> }
    }

    impl TimerCallback for Slow {
        fn expired(&self) -> Restart {
            spin(20);
            self.n.fetch_add(1, Ordering::Relaxed);
            // 1 ms, not 100 µs: on the KASAN kernel under TCG the spin
            // alone took most of 100 µs, the CPU stayed in interrupt
            // context and the test's own msleep did not return in 85 s.
            Restart::After(Duration::from_millis(1))
        }
    }

    /// Sleeps until `n` exceeds `than`, up to 5 s (a loaded emulated guest
    /// runs timers late, never not at all).
    fn wait_above(n: &AtomicU32, than: u32) -> Result {
        for _ in 0..500 {
            if n.load(Ordering::Relaxed) > than {
                break;
            }
            crate::task::msleep(10)?;
        }
        Ok(())
    }

    fn hrtimer_cancel_waits() -> Result {
        let n = Arc::try_new(AtomicU32::new(0))?;
        let mut t = HrTimer::new(Slow { n: n.clone() })?;
        t.start(Duration::ZERO);
        wait_above(&n, 0)?;
        t.cancel();
        let at = n.load(Ordering::Relaxed);
        kassert!(!t.is_active());
        crate::task::msleep(5)?;
        kassert!(at > 0 && n.load(Ordering::Relaxed) == at);
        // Restartable after a cancel.
        t.start(Duration::from_micros(10));
        wait_above(&n, at)?;
        t.cancel();
        kassert!(n.load(Ordering::Relaxed) > at);
        Ok(())
    }
}
