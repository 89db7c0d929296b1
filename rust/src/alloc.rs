// SPDX-License-Identifier: GPL-2.0
//! Fallible kernel allocation: [`KBox`], [`KVec`] and [`KString`]; and
//! [`ArrayVec`], which allocates nothing.
//!
//! Every allocation can fail and says so with [`ENOMEM`];
//! nothing here panics or aborts when memory runs out.

use crate::abi;
use crate::error::{code::ENOMEM, Error, Result};
use core::alloc::Layout;
use core::fmt;
use core::marker::PhantomData;
use core::mem::{self, ManuallyDrop, MaybeUninit};
use core::ops::{BitOr, Deref, DerefMut};
use core::ptr::{self, NonNull};

/// How an allocation may get its memory (the kernel's GFP flags, as rkm values).
///
/// ```
/// # use rkm::prelude::*;
/// let b = KBox::try_new_flags([0u8; 64], Flags::ATOMIC | Flags::ZERO)?;
/// # Ok::<(), Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Flags(u32);

impl Flags {
    /// May sleep and reclaim memory (`GFP_KERNEL`): process context, no spinlock held.
    pub const KERNEL: Flags = Flags(abi::ALLOC_KERNEL);
    /// Never sleeps, may dip into reserves (`GFP_ATOMIC`).
    pub const ATOMIC: Flags = Flags(abi::ALLOC_ATOMIC);
    /// Never sleeps, no reserves (`GFP_NOWAIT`).
    pub const NOWAIT: Flags = Flags(abi::ALLOC_NOWAIT);
    /// Zero the memory (`__GFP_ZERO`); combine with one of the others.
    pub const ZERO: Flags = Flags(abi::ALLOC_ZERO);
}

impl BitOr for Flags {
    type Output = Flags;
    fn bitor(self, rhs: Flags) -> Flags {
        Flags(self.0 | rhs.0)
    }
}

/// An allocation failed; converts to [`ENOMEM`] with `?`.
///
/// ```
/// # use rkm::prelude::*;
/// fn f() -> Result { let _v = KVec::<u8>::try_with_capacity(16)?; Ok(()) }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AllocError;

impl From<AllocError> for Error {
    fn from(_: AllocError) -> Error {
        ENOMEM
    }
}

/// Resizes (or, from `None`, allocates) a block for `layout`; `layout.size() > 0`.
fn realloc(old: Option<NonNull<u8>>, layout: Layout, flags: Flags) -> Result<NonNull<u8>> {
    let old = old.map_or(ptr::null_mut(), |p| p.as_ptr());
    // SAFETY: `old` is null or a live block from `rkm_realloc` (callers'
    // invariants); on failure the glue leaves it untouched and returns null.
    let p = unsafe { abi::rkm_realloc(old.cast(), layout.size(), layout.align(), flags.0) };
    NonNull::new(p.cast()).ok_or(ENOMEM)
}

/// Frees a block from [`realloc`].
///
/// # Safety
///
/// `p` is a live block from `realloc`, not used afterwards.
unsafe fn free(p: NonNull<u8>) {
    // SAFETY: the caller passes a live block from `rkm_realloc`.
    unsafe { abi::rkm_free(p.as_ptr().cast()) }
}

/// A value in kernel memory, owned: [`Box`](https://doc.rust-lang.org/alloc/boxed/struct.Box.html)
/// whose constructor fails instead of aborting.
///
/// ```
/// # use rkm::prelude::*;
/// let b = KBox::try_new(42u64)?;
/// assert_eq!(*b, 42);
/// # Ok::<(), Error>(())
/// ```
///
/// # Invariants
///
/// `ptr` points to a valid, initialised `T` in a block from `rkm_realloc`
/// owned by this box, or is dangling if `T` is zero-sized.
pub struct KBox<T> {
    ptr: NonNull<T>,
    _owns: PhantomData<T>,
}

// SAFETY: a KBox owns its T like a T on the stack; sending or sharing the box
// sends or shares the T.
unsafe impl<T: Send> Send for KBox<T> {}
// SAFETY: as above.
unsafe impl<T: Sync> Sync for KBox<T> {}

