// SPDX-License-Identifier: GPL-2.0
//! Work items: deferred callbacks that run in process context (they may
//! sleep), on the system workqueue or on one the driver allocates.
//!
//! A [`Work`] owns its data (any [`WorkItem`]) in kernel memory that never
//! moves; the callback gets `&data`. Queueing, re-queueing with a delay
//! (`queue_delayed_work`, `mod_delayed_work`) and testing never sleep and
//! are allowed in any context, so a `Work` is [`IrqSafe`]: an interrupt
//! handler or timer callback may queue it (the classic bottom half).
//! Cancelling and flushing sleep, so they take `&mut self`, which no
//! callback can have.
//!
//! ```
//! use core::sync::atomic::{AtomicU32, Ordering};
//! use rkm::workqueue::{Work, WorkItem, WorkRef};
//! struct Count(AtomicU32);
//! impl WorkItem for Count {
//!     fn run(&self, _work: &WorkRef<'_>) {
//!         self.0.fetch_add(1, Ordering::Relaxed);
//!     }
//! }
//! # fn f() -> rkm::Result {
//! let mut work = Work::new(Count(AtomicU32::new(0)))?;
//! work.queue();
//! work.flush();
//! assert_eq!(work.data().0.load(Ordering::Relaxed), 1);
//! # Ok(()) }
//! ```
//!
//! # Invariants
//!
//! The callback can never run after its [`Work`] is dropped: dropping
//! refuses further queueing (also from the callback itself) and then
//! cancels synchronously (`cancel_delayed_work_sync`, which waits for a
//! running callback) before the data is freed. A work item holds a reference
//! to its [`Workqueue`], which is destroyed only after the last of them.
//! Works and workqueues a driver leaks (`mem::forget`) are cancelled and
//! destroyed by the glue at module exit, so no callback runs once the
//! module's code is gone. Dropping a `Work` from its own callback
//! deadlocks (lockdep reports it), as `cancel_work_sync` does in C.

use crate::abi;
use crate::alloc::KBox;
use crate::error::{code::*, Error, Result};
use crate::irq::IrqSafe;
use core::ffi::{c_int, c_void};
use core::marker::PhantomData;
use core::ptr::NonNull;
use core::time::Duration;

/// Milliseconds for a delay, rounded up, capped at 30 days.
pub(crate) fn delay_ms(d: Duration) -> u32 {
    // No u128 arithmetic: the kernel has no 128-bit division helpers.
    let ms = d
        .as_secs()
        .saturating_mul(1000)
        .saturating_add(u64::from(d.subsec_nanos().div_ceil(1_000_000)));
    ms.min(u64::from(abi::DELAY_MAX_MS)) as u32
}

/// The callback of a [`Work`].
///
/// ```
/// use rkm::workqueue::{WorkItem, WorkRef};
/// struct Flusher;
/// impl WorkItem for Flusher {
///     fn run(&self, work: &WorkRef<'_>) {
///         // ... may sleep: take a Mutex, allocate, msleep ...
///         work.queue_delayed(core::time::Duration::from_millis(100));
///     }
/// }
/// ```
pub trait WorkItem: Send + Sync + 'static {
    /// Runs in process context, in a kernel worker thread: may sleep.
    /// `work` re-queues this same work item.
    fn run(&self, work: &WorkRef<'_>);
}

/// Flags of an allocated [`Workqueue`].
///
/// ```
/// let f = rkm::workqueue::WqFlags::UNBOUND | rkm::workqueue::WqFlags::HIGHPRI;
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct WqFlags(u32);

impl WqFlags {
    /// Per-CPU workers (the default).
    pub const NONE: WqFlags = WqFlags(0);
    /// `WQ_UNBOUND`: workers not bound to the queueing CPU.
    pub const UNBOUND: WqFlags = WqFlags(abi::WQ_UNBOUND);
    /// `WQ_HIGHPRI`: high-priority workers.
    pub const HIGHPRI: WqFlags = WqFlags(abi::WQ_HIGHPRI);
}

impl core::ops::BitOr for WqFlags {
    type Output = WqFlags;
    fn bitor(self, o: WqFlags) -> WqFlags {
        WqFlags(self.0 | o.0)
    }
}

