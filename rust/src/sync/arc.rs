// SPDX-License-Identifier: GPL-2.0
//! Reference counting with the kernel's `refcount_t`.

use crate::abi;
use crate::error::Result;
use core::cell::UnsafeCell;
use core::marker::PhantomData;
use core::ops::Deref;
use core::ptr::NonNull;

/// Shared ownership of a `T` in kernel memory, counted with the kernel's
/// `refcount_t` (saturating, never wrapping), usable across threads.
///
/// ```
/// # use rkm::prelude::*;
/// # #[derive(Default)]
/// # struct Stats { n: u64 }
/// let a = Arc::try_new(Stats::default())?;
/// let b = a.clone();
/// assert_eq!(Arc::count(&a), 2);
/// # Ok::<(), Error>(())
/// ```
///
/// # Invariants
///
/// `ptr` points to a live `ArcInner<T>` whose count includes this handle.
pub struct Arc<T> {
    ptr: NonNull<ArcInner<T>>,
    _owns: PhantomData<ArcInner<T>>,
}

#[repr(C)]
struct ArcInner<T> {
    /// The kernel's refcount_t: 4 bytes used only through the glue.
    refcount: UnsafeCell<u32>,
    data: T,
}

// SAFETY: an Arc gives `&T` to several threads and drops T on whichever
// thread lets go last: T must be Sync and Send.
unsafe impl<T: Sync + Send> Send for Arc<T> {}
// SAFETY: as above.
unsafe impl<T: Sync + Send> Sync for Arc<T> {}

impl<T> Arc<T> {
    /// Moves `value` into kernel memory with a count of one.
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// let a = Arc::try_new(5u32)?;
    /// # Ok::<(), Error>(())
    /// ```
    pub fn try_new(value: T) -> Result<Self> {
        let b = crate::KBox::try_new(ArcInner { refcount: UnsafeCell::new(0), data: value })?;
        let ptr = crate::alloc::KBox::leak(b);
        // SAFETY: a fresh, live refcount_t nobody else sees yet.
        unsafe { abi::rkm_refcount_set(ptr.as_ref().refcount.get().cast(), 1) };
        // INVARIANT: one handle, count one.
        Ok(Arc { ptr, _owns: PhantomData })
    }

    /// How many handles there are now (racy by nature: for diagnostics).
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// # fn f(a: Arc<u32>) {
    /// let n = Arc::count(&a);
    /// # }
    /// ```
    pub fn count(this: &Self) -> u32 {
        // SAFETY: the inner block is live (type invariant).
        unsafe { abi::rkm_refcount_read(this.inner().refcount.get().cast()) }
    }

    fn inner(&self) -> &ArcInner<T> {
        // SAFETY: live while this handle exists (type invariant).
        unsafe { self.ptr.as_ref() }
    }
}

impl<T> Clone for Arc<T> {
    fn clone(&self) -> Self {
        // SAFETY: a live refcount_t (type invariant); saturates, never wraps.
        unsafe { abi::rkm_refcount_inc(self.inner().refcount.get().cast()) };
        // INVARIANT: the count includes the new handle.
        Arc { ptr: self.ptr, _owns: PhantomData }
    }
}

impl<T> Deref for Arc<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.inner().data
    }
}

impl<T> Drop for Arc<T> {
    fn drop(&mut self) {
        // SAFETY: a live refcount_t (type invariant).
        let last = unsafe { abi::rkm_refcount_dec_and_test(self.inner().refcount.get().cast()) };
        if last {
            // SAFETY: the count reached zero: this was the last handle, the
            // block came from `KBox::leak` and nobody else can reach it.
            drop(unsafe { crate::alloc::KBox::from_raw(self.ptr) });
        }
    }
}