impl<T> KBox<T> {
    /// Moves `value` into kernel memory (`GFP_KERNEL`).
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// let b = KBox::try_new([0u8; 128])?;
    /// # Ok::<(), Error>(())
    /// ```
    pub fn try_new(value: T) -> Result<Self> {
        Self::try_new_flags(value, Flags::KERNEL)
    }

    /// Moves `value` into kernel memory allocated with `flags`.
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// let b = KBox::try_new_flags(7u32, Flags::ATOMIC)?;
    /// # Ok::<(), Error>(())
    /// ```
    pub fn try_new_flags(value: T, flags: Flags) -> Result<Self> {
        let layout = Layout::new::<T>();
        let ptr: NonNull<T> = if layout.size() == 0 {
            NonNull::dangling()
        } else {
            realloc(None, layout, flags)?.cast()
        };
        // SAFETY: `ptr` is valid for writes of a `T`: a fresh block of its
        // layout, or dangling for a zero-sized `T`.
        unsafe { ptr.as_ptr().write(value) };
        // INVARIANT: the T was just written into the block we own.
        Ok(KBox { ptr, _owns: PhantomData })
    }

    /// Moves the value back out of kernel memory, freeing it.
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// let v = KBox::try_new(5u8)?.into_inner();
    /// # Ok::<(), Error>(())
    /// ```
    pub fn into_inner(self) -> T {
        let b = ManuallyDrop::new(self);
        // SAFETY: the value is valid (type invariant) and read once; the box
        // is not dropped, so it is not dropped twice.
        let value = unsafe { b.ptr.as_ptr().read() };
        if mem::size_of::<T>() != 0 {
            // SAFETY: the block is ours (type invariant) and no longer used.
            unsafe { free(b.ptr.cast()) };
        }
        value
    }
}

impl<T> KBox<T> {
    /// Gives up ownership without freeing: the caller now owns the block.
    pub(crate) fn leak(b: Self) -> NonNull<T> {
        ManuallyDrop::new(b).ptr
    }

    /// Takes back a block given up by [`KBox::leak`].
    ///
    /// # Safety
    ///
    /// `ptr` came from `KBox::<T>::leak` and is not used by anyone else after.
    pub(crate) unsafe fn from_raw(ptr: NonNull<T>) -> Self {
        // INVARIANT: a live, initialised T in a block we now own again.
        KBox { ptr, _owns: PhantomData }
    }
}

impl<T> Deref for KBox<T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: valid and initialised (type invariant), borrowed with self.
        unsafe { self.ptr.as_ref() }
    }
}

impl<T> DerefMut for KBox<T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: valid and initialised (type invariant), uniquely borrowed with self.
        unsafe { self.ptr.as_mut() }
    }
}

impl<T> Drop for KBox<T> {
    fn drop(&mut self) {
        // SAFETY: the value is valid (type invariant) and dropped once, here.
        unsafe { ptr::drop_in_place(self.ptr.as_ptr()) };
        if mem::size_of::<T>() != 0 {
            // SAFETY: the block is ours (type invariant) and no longer used.
            unsafe { free(self.ptr.cast()) };
        }
    }
}

impl<T: fmt::Debug> fmt::Debug for KBox<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

/// A growable array in kernel memory whose every growth is fallible.
///
/// ```
/// # use rkm::prelude::*;
/// let mut v = KVec::new();
/// v.try_push(1u32)?;
/// v.try_extend_from_slice(&[2, 3])?;
/// assert_eq!(&v[..], &[1, 2, 3]);
/// # Ok::<(), Error>(())
/// ```
///
/// # Invariants
///
/// `ptr` is dangling when `cap == 0` or `T` is zero-sized, else a block from
/// `rkm_realloc` of `cap` elements owned by this vector; the first `len <= cap`
/// elements are initialised.
pub struct KVec<T> {
    ptr: NonNull<T>,
    cap: usize,
    len: usize,
    flags: Flags,
    _owns: PhantomData<T>,
}

// SAFETY: a KVec owns its elements; sending or sharing it sends or shares them.
unsafe impl<T: Send> Send for KVec<T> {}
// SAFETY: as above.
unsafe impl<T: Sync> Sync for KVec<T> {}