/// A workqueue of the driver's own (`alloc_workqueue`).
///
/// ```
/// # use rkm::workqueue::{Workqueue, WqFlags};
/// # fn f() -> rkm::Result {
/// let wq = Workqueue::new("my_wq", WqFlags::UNBOUND)?;
/// # Ok(()) }
/// ```
///
/// # Invariants
///
/// `raw` is a glue workqueue holding one reference for this handle; work
/// items created on it hold their own, so dropping the handle first is
/// allowed (the queue goes with its last work item). Process context only.
pub struct Workqueue {
    raw: NonNull<abi::Wq>,
}

// SAFETY: the kernel's workqueue may be used and destroyed from any thread.
unsafe impl Send for Workqueue {}
// SAFETY: as above; every operation is synchronised by the kernel.
unsafe impl Sync for Workqueue {}

impl Workqueue {
    /// Allocates a workqueue; `EINVAL` for an empty name or one longer than
    /// 64 bytes, `ENOMEM`. May sleep.
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// # use rkm::workqueue::{Workqueue, WqFlags};
    /// assert_eq!(Workqueue::new("", WqFlags::NONE).err(), Some(EINVAL));
    /// ```
    pub fn new(name: &str, flags: WqFlags) -> Result<Self> {
        let mut err: c_int = 0;
        // SAFETY: name is valid for its length; the glue copies it.
        let p = unsafe { abi::rkm_wq_alloc(name.as_ptr().cast(), name.len(), flags.0, &mut err) };
        NonNull::new(p).map(|raw| Workqueue { raw }).ok_or_else(|| Error::from_errno(err))
    }

    /// Waits until every work item queued on it so far has run. Sleeps.
    ///
    /// ```
    /// # fn f(wq: &rkm::workqueue::Workqueue) { wq.flush(); }
    /// ```
    pub fn flush(&self) {
        // SAFETY: a live workqueue (type invariant).
        unsafe { abi::rkm_wq_flush(self.raw.as_ptr()) }
    }
}

impl Drop for Workqueue {
    fn drop(&mut self) {
        // SAFETY: this handle's reference (type invariant), given up once.
        unsafe { abi::rkm_wq_put(self.raw.as_ptr()) }
    }
}

/// A work item that owns its data `T`.
///
/// ```
/// # use rkm::workqueue::{Work, WorkItem, WorkRef, Workqueue, WqFlags};
/// # use core::time::Duration;
/// # struct Poll;
/// # impl WorkItem for Poll { fn run(&self, _: &WorkRef<'_>) {} }
/// # fn f() -> rkm::Result {
/// let wq = Workqueue::new("poller", WqFlags::NONE)?;
/// let mut work = Work::new_on(&wq, Poll)?;
/// work.queue_delayed(Duration::from_millis(50));
/// work.mod_delayed(Duration::from_millis(10)); // sooner
/// work.cancel_sync();
/// # Ok(()) }
/// ```
///
/// # Invariants
///
/// `raw` is a glue work item whose callback is `trampoline::<T>` with data
/// `holder`, a `KBox<Holder<T>>` leaked here, whose `raw` is `raw`; it is
/// freed in `drop` after `rkm_work_free`, which waits for the callback.
pub struct Work<T: WorkItem> {
    raw: NonNull<abi::Work>,
    holder: NonNull<Holder<T>>,
    _owns: PhantomData<T>,
}

/// What the glue's data pointer points to: the work item, and T.
struct Holder<T> {
    raw: *mut abi::Work,
    data: T,
}

// SAFETY: the callback runs `&T` on a worker thread while the owner may use
// `&T` too (T: Sync), and T is dropped on the owner's thread (T: Send).
unsafe impl<T: WorkItem> Send for Work<T> {}
// SAFETY: `&Work` only queues (kernel-synchronised) and gives `&T` (T: Sync).
unsafe impl<T: WorkItem> Sync for Work<T> {}
// SAFETY: the `&self` methods are queue_delayed_work, mod_delayed_work and
// delayed_work_pending, allowed in any context, and `data()`, which gives
// `&T`: IrqSafe only if T is.
unsafe impl<T: WorkItem + IrqSafe> IrqSafe for Work<T> {}

