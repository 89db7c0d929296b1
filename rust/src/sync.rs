// SPDX-License-Identifier: GPL-2.0
//! Locks, condition variables and reference counting.
//!
//! [`Mutex`], [`SpinLock`] and [`SpinLockIrq`] (one generic [`Lock`] with
//! three backends) protect their data: it is
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
        #[doc(hidden)]
        pub struct $name(NonNull<c_void>);

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

/// How a kind of lock takes and releases its glue-owned kernel object.
///
/// # Safety
///
/// `lock` must give the caller exclusive access until `unlock` with the
/// state it returned, on the same thread.
pub unsafe trait Backend {
    /// The kernel object.
    #[doc(hidden)]
    type Raw: RawLock;
    /// What `lock` hands to `unlock` (the saved interrupt flags, or nothing).
    #[doc(hidden)]
    type State;
    /// Takes the lock.
    #[doc(hidden)]
    fn lock(raw: &Self::Raw) -> Self::State;
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

impl RawLock for RawMutex {
    fn new(name: LockName, key: &'static LockClassKey) -> Result<Self> {
        RawMutex::new(name, key)
    }
}

impl RawLock for RawSpinLock {
    fn new(name: LockName, key: &'static LockClassKey) -> Result<Self> {
        RawSpinLock::new(name, key)
    }
}

/// [`Mutex`]'s backend: `mutex_lock` / `mutex_unlock`.
#[doc(hidden)]
pub struct MutexBackend;
/// [`SpinLock`]'s backend: `spin_lock` / `spin_unlock`.
#[doc(hidden)]
pub struct SpinBackend;
/// [`SpinLockIrq`]'s backend: `spin_lock_irqsave` / `spin_unlock_irqrestore`.
#[doc(hidden)]
pub struct SpinIrqBackend;

// SAFETY: mutex_lock gives exclusive access until mutex_unlock by the owner.
unsafe impl Backend for MutexBackend {
    type Raw = RawMutex;
    type State = ();
    fn lock(raw: &RawMutex) {
        // SAFETY: a live mutex (RawMutex's invariant).
        unsafe { abi::rkm_mutex_lock(raw.ptr()) }
    }
    unsafe fn unlock(raw: &RawMutex, _: ()) {
        // SAFETY: held by this thread (the caller's contract).
        unsafe { abi::rkm_mutex_unlock(raw.ptr()) }
    }
}

// SAFETY: spin_lock gives exclusive access until spin_unlock on this CPU/task.
unsafe impl Backend for SpinBackend {
    type Raw = RawSpinLock;
    type State = ();
    fn lock(raw: &RawSpinLock) {
        // SAFETY: a live spinlock.
        unsafe { abi::rkm_spin_lock(raw.ptr()) }
    }
    unsafe fn unlock(raw: &RawSpinLock, _: ()) {
        // SAFETY: held by this thread (the caller's contract).
        unsafe { abi::rkm_spin_unlock(raw.ptr()) }
    }
}

// SAFETY: as SpinBackend, with interrupts off until the flags are restored.
unsafe impl Backend for SpinIrqBackend {
    type Raw = RawSpinLock;
    type State = core::ffi::c_ulong;
    fn lock(raw: &RawSpinLock) -> core::ffi::c_ulong {
        // SAFETY: a live spinlock.
        unsafe { abi::rkm_spin_lock_irqsave(raw.ptr()) }
    }
    unsafe fn unlock(raw: &RawSpinLock, flags: core::ffi::c_ulong) {
        // SAFETY: held by this thread with these flags (the caller's contract).
        unsafe { abi::rkm_spin_unlock_irqrestore(raw.ptr(), flags) }
    }
}

/// A lock whose data `T` is reachable only through [`Lock::lock`]'s guard;
/// use it as [`Mutex`], [`SpinLock`] or [`SpinLockIrq`].
///
/// ```ignore
/// let counter: Mutex<u64> = rkm::new_mutex!(0)?;
/// *counter.lock() += 1;
/// ```
pub struct Lock<T, B: Backend> {
    raw: B::Raw,
    data: UnsafeCell<T>,
}

/// A sleeping lock (`struct mutex`).
///
/// ```ignore
/// let m: Mutex<KVec<u8>> = rkm::new_mutex!(KVec::new())?;
/// m.lock().try_push(1)?;
/// ```
pub type Mutex<T> = Lock<T, MutexBackend>;

/// A spinning lock (`spinlock_t`; it sleeps on PREEMPT_RT). While holding
/// it, do not sleep: no `Mutex::lock`, `CondVar::wait`, `Flags::KERNEL`
/// allocation, user memory copy or string/array parameter read (as in C,
/// nothing checks this at compile time; `DEBUG_ATOMIC_SLEEP` kernels report
/// it). Never `mem::forget` a guard.
///
/// ```ignore
/// let stats: SpinLock<[u64; 4]> = rkm::new_spinlock!([0; 4])?;
/// stats.lock()[0] += 1;
/// ```
pub type SpinLock<T> = Lock<T, SpinBackend>;

/// A spinlock that also disables local interrupts while held
/// (`spin_lock_irqsave`), for data shared with interrupt handlers.
///
/// ```ignore
/// let ring: SpinLockIrq<u32> = rkm::new_spinlock_irq!(0)?;
/// *ring.lock() = 7;
/// ```
pub type SpinLockIrq<T> = Lock<T, SpinIrqBackend>;

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
    /// ```ignore
    /// let mut g = m.lock();
    /// *g += 1;
    /// ```
    pub fn lock(&self) -> Guard<'_, T, B> {
        let state = B::lock(&self.raw);
        // INVARIANT: the lock is held, with `state`.
        Guard { lock: self, state: core::mem::ManuallyDrop::new(state), _not_send: PhantomData }
    }
}