impl<T> KVec<T> {
    /// An empty vector; allocates nothing until elements are added.
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// let v: KVec<u8> = KVec::new();
    /// assert!(v.is_empty());
    /// ```
    pub const fn new() -> Self {
        Self::new_flags(Flags::KERNEL)
    }

    /// An empty vector whose allocations will use `flags`.
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// let v: KVec<u8> = KVec::new_flags(Flags::ATOMIC);
    /// ```
    pub const fn new_flags(flags: Flags) -> Self {
        // INVARIANT: no capacity, nothing initialised, dangling pointer.
        KVec { ptr: NonNull::dangling(), cap: 0, len: 0, flags, _owns: PhantomData }
    }

    /// An empty vector with room for `cap` elements.
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// let v = KVec::<u64>::try_with_capacity(8)?;
    /// assert!(v.capacity() >= 8);
    /// # Ok::<(), Error>(())
    /// ```
    pub fn try_with_capacity(cap: usize) -> Result<Self> {
        let mut v = Self::new();
        v.try_reserve(cap)?;
        Ok(v)
    }

    /// Number of elements.
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// assert_eq!(KVec::<u8>::new().len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are no elements.
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// assert!(KVec::<u8>::new().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Number of elements that fit without allocating.
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// assert_eq!(KVec::<u8>::new().capacity(), 0);
    /// ```
    pub fn capacity(&self) -> usize {
        if mem::size_of::<T>() == 0 {
            usize::MAX
        } else {
            self.cap
        }
    }

    /// Makes room for at least `additional` more elements, or fails with
    /// `ENOMEM` and changes nothing. Growth doubles the capacity: near the
    /// allocator's limit (about 4 MiB) reserve the exact size up front.
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// let mut v = KVec::<u8>::new();
    /// v.try_reserve(4096)?;
    /// # Ok::<(), Error>(())
    /// ```
    pub fn try_reserve(&mut self, additional: usize) -> Result {
        let need = self.len.checked_add(additional).ok_or(ENOMEM)?;
        if need <= self.capacity() {
            return Ok(());
        }
        // Grow geometrically so that pushes are amortised O(1).
        let new_cap = need.max(self.cap.saturating_mul(2)).max(4);
        let layout = Layout::array::<T>(new_cap).map_err(|_| ENOMEM)?;
        let old = if self.cap == 0 { None } else { Some(self.ptr.cast()) };
        let p = realloc(old, layout, self.flags)?;
        // INVARIANT: the block holds `new_cap` elements and keeps the first
        // `len` initialised ones (krealloc copies them).
        self.ptr = p.cast();
        self.cap = new_cap;
        Ok(())
    }

    /// Appends `value`, or fails with `ENOMEM` and drops nothing but `value`.
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// let mut v = KVec::new();
    /// v.try_push(1u8)?;
    /// # Ok::<(), Error>(())
    /// ```
    pub fn try_push(&mut self, value: T) -> Result {
        self.try_reserve(1)?;
        // SAFETY: `len < capacity` after the reservation, so the slot is in
        // the block and uninitialised.
        unsafe { self.ptr.as_ptr().add(self.len).write(value) };
        // INVARIANT: the element at the old `len` was just initialised.
        self.len += 1;
        Ok(())
    }

    /// Removes and returns the last element.
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// let mut v = KVec::new();
    /// v.try_push(9u8)?;
    /// assert_eq!(v.pop(), Some(9));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn pop(&mut self) -> Option<T> {
        if self.len == 0 {
            return None;
        }
        // INVARIANT: the last element leaves the initialised prefix ...
        self.len -= 1;
        // SAFETY: ... and is read out exactly once.
        Some(unsafe { self.ptr.as_ptr().add(self.len).read() })
    }

    /// Shortens the vector to `len` elements, dropping the rest.
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// let mut v = KVec::new();
    /// v.try_extend_from_slice(&[1u8, 2, 3])?;
    /// v.truncate(1);
    /// assert_eq!(v.len(), 1);
    /// # Ok::<(), Error>(())
    /// ```
    pub fn truncate(&mut self, len: usize) {
        while self.len > len {
            drop(self.pop());
        }
    }

    /// Drops every element, keeping the capacity.
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// let mut v = KVec::new();
    /// v.try_push(1u8)?;
    /// v.clear();
    /// assert!(v.is_empty());
    /// # Ok::<(), Error>(())
    /// ```
    pub fn clear(&mut self) {
        self.truncate(0);
    }
}

