// SPDX-License-Identifier: GPL-2.0
//! What interrupt handlers and timer callbacks may touch.
//!
//! A PCI driver's hard interrupt handler and its timer callback run in
//! atomic context: they must not sleep. They are given only the driver's
//! `Hw` part, which must be [`IrqSafe`]: made of MMIO mappings, atomics,
//! [`Completion`](crate::sync::Completion)s, [`SpinLockIrq`]s of such data
//! and plain values. A [`Mutex`](crate::sync::Mutex), [`CondVar`],
//! [`SpinLock`](crate::sync::SpinLock) (which would deadlock against
//! process context), a `KBox` or `KVec` (whose methods allocate with
//! `Flags::KERNEL`), a DMA buffer (whose methods copy user memory) or a user
//! buffer is not `IrqSafe`, so the handler cannot reach one through its
//! data: sleeping work goes to the threaded half, which also gets the
//! driver's `Data`. Sleeping calls that need no data (`KBox::try_new`,
//! `Completion::wait`) remain callable: kernels with `DEBUG_ATOMIC_SLEEP`
//! (the debug kernel of the matrix) report them.
//!
//! [`CondVar`]: crate::sync::CondVar
//! [`SpinLockIrq`]: crate::sync::SpinLockIrq

use core::sync::atomic::{
    AtomicBool, AtomicI32, AtomicI64, AtomicU16, AtomicU32, AtomicU64, AtomicU8, AtomicUsize,
};

/// Data an interrupt handler or timer callback may use: nothing reachable
/// through it sleeps or takes a lock that process context holds with
/// interrupts on.
///
/// # Safety
///
/// Every operation reachable through `&Self` is allowed in hard interrupt
/// context. Implement it for a struct with [`irq_safe!`](crate::irq_safe!),
/// which checks every field.
///
/// ```
/// fn in_handler<T: rkm::irq::IrqSafe>(_: &T) {}
/// in_handler(&0u32);
/// ```
pub unsafe trait IrqSafe {}

/// Plain values and atomics: both [`IrqSafe`] and [`IrqDrop`].
macro_rules! impl_irq_plain {
    ($($t:ty),*) => {
        $(
            // SAFETY: reads, writes and atomic operations never sleep.
            unsafe impl IrqSafe for $t {}
            // SAFETY: no drop.
            unsafe impl IrqDrop for $t {}
        )*
    };
}
impl_irq_plain!(u8, u16, u32, u64, usize, i8, i16, i32, i64, isize, bool, char, ());
impl_irq_plain!(
    AtomicBool,
    AtomicU8,
    AtomicU16,
    AtomicU32,
    AtomicU64,
    AtomicUsize,
    AtomicI32,
    AtomicI64
);
// SAFETY: as their elements.
unsafe impl<T: IrqSafe, const N: usize> IrqSafe for [T; N] {}
// SAFETY: dropping a pair drops its two elements, neither of which sleeps.
unsafe impl<A: IrqDrop, B: IrqDrop> IrqDrop for (A, B) {}
// SAFETY: as its content.
unsafe impl<T: IrqSafe> IrqSafe for Option<T> {}
// SAFETY: as its two elements (issue 19: a packet and its counts in a
// `dma::SplitRing` slot).
unsafe impl<A: IrqSafe, B: IrqSafe> IrqSafe for (A, B) {}
// SAFETY: spin_lock_irqsave never sleeps (on PREEMPT_RT, where it does,
// interrupt handlers run in threads), and process context holds it with
// interrupts off, so the handler cannot deadlock on it; the data is IrqSafe.
// The lock is the one way to get `&mut T` from `&Self`, so the one way for a
// handler to replace (and drop) a value of T: T: IrqDrop makes that drop
// atomic-safe too.
unsafe impl<T: IrqSafe + IrqDrop> IrqSafe for crate::sync::SpinLockIrq<T> {}
// SAFETY: `complete` and `reinit` never sleep (`wait` does: see the module
// documentation).
unsafe impl IrqSafe for crate::sync::Completion {}

// SAFETY: through `&Arc<T>`: `&T` (IrqSafe) and clone (refcount_inc, never
// sleeps); a clone made in a handler may be the last one dropped there,
// which drops T (IrqDrop: never sleeps) and kfree()s the block.
unsafe impl<T: IrqSafe + IrqDrop + Send + Sync> IrqSafe for crate::sync::Arc<T> {}