impl<T> Lock<T, MutexBackend> {
    /// Like [`lock`](Lock::lock), but a signal ends the wait with `EINTR`
    /// (`mutex_lock_interruptible`): for locks held across long waits.
    ///
    /// ```ignore
    /// let mut g = m.lock_interruptible()?;
    /// ```
    pub fn lock_interruptible(&self) -> Result<MutexGuard<'_, T>> {
        // SAFETY: a live mutex (RawMutex's invariant).
        let r = unsafe { abi::rkm_mutex_lock_interruptible(self.raw.ptr()) };
        if r != 0 {
            return Err(crate::Error::from_errno(r));
        }
        // INVARIANT: the lock is held.
        Ok(Guard { lock: self, state: core::mem::ManuallyDrop::new(()), _not_send: PhantomData })
    }
}

/// Proof that a [`Lock`] is held: gives access to the data, unlocks on drop,
/// and cannot leave its thread.
///
/// ```ignore
/// let g = m.lock();
/// let v = *g;
/// drop(g); // unlocked here
/// ```
///
/// # Invariants
///
/// `lock` is held by the current thread, taken with `state`, while the guard lives.
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct Guard<'a, T, B: Backend> {
    lock: &'a Lock<T, B>,
    state: core::mem::ManuallyDrop<B::State>,
    _not_send: PhantomData<*mut ()>,
}

/// The guard of a [`Mutex`] (what [`CondVar::wait`] takes).
///
/// ```ignore
/// fn take(g: &mut MutexGuard<'_, u64>) { **g -= 1; }
/// ```
pub type MutexGuard<'a, T> = Guard<'a, T, MutexBackend>;

// SAFETY: sharing the guard shares `&T`, which needs T: Sync; the guard
// itself stays on its thread (!Send).
unsafe impl<T: Sync, B: Backend> Sync for Guard<'_, T, B> {}

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
        if r == 0 {
            Ok(())
        } else {
            Err(crate::Error::from_errno(r))
        }
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

/// A completion (`struct completion`): one side waits until the other
/// signals that something finished, typically an interrupt handler. The
/// kernel object is owned by the glue.
///
/// ```ignore
/// done.reinit();
/// start_device();
/// done.wait()?; // ERESTARTSYS on a signal
/// ```
pub struct Completion {
    raw: NonNull<c_void>,
}

// SAFETY: the kernel object may be used from any thread and does its own
// synchronisation.
unsafe impl Send for Completion {}
// SAFETY: as above.
unsafe impl Sync for Completion {}

impl Completion {
    /// A new completion, not done.
    ///
    /// ```ignore
    /// let done = Completion::try_new()?;
    /// ```
    pub fn try_new() -> Result<Self> {
        // SAFETY: no arguments.
        let p = unsafe { abi::rkm_completion_new() };
        NonNull::new(p).map(|raw| Completion { raw }).ok_or(ENOMEM)
    }

    /// Marks it not done (`reinit_completion`): before starting the work
    /// that will [`complete`](Self::complete) it.
    ///
    /// ```ignore
    /// done.reinit();
    /// ```
    pub fn reinit(&self) {
        // SAFETY: a live completion (owned by self).
        unsafe { abi::rkm_completion_reinit(self.raw.as_ptr()) };
    }

    /// Signals it (`complete`): wakes one waiter, or lets the next wait
    /// return at once. Never sleeps: usable from interrupt handlers.
    ///
    /// ```ignore
    /// done.complete();
    /// ```
    pub fn complete(&self) {
        // SAFETY: a live completion.
        unsafe { abi::rkm_completion_complete(self.raw.as_ptr()) };
    }

    /// Sleeps until it is signalled (`wait_for_completion_interruptible`);
    /// `ERESTARTSYS` if a signal arrives first. Process context only.
    ///
    /// ```ignore
    /// done.wait()?;
    /// ```
    pub fn wait(&self) -> Result {
        // SAFETY: a live completion.
        let r = unsafe { abi::rkm_completion_wait(self.raw.as_ptr()) };
        if r == 0 {
            Ok(())
        } else {
            Err(crate::Error::from_errno(r))
        }
    }
}

impl Drop for Completion {
    fn drop(&mut self) {
        // SAFETY: owned; `&mut self` proves nobody waits on it or signals it.
        unsafe { abi::rkm_completion_free(self.raw.as_ptr()) };
    }
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
        ("completion_counts_completions", completion_counts_completions),
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

    fn completion_counts_completions() -> Result {
        let c = Completion::try_new()?;
        // Two completions let two waits through at once; reinit forgets them.
        c.complete();
        c.complete();
        c.wait()?;
        c.wait()?;
        c.complete();
        c.reinit();
        c.complete();
        c.wait()?;
        Ok(())
    }
}