impl<T: Clone> KVec<T> {
    /// Grows to `new_len` elements, filling with clones of `value`, or
    /// shrinks to it; all or nothing.
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// let mut v = KVec::new();
    /// v.try_resize(4096, 0u8)?;
    /// # Ok::<(), Error>(())
    /// ```
    pub fn try_resize(&mut self, new_len: usize, value: T) -> Result {
        if new_len <= self.len {
            self.truncate(new_len);
            return Ok(());
        }
        self.try_reserve(new_len - self.len)?;
        while self.len < new_len {
            // SAFETY: `len < capacity` after the reservation: an
            // uninitialised slot inside the block.
            unsafe { self.ptr.as_ptr().add(self.len).write(value.clone()) };
            // INVARIANT: the slot was just initialised.
            self.len += 1;
        }
        Ok(())
    }

    /// Appends clones of `items`, all or none.
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// let mut v = KVec::new();
    /// v.try_extend_from_slice(b"abc")?;
    /// # Ok::<(), Error>(())
    /// ```
    pub fn try_extend_from_slice(&mut self, items: &[T]) -> Result {
        self.try_reserve(items.len())?;
        for item in items {
            // Cannot fail: the room is reserved.
            self.try_push(item.clone())?;
        }
        Ok(())
    }
}

impl<T> Default for KVec<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> Deref for KVec<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        // SAFETY: the first `len` elements are initialised (type invariant);
        // the pointer is non-null and aligned even when dangling.
        unsafe { core::slice::from_raw_parts(self.ptr.as_ptr(), self.len) }
    }
}

impl<T> DerefMut for KVec<T> {
    fn deref_mut(&mut self) -> &mut [T] {
        // SAFETY: as in `deref`, borrowed uniquely with self.
        unsafe { core::slice::from_raw_parts_mut(self.ptr.as_ptr(), self.len) }
    }
}

impl<T> Drop for KVec<T> {
    fn drop(&mut self) {
        self.clear();
        if self.cap != 0 && mem::size_of::<T>() != 0 {
            // SAFETY: a block we own (type invariant), now unused.
            unsafe { free(self.ptr.cast()) };
        }
    }
}

/// A heap array of fixed length: filled as a [`KVec`] in process context,
/// then only used in place. None of its methods allocates, so it is
/// [`IrqSafe`](crate::irq::IrqSafe) for `IrqSafe` elements — per-request
/// state that a block driver's `queue_rq` or a timer callback indexes.
///
/// ```
/// # use rkm::prelude::*;
/// use rkm::alloc::KSlice;
/// let mut v = KVec::try_with_capacity(4)?;
/// for _ in 0..4 {
///     v.try_push(core::sync::atomic::AtomicU32::new(0))?;
/// }
/// let slots = KSlice::from(v);
/// assert_eq!(slots.len(), 4);
/// # Ok::<(), Error>(())
/// ```
pub struct KSlice<T> {
    vec: KVec<T>,
}

impl<T> From<KVec<T>> for KSlice<T> {
    fn from(vec: KVec<T>) -> Self {
        KSlice { vec }
    }
}

impl<T> Deref for KSlice<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        &self.vec
    }
}

impl<T> DerefMut for KSlice<T> {
    fn deref_mut(&mut self) -> &mut [T] {
        &mut self.vec
    }
}

// SAFETY: through `&KSlice<T>` only `&[T]` is reachable (no method
// allocates or sleeps), and the elements are IrqSafe.
unsafe impl<T: crate::irq::IrqSafe> crate::irq::IrqSafe for KSlice<T> {}
// SAFETY: dropping it drops the elements (IrqDrop) and frees the block
// (kfree, allowed in any context).
unsafe impl<T: crate::irq::IrqDrop> crate::irq::IrqDrop for KSlice<T> {}