extern "C" fn trampoline<T: WorkItem>(data: *mut c_void) {
    // SAFETY: `data` is the live Holder<T> of a Work (type invariant: freed
    // only after rkm_work_free, which waits for this callback).
    let h = unsafe { &*data.cast::<Holder<T>>() };
    h.data.run(&WorkRef { raw: h.raw, _life: PhantomData });
}

impl<T: WorkItem> Work<T> {
    /// A work item on the system workqueue. May sleep.
    ///
    /// ```
    /// # use rkm::workqueue::{Work, WorkItem, WorkRef};
    /// # struct W;
    /// # impl WorkItem for W { fn run(&self, _: &WorkRef<'_>) {} }
    /// # fn f() -> rkm::Result {
    /// let work = Work::new(W)?;
    /// # Ok(()) }
    /// ```
    pub fn new(data: T) -> Result<Self> {
        Self::create(core::ptr::null_mut(), data)
    }

    /// A work item on `wq` (which it keeps alive). May sleep.
    ///
    /// ```
    /// # use rkm::workqueue::{Work, WorkItem, WorkRef, Workqueue, WqFlags};
    /// # struct W;
    /// # impl WorkItem for W { fn run(&self, _: &WorkRef<'_>) {} }
    /// # fn f() -> rkm::Result {
    /// let wq = Workqueue::new("mine", WqFlags::NONE)?;
    /// let work = Work::new_on(&wq, W)?;
    /// drop(wq); // the work item keeps the queue
    /// # Ok(()) }
    /// ```
    pub fn new_on(wq: &Workqueue, data: T) -> Result<Self> {
        Self::create(wq.raw.as_ptr(), data)
    }

    fn create(wq: *mut abi::Wq, data: T) -> Result<Self> {
        let holder = KBox::leak(KBox::try_new(Holder { raw: core::ptr::null_mut(), data })?);
        // SAFETY: `wq` is null or live (borrowed); the holder stays valid
        // until rkm_work_free (type invariant).
        let raw = unsafe { abi::rkm_work_new(wq, Some(trampoline::<T>), holder.as_ptr().cast()) };
        let Some(raw) = NonNull::new(raw) else {
            // SAFETY: from KBox::leak above, never shared.
            drop(unsafe { KBox::from_raw(holder) });
            return Err(ENOMEM);
        };
        // SAFETY: not queued yet: nobody else reads the holder.
        unsafe { (*holder.as_ptr()).raw = raw.as_ptr() };
        Ok(Work { raw, holder, _owns: PhantomData })
    }

    /// The data the callback gets.
    ///
    /// ```
    /// # use rkm::workqueue::{Work, WorkItem, WorkRef};
    /// # struct W(u32);
    /// # impl WorkItem for W { fn run(&self, _: &WorkRef<'_>) {} }
    /// # fn f(w: &Work<W>) -> u32 {
    /// w.data().0
    /// # }
    /// ```
    pub fn data(&self) -> &T {
        // SAFETY: live until drop (type invariant).
        unsafe { &self.holder.as_ref().data }
    }

    /// Queues it now; false if it already was pending. Any context.
    ///
    /// ```
    /// # use rkm::workqueue::{Work, WorkItem, WorkRef};
    /// # struct W;
    /// # impl WorkItem for W { fn run(&self, _: &WorkRef<'_>) {} }
    /// # fn f(w: &Work<W>) { w.queue(); }
    /// ```
    pub fn queue(&self) -> bool {
        // SAFETY: a live work item (type invariant).
        unsafe { abi::rkm_work_queue(self.raw.as_ptr(), 0) }
    }

    /// Queues it after `delay` (rounded up to ms, at most 30 days); false if
    /// it already was pending (its delay is then unchanged). Any context.
    ///
    /// ```
    /// # use rkm::workqueue::{Work, WorkItem, WorkRef};
    /// # struct W;
    /// # impl WorkItem for W { fn run(&self, _: &WorkRef<'_>) {} }
    /// # fn f(w: &Work<W>) { w.queue_delayed(core::time::Duration::from_millis(5)); }
    /// ```
    pub fn queue_delayed(&self, delay: Duration) -> bool {
        // SAFETY: as above.
        unsafe { abi::rkm_work_queue(self.raw.as_ptr(), delay_ms(delay)) }
    }

