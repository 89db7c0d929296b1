// SPDX-License-Identifier: GPL-2.0
//! Locks, condition variables and reference counting.
//!
//! [`Mutex`], [`SpinLock`] and [`SpinLockIrq`] protect their data: it is
//! reachable only through a `#[must_use]` guard that unlocks on drop and
//! cannot leave its thread. The kernel lock objects are allocated and owned
//! by the glue, so they never move even when the Rust value does: nothing
//! needs pinning. Each construction site ([`new_mutex!`](crate::new_mutex!)
//! and friends) gets its own lockdep class. On PREEMPT_RT a spinlock sleeps,
//! as in C; code under a [`SpinLock`] must not sleep on other kernels.

use crate::abi;
use crate::error::{code::ENOMEM, Result};
use core::cell::UnsafeCell;
use core::ffi::c_void;
use core::marker::PhantomData;
use core::ops::{Deref, DerefMut};
use core::ptr::NonNull;

/// Static storage for a lockdep class key: one per lock construction site,
/// made by the `new_*!` macros. The glue owns its contents.
///
/// ```ignore
/// static KEY: rkm::sync::LockClassKey = rkm::sync::LockClassKey::new();
/// ```
#[repr(C, align(8))]
pub struct LockClassKey(UnsafeCell<[u8; 64]>);

// SAFETY: only the kernel's lockdep touches the key, under its own locking;
// Rust never reads or writes it.
unsafe impl Sync for LockClassKey {}

impl LockClassKey {
    /// An unused key (all zeroes, as a C `static struct lock_class_key`).
    ///
    /// ```ignore
    /// static KEY: LockClassKey = LockClassKey::new();
    /// ```
    pub const fn new() -> Self {
        LockClassKey(UnsafeCell::new([0; 64]))
    }

    fn as_ptr(&'static self) -> *mut c_void {
        self.0.get().cast()
    }
}

impl Default for LockClassKey {
    fn default() -> Self {
        Self::new()
    }
}

/// A lock's name for lockdep: a static NUL-terminated string, made by the
/// `new_*!` macros from the source location.
///
/// ```ignore
/// let name = rkm::sync::LockName::new("my_lock\0");
/// ```
#[derive(Clone, Copy)]
pub struct LockName(&'static str);

impl LockName {
    /// Wraps `s`, which must end with its only NUL (checked at compile time
    /// when used in a `const`).
    ///
    /// ```ignore
    /// const N: LockName = LockName::new("queue\0");
    /// ```
    pub const fn new(s: &'static str) -> Self {
        let b = s.as_bytes();
        assert!(!b.is_empty() && b[b.len() - 1] == 0, "a lock name ends with NUL");
        LockName(s)
    }

    fn as_ptr(self) -> *const core::ffi::c_char {
        self.0.as_ptr().cast()
    }
}

macro_rules! glue_lock {
    ($(#[$doc:meta])* $name:ident, $new:ident, $free:ident) => {
        $(#[$doc])*
        struct $name(NonNull<c_void>);

        impl $name {
            fn new(name: LockName, key: &'static LockClassKey) -> Result<Self> {
                // SAFETY: name and key are static (their types say so), as
                // the kernel requires of a lock's name and class key.
                let p = unsafe { abi::$new(name.as_ptr(), key.as_ptr()) };
                NonNull::new(p).map($name).ok_or(ENOMEM)
            }

            fn ptr(&self) -> *mut c_void {
                self.0.as_ptr()
            }
        }

        impl Drop for $name {
            fn drop(&mut self) {
                // SAFETY: we own the object; the owner's `&mut self` (or its
                // drop) proves nobody holds or waits on it.
                unsafe { abi::$free(self.0.as_ptr()) };
            }
        }

        // SAFETY: the glue's kernel object may be used from any thread.
        unsafe impl Send for $name {}
        // SAFETY: as above; the kernel object does its own synchronisation.
        unsafe impl Sync for $name {}
    };
}

glue_lock!(
    /// A `struct mutex` owned by the glue.
    RawMutex, rkm_mutex_new, rkm_mutex_free
);
glue_lock!(
    /// A `spinlock_t` owned by the glue.
    RawSpinLock, rkm_spinlock_new, rkm_spinlock_free
);
glue_lock!(
    /// A `wait_queue_head` owned by the glue.
    RawCondVar, rkm_condvar_new, rkm_condvar_free
);

/// A sleeping lock: `T` is reachable only through [`Mutex::lock`]'s guard.
///
/// ```ignore
/// let counter = rkm::new_mutex!(0u64)?;
/// *counter.lock() += 1;
/// ```
pub struct Mutex<T> {
    raw: RawMutex,
    data: UnsafeCell<T>,
}

// SAFETY: the mutex hands out `&mut T` to one thread at a time, so sharing it
// needs only that T may move between threads.
unsafe impl<T: Send> Sync for Mutex<T> {}
// SAFETY: sending the mutex sends the T.
unsafe impl<T: Send> Send for Mutex<T> {}

impl<T> Mutex<T> {
    /// Use [`new_mutex!`](crate::new_mutex!), which supplies the name and key.
    #[doc(hidden)]
    pub fn try_new(value: T, name: LockName, key: &'static LockClassKey) -> Result<Self> {
        Ok(Mutex { raw: RawMutex::new(name, key)?, data: UnsafeCell::new(value) })
    }

    /// Sleeps until the lock is free, then holds it until the guard drops.
    ///
    /// ```ignore
    /// let mut g = m.lock();
    /// g.push(1);
    /// ```
    pub fn lock(&self) -> MutexGuard<'_, T> {
        // SAFETY: a live mutex; released by the guard's drop.
        unsafe { abi::rkm_mutex_lock(self.raw.ptr()) };
        // INVARIANT: the mutex is held.
        MutexGuard { lock: self, _not_send: PhantomData }
    }
}

/// Proof that a [`Mutex`] is held; unlocks on drop; never leaves its thread.
///
/// ```ignore
/// let g = m.lock();
/// let v = *g;
/// drop(g); // unlocked here
/// ```
///
/// # Invariants
///
/// `lock` is held by the current thread while the guard lives.
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct MutexGuard<'a, T> {
    lock: &'a Mutex<T>,
    _not_send: PhantomData<*mut ()>,
}

// SAFETY: sharing the guard shares `&T`, which needs T: Sync.
unsafe impl<T: Sync> Sync for MutexGuard<'_, T> {}

impl<T> Deref for MutexGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: the lock is held (type invariant): no other access.
        unsafe { &*self.lock.data.get() }
    }
}