/// Up to `N` values in place (on the stack), in order: a batch gathered
/// under a lock and handed on after it. Nothing is allocated; dropping it
/// drops only the values it holds, and draining it visits only those, so a
/// batch of one costs one, not `N`.
///
/// ```
/// use rkm::alloc::ArrayVec;
/// let mut batch = ArrayVec::<u32, 16>::new();
/// while !batch.is_full() {
///     if batch.push(7).is_err() {
///         break;
///     }
/// }
/// assert_eq!(batch.drain().sum::<u32>(), 7 * 16);
/// assert!(batch.is_empty());
/// ```
///
/// # Invariants
///
/// `items[..len]` are initialised and owned by the value; `len <= N`.
pub struct ArrayVec<T, const N: usize> {
    len: usize,
    items: [MaybeUninit<T>; N],
}

impl<T, const N: usize> ArrayVec<T, N> {
    /// An empty one.
    ///
    /// ```
    /// let v = rkm::alloc::ArrayVec::<u8, 4>::new();
    /// assert!(v.is_empty());
    /// ```
    pub const fn new() -> Self {
        // INVARIANT: nothing initialised, len 0.
        ArrayVec { len: 0, items: [const { MaybeUninit::uninit() }; N] }
    }

    /// Appends `v`, or gives it back when full.
    ///
    /// ```
    /// let mut v = rkm::alloc::ArrayVec::<u8, 1>::new();
    /// assert_eq!(v.push(1), Ok(()));
    /// assert_eq!(v.push(2), Err(2));
    /// ```
    pub fn push(&mut self, v: T) -> core::result::Result<(), T> {
        let Some(slot) = self.items.get_mut(self.len) else { return Err(v) };
        slot.write(v);
        // INVARIANT: the slot at len is initialised now.
        self.len += 1;
        Ok(())
    }

    /// How many it holds.
    ///
    /// ```
    /// assert_eq!(rkm::alloc::ArrayVec::<u8, 4>::new().len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether it holds none.
    ///
    /// ```
    /// assert!(rkm::alloc::ArrayVec::<u8, 4>::new().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Whether it holds `N`.
    ///
    /// ```
    /// assert!(rkm::alloc::ArrayVec::<u8, 0>::new().is_full());
    /// ```
    pub fn is_full(&self) -> bool {
        self.len == N
    }

    /// Takes every value out, in order, leaving it empty; values the
    /// iterator is dropped before giving are dropped with it.
    ///
    /// ```
    /// let mut v = rkm::alloc::ArrayVec::<u8, 4>::new();
    /// let _ = v.push(1);
    /// let _ = v.push(2);
    /// let mut d = v.drain();
    /// assert_eq!(d.next(), Some(1));
    /// drop(d); // 2 dropped
    /// assert!(v.is_empty());
    /// ```
    pub fn drain(&mut self) -> Drain<'_, T, N> {
        let end = self.len;
        // INVARIANT: the values move to the Drain (a Drain leaked leaks them,
        // never drops one twice).
        self.len = 0;
        Drain { items: &mut self.items, next: 0, end }
    }
}

impl<T, const N: usize> Default for ArrayVec<T, N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T, const N: usize> Drop for ArrayVec<T, N> {
    fn drop(&mut self) {
        for slot in self.items.iter_mut().take(self.len) {
            // SAFETY: the first len are initialised and ours (type
            // invariant), each dropped once; the value is gone after.
            unsafe { slot.assume_init_drop() }
        }
    }
}

/// The values of an [`ArrayVec`], taken out in order ([`ArrayVec::drain`]).
///
/// ```
/// let mut v = rkm::alloc::ArrayVec::<u8, 2>::new();
/// let _ = v.push(3);
/// let d: rkm::alloc::Drain<'_, u8, 2> = v.drain();
/// assert_eq!(d.count(), 1);
/// ```
///
/// # Invariants
///
/// `items[next..end]` are initialised and owned by the `Drain`.
pub struct Drain<'a, T, const N: usize> {
    items: &'a mut [MaybeUninit<T>; N],
    next: usize,
    end: usize,
}