/// Data an interrupt handler or timer callback may drop: dropping it (and
/// everything it owns) never sleeps.
///
/// [`IrqSafe`] data reached from a handler is shared, so the handler can
/// drop a value only after taking it out of a
/// [`SpinLockIrq`](crate::sync::SpinLockIrq) — which is `IrqSafe` only for
/// `IrqDrop` contents. A [`Bar`](crate::io::Bar) is `IrqSafe` (MMIO never
/// sleeps) but not `IrqDrop` (unmapping it sleeps), so a handler can use a
/// BAR but never own one: `SpinLockIrq<Option<Bar<N>>>` is not `IrqSafe`.
/// Structs declared with [`irq_safe!`](crate::irq_safe!) are not `IrqDrop`.
///
/// # Safety
///
/// Dropping a value of the type never sleeps.
///
/// ```
/// fn may_drop_in_handler<T: rkm::irq::IrqDrop>(_: T) {}
/// may_drop_in_handler(Some(7u32));
/// ```
pub unsafe trait IrqDrop {}

// SAFETY: dropping them drops their elements, nothing else.
unsafe impl<T: IrqDrop, const N: usize> IrqDrop for [T; N] {}
// SAFETY: as above.
unsafe impl<T: IrqDrop> IrqDrop for Option<T> {}
// SAFETY: the glue's spinlock is freed with kfree (atomic-safe), then T.
unsafe impl<T: IrqDrop> IrqDrop for crate::sync::SpinLockIrq<T> {}
// SAFETY: the glue's completion is freed with kfree.
unsafe impl IrqDrop for crate::sync::Completion {}
// SAFETY: refcount_dec_and_test, then (last) T's drop (IrqDrop) and kfree.
unsafe impl<T: IrqDrop> IrqDrop for crate::sync::Arc<T> {}

/// Declares structs and implements [`IrqSafe`] for them, checking (at
/// compile time) that every field is `IrqSafe`.
///
/// ```
/// use core::sync::atomic::AtomicU32;
/// use rkm::{io::Bar, sync::Completion};
/// rkm::irq_safe! {
///     /// What the interrupt handler sees.
///     pub struct Hw { bar: Bar<0x1000>, done: Completion, status: AtomicU32 }
/// }
/// ```
#[macro_export]
#[allow_internal_unsafe]
macro_rules! irq_safe {
    // Doc comments only: #[cfg] on a field would skip its check.
    ($($(#[doc = $m:expr])* $vis:vis struct $name:ident { $($(#[doc = $fm:expr])* $fvis:vis $field:ident : $ty:ty),* $(,)? })*) => {
        $(
            $(#[doc = $m])*
            $vis struct $name { $($(#[doc = $fm])* $fvis $field: $ty),* }

            const _: () = {
                const fn field_is_irq_safe<T: $crate::irq::IrqSafe>() {}
                $(field_is_irq_safe::<$ty>();)*
            };
            // SAFETY: every field is IrqSafe (checked above), and a struct
            // adds no operation of its own.
            unsafe impl $crate::irq::IrqSafe for $name {}
        )*
    };
}

/// What a hard interrupt handler tells the kernel.
///
/// ```
/// # use rkm::irq::IrqReturn;
/// fn irq(status: u32) -> IrqReturn {
///     if status == 0 {
///         return IrqReturn::None;
///     }
///     IrqReturn::Handled
/// }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IrqReturn {
    /// Not this device's interrupt (the line may be shared).
    None,
    /// Handled.
    Handled,
    /// Handled; run the threaded half now.
    WakeThread,
}

/// Which interrupt a device's bus allocated at probe
/// ([`pci::Device::irq_vector`](crate::pci::Device::irq_vector)).
///
/// ```
/// # use rkm::irq::IrqKind;
/// fn shared(kind: IrqKind) -> bool {
///     kind == IrqKind::Intx
/// }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IrqKind {
    /// A message-signalled interrupt, not shared.
    Msi,
    /// A legacy line, possibly shared: the handler must return
    /// [`IrqReturn::None`] when its device did not interrupt.
    Intx,
}

impl IrqKind {
    pub(crate) fn from_raw(kind: core::ffi::c_int) -> Option<Self> {
        match kind {
            crate::abi::IRQ_MSI => Some(IrqKind::Msi),
            crate::abi::IRQ_INTX => Some(IrqKind::Intx),
            _ => None,
        }
    }
}