    /// Queues it after `delay`, or moves the delay of a pending one
    /// (`mod_delayed_work`); true if it was pending. Any context.
    ///
    /// ```
    /// # use rkm::workqueue::{Work, WorkItem, WorkRef};
    /// # struct W;
    /// # impl WorkItem for W { fn run(&self, _: &WorkRef<'_>) {} }
    /// # fn f(w: &Work<W>) { w.mod_delayed(core::time::Duration::ZERO); }
    /// ```
    pub fn mod_delayed(&self, delay: Duration) -> bool {
        // SAFETY: as above.
        unsafe { abi::rkm_work_mod(self.raw.as_ptr(), delay_ms(delay)) }
    }

    /// Whether it is queued and not yet started. Any context.
    ///
    /// ```
    /// # use rkm::workqueue::{Work, WorkItem, WorkRef};
    /// # struct W;
    /// # impl WorkItem for W { fn run(&self, _: &WorkRef<'_>) {} }
    /// # fn f(w: &Work<W>) -> bool { w.is_pending() }
    /// ```
    pub fn is_pending(&self) -> bool {
        // SAFETY: as above.
        unsafe { abi::rkm_work_pending(self.raw.as_ptr()) }
    }

    /// Cancels it and waits for a running callback; true if it was
    /// pending. It may be queued again afterwards. Sleeps: process context.
    ///
    /// ```
    /// # use rkm::workqueue::{Work, WorkItem, WorkRef};
    /// # struct W;
    /// # impl WorkItem for W { fn run(&self, _: &WorkRef<'_>) {} }
    /// # fn f(w: &mut Work<W>) { w.cancel_sync(); }
    /// ```
    pub fn cancel_sync(&mut self) -> bool {
        // SAFETY: as above.
        unsafe { abi::rkm_work_cancel_sync(self.raw.as_ptr()) }
    }

    /// Runs a pending delayed callback now and waits for it (and for a
    /// running one). Sleeps: process context.
    ///
    /// ```
    /// # use rkm::workqueue::{Work, WorkItem, WorkRef};
    /// # struct W;
    /// # impl WorkItem for W { fn run(&self, _: &WorkRef<'_>) {} }
    /// # fn f(w: &mut Work<W>) { w.flush(); }
    /// ```
    pub fn flush(&mut self) {
        // SAFETY: as above.
        unsafe { abi::rkm_work_flush(self.raw.as_ptr()) }
    }
}

impl<T: WorkItem> Drop for Work<T> {
    fn drop(&mut self) {
        // SAFETY: ours (type invariant); refuses queueing, waits for the
        // callback, frees the glue object: nothing uses the holder after.
        unsafe { abi::rkm_work_free(self.raw.as_ptr()) };
        // SAFETY: from KBox::leak in `create`, no longer shared.
        drop(unsafe { KBox::from_raw(self.holder) });
    }
}

/// The running work item, given to [`WorkItem::run`] to queue itself again.
///
/// ```
/// # use rkm::workqueue::WorkRef;
/// fn again(work: &WorkRef<'_>) { work.queue(); }
/// ```
pub struct WorkRef<'a> {
    raw: *mut abi::Work,
    _life: PhantomData<&'a ()>,
}

impl WorkRef<'_> {
    /// Queues it again now; false if it already was. Refused (false) once
    /// its [`Work`] is being dropped.
    ///
    /// ```
    /// # fn f(work: &rkm::workqueue::WorkRef<'_>) { work.queue(); }
    /// ```
    pub fn queue(&self) -> bool {
        // SAFETY: live while its callback runs (rkm_work_free waits for it).
        unsafe { abi::rkm_work_queue(self.raw, 0) }
    }

    /// Queues it again after `delay`; false if it already was (or is being
    /// dropped).
    ///
    /// ```
    /// # fn f(work: &rkm::workqueue::WorkRef<'_>) {
    /// work.queue_delayed(core::time::Duration::from_millis(10));
    /// # }
    /// ```
    pub fn queue_delayed(&self, delay: Duration) -> bool {
        // SAFETY: as above.
        unsafe { abi::rkm_work_queue(self.raw, delay_ms(delay)) }
    }
}

#[cfg(rkm_ktest)]
pub(crate) mod ktests {
    use super::*;
    use crate::ktest::{kassert, Case};
    use crate::sync::Arc;
    use core::sync::atomic::{AtomicU32, Ordering};