impl<T, const N: usize> Iterator for Drain<'_, T, N> {
    type Item = T;

    fn next(&mut self) -> Option<T> {
        if self.next >= self.end {
            return None;
        }
        let slot = self.items.get(self.next)?;
        // INVARIANT: the slot at next leaves the owned range.
        self.next += 1;
        // SAFETY: initialised and ours (type invariant), read once: the
        // range no longer covers it.
        Some(unsafe { slot.assume_init_read() })
    }
}

impl<T, const N: usize> Drop for Drain<'_, T, N> {
    fn drop(&mut self) {
        for _ in self.by_ref() {}
    }
}

impl<T: fmt::Debug> fmt::Debug for KVec<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

/// A UTF-8 string in kernel memory, built with fallible appends.
///
/// ```
/// # use rkm::prelude::*;
/// let s = KString::try_fmt(format_args!("{}-{}", "dev", 3))?;
/// assert_eq!(s.as_str(), "dev-3");
/// # Ok::<(), Error>(())
/// ```
///
/// # Invariants
///
/// `bytes` is valid UTF-8.
#[derive(Default)]
pub struct KString {
    bytes: KVec<u8>,
}

impl KString {
    /// An empty string.
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// assert_eq!(KString::new().as_str(), "");
    /// ```
    pub const fn new() -> Self {
        // INVARIANT: empty is valid UTF-8.
        KString { bytes: KVec::new() }
    }

    /// A copy of `s`.
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// let s = KString::try_from_str("hello")?;
    /// # Ok::<(), Error>(())
    /// ```
    pub fn try_from_str(s: &str) -> Result<Self> {
        let mut k = Self::new();
        k.try_push_str(s)?;
        Ok(k)
    }

    /// The text of `args`, formatted: `ENOMEM` if memory runs out.
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// let s = KString::try_fmt(format_args!("{:#x}", 255))?;
    /// # Ok::<(), Error>(())
    /// ```
    pub fn try_fmt(args: fmt::Arguments<'_>) -> Result<Self> {
        let mut k = Self::new();
        fmt::Write::write_fmt(&mut k, args).map_err(|_| ENOMEM)?;
        Ok(k)
    }

    /// Appends `s`, all or nothing.
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// let mut s = KString::new();
    /// s.try_push_str("abc")?;
    /// # Ok::<(), Error>(())
    /// ```
    pub fn try_push_str(&mut self, s: &str) -> Result {
        // INVARIANT: appending UTF-8 to UTF-8 keeps it UTF-8; on failure
        // nothing is appended.
        self.bytes.try_extend_from_slice(s.as_bytes())
    }

    /// The string.
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// assert_eq!(KString::try_from_str("x")?.as_str(), "x");
    /// # Ok::<(), Error>(())
    /// ```
    pub fn as_str(&self) -> &str {
        // SAFETY: `bytes` is valid UTF-8 (type invariant).
        unsafe { core::str::from_utf8_unchecked(&self.bytes) }
    }
}

impl Deref for KString {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl fmt::Write for KString {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.try_push_str(s).map_err(|_| fmt::Error)
    }

    fn write_char(&mut self, c: char) -> fmt::Result {
        self.write_str(crate::print::encode_char(c, &mut [0; 4]))
    }
}

impl fmt::Display for KString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for KString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

#[cfg(rkm_ktest)]
pub(crate) mod ktests {
    use super::*;
    use crate::ktest::{kassert, Case};
    use core::sync::atomic::{AtomicUsize, Ordering};

    pub(crate) const CASES: &[Case] = &[
        ("kbox_holds_and_frees", kbox_holds_and_frees),
        ("kbox_zero_sized", kbox_zero_sized),
        ("kbox_flags", kbox_flags),
        ("kvec_push_pop_grow", kvec_push_pop_grow),
        ("kvec_drops_each_element_once", kvec_drops_each_element_once),
        ("kvec_huge_reserve_is_enomem", kvec_huge_reserve_is_enomem),
        ("kvec_extend_truncate_clear", kvec_extend_truncate_clear),
        ("kvec_aligned_elements", kvec_aligned_elements),
        ("kstring_fmt_and_push", kstring_fmt_and_push),
        ("alloc_error_converts_to_enomem", alloc_error_converts_to_enomem),
    ];