impl<T> DerefMut for MutexGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the lock is held (type invariant) and the guard is borrowed
        // uniquely.
        unsafe { &mut *self.lock.data.get() }
    }
}

impl<T> Drop for MutexGuard<'_, T> {
    fn drop(&mut self) {
        // SAFETY: held by this thread (type invariant), released once.
        unsafe { abi::rkm_mutex_unlock(self.lock.raw.ptr()) };
    }
}

/// A spinning lock (sleeping on PREEMPT_RT); do not sleep while holding it.
///
/// ```ignore
/// let stats = rkm::new_spinlock!([0u64; 4])?;
/// stats.lock()[0] += 1;
/// ```
pub struct SpinLock<T> {
    raw: RawSpinLock,
    data: UnsafeCell<T>,
}

// SAFETY: as for Mutex.
unsafe impl<T: Send> Sync for SpinLock<T> {}
// SAFETY: as for Mutex.
unsafe impl<T: Send> Send for SpinLock<T> {}

impl<T> SpinLock<T> {
    /// Use [`new_spinlock!`](crate::new_spinlock!).
    #[doc(hidden)]
    pub fn try_new(value: T, name: LockName, key: &'static LockClassKey) -> Result<Self> {
        Ok(SpinLock { raw: RawSpinLock::new(name, key)?, data: UnsafeCell::new(value) })
    }

    /// Spins until the lock is free, then holds it until the guard drops.
    ///
    /// ```ignore
    /// *s.lock() += 1;
    /// ```
    pub fn lock(&self) -> SpinLockGuard<'_, T> {
        // SAFETY: a live lock; released by the guard's drop.
        unsafe { abi::rkm_spin_lock(self.raw.ptr()) };
        // INVARIANT: the lock is held.
        SpinLockGuard { lock: self, _not_send: PhantomData }
    }
}

/// Proof that a [`SpinLock`] is held; unlocks on drop; never leaves its thread.
///
/// ```ignore
/// let g = s.lock();
/// ```
///
/// # Invariants
///
/// `lock` is held by the current thread while the guard lives.
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct SpinLockGuard<'a, T> {
    lock: &'a SpinLock<T>,
    _not_send: PhantomData<*mut ()>,
}

// SAFETY: sharing the guard shares `&T`, which needs T: Sync.
unsafe impl<T: Sync> Sync for SpinLockGuard<'_, T> {}

impl<T> Deref for SpinLockGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: the lock is held (type invariant).
        unsafe { &*self.lock.data.get() }
    }
}