    pub(crate) const CASES: &[Case] = &[
        ("queue_and_flush", queue_and_flush),
        ("pending_queue_refused_mod_moves", pending_queue_refused_mod_moves),
        ("cancel_sync_stops_pending", cancel_sync_stops_pending),
        ("self_requeue_ends_at_drop", self_requeue_ends_at_drop),
        ("own_workqueue_outlives_handle", own_workqueue_outlives_handle),
        ("bad_workqueue_names", bad_workqueue_names),
    ];

    struct Count {
        n: Arc<AtomicU32>,
        again_ms: u64,
    }

    impl WorkItem for Count {
        fn run(&self, work: &WorkRef<'_>) {
            self.n.fetch_add(1, Ordering::Relaxed);
            // Process context: sleeping is allowed.
            let _ = crate::task::msleep(1);
            if self.again_ms > 0 {
                work.queue_delayed(Duration::from_millis(self.again_ms));
            }
        }
    }

    fn counter(again_ms: u64) -> Result<(Arc<AtomicU32>, Count)> {
        let n = Arc::try_new(AtomicU32::new(0))?;
        Ok((n.clone(), Count { n, again_ms }))
    }

    fn queue_and_flush() -> Result {
        let (n, c) = counter(0)?;
        let mut w = Work::new(c)?;
        kassert!(w.queue());
        w.flush();
        kassert!(n.load(Ordering::Relaxed) == 1);
        kassert!(w.data().n.load(Ordering::Relaxed) == 1);
        Ok(())
    }

    fn pending_queue_refused_mod_moves() -> Result {
        let (n, c) = counter(0)?;
        let mut w = Work::new(c)?;
        kassert!(w.queue_delayed(Duration::from_secs(60)));
        kassert!(w.is_pending());
        kassert!(!w.queue());
        kassert!(!w.queue_delayed(Duration::from_millis(1)));
        kassert!(w.mod_delayed(Duration::ZERO));
        w.flush();
        kassert!(n.load(Ordering::Relaxed) == 1);
        kassert!(!w.is_pending());
        Ok(())
    }

    fn cancel_sync_stops_pending() -> Result {
        let (n, c) = counter(0)?;
        let mut w = Work::new(c)?;
        kassert!(!w.cancel_sync());
        kassert!(w.queue_delayed(Duration::from_secs(60)));
        kassert!(w.cancel_sync());
        kassert!(!w.is_pending());
        crate::task::msleep(5)?;
        kassert!(n.load(Ordering::Relaxed) == 0);
        // Usable again.
        kassert!(w.queue());
        w.flush();
        kassert!(n.load(Ordering::Relaxed) == 1);
        Ok(())
    }

    fn self_requeue_ends_at_drop() -> Result {
        let (n, c) = counter(1)?;
        let w = Work::new(c)?;
        w.queue();
        crate::task::msleep(50)?;
        drop(w);
        let at_drop = n.load(Ordering::Relaxed);
        crate::task::msleep(30)?;
        kassert!(at_drop >= 2);
        kassert!(n.load(Ordering::Relaxed) == at_drop);
        // Only this test's handle is left: the data was dropped.
        kassert!(Arc::count(&n) == 1);
        Ok(())
    }

    fn own_workqueue_outlives_handle() -> Result {
        let wq = Workqueue::new("rkm_ktest_wq", WqFlags::UNBOUND | WqFlags::HIGHPRI)?;
        let (n, c) = counter(0)?;
        let mut w = Work::new_on(&wq, c)?;
        wq.flush();
        drop(wq);
        kassert!(w.queue());
        w.flush();
        kassert!(n.load(Ordering::Relaxed) == 1);
        Ok(())
    }

    fn bad_workqueue_names() -> Result {
        kassert!(Workqueue::new("", WqFlags::NONE).err() == Some(EINVAL));
        let long = [b'w'; 65];
        let long = core::str::from_utf8(&long).map_err(|_| EINVAL)?;
        kassert!(Workqueue::new(long, WqFlags::NONE).err() == Some(EINVAL));
        kassert!(Workqueue::new(&long[..64], WqFlags::NONE).is_ok());
        Ok(())
    }
}
