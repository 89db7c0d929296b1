// SPDX-License-Identifier: GPL-2.0
//! User memory: buffers passed by system calls, read and written only
//! through the glue's `copy_{from,to}_user`.
//!
//! A [`UserSliceReader`] moves forward as it reads and cannot go back, so
//! through one reader a driver reads each user byte at most once (no
//! time-of-check/time-of-use bugs); make one reader per user buffer. Any fault becomes `EFAULT`; `*_partial` methods copy what they can
//! and report how much, which is what `read(2)`/`write(2)` need for short
//! counts. A user address is never dereferenced in Rust: kernel addresses,
//! NULL, unmapped or read-only user memory all end in a clean errno.

use crate::abi;
use crate::error::{code::*, Result};
use core::mem::{size_of, MaybeUninit};

/// Plain old data: any bytes make a valid value and the type has no padding,
/// so it can be copied from and to user memory as bytes.
///
/// # Safety
///
/// Every bit pattern of `size_of::<Self>()` bytes is a valid `Self`, and the
/// type has no padding bytes (they would leak kernel memory to userspace).
/// Implement it with [`pod!`](crate::pod!), which checks both.
///
/// ```
/// # use rkm::prelude::*;
/// fn f<T: rkm::user::Pod>(_: T) {}
/// ```
pub unsafe trait Pod: Copy {}

macro_rules! impl_pod {
    ($($t:ty),*) => {
        // SAFETY: integers accept every bit pattern and have no padding.
        $(unsafe impl Pod for $t {})*
    };
}
// Not usize/isize: their size differs for 32-bit callers of compat ioctls.
impl_pod!(u8, u16, u32, u64, i8, i16, i32, i64);
// SAFETY: an array of Pod has no padding between elements and accepts any bytes.
unsafe impl<T: Pod, const N: usize> Pod for [T; N] {}