impl<T> DerefMut for SpinLockGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the lock is held (type invariant), guard borrowed uniquely.
        unsafe { &mut *self.lock.data.get() }
    }
}

impl<T> Drop for SpinLockGuard<'_, T> {
    fn drop(&mut self) {
        // SAFETY: held by this thread (type invariant), released once.
        unsafe { abi::rkm_spin_unlock(self.lock.raw.ptr()) };
    }
}

/// A spinlock that also disables local interrupts while held
/// (`spin_lock_irqsave`), for data shared with interrupt handlers.
///
/// ```ignore
/// let ring = rkm::new_spinlock_irq!(0u32)?;
/// *ring.lock() = 7;
/// ```
pub struct SpinLockIrq<T> {
    raw: RawSpinLock,
    data: UnsafeCell<T>,
}

// SAFETY: as for Mutex.
unsafe impl<T: Send> Sync for SpinLockIrq<T> {}
// SAFETY: as for Mutex.
unsafe impl<T: Send> Send for SpinLockIrq<T> {}

impl<T> SpinLockIrq<T> {
    /// Use [`new_spinlock_irq!`](crate::new_spinlock_irq!).
    #[doc(hidden)]
    pub fn try_new(value: T, name: LockName, key: &'static LockClassKey) -> Result<Self> {
        Ok(SpinLockIrq { raw: RawSpinLock::new(name, key)?, data: UnsafeCell::new(value) })
    }

    /// Disables local interrupts and takes the lock until the guard drops,
    /// which restores the interrupt state.
    ///
    /// ```ignore
    /// *r.lock() += 1;
    /// ```
    pub fn lock(&self) -> SpinLockIrqGuard<'_, T> {
        // SAFETY: a live lock; released with these flags by the guard's drop.
        let flags = unsafe { abi::rkm_spin_lock_irqsave(self.raw.ptr()) };
        // INVARIANT: the lock is held with `flags` saved.
        SpinLockIrqGuard { lock: self, flags, _not_send: PhantomData }
    }
}

/// Proof that a [`SpinLockIrq`] is held; restores interrupts on drop; never
/// leaves its thread (the saved flags belong to this CPU).
///
/// ```ignore
/// let g = r.lock();
/// ```
///
/// # Invariants
///
/// `lock` is held by the current thread, which saved `flags`.
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct SpinLockIrqGuard<'a, T> {
    lock: &'a SpinLockIrq<T>,
    flags: core::ffi::c_ulong,
    _not_send: PhantomData<*mut ()>,
}

// SAFETY: sharing the guard shares `&T`, which needs T: Sync.
unsafe impl<T: Sync> Sync for SpinLockIrqGuard<'_, T> {}

impl<T> Deref for SpinLockIrqGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: the lock is held (type invariant).
        unsafe { &*self.lock.data.get() }
    }
}

impl<T> DerefMut for SpinLockIrqGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the lock is held (type invariant), guard borrowed uniquely.
        unsafe { &mut *self.lock.data.get() }
    }
}

impl<T> Drop for SpinLockIrqGuard<'_, T> {
    fn drop(&mut self) {
        // SAFETY: held by this thread with these flags (type invariant).
        unsafe { abi::rkm_spin_unlock_irqrestore(self.lock.raw.ptr(), self.flags) };
    }
}

/// A condition variable (a kernel wait queue) used with a [`Mutex`]; also
/// what `poll` waits on.
///
/// ```ignore
/// let mut g = dev.state.lock();
/// while g.is_empty() {
///     dev.ready.wait(&mut g)?; // ERESTARTSYS on a signal
/// }
/// ```
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
    /// ```ignore
    /// while !ready(&g) { cv.wait(&mut g)?; }
    /// ```
    pub fn wait<T>(&self, guard: &mut MutexGuard<'_, T>) -> Result {
        // SAFETY: the guard proves this thread holds the mutex; the glue
        // gives it back held, so the guard's invariant still holds.
        let r = unsafe { abi::rkm_condvar_wait_mutex(self.raw.ptr(), guard.lock.raw.ptr()) };
        if r == 0 { Ok(()) } else { Err(crate::Error::from_errno(r)) }
    }

    /// Wakes every waiter and poller.
    ///
    /// ```ignore
    /// cv.notify_all();
    /// ```
    pub fn notify_all(&self) {
        // SAFETY: a live wait queue.
        unsafe { abi::rkm_condvar_notify_all(self.raw.ptr()) };
    }

    pub(crate) fn ptr(&self) -> *mut c_void {
        self.raw.ptr()
    }
}