    static DROPS: AtomicUsize = AtomicUsize::new(0);
    struct Counted(#[allow(dead_code)] u64);
    impl Drop for Counted {
        fn drop(&mut self) {
            DROPS.fetch_add(1, Ordering::Relaxed);
        }
    }

    fn kbox_holds_and_frees() -> Result {
        let before = DROPS.load(Ordering::Relaxed);
        let mut b = KBox::try_new(Counted(7))?;
        b.0 += 1;
        kassert!(b.0 == 8);
        drop(b);
        kassert!(DROPS.load(Ordering::Relaxed) == before + 1);
        let v = KBox::try_new(5u32)?.into_inner();
        kassert!(v == 5);
        Ok(())
    }

    fn kbox_zero_sized() -> Result {
        let b = KBox::try_new(())?;
        kassert!(*b == ());
        Ok(())
    }

    fn kbox_flags() -> Result {
        let b = KBox::try_new_flags([0xffu8; 64], Flags::ATOMIC)?;
        kassert!(b.iter().all(|&x| x == 0xff));
        let z = KBox::try_new_flags(0u64, Flags::NOWAIT | Flags::ZERO)?;
        kassert!(*z == 0);
        Ok(())
    }

    fn kvec_push_pop_grow() -> Result {
        let mut v = KVec::new();
        kassert!(v.is_empty() && v.capacity() == 0);
        for i in 0..1000u32 {
            v.try_push(i)?;
        }
        kassert!(v.len() == 1000 && v.capacity() >= 1000);
        kassert!(v[999] == 999 && v.iter().sum::<u32>() == 499500);
        kassert!(v.pop() == Some(999) && v.len() == 999);
        Ok(())
    }

    fn kvec_drops_each_element_once() -> Result {
        let before = DROPS.load(Ordering::Relaxed);
        let mut v = KVec::try_with_capacity(3)?;
        for i in 0..10 {
            v.try_push(Counted(i))?;
        }
        v.truncate(4);
        kassert!(DROPS.load(Ordering::Relaxed) == before + 6);
        drop(v);
        kassert!(DROPS.load(Ordering::Relaxed) == before + 10);
        Ok(())
    }

    fn kvec_huge_reserve_is_enomem() -> Result {
        let mut v: KVec<u64> = KVec::new();
        v.try_push(1)?;
        kassert!(v.try_reserve(usize::MAX) == Err(ENOMEM));
        kassert!(v.try_reserve(usize::MAX / 16) == Err(ENOMEM));
        kassert!(v.try_reserve(1 << 40) == Err(ENOMEM));
        // Nothing changed on failure.
        kassert!(v.len() == 1 && v[0] == 1);
        Ok(())
    }

    fn kvec_extend_truncate_clear() -> Result {
        let mut v = KVec::new();
        v.try_extend_from_slice(b"hello")?;
        kassert!(&v[..] == b"hello");
        v.truncate(2);
        kassert!(&v[..] == b"he");
        v.clear();
        kassert!(v.is_empty() && v.capacity() >= 5);
        Ok(())
    }

    fn kvec_aligned_elements() -> Result {
        #[repr(align(64))]
        struct Line(#[allow(dead_code)] u8);
        let mut v = KVec::new();
        for i in 0..5 {
            v.try_push(Line(i))?;
        }
        kassert!((v.as_ptr() as usize) % 64 == 0);
        Ok(())
    }

    fn kstring_fmt_and_push() -> Result {
        let mut s = KString::try_fmt(format_args!("{}-{:03}-{:?}", "dev", 7, [1, 2]))?;
        kassert!(s.as_str() == "dev-007-[1, 2]");
        s.try_push_str("!")?;
        kassert!(&*s == "dev-007-[1, 2]!");
        kassert!(KString::try_from_str("")?.is_empty());
        Ok(())
    }

    fn alloc_error_converts_to_enomem() -> Result {
        fn f() -> Result<u8> {
            Err(AllocError)?;
            Ok(0)
        }
        kassert!(f() == Err(ENOMEM));
        Ok(())
    }
}