/// Declares `#[repr(C)]` structs of [`Pod`] fields and implements `Pod` for
/// them, refusing (at compile time) any struct with padding.
///
/// ```
/// # use rkm::prelude::*;
/// rkm::pod! {
///     /// What ECHO_IOC_INFO returns.
///     pub struct EchoInfo { pub size: u32, pub version: u32, pub len: u64, pub cap: u64 }
/// }
/// ```
#[macro_export]
#[allow_internal_unsafe]
macro_rules! pod {
    // Doc comments only: #[cfg] on a field would defeat the padding check,
    // on the struct it would leave the `unsafe impl` to another type.
    ($($(#[doc = $m:expr])* $vis:vis struct $name:ident { $($(#[doc = $fm:expr])* $fvis:vis $field:ident : $ty:ty),* $(,)? })*) => {
        $(
            $(#[doc = $m])*
            #[repr(C)]
            #[derive(
                $crate::__private::Clone,
                $crate::__private::Copy,
                $crate::__private::Default,
                $crate::__private::Debug,
                $crate::__private::PartialEq,
                $crate::__private::Eq
            )]
            $vis struct $name { $($(#[doc = $fm])* $fvis $field: $ty),* }

            // Every name below is reached through `$crate` (see
            // `rkm::__private`): a driver's own `assert!`, `core` or
            // `size_of` cannot silence these checks.
            const _: () = {
                const fn field_is_pod<T: $crate::user::Pod>() {}
                $(field_is_pod::<$ty>();)*
                $crate::__private::assert!(
                    $crate::__private::size_of::<$name>() == 0 $(+ $crate::__private::size_of::<$ty>())*,
                    "a Pod struct may not have padding"
                );
            };
            // SAFETY: repr(C), every field is Pod (checked above) and the size
            // is the sum of the fields' (no padding, checked above).
            unsafe impl $crate::user::Pod for $name {}
        )*
    };
}

/// A user buffer: an address and a length from a system call.
///
/// ```
/// # use rkm::prelude::*;
/// # fn f(arg: usize) {
/// let (mut r, mut w) = UserSlice::new(arg, 24).reader_writer();
/// # }
/// ```
pub struct UserSlice {
    ptr: usize,
    len: usize,
}

impl UserSlice {
    /// The `len` bytes at user address `ptr` (not checked until used).
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// # rkm::pod! { pub struct Info { pub size: u32 } }
    /// # fn f(arg: usize) {
    /// let s = UserSlice::new(arg, core::mem::size_of::<Info>());
    /// # }
    /// ```
    pub fn new(ptr: usize, len: usize) -> Self {
        UserSlice { ptr, len }
    }

    /// Reads the buffer, once.
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// # fn f(arg: usize) -> Result {
    /// let v: u32 = UserSlice::new(arg, 4).reader().read()?;
    /// # Ok(()) }
    /// ```
    pub fn reader(self) -> UserSliceReader {
        UserSliceReader { ptr: self.ptr, len: self.len }
    }

    /// Writes the buffer.
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// # fn f(arg: usize) -> Result {
    /// UserSlice::new(arg, 8).writer().write(&7u64)?;
    /// # Ok(()) }
    /// ```
    pub fn writer(self) -> UserSliceWriter {
        UserSliceWriter { ptr: self.ptr, len: self.len }
    }

    /// Both, over the same bytes: read a request, then write the answer.
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// # fn f(arg: usize) {
    /// let (mut r, mut w) = UserSlice::new(arg, 24).reader_writer();
    /// # }
    /// ```
    pub fn reader_writer(self) -> (UserSliceReader, UserSliceWriter) {
        (
            UserSliceReader { ptr: self.ptr, len: self.len },
            UserSliceWriter { ptr: self.ptr, len: self.len },
        )
    }
}

/// A partial copy moved `copied` bytes (at most `len`): readers and writers
/// only move forward. `EFAULT` if nothing was copied.
fn advance(ptr: &mut usize, len: &mut usize, copied: usize) -> Result<usize> {
    *ptr = ptr.wrapping_add(copied);
    *len -= copied;
    if copied == 0 {
        Err(EFAULT)
    } else {
        Ok(copied)
    }
}

/// Reads a user buffer front to back, each byte at most once.
///
/// ```
/// # use rkm::prelude::*;
/// # fn f(buf: usize, len: usize) -> Result {
/// # let mut kbuf = [0u8; 64];
/// let mut r = UserSlice::new(buf, len).reader();
/// let n = r.read_partial(&mut kbuf)?;
/// # Ok(()) }
/// ```
pub struct UserSliceReader {
    ptr: usize,
    len: usize,
}

impl UserSliceReader {
    /// Bytes left to read.
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// # fn f(r: &UserSliceReader) -> Result {
    /// if r.len() < 4 { return Err(EINVAL); }
    /// # Ok(()) }
    /// ```
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether nothing is left.
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// # fn f(r: &UserSliceReader) -> Result<usize> {
    /// if r.is_empty() { return Ok(0); }
    /// # Ok(1) }
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Copies up to `out.len()` bytes (as many as are left); returns how many
    /// were copied before any fault; `EFAULT` if none could be (and some
    /// were asked for).
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// # fn f(r: &mut UserSliceReader, data: &mut [u8], pos: usize, k: usize) -> Result {
    /// let copied = r.read_partial(&mut data[pos..pos + k])?;
    /// # Ok(()) }
    /// ```
    pub fn read_partial(&mut self, out: &mut [u8]) -> Result<usize> {
        let want = out.len().min(self.len);
        if want == 0 {
            return Ok(0);
        }
        // SAFETY: `out` is valid for `want` bytes of writes; the user address
        // is checked by copy_from_user.
        let missed = unsafe { abi::rkm_copy_from_user(out.as_mut_ptr().cast(), self.ptr, want) };
        advance(&mut self.ptr, &mut self.len, want.saturating_sub(missed))
    }

    /// Like [`read_partial`](Self::read_partial), but a fault leaves the
    /// bytes of `out` after the copied ones as they were (`read_partial`,
    /// like `copy_from_user`, zeroes them): a short `write(2)` into existing
    /// data then changes exactly the bytes it reports.
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// # fn f(r: &mut UserSliceReader, data: &mut [u8], pos: usize, k: usize) -> Result {
    /// let copied = r.read_partial_keep(&mut data[pos..pos + k])?;
    /// # Ok(()) }
    /// ```
    pub fn read_partial_keep(&mut self, out: &mut [u8]) -> Result<usize> {
        let want = out.len().min(self.len);
        if want == 0 {
            return Ok(0);
        }
        // SAFETY: `out` is valid for `want` bytes of writes; the user address
        // is checked by copy_from_user.
        let copied =
            unsafe { abi::rkm_copy_from_user_keep(out.as_mut_ptr().cast(), self.ptr, want) };
        advance(&mut self.ptr, &mut self.len, copied.min(want))
    }

    /// Copies `n` bytes to `dst`, all or nothing (`EFAULT`); for buffers
    /// that must not be borrowed as slices (DMA memory).
    ///
    /// # Safety
    ///
    /// `dst` is valid for `n` bytes of writes.
    pub(crate) unsafe fn read_raw(&mut self, dst: *mut u8, n: usize) -> Result {
        if n > self.len {
            return Err(EFAULT);
        }
        if n == 0 {
            return Ok(());
        }
        // SAFETY: the caller's contract; the user address is checked by
        // copy_from_user.
        let missed = unsafe { abi::rkm_copy_from_user(dst.cast(), self.ptr, n) };
        if missed != 0 {
            return Err(EFAULT);
        }
        advance(&mut self.ptr, &mut self.len, n).map(|_| ())
    }

    /// Fills `out` completely, or fails with `EFAULT` (too short or a fault).
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// # fn f(r: &mut UserSliceReader) -> Result {
    /// let mut hdr = [0u8; 8];
    /// r.read_slice(&mut hdr)?;
    /// # Ok(()) }
    /// ```
    pub fn read_slice(&mut self, out: &mut [u8]) -> Result {
        if out.len() > self.len {
            return Err(EFAULT);
        }
        let n = self.read_partial(out)?;
        if n == out.len() {
            Ok(())
        } else {
            Err(EFAULT)
        }
    }

    /// Reads one `T`.
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// # rkm::pod! { pub struct ResizeReq { pub size: u64 } }
    /// # fn f(r: &mut UserSliceReader) -> Result {
    /// let req: ResizeReq = r.read()?;
    /// # Ok(()) }
    /// ```
    pub fn read<T: Pod>(&mut self) -> Result<T> {
        let n = size_of::<T>();
        if n > self.len {
            return Err(EFAULT);
        }
        let mut v = MaybeUninit::<T>::uninit();
        let dst = v.as_mut_ptr().cast::<u8>();
        // The size is a compile-time constant: one branch is left, as in C's
        // get_user() or constant-size copy_from_user().
        macro_rules! get {
            ($f:ident, $t:ty) => {{
                let mut x: $t = 0;
                // SAFETY: `x` is valid for writes; the user address is checked by get_user.
                let r = unsafe { abi::$f(self.ptr, &mut x) };
                // SAFETY: `dst` is valid for size_of::<T>() == size_of::<$t>() bytes of writes.
                unsafe { core::ptr::copy_nonoverlapping((&x as *const $t).cast::<u8>(), dst, n) };
                r == 0
            }};
        }
        let ok = match n {
            1 => get!(rkm_get_user_u8, u8),
            2 => get!(rkm_get_user_u16, u16),
            4 => get!(rkm_get_user_u32, u32),
            8 => get!(rkm_get_user_u64, u64),
            // SAFETY: `dst` is valid for `n` bytes of writes; the user address
            // is checked by copy_from_user; `n` is a compile-time constant.
            _ => (unsafe { abi::rkm_copy_from_user_fixed(dst.cast(), self.ptr, n) }) == 0,
        };
        if !ok {
            return Err(EFAULT);
        }
        self.ptr = self.ptr.wrapping_add(n);
        self.len -= n;
        // SAFETY: all `n` bytes were written (no fault), and any bytes make a valid T (Pod).
        Ok(unsafe { v.assume_init() })
    }

    /// Consumes the next `n` bytes, checking they are all zero (the
    /// unknown tail of a newer, larger struct): `Ok(true)`, `Ok(false)` (at
    /// the first non-zero byte: the bytes after it are not read), or
    /// `EFAULT`; `EINTR` if a signal arrives during a check of more than
    /// 64 KiB. On an error nothing is consumed.
    ///
    /// # Guarantees
    ///
    /// However large `n` is (a user-chosen length can be terabytes of
    /// mapped zero pages), the check never holds the CPU for long: it goes
    /// by chunks of at most 64 KiB with a scheduling point (`cond_resched`)
    /// and a signal check between two chunks, where the kernel's
    /// `check_zeroed_user` alone would loop over all `n` bytes at once.
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// # fn f(r: &mut UserSliceReader) -> Result {
    /// if !r.skip_zeroed(r.len())? { return Err(E2BIG); }
    /// # Ok(()) }
    /// ```
    pub fn skip_zeroed(&mut self, n: usize) -> Result<bool> {
        if n > self.len || self.ptr.checked_add(n).is_none() {
            return Err(EFAULT);
        }
        let zero = zeroed_by_chunks(
            self.ptr,
            n,
            // SAFETY: only the user range is read, by check_zeroed_user.
            |ptr, k| unsafe { abi::rkm_check_zeroed_user(ptr, k) },
            crate::task::signal_pending,
            crate::task::cond_resched,
        )?;
        self.ptr = self.ptr.wrapping_add(n);
        self.len -= n;
        Ok(zero)
    }
}

/// The most bytes [`UserSliceReader::skip_zeroed`] checks at once: 8192
/// word loads, microseconds.
const ZEROED_CHUNK: usize = 64 * 1024;

/// Whether the `n` bytes at `ptr` are all zero, asked of `check` (which
/// answers as `check_zeroed_user`: 1, 0 or a negative errno) by chunks of at
/// most [`ZEROED_CHUNK`] bytes, front to back, stopping at the first chunk
/// that is not all zero. Between two chunks: `resched()`, then `EINTR` if
/// `interrupted()`.
fn zeroed_by_chunks(
    mut ptr: usize,
    mut n: usize,
    mut check: impl FnMut(usize, usize) -> core::ffi::c_int,
    interrupted: impl Fn() -> bool,
    resched: impl Fn(),
) -> Result<bool> {
    loop {
        let k = n.min(ZEROED_CHUNK);
        match check(ptr, k) {
            r if r < 0 => return Err(EFAULT),
            0 => return Ok(false),
            _ => {}
        }
        n -= k;
        if n == 0 {
            return Ok(true);
        }
        ptr = ptr.wrapping_add(k);
        resched();
        if interrupted() {
            return Err(EINTR);
        }
    }
}

/// Writes a user buffer front to back.
///
/// ```
/// # use rkm::prelude::*;
/// # fn f(buf: usize, len: usize) -> Result {
/// let mut w = UserSlice::new(buf, len).writer();
/// w.write_slice(b"hello")?;
/// # Ok(()) }
/// ```
pub struct UserSliceWriter {
    ptr: usize,
    len: usize,
}

impl UserSliceWriter {
    /// Room left.
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// # fn f(w: &UserSliceWriter, avail: usize) {
    /// let k = w.len().min(avail);
    /// # }
    /// ```
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there is no room.
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// # fn f(w: &UserSliceWriter) -> Result<usize> {
    /// if w.is_empty() { return Ok(0); }
    /// # Ok(1) }
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Copies as much of `data` as fits; returns how many bytes went before
    /// any fault; `EFAULT` if none could (and some were to go).
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// # fn f(w: &mut UserSliceWriter, buf: &[u8], pos: usize, end: usize) -> Result {
    /// let copied = w.write_partial(&buf[pos..end])?;
    /// # Ok(()) }
    /// ```
    pub fn write_partial(&mut self, data: &[u8]) -> Result<usize> {
        let want = data.len().min(self.len);
        if want == 0 {
            return Ok(0);
        }
        // SAFETY: `data` is valid for `want` bytes of reads; the user address
        // is checked by copy_to_user.
        let missed = unsafe { abi::rkm_copy_to_user(self.ptr, data.as_ptr().cast(), want) };
        advance(&mut self.ptr, &mut self.len, want.saturating_sub(missed))
    }

    /// Copies `n` bytes from `src`, all or nothing (`EFAULT`); for buffers
    /// that must not be borrowed as slices (DMA memory).
    ///
    /// # Safety
    ///
    /// `src` is valid for `n` bytes of reads.
    pub(crate) unsafe fn write_raw(&mut self, src: *const u8, n: usize) -> Result {
        if n > self.len {
            return Err(EFAULT);
        }
        if n == 0 {
            return Ok(());
        }
        // SAFETY: the caller's contract; the user address is checked by
        // copy_to_user.
        let missed = unsafe { abi::rkm_copy_to_user(self.ptr, src.cast(), n) };
        if missed != 0 {
            return Err(EFAULT);
        }
        advance(&mut self.ptr, &mut self.len, n).map(|_| ())
    }

    /// Copies all of `data`, or fails with `EFAULT` (no room or a fault).
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// # fn f(w: &mut UserSliceWriter, reply: [u8; 4]) -> Result {
    /// w.write_slice(&reply)?;
    /// # Ok(()) }
    /// ```
    pub fn write_slice(&mut self, data: &[u8]) -> Result {
        if data.len() > self.len {
            return Err(EFAULT);
        }
        if self.write_partial(data)? == data.len() {
            Ok(())
        } else {
            Err(EFAULT)
        }
    }

    /// Writes one `T`.
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// # rkm::pod! { pub struct EchoInfo { pub size: u32 } }
    /// # fn f(w: &mut UserSliceWriter, info: EchoInfo) -> Result {
    /// w.write(&info)?;
    /// # Ok(()) }
    /// ```
    pub fn write<T: Pod>(&mut self, value: &T) -> Result {
        let n = size_of::<T>();
        if n > self.len {
            return Err(EFAULT);
        }
        let src = (value as *const T).cast::<u8>();
        // The size is a compile-time constant: one branch is left, as in C's
        // put_user() or constant-size copy_to_user().
        macro_rules! put {
            ($f:ident, $t:ty) => {{
                // SAFETY: a Pod value is size_of::<T>() == size_of::<$t>()
                // initialised bytes (Pod's contract), read unaligned.
                let x = unsafe { src.cast::<$t>().read_unaligned() };
                // SAFETY: the user address is checked by put_user.
                unsafe { abi::$f(self.ptr, x) == 0 }
            }};
        }
        let ok = match n {
            1 => put!(rkm_put_user_u8, u8),
            2 => put!(rkm_put_user_u16, u16),
            4 => put!(rkm_put_user_u32, u32),
            8 => put!(rkm_put_user_u64, u64),
            // SAFETY: a Pod value is `n` initialised bytes with no padding
            // (Pod's contract); the user address is checked by copy_to_user;
            // `n` is a compile-time constant.
            _ => (unsafe { abi::rkm_copy_to_user_fixed(self.ptr, src.cast(), n) }) == 0,
        };
        if !ok {
            return Err(EFAULT);
        }
        self.ptr = self.ptr.wrapping_add(n);
        self.len -= n;
        Ok(())
    }
}

/// ioctl command numbers, as `_IO`, `_IOR`, `_IOW`, `_IOWR` build them.
///
/// ```
/// # use rkm::prelude::*;
/// # rkm::pod! { pub struct EchoInfo { pub size: u32, pub version: u32 } }
/// const INFO: u32 = rkm::user::ioctl::iowr::<EchoInfo>(b'e', 1);
/// ```
pub mod ioctl {
    const NONE: u32 = 0;
    const WRITE: u32 = 1;
    const READ: u32 = 2;

    const fn ioc(dir: u32, ty: u8, nr: u8, size: usize) -> u32 {
        assert!(size < (1 << 14), "ioctl argument too large");
        (dir << 30) | ((size as u32) << 16) | ((ty as u32) << 8) | nr as u32
    }

    /// `_IO(ty, nr)`: no argument.
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// # use rkm::user::ioctl::{io, ior, iow, iowr};
    /// const RESET: u32 = io(b's', 2);
    /// ```
    pub const fn io(ty: u8, nr: u8) -> u32 {
        ioc(NONE, ty, nr, 0)
    }

    /// `_IOR(ty, nr, T)`: the kernel writes a `T`. Use in a `const`.
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// # use rkm::user::ioctl::{io, ior, iow, iowr};
    /// const GET: u32 = ior::<u64>(b'x', 1);
    /// ```
    pub const fn ior<T>(ty: u8, nr: u8) -> u32 {
        ioc(READ, ty, nr, core::mem::size_of::<T>())
    }

    /// `_IOW(ty, nr, T)`: the kernel reads a `T`.
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// # use rkm::user::ioctl::{io, ior, iow, iowr};
    /// const SET: u32 = iow::<u64>(b'x', 2);
    /// ```
    pub const fn iow<T>(ty: u8, nr: u8) -> u32 {
        ioc(WRITE, ty, nr, core::mem::size_of::<T>())
    }

    /// `_IOWR(ty, nr, T)`: both.
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// # use rkm::user::ioctl::{io, ior, iow, iowr};
    /// const XCHG: u32 = iowr::<u64>(b'x', 3);
    /// ```
    pub const fn iowr<T>(ty: u8, nr: u8) -> u32 {
        ioc(READ | WRITE, ty, nr, core::mem::size_of::<T>())
    }
}

#[cfg(rkm_ktest)]
pub(crate) mod ktests {
    use super::*;
    use crate::ktest::{kassert, Case};

    pub(crate) const CASES: &[Case] = &[
        ("ioctl_numbers_match_c", ioctl_numbers_match_c),
        ("pod_struct_has_c_layout", pod_struct_has_c_layout),
        ("kernel_address_is_efault", kernel_address_is_efault),
        ("zero_length_copies_nothing", zero_length_copies_nothing),
        ("skip_zeroed_goes_by_chunks", skip_zeroed_goes_by_chunks),
        ("skip_zeroed_huge_length", skip_zeroed_huge_length),
    ];

    crate::pod! {
        struct Three { a: u32, b: u32, c: u64, d: u64 }
    }

    fn ioctl_numbers_match_c() -> Result {
        // Values of _IOWR('e', 1, 24 bytes), _IOW('e', 2, 24 bytes), _IO('s', 2),
        // _IOR('y', 2, 56 bytes) from the C preprocessor.
        kassert!(ioctl::iowr::<Three>(b'e', 1) == 0xc018_6501);
        kassert!(ioctl::iow::<Three>(b'e', 2) == 0x4018_6502);
        kassert!(ioctl::io(b's', 2) == 0x7302);
        kassert!(ioctl::ior::<[u64; 7]>(b'y', 2) == 0x8038_7902);
        Ok(())
    }

    fn pod_struct_has_c_layout() -> Result {
        kassert!(size_of::<Three>() == 24);
        let t = Three { a: 1, b: 2, c: 3, d: 4 };
        kassert!(t == t.clone() && Three::default().c == 0);
        Ok(())
    }

    fn kernel_address_is_efault() -> Result {
        let x = 7u64;
        let kaddr = &x as *const u64 as usize;
        kassert!(UserSlice::new(kaddr, 8).reader().read::<u64>() == Err(EFAULT));
        kassert!(UserSlice::new(kaddr, 8).writer().write(&1u64) == Err(EFAULT));
        kassert!(UserSlice::new(0, 8).reader().read::<u64>() == Err(EFAULT));
        kassert!(x == 7);
        Ok(())
    }

    fn zero_length_copies_nothing() -> Result {
        let mut r = UserSlice::new(0, 0).reader();
        kassert!(r.read_partial(&mut [0u8; 4]) == Ok(0));
        let mut w = UserSlice::new(0, 4).writer();
        kassert!(w.write_partial(&[]) == Ok(0));
        kassert!(r.read::<u32>() == Err(EFAULT));
        Ok(())
    }

    // The chunking itself, over a fake check_zeroed_user: 1 GiB of zeroes
    // is 16384 checks of at most 64 KiB, contiguous, with a scheduling
    // point between each two; a non-zero chunk or a fault stops at once; a
    // signal between two chunks ends it with EINTR.
    fn skip_zeroed_goes_by_chunks() -> Result {
        use core::cell::Cell;
        const GIB: usize = 1 << 30;
        let (calls, next, biggest) = (Cell::new(0usize), Cell::new(0x1000usize), Cell::new(0));
        let resched = Cell::new(0usize);
        let check = |p: usize, k: usize| {
            let ok = p == next.get();
            next.set(p + k);
            calls.set(calls.get() + 1);
            biggest.set(biggest.get().max(k));
            if ok {
                1
            } else {
                -14
            }
        };
        let r = zeroed_by_chunks(0x1000, GIB, check, || false, || resched.set(resched.get() + 1));
        kassert!(r == Ok(true));
        kassert!(calls.get() == GIB / ZEROED_CHUNK && biggest.get() == ZEROED_CHUNK);
        kassert!(next.get() == 0x1000 + GIB && resched.get() == calls.get() - 1);

        // Not a multiple of the chunk: the last check is the remainder.
        let sizes = Cell::new((0usize, 0usize));
        let r = zeroed_by_chunks(
            0,
            ZEROED_CHUNK + 5,
            |_, k| {
                sizes.set((sizes.get().1, k));
                1
            },
            || false,
            || {},
        );
        kassert!(r == Ok(true) && sizes.get() == (ZEROED_CHUNK, 5));

        // A non-zero byte in the third chunk: three checks, then Ok(false).
        let n = Cell::new(0);
        let third = |_: usize, _: usize| {
            n.set(n.get() + 1);
            if n.get() == 3 {
                0
            } else {
                1
            }
        };
        kassert!(zeroed_by_chunks(0, GIB, third, || false, || {}) == Ok(false) && n.get() == 3);

        // A fault in the second chunk.
        n.set(0);
        let fault = |_: usize, _: usize| {
            n.set(n.get() + 1);
            if n.get() == 2 {
                -14
            } else {
                1
            }
        };
        kassert!(zeroed_by_chunks(0, GIB, fault, || false, || {}) == Err(EFAULT) && n.get() == 2);

        // A signal: noticed after the first chunk.
        n.set(0);
        let count = |_: usize, _: usize| {
            n.set(n.get() + 1);
            1
        };
        kassert!(zeroed_by_chunks(0, GIB, count, || true, || {}) == Err(EINTR) && n.get() == 1);
        // One chunk or less never looks for signals (small tails as before).
        kassert!(zeroed_by_chunks(0, ZEROED_CHUNK, |_, _| 1, || true, || {}) == Ok(true));
        kassert!(
            zeroed_by_chunks(0, 0, |_, k| if k == 0 { 1 } else { -14 }, || true, || {}) == Ok(true)
        );
        Ok(())
    }

    // The real glue over a terabyte: NULL faults in the first chunk, at
    // once; a range that wraps is refused before any read; nothing consumed.
    fn skip_zeroed_huge_length() -> Result {
        const TIB: usize = 1 << 40;
        let mut r = UserSlice::new(0, TIB).reader();
        kassert!(r.skip_zeroed(TIB) == Err(EFAULT) && r.len() == TIB);
        let mut r = UserSlice::new(usize::MAX - 10, TIB).reader();
        kassert!(r.skip_zeroed(TIB) == Err(EFAULT) && r.len() == TIB);
        kassert!(r.skip_zeroed(TIB + 1) == Err(EFAULT));
        let mut r = UserSlice::new(0, 0).reader();
        kassert!(r.skip_zeroed(0) == Ok(true));
        Ok(())
    }
}