/// Makes a lockdep name from the call site, and a class key for it.
#[doc(hidden)]
#[macro_export]
macro_rules! __lock_site {
    ($ty:path, $($args:expr),*) => {{
        static KEY: $crate::sync::LockClassKey = $crate::sync::LockClassKey::new();
        const NAME: $crate::sync::LockName =
            $crate::sync::LockName::new(concat!(file!(), ":", line!(), "\0"));
        <$ty>::try_new($($args,)* NAME, &KEY)
    }};
}

/// A new [`Mutex`] holding `value`, with its own lockdep class.
///
/// ```ignore
/// let m: Mutex<KVec<u8>> = rkm::new_mutex!(KVec::new())?;
/// ```
#[macro_export]
macro_rules! new_mutex {
    ($value:expr) => {
        $crate::__lock_site!($crate::sync::Mutex<_>, $value)
    };
}

/// A new [`SpinLock`] holding `value`, with its own lockdep class.
///
/// ```ignore
/// let s = rkm::new_spinlock!(0u32)?;
/// ```
#[macro_export]
macro_rules! new_spinlock {
    ($value:expr) => {
        $crate::__lock_site!($crate::sync::SpinLock<_>, $value)
    };
}

/// A new [`SpinLockIrq`] holding `value`, with its own lockdep class.
///
/// ```ignore
/// let s = rkm::new_spinlock_irq!(0u32)?;
/// ```
#[macro_export]
macro_rules! new_spinlock_irq {
    ($value:expr) => {
        $crate::__lock_site!($crate::sync::SpinLockIrq<_>, $value)
    };
}

/// A new [`CondVar`], with its own lockdep class.
///
/// ```ignore
/// let cv = rkm::new_condvar!()?;
/// ```
#[macro_export]
macro_rules! new_condvar {
    () => {
        $crate::__lock_site!($crate::sync::CondVar,)
    };
}

/// Shared ownership of a `T` in kernel memory, counted with the kernel's
/// `refcount_t` (saturating, never wrapping), usable across threads.
///
/// ```ignore
/// let a = Arc::try_new(Stats::default())?;
/// let b = a.clone();
/// assert_eq!(Arc::count(&a), 2);
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
    /// ```ignore
    /// let a = Arc::try_new(5u32)?;
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
    /// ```ignore
    /// let n = Arc::count(&a);
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

#[cfg(rkm_ktest)]
pub(crate) mod ktests {
    use super::*;
    use crate::ktest::{kassert, Case};
    use core::sync::atomic::{AtomicUsize, Ordering};

    pub(crate) const CASES: &[Case] = &[
        ("mutex_guards_data", mutex_guards_data),
        ("spinlocks_guard_data", spinlocks_guard_data),
        ("condvar_notify_without_waiters", condvar_notify_without_waiters),
        ("arc_counts_and_frees_once", arc_counts_and_frees_once),
        ("lock_name_is_nul_terminated", lock_name_is_nul_terminated),
    ];

    fn mutex_guards_data() -> Result {
        let m = crate::new_mutex!(KVecWrap::default())?;
        m.lock().0 += 2;
        {
            let mut g = m.lock();
            g.0 *= 5;
        }
        kassert!(m.lock().0 == 10);
        Ok(())
    }

    #[derive(Default)]
    struct KVecWrap(u64);

    fn spinlocks_guard_data() -> Result {
        let s = crate::new_spinlock!(1u32)?;
        *s.lock() += 1;
        let i = crate::new_spinlock_irq!(3u32)?;
        *i.lock() *= 3;
        kassert!(*s.lock() == 2 && *i.lock() == 9);
        Ok(())
    }

    fn condvar_notify_without_waiters() -> Result {
        let cv = crate::new_condvar!()?;
        cv.notify_all();
        Ok(())
    }

    static DROPS: AtomicUsize = AtomicUsize::new(0);
    struct Counted;
    impl Drop for Counted {
        fn drop(&mut self) {
            DROPS.fetch_add(1, Ordering::Relaxed);
        }
    }

    fn arc_counts_and_frees_once() -> Result {
        let before = DROPS.load(Ordering::Relaxed);
        let a = Arc::try_new(Counted)?;
        let b = a.clone();
        let c = b.clone();
        kassert!(Arc::count(&a) == 3);
        drop(a);
        drop(b);
        kassert!(Arc::count(&c) == 1 && DROPS.load(Ordering::Relaxed) == before);
        drop(c);
        kassert!(DROPS.load(Ordering::Relaxed) == before + 1);
        Ok(())
    }

    fn lock_name_is_nul_terminated() -> Result {
        const N: LockName = LockName::new("x\0");
        kassert!(N.0.len() == 2);
        Ok(())
    }
}
