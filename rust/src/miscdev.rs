// SPDX-License-Identifier: GPL-2.0
//! Misc devices and their file operations.
//!
//! A driver implements [`FileOperations`] for its per-open state and
//! registers a [`MiscDevice`] with shared device data in an [`Arc`]. `open`
//! sees the device data and builds the per-open state; every other callback
//! gets that state; closing the file drops it (that is `release`). The
//! implementation carries `#[rkm::vtable]`: only the callbacks it defines are
//! set in the kernel's `file_operations` (the others keep the kernel's own
//! behaviour: `EINVAL` for read and write, the default poll mask...), derived
//! from the code, so a defined callback cannot be silently ignored. The
//! `.owner` always makes `rmmod` be refused (`EWOULDBLOCK`: the module is in
//! use) while a file is open.
//!
//! Dropping the registration removes the device; files still open keep
//! their state and keep working until closed.

use crate::abi;
use crate::alloc::KBox;
use crate::error::{code::*, Error, Result};
use crate::sync::{Arc, CondVar};
use crate::user::{UserSlice, UserSliceReader, UserSliceWriter};
use core::ffi::{c_int, c_long, c_void};
use core::marker::PhantomData;
use core::ptr::NonNull;
use core::sync::atomic::{AtomicPtr, Ordering};

/// What a callback knows about the open file.
///
/// ```
/// # use rkm::prelude::*;
/// # fn f(file: &File) -> Result {
/// if file.is_nonblocking() { return Err(EAGAIN); }
/// # Ok(()) }
/// ```
///
/// # Invariants
///
/// `raw` is the kernel's `struct file` of the call this value is lent to
/// (by reference only, so it cannot outlive the call).
pub struct File {
    /// The kernel's struct file, opaque.
    raw: *mut abi::File,
    /// The position the callback was given, if any (else read on demand).
    pos: Option<i64>,
}

impl File {
    /// Whether the file was opened (or set) `O_NONBLOCK`.
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// # fn f(file: &File) {
    /// let nb = file.is_nonblocking();
    /// # }
    /// ```
    pub fn is_nonblocking(&self) -> bool {
        // SAFETY: an open file, for the duration of the callback this
        // `File` is lent to.
        unsafe { abi::rkm_file_flags(self.raw) & abi::O_NONBLOCK != 0 }
    }

    /// Whether the file was opened (or set) `O_APPEND`.
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// # fn f(file: &File) {
    /// let append = file.is_append();
    /// # }
    /// ```
    pub fn is_append(&self) -> bool {
        // SAFETY: as in `is_nonblocking`.
        unsafe { abi::rkm_file_flags(self.raw) & abi::O_APPEND != 0 }
    }

    /// The file position (what `read` and `write` get as `pos`, for `poll`).
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// # fn f(file: &File) {
    /// let p = file.pos();
    /// # }
    /// ```
    pub fn pos(&self) -> i64 {
        match self.pos {
            Some(p) => p,
            // SAFETY: an open file, for the duration of the callback this
            // `File` is lent to.
            None => unsafe { abi::rkm_file_pos(self.raw) },
        }
    }
}

/// The file being opened, lent to [`FileOperations::open`] only: its flags,
/// how it was opened (`f_mode`: readable, writable), and the calls C
/// drivers make in `open` (`stream_open`, `nonseekable_open`).
///
/// ```
/// # use rkm::prelude::*;
/// # fn f(file: &OpenFile) -> Result {
/// if file.is_writable() && file.is_nonblocking() { return Err(EAGAIN); }
/// file.stream_open(); // pread/pwrite/lseek: ESPIPE
/// # Ok(()) }
/// ```
///
/// # Invariants
///
/// `raw` is the kernel's `struct file` being opened by the `open` call this
/// value is lent to (by reference only: `stream_open` and
/// `nonseekable_open`, which change `f_mode`, can only run during `open`,
/// before any other callback sees the file, as the kernel requires).
/// Process context; the misc core's lock is held (see `open`).
pub struct OpenFile {
    raw: *mut abi::File,
}

impl OpenFile {
    /// Whether the file is opened `O_NONBLOCK` (it can change later with
    /// `fcntl`: callbacks check [`File::is_nonblocking`]).
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// # fn f(file: &OpenFile) { let nb = file.is_nonblocking(); }
    /// ```
    pub fn is_nonblocking(&self) -> bool {
        // SAFETY: the file being opened, for the duration of `open`.
        unsafe { abi::rkm_file_flags(self.raw) & abi::O_NONBLOCK != 0 }
    }

    /// Whether the file is opened `O_APPEND`.
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// # fn f(file: &OpenFile) { let a = file.is_append(); }
    /// ```
    pub fn is_append(&self) -> bool {
        // SAFETY: as in `is_nonblocking`.
        unsafe { abi::rkm_file_flags(self.raw) & abi::O_APPEND != 0 }
    }

    /// Whether the file can be read (`FMODE_READ`: `O_RDONLY` or `O_RDWR`).
    /// It stays so for the file's life: count readers here, uncount them
    /// when the per-open state drops.
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// # fn f(file: &OpenFile) { let r = file.is_readable(); }
    /// ```
    pub fn is_readable(&self) -> bool {
        // SAFETY: as in `is_nonblocking`.
        unsafe { abi::rkm_file_mode(self.raw) & abi::FMODE_READ != 0 }
    }

    /// Whether the file can be written (`FMODE_WRITE`: `O_WRONLY` or `O_RDWR`).
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// # fn f(file: &OpenFile) { let w = file.is_writable(); }
    /// ```
    pub fn is_writable(&self) -> bool {
        // SAFETY: as in `is_nonblocking`.
        unsafe { abi::rkm_file_mode(self.raw) & abi::FMODE_WRITE != 0 }
    }

    /// The kernel's `stream_open()`: the file has no position. `pread`,
    /// `pwrite` and `lseek` fail with `ESPIPE` before any callback runs,
    /// and `read`/`write` get a scratch position of 0 (concurrent reads are
    /// not serialised on the position).
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// # fn f(file: &OpenFile) { file.stream_open(); }
    /// ```
    pub fn stream_open(&self) {
        // SAFETY: the file being opened, during `open` (the only place an
        // `OpenFile` is lent), as `stream_open()` requires.
        unsafe { abi::rkm_file_stream_open(self.raw) }
    }

    /// The kernel's `nonseekable_open()`: `pread`, `pwrite` and `lseek`
    /// fail with `ESPIPE`; `read`/`write` still get and move the position.
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// # fn f(file: &OpenFile) { file.nonseekable_open(); }
    /// ```
    pub fn nonseekable_open(&self) {
        // SAFETY: as in `stream_open`.
        unsafe { abi::rkm_file_nonseekable_open(self.raw) }
    }
}

/// A queue of files that asked for `SIGIO` (`fcntl(F_SETFL, O_ASYNC)` or
/// `FIOASYNC`): the kernel's `fasync_struct` list. Keep it in the device
/// data (or the per-open state), name it in
/// [`FileOperations::fasync_queue`], and [`kill`](FasyncQueue::kill) it when
/// data or room arrives.
///
/// ```
/// # use rkm::prelude::*;
/// struct Dev { async_readers: FasyncQueue }
/// # fn f(dev: &Dev) {
/// dev.async_readers.kill(SigioBand::In);
/// # }
/// # fn g() -> Result<Dev> { Ok(Dev { async_readers: FasyncQueue::try_new()? }) }
/// ```
///
/// # Invariants
///
/// `raw` is a glue queue owned by this value. Files join and leave it only
/// through the glue's `fasync` (`fasync_helper`), on the queue their state
/// named first (kept per open file), and the kernel's `__fput` takes a file
/// off (`fasync(-1, file, 0)`) before `release`; a queue reached through the
/// per-open state lives at least until `release`. So no file is on the
/// queue when it drops (if one were, the glue leaks it with a warning
/// rather than free it under `kill_fasync`). `kill` never sleeps: any
/// context, IRQ included.
pub struct FasyncQueue {
    raw: NonNull<abi::Fasync>,
}

// SAFETY: the kernel's fasync list is locked internally (fasync_lock, RCU);
// the handle is used from any thread.
unsafe impl Send for FasyncQueue {}
// SAFETY: as above: `kill` and the glue's fasync_helper are thread-safe.
unsafe impl Sync for FasyncQueue {}

/// Why `SIGIO` is sent: the `si_code` (`si_band` follows) of
/// [`FasyncQueue::kill`].
///
/// ```
/// # use rkm::prelude::*;
/// let band = SigioBand::Out; // room to write
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SigioBand {
    /// Data to read (`POLL_IN`).
    In,
    /// Room to write (`POLL_OUT`).
    Out,
    /// A message (`POLL_MSG`).
    Msg,
    /// An error (`POLL_ERR`).
    Err,
    /// Urgent data (`POLL_PRI`).
    Pri,
    /// Hang-up (`POLL_HUP`).
    Hup,
}

impl FasyncQueue {
    /// An empty queue.
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// let q = FasyncQueue::try_new()?;
    /// # Ok::<(), Error>(())
    /// ```
    pub fn try_new() -> Result<Self> {
        // SAFETY: no precondition; NULL is out of memory.
        let raw = unsafe { abi::rkm_fasync_new() };
        Ok(FasyncQueue { raw: NonNull::new(raw).ok_or(ENOMEM)? })
    }

    /// `kill_fasync(SIGIO, band)`: signals every file on the queue.
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// # fn f(q: &FasyncQueue) {
    /// q.kill(SigioBand::In);
    /// # }
    /// ```
    pub fn kill(&self, band: SigioBand) {
        let band = match band {
            SigioBand::In => abi::POLL_IN,
            SigioBand::Out => abi::POLL_OUT,
            SigioBand::Msg => abi::POLL_MSG,
            SigioBand::Err => abi::POLL_ERR,
            SigioBand::Pri => abi::POLL_PRI,
            SigioBand::Hup => abi::POLL_HUP,
        };
        // SAFETY: a live queue (owned).
        unsafe { abi::rkm_fasync_kill(self.raw.as_ptr(), band) }
    }
}

impl Drop for FasyncQueue {
    fn drop(&mut self) {
        // SAFETY: owned, freed once; no file is on it (type invariant).
        unsafe { abi::rkm_fasync_free(self.raw.as_ptr()) }
    }
}

/// A zeroed, page-granular kernel buffer that user space can `mmap`
/// (`vmalloc_user` + `remap_vmalloc_range`): return it (a clone: another
/// reference to the same pages) from [`FileOperations::mmap`], fill it with
/// [`write`](MmapBuffer::write).
///
/// ```
/// # use rkm::prelude::*;
/// let stats = MmapBuffer::try_new(4096)?;
/// stats.write(0, &1u64.to_ne_bytes())?;
/// # Ok::<(), Error>(())
/// ```
///
/// # Invariants
///
/// `raw` is a glue buffer of which this value owns one reference (clones
/// own one each, to the same pages). Every
/// VMA that maps it owns another: taken when mapped, and for every copy of
/// the VMA (fork, split, mremap: the VMA's `open`), dropped at each unmap
/// (`close`). The pages are freed at the last reference, so they stay valid
/// while any user mapping exists, after the driver dropped its
/// `MmapBuffer`, after the file was closed. A mapping holds the file, which
/// holds the module (`.owner`): `rmmod` waits for every mapping too, and the
/// VMA callbacks (module text) outlive every VMA. The contents are shared
/// with user space, which may write them at any time: they are only copied
/// (`read`, `write`), never lent as a Rust reference. Process or atomic
/// context for `read`/`write` (no sleep); `try_new` and drop may sleep.
pub struct MmapBuffer {
    raw: NonNull<abi::MmapBuf>,
}

// SAFETY: the reference count is atomic; the contents are only copied.
unsafe impl Send for MmapBuffer {}
// SAFETY: as above: `&MmapBuffer` only copies in and out.
unsafe impl Sync for MmapBuffer {}

impl MmapBuffer {
    /// `size` bytes rounded up to whole pages, zeroed; `EINVAL` for 0 or
    /// more than `i32::MAX` bytes, `ENOMEM` without memory.
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// let b = MmapBuffer::try_new(100)?;
    /// assert_eq!(b.len(), 4096);
    /// # Ok::<(), Error>(())
    /// ```
    pub fn try_new(size: usize) -> Result<Self> {
        if size == 0 || size > i32::MAX as usize {
            return Err(EINVAL);
        }
        // SAFETY: no precondition; NULL is out of memory.
        let raw = unsafe { abi::rkm_mmap_buf_new(size) };
        Ok(MmapBuffer { raw: NonNull::new(raw).ok_or(ENOMEM)? })
    }

    /// Its size in bytes (whole pages).
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// # fn f(b: &MmapBuffer) { let n = b.len(); }
    /// ```
    pub fn len(&self) -> usize {
        // SAFETY: a live buffer (we own a reference).
        unsafe { abi::rkm_mmap_buf_size(self.raw.as_ptr()) }
    }

    /// Never: a buffer has at least one page.
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// # fn f(b: &MmapBuffer) { assert!(!b.is_empty()); }
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn check(&self, off: usize, len: usize) -> Result {
        match off.checked_add(len) {
            Some(end) if end <= self.len() => Ok(()),
            _ => Err(EINVAL),
        }
    }

    /// Copies `dst.len()` bytes at `off` out (what user space last wrote,
    /// or the driver); `EINVAL` past the end.
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// # fn f(b: &MmapBuffer) -> Result {
    /// let mut word = [0u8; 8];
    /// b.read(0, &mut word)?;
    /// # Ok(()) }
    /// ```
    pub fn read(&self, off: usize, dst: &mut [u8]) -> Result {
        self.check(off, dst.len())?;
        // SAFETY: a live buffer; off..off + len is inside it (checked);
        // dst is valid for its length.
        unsafe {
            abi::rkm_mmap_buf_read(self.raw.as_ptr(), off, dst.as_mut_ptr().cast(), dst.len())
        };
        Ok(())
    }

    /// Copies `src` in at `off`, visible at once to every mapping; `EINVAL`
    /// past the end.
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// # fn f(b: &MmapBuffer) -> Result {
    /// b.write(8, &42u64.to_ne_bytes())?;
    /// # Ok(()) }
    /// ```
    pub fn write(&self, off: usize, src: &[u8]) -> Result {
        self.check(off, src.len())?;
        // SAFETY: as in `read`.
        unsafe { abi::rkm_mmap_buf_write(self.raw.as_ptr(), off, src.as_ptr().cast(), src.len()) };
        Ok(())
    }
}

impl Clone for MmapBuffer {
    /// Another handle to the same pages.
    fn clone(&self) -> Self {
        // SAFETY: a live buffer; the clone owns the new reference.
        unsafe { abi::rkm_mmap_buf_get(self.raw.as_ptr()) };
        MmapBuffer { raw: self.raw }
    }
}

impl Drop for MmapBuffer {
    fn drop(&mut self) {
        // SAFETY: our reference, dropped once; mappings keep their own.
        unsafe { abi::rkm_mmap_buf_put(self.raw.as_ptr()) }
    }
}

/// The user mapping being set up, lent to [`FileOperations::mmap`] to be
/// checked; the buffer `mmap` returns is mapped into it.
///
/// ```
/// # use rkm::prelude::*;
/// # fn f(vma: &Vma) -> Result {
/// if vma.is_writable() { return Err(EPERM); }
/// # Ok(()) }
/// ```
///
/// # Invariants
///
/// `raw` is the kernel's `vm_area_struct` of the `mmap` call this value is
/// lent to (by reference only), with `mmap_lock` held for writing. Process
/// context; may sleep.
pub struct Vma {
    raw: *mut abi::Vma,
}

impl Vma {
    /// The mapping's length in bytes.
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// # fn f(vma: &Vma) { let n = vma.len(); }
    /// ```
    pub fn len(&self) -> usize {
        // SAFETY: the VMA of this mmap call.
        unsafe { abi::rkm_vma_len(self.raw) }
    }

    /// Never: a mapping has at least one page.
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// # fn f(vma: &Vma) { assert!(!vma.is_empty()); }
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The `mmap` offset, in pages.
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// # fn f(vma: &Vma) -> Result { if vma.page_offset() != 0 { return Err(EINVAL); } Ok(()) }
    /// ```
    pub fn page_offset(&self) -> u64 {
        // SAFETY: the VMA of this mmap call.
        unsafe { abi::rkm_vma_pgoff(self.raw) }
    }

    /// Whether it is mapped writable (`PROT_WRITE`, `VM_WRITE`).
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// # fn f(vma: &Vma) { let w = vma.is_writable(); }
    /// ```
    pub fn is_writable(&self) -> bool {
        // SAFETY: the VMA of this mmap call.
        unsafe { abi::rkm_vma_flags(self.raw) & abi::VMA_WRITE != 0 }
    }

    /// Whether it is `MAP_SHARED` (else private: writes are copied).
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// # fn f(vma: &Vma) { let s = vma.is_shared(); }
    /// ```
    pub fn is_shared(&self) -> bool {
        // SAFETY: the VMA of this mmap call.
        unsafe { abi::rkm_vma_flags(self.raw) & abi::VMA_SHARED != 0 }
    }

    /// Makes a read-only mapping stay so: `mprotect(PROT_WRITE)` then fails
    /// with `EACCES` (clears `VM_MAYWRITE`).
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// # fn f(vma: &Vma) -> Result {
    /// if vma.is_writable() { return Err(EPERM); }
    /// vma.deny_write();
    /// # Ok(()) }
    /// ```
    pub fn deny_write(&self) {
        // SAFETY: the VMA of this mmap call, with mmap_lock held for writing.
        unsafe { abi::rkm_vma_deny_write(self.raw) }
    }

    /// Maps `buf` from the mapping's page offset on; the mapping keeps the
    /// pages (see [`MmapBuffer`]). `EINVAL` if it reaches past the buffer.
    /// Only as the last step of the `mmap` call (the trampoline's): the
    /// kernel does not `close` a VMA whose `mmap` failed, so a reference
    /// taken before a later error would leak.
    fn map(&self, buf: &MmapBuffer) -> Result {
        // SAFETY: the VMA of this mmap call, with mmap_lock held; a live
        // buffer, of which the VMA takes its own reference.
        crate::error::to_result(unsafe { abi::rkm_vma_map_buf(self.raw, buf.raw.as_ptr()) })
    }
}

/// Where `llseek` counts from: every `whence` the kernel passes, as a C
/// driver's `.llseek` sees it. `lseek(2)` refuses values above `SEEK_HOLE`
/// with `EINVAL` before any driver runs; in-kernel callers may pass others
/// ([`Whence::Other`]). Answer `EINVAL` for what the device does not support,
/// as the kernel's helpers do ([`fixed_size_llseek`]).
///
/// ```
/// # use rkm::prelude::*;
/// # fn f(whence: Whence, off: i64, pos: i64, len: i64) -> Result<i64> {
/// Ok(match whence {
///     Whence::Set => off,
///     Whence::Cur => pos + off,
///     Whence::End => len + off,
///     Whence::Data | Whence::Hole | Whence::Other(_) => return Err(EINVAL),
/// })
/// # }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Whence {
    /// From the start (`SEEK_SET`).
    Set,
    /// From the current position (`SEEK_CUR`).
    Cur,
    /// From the end (`SEEK_END`).
    End,
    /// The next data at or after the offset (`SEEK_DATA`).
    Data,
    /// The next hole at or after the offset (`SEEK_HOLE`).
    Hole,
    /// Any other value, as the caller passed it.
    Other(i32),
}

impl Whence {
    /// The `whence` the kernel passed, as a [`Whence`].
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// assert_eq!(Whence::from_raw(4), Whence::Hole);
    /// assert_eq!(Whence::from_raw(-1), Whence::Other(-1));
    /// ```
    pub fn from_raw(whence: i32) -> Whence {
        match whence {
            abi::SEEK_SET => Whence::Set,
            abi::SEEK_CUR => Whence::Cur,
            abi::SEEK_END => Whence::End,
            abi::SEEK_DATA => Whence::Data,
            abi::SEEK_HOLE => Whence::Hole,
            w => Whence::Other(w),
        }
    }

    /// The `SEEK_*` value.
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// assert_eq!(Whence::End.as_raw(), 2);
    /// assert_eq!(Whence::Other(9).as_raw(), 9);
    /// ```
    pub fn as_raw(self) -> i32 {
        match self {
            Whence::Set => abi::SEEK_SET,
            Whence::Cur => abi::SEEK_CUR,
            Whence::End => abi::SEEK_END,
            Whence::Data => abi::SEEK_DATA,
            Whence::Hole => abi::SEEK_HOLE,
            Whence::Other(w) => w,
        }
    }
}

/// The kernel's `fixed_size_llseek()` for a device of `size` bytes: `Set`,
/// `Cur` (from `file.pos()`) and `End` (from `size`) to a position in
/// `0..=size`; `EINVAL` for a result outside it, an overflow, and every other
/// whence (`Data`, `Hole`, `Other`), as the kernel's helper. Like it, `Cur`
/// with offset 0 answers the position as it is, unchecked.
///
/// ```
/// # use rkm::prelude::*;
/// # fn f(file: &File, off: i64, whence: Whence) -> Result<i64> {
/// fixed_size_llseek(file, off, whence, 4096)
/// # }
/// ```
pub fn fixed_size_llseek(file: &File, off: i64, whence: Whence, size: i64) -> Result<i64> {
    let base = match whence {
        Whence::Set => 0,
        Whence::Cur if off == 0 => return Ok(file.pos()),
        Whence::Cur => file.pos(),
        Whence::End => size,
        Whence::Data | Whence::Hole | Whence::Other(_) => return Err(EINVAL),
    };
    match base.checked_add(off) {
        Some(p) if (0..=size).contains(&p) => Ok(p),
        _ => Err(EINVAL),
    }
}

/// Readiness reported by `poll`.
///
/// ```
/// # use rkm::prelude::*;
/// # let ready = true;
/// let mask = if ready { PollMask::IN } else { PollMask::NONE } | PollMask::OUT;
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PollMask(u32);

impl PollMask {
    /// Nothing ready.
    pub const NONE: PollMask = PollMask(0);
    /// Readable (`POLLIN | POLLRDNORM`).
    pub const IN: PollMask = PollMask(abi::POLLIN);
    /// Writable (`POLLOUT | POLLWRNORM`).
    pub const OUT: PollMask = PollMask(abi::POLLOUT);
    /// An error condition (`POLLERR`).
    pub const ERR: PollMask = PollMask(abi::POLLERR);
    /// Urgent data (`POLLPRI`).
    pub const PRI: PollMask = PollMask(abi::POLLPRI);
    /// Hang-up (`POLLHUP`): the other end is gone for good (for a pipe:
    /// no writer, so reads will return 0 at the end of the data). Reported
    /// even if the caller did not ask for it.
    pub const HUP: PollMask = PollMask(abi::POLLHUP);
    /// Peer closed its writing half (`POLLRDHUP`); only reported to callers
    /// that ask for it.
    pub const RDHUP: PollMask = PollMask(abi::POLLRDHUP);
    /// Normal data readable (`POLLRDNORM` alone; [`PollMask::IN`] includes it).
    pub const RDNORM: PollMask = PollMask(abi::POLLRDNORM);
    /// Normal data writable (`POLLWRNORM` alone; [`PollMask::OUT`] includes it).
    pub const WRNORM: PollMask = PollMask(abi::POLLWRNORM);

    /// Whether every bit of `other` is set.
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// assert!((PollMask::IN | PollMask::HUP).contains(PollMask::HUP));
    /// ```
    pub fn contains(self, other: PollMask) -> bool {
        self.0 & other.0 == other.0
    }
}

impl core::ops::BitOrAssign for PollMask {
    fn bitor_assign(&mut self, rhs: PollMask) {
        self.0 |= rhs.0;
    }
}

impl core::ops::BitOr for PollMask {
    type Output = PollMask;
    fn bitor(self, rhs: PollMask) -> PollMask {
        PollMask(self.0 | rhs.0)
    }
}

/// The poll table of one `poll` call: register the condition variables
/// whose `notify_all` should wake the poller.
///
/// `'a` is the borrow of the per-open state: a registered [`CondVar`] must
/// live at least as long as that state (in it, or in the device it holds an
/// [`Arc`] to), because poll and epoll keep the wait queue entry until the
/// file is released.
///
/// ```
/// # use rkm::prelude::*;
/// # struct Dev { changed: CondVar }
/// # struct Open { dev: Arc<Dev> }
/// # impl Open { fn poll<'a>(&'a self, table: &PollTable<'a>) {
/// table.register(&self.dev.changed);
/// # } }
/// ```
///
/// # Invariants
///
/// `file` and `table` are the kernel's, valid for the `poll` call this value
/// is lent to; `'a` is the per-open state's lifetime, so only wait queues
/// that outlive the open file can be registered.
pub struct PollTable<'a> {
    file: *mut abi::File,
    table: *mut abi::PollTable,
    // Invariant in 'a: a table for the per-open state must not be usable
    // with a shorter lifetime (registering a short-lived wait queue).
    _state: PhantomData<fn(&'a ()) -> &'a ()>,
}

impl<'a> PollTable<'a> {
    /// `poll_wait` on `cv`.
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// # struct Dev { ready: CondVar }
    /// # fn f<'a>(table: &PollTable<'a>, dev: &'a Dev) {
    /// table.register(&dev.ready);
    /// # }
    /// ```
    pub fn register(&self, cv: &'a CondVar) {
        // SAFETY: file and table come from the kernel's poll call and live for
        // its duration, which this borrow cannot outlive (the table is only
        // lent to the callback). `cv` lives as long as the per-open state
        // (`'a`), which is dropped only at release, after the kernel removed
        // every poll and epoll entry of the file.
        unsafe { abi::rkm_poll_wait(self.file, self.table, cv.ptr()) };
    }
}

/// File operations of a misc device, implemented by the per-open state.
///
/// ```
/// # use rkm::prelude::*;
/// # struct Dev;
/// struct Open { dev: Arc<Dev> }
/// #[rkm::vtable]
/// impl FileOperations for Open {
///     type Device = Dev;
///     fn open(dev: &Arc<Dev>, _file: &OpenFile) -> Result<Self> { Ok(Open { dev: dev.clone() }) }
///     fn read(&self, _f: &File, mut out: UserSliceWriter, _pos: &mut i64) -> Result<usize> {
///         out.write_partial(b"hi\n")
///     }
/// }
/// ```
///
/// An implementation without `#[rkm::vtable]` does not compile: the error
/// names the missing `ADD_RKM_VTABLE_TO_THIS_IMPL`. `ioctl` also serves
/// 32-bit callers (`compat_ioctl`).
#[crate::vtable]
pub trait FileOperations: Sized + Send + Sync + 'static {
    /// The data shared by every opener, given at registration.
    /// `'static`: files opened on the device may outlive any caller's borrow.
    type Device: Send + Sync + 'static;

    /// Builds the per-open state; an error fails `open(2)`.
    ///
    /// `file` is the file being opened: its flags, whether it reads or
    /// writes, and [`OpenFile::stream_open`].
    ///
    /// The kernel's `misc_open` calls it holding `misc_mtx`, the mutex of
    /// all misc devices (6.1 and 6.12 alike). It may sleep (allocate, take
    /// a mutex, wait interruptibly), but every misc open and misc device
    /// registration of the system waits meanwhile: keep it short, and never
    /// register or drop a [`MiscDevice`] in it (a deadlock on `misc_mtx`),
    /// nor wait for something that needs one. It is not called until the
    /// module's `init` has returned `Ok`: an open before that fails with
    /// `ENODEV` (if `init` then failed, the kernel would free the module
    /// under the open file).
    fn open(dev: &Arc<Self::Device>, file: &OpenFile) -> Result<Self>;

    /// `read(2)`: fills `out` from `*pos` on, moves `*pos`, returns the count.
    fn read(&self, _file: &File, _out: UserSliceWriter, _pos: &mut i64) -> Result<usize> {
        Err(EINVAL)
    }

    /// `write(2)`: takes from `input` at `*pos`, moves `*pos`, returns the count.
    fn write(&self, _file: &File, _input: UserSliceReader, _pos: &mut i64) -> Result<usize> {
        Err(EINVAL)
    }

    /// `lseek(2)`: the new position from `off` and `whence` (the current one
    /// is `file.pos()`). It gets every whence the kernel passes: `EINVAL` for
    /// those the device does not support ([`fixed_size_llseek`] does).
    fn llseek(&self, _file: &File, _off: i64, _whence: Whence) -> Result<i64> {
        Err(ESPIPE)
    }

    /// `ioctl(2)`: `arg` is the raw argument (a user address for most
    /// commands); the result is 0 or a positive value for userspace.
    fn ioctl(&self, _file: &File, _cmd: u32, _arg: usize) -> Result<isize> {
        Err(ENOTTY)
    }

    /// `poll(2)`: register what wakes the poller, return what is ready now.
    fn poll<'a>(&'a self, _file: &File, _table: &PollTable<'a>) -> PollMask {
        PollMask::NONE
    }

    /// `flush`: at every `close(2)` of a descriptor of the file (also of
    /// `dup`s, and at exit), before the last one's release; its error is
    /// what `close(2)` returns (the descriptor is closed anyway).
    fn flush(&self, _file: &File) -> Result {
        Ok(())
    }

    /// The queue this file joins on `O_ASYNC`/`FIOASYNC` (`None`: refused,
    /// `EINVAL`). The first queue named for a file is the one it joins and
    /// leaves for its whole life (the kernel takes it off before release).
    fn fasync_queue(&self) -> Option<&FasyncQueue> {
        None
    }

    /// `mmap(2)`: check the mapping and return the [`MmapBuffer`] (a clone)
    /// to map into it, from its page offset on (`EINVAL` if the mapping
    /// reaches past the buffer); an error fails the `mmap`. Called with the
    /// caller's `mmap_lock` held: do not take a lock that is also held around
    /// user copies (a fault in them takes `mmap_lock`: lockdep reports the
    /// inversion).
    fn mmap(&self, _file: &File, _vma: &Vma) -> Result<MmapBuffer> {
        Err(ENODEV)
    }
}

/// The per-open allocation: the driver's state, and the fasync queue its
/// file joined (null until it asks), so that leaving always finds it.
struct Open<F> {
    state: F,
    fasync: AtomicPtr<abi::Fasync>,
}

/// The C callbacks for `F`: trampolines that turn raw arguments into safe
/// ones and results into errnos.
pub(crate) struct Trampolines<F>(PhantomData<F>);

impl<F: FileOperations> Trampolines<F> {
    pub(crate) const OPS: abi::FileOps = abi::FileOps {
        open: Some(Self::open),
        release: Some(Self::release),
        read: if F::HAS_READ { Some(Self::read) } else { None },
        write: if F::HAS_WRITE { Some(Self::write) } else { None },
        llseek: if F::HAS_LLSEEK { Some(Self::llseek) } else { None },
        ioctl: if F::HAS_IOCTL { Some(Self::ioctl) } else { None },
        poll: if F::HAS_POLL { Some(Self::poll) } else { None },
        flush: if F::HAS_FLUSH { Some(Self::flush) } else { None },
        fasync_queue: if F::HAS_FASYNC_QUEUE { Some(Self::fasync_queue) } else { None },
        mmap: if F::HAS_MMAP { Some(Self::mmap) } else { None },
    };

    /// # Safety
    ///
    /// `state` is a pointer returned by `open` whose file is not released.
    unsafe fn state<'a>(state: *mut c_void) -> &'a F {
        // SAFETY: the caller's contract.
        unsafe { &Self::open_state(state).state }
    }

    /// # Safety
    ///
    /// As [`Self::state`].
    unsafe fn open_state<'a>(state: *mut c_void) -> &'a Open<F> {
        // SAFETY: the caller's contract: a live KBox<Open<F>> from `open`,
        // shared (F: Sync, AtomicPtr) until `release`.
        unsafe { &*state.cast::<Open<F>>() }
    }

    extern "C" fn open(dev: *const c_void, file: *mut abi::File, state: *mut *mut c_void) -> c_int {
        // SAFETY: `dev` is the Arc<F::Device> of the registration, alive
        // until rkm_miscdev_deregister (or, for a char-device region's
        // minor, rkm_chrdev_unregister) returns, which waits for opens.
        let dev = unsafe { &*dev.cast::<Arc<F::Device>>() };
        // The file being opened, lent for this call only.
        let file = OpenFile { raw: file };
        let result = F::open(dev, &file).and_then(|state| {
            KBox::try_new(Open { state, fasync: AtomicPtr::new(core::ptr::null_mut()) })
        });
        match result {
            Ok(b) => {
                // SAFETY: the glue passes a valid out-pointer.
                unsafe { *state = KBox::leak(b).as_ptr().cast() };
                0
            }
            Err(e) => e.to_errno(),
        }
    }

    extern "C" fn release(state: *mut c_void) {
        // SAFETY: from `open`'s KBox::leak; the kernel releases a file once,
        // after every other callback on it has returned.
        drop(unsafe { KBox::<Open<F>>::from_raw(NonNull::new_unchecked(state.cast())) });
    }

    /// # Safety
    ///
    /// `file` is an open file of this device (its private data is a state
    /// from `open`), as the kernel passes to its file operations.
    unsafe fn file_state<'a>(file: *mut abi::File) -> &'a F {
        // SAFETY: the caller's contract; the glue keeps `open`'s state as
        // the file's private data until `release`.
        unsafe { Self::state(abi::rkm_file_state(file)) }
    }

    extern "C" fn read(file: *mut abi::File, buf: usize, len: usize, pos: *mut i64) -> c_long {
        // A stream file (stream_open) has no position: the VFS passes NULL.
        let mut scratch = 0;
        // SAFETY: the kernel calls this (installed by the glue as this
        // device's read) with an open file and its position for this call
        // (or NULL), valid and private to it until we return.
        let (f, pos) = unsafe { (Self::file_state(file), pos.as_mut().unwrap_or(&mut scratch)) };
        let file = File { raw: file, pos: Some(*pos) };
        count(f.read(&file, UserSlice::new(buf, len).writer(), pos), len)
    }

    extern "C" fn write(file: *mut abi::File, buf: usize, len: usize, pos: *mut i64) -> c_long {
        let mut scratch = 0;
        // SAFETY: as in `read`.
        let (f, pos) = unsafe { (Self::file_state(file), pos.as_mut().unwrap_or(&mut scratch)) };
        let file = File { raw: file, pos: Some(*pos) };
        count(f.write(&file, UserSlice::new(buf, len).reader(), pos), len)
    }

    extern "C" fn llseek(
        state: *mut c_void,
        file: *mut abi::File,
        pos: i64,
        off: i64,
        whence: c_int,
    ) -> i64 {
        // SAFETY: the glue passes this file's state.
        let f = unsafe { Self::state(state) };
        // Every whence, as the kernel gave it: the driver decides.
        let whence = Whence::from_raw(whence);
        match f.llseek(&File { raw: file, pos: Some(pos) }, off, whence) {
            Ok(p) if p >= 0 => p,
            Ok(_) => EINVAL.to_errno().into(),
            Err(e) => e.to_errno().into(),
        }
    }

    extern "C" fn ioctl(file: *mut abi::File, cmd: u32, arg: usize) -> c_long {
        // SAFETY: the kernel calls this (installed by the glue as this
        // device's unlocked_ioctl, and from its compat_ioctl) with an open file.
        let f = unsafe { Self::file_state(file) };
        match f.ioctl(&File { raw: file, pos: None }, cmd, arg) {
            // A negative value would read as an errno: a driver bug.
            Ok(v) if v >= 0 => v as c_long,
            Ok(_) => EINVAL.to_errno().into(),
            Err(e) => e.to_errno().into(),
        }
    }

    extern "C" fn poll(file: *mut abi::File, table: *mut abi::PollTable) -> u32 {
        // SAFETY: the kernel calls this (installed by the glue as this
        // device's poll) with an open file, and its poll table (or NULL),
        // both valid until we return.
        let f = unsafe { Self::file_state(file) };
        // The position only if the driver asks (File::pos), as C reads it.
        let file = File { raw: file, pos: None };
        let m = f.poll(&file, &PollTable { file: file.raw, table, _state: PhantomData }).0;
        // The kernel's EPOLL* bits: IN and OUT with their NORM, as C drivers report them.
        m | if m & abi::POLLIN != 0 { abi::POLLRDNORM } else { 0 }
            | if m & abi::POLLOUT != 0 { abi::POLLWRNORM } else { 0 }
    }
}

impl<F: FileOperations> Trampolines<F> {
    extern "C" fn flush(state: *mut c_void, file: *mut abi::File) -> c_int {
        // SAFETY: the glue passes this file's state (flush runs before
        // release, with the file still referenced).
        let f = unsafe { Self::state(state) };
        match f.flush(&File { raw: file, pos: None }) {
            Ok(()) => 0,
            Err(e) => e.to_errno(),
        }
    }

    extern "C" fn mmap(state: *mut c_void, file: *mut abi::File, vma: *mut abi::Vma) -> c_int {
        // SAFETY: the glue passes this file's state.
        let f = unsafe { Self::state(state) };
        // The VMA of this call, lent for it only.
        let vma = Vma { raw: vma };
        // Mapped last: nothing can fail after the VMA took its reference.
        match f.mmap(&File { raw: file, pos: None }, &vma).and_then(|buf| vma.map(&buf)) {
            Ok(()) => 0,
            Err(e) => e.to_errno(),
        }
    }

    extern "C" fn fasync_queue(state: *mut c_void) -> *mut abi::Fasync {
        // SAFETY: the glue passes this file's state.
        let open = unsafe { Self::open_state(state) };
        let named = open.fasync.load(Ordering::Acquire);
        if !named.is_null() {
            return named;
        }
        let Some(q) = open.state.fasync_queue() else {
            return core::ptr::null_mut();
        };
        // The first queue named stays the file's: a later call (leaving it,
        // at the latest from __fput before release) finds the same one. The
        // queue, reached through the state, lives at least until release.
        match open.fasync.compare_exchange(
            core::ptr::null_mut(),
            q.raw.as_ptr(),
            Ordering::AcqRel,
            Ordering::Acquire,
        ) {
            Ok(_) => q.raw.as_ptr(),
            Err(first) => first,
        }
    }
}

/// A `read`/`write` result as the kernel wants it: a count above what was
/// asked for is a driver bug, reported as `EINVAL` rather than passed on.
pub(crate) fn count(r: Result<usize>, len: usize) -> c_long {
    match r {
        Ok(n) if n <= len => c_long::try_from(n).unwrap_or(EINVAL.to_errno().into()),
        Ok(_) => EINVAL.to_errno().into(),
        Err(e) => e.to_errno().into(),
    }
}

/// A registered misc device (`/dev/NAME`, dynamic minor); deregisters on drop.
///
/// ```
/// # use rkm::prelude::*;
/// # struct EchoDev;
/// # impl EchoDev { fn new() -> Result<Self> { Ok(EchoDev) } }
/// # struct EchoFile;
/// # #[rkm::vtable] impl FileOperations for EchoFile { type Device = EchoDev; fn open(_: &Arc<EchoDev>, _: &OpenFile) -> Result<Self> { Ok(EchoFile) } }
/// let dev = Arc::try_new(EchoDev::new()?)?;
/// let reg = MiscDevice::<EchoFile>::register("rust_echo", 0o666, dev)?;
/// # Ok::<(), Error>(())
/// ```
///
/// # Invariants
///
/// `handle` is a glue misc device registered with `Trampolines::<F>::OPS`
/// and `dev` as its device data; it is deregistered once (by drop, or at
/// module exit if leaked) before `dev` is freed. Its memory, which open
/// files point at, lives until module exit, when no file can be open
/// (`.owner`); no file can be opened before the module's init succeeded.
/// Process context.
pub struct MiscDevice<F: FileOperations> {
    handle: NonNull<abi::Miscdev>,
    // Boxed so its address, given to the glue for `open`, stays put.
    dev: KBox<Arc<F::Device>>,
}

// SAFETY: the handle is only used to deregister, from any thread; the device
// data is Send + Sync (FileOperations::Device's bounds).
unsafe impl<F: FileOperations> Send for MiscDevice<F> {}
// SAFETY: as above; `&MiscDevice` exposes nothing but the Arc.
unsafe impl<F: FileOperations> Sync for MiscDevice<F> {}

impl<F: FileOperations> MiscDevice<F> {
    /// Creates `/dev/NAME` with mode `mode` (use 0o600 unless others need it).
    ///
    /// `EEXIST` if a misc device of that name exists (checked before the
    /// kernel sees it); `EINVAL` for an empty name, one of 64 bytes or more,
    /// or one containing `/` or NUL, or `.` and `..`, and for a mode with
    /// more than permission bits (`0o777`).
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// # struct MyDev;
    /// # struct MyFile;
    /// # #[rkm::vtable] impl FileOperations for MyFile { type Device = MyDev; fn open(_: &Arc<MyDev>, _: &OpenFile) -> Result<Self> { Ok(MyFile) } }
    /// let reg = MiscDevice::<MyFile>::register("my_dev", 0o600, Arc::try_new(MyDev)?)?;
    /// # Ok::<(), Error>(())
    /// ```
    pub fn register(name: &str, mode: u16, dev: Arc<F::Device>) -> Result<Self> {
        let dev = KBox::try_new(dev)?;
        let ops: &'static abi::FileOps = &Trampolines::<F>::OPS;
        let mut err: c_int = 0;
        // SAFETY: name is valid for its length (copied by the glue); ops is
        // static; `dev` points into a KBox kept until after deregistration.
        let h = unsafe {
            abi::rkm_miscdev_register(
                name.as_ptr().cast(),
                name.len(),
                mode,
                ops,
                (&*dev as *const Arc<F::Device>).cast(),
                &mut err,
            )
        };
        let handle = NonNull::new(h).ok_or_else(|| Error::from_errno(err))?;
        Ok(MiscDevice { handle, dev })
    }

    /// The device data.
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// # struct Dev;
    /// # struct Open;
    /// # #[rkm::vtable] impl FileOperations for Open { type Device = Dev; fn open(_: &Arc<Dev>, _: &OpenFile) -> Result<Self> { Ok(Open) } }
    /// # fn f(reg: &MiscDevice<Open>) {
    /// let d: &Arc<Dev> = reg.device();
    /// # }
    /// ```
    pub fn device(&self) -> &Arc<F::Device> {
        &self.dev
    }
}

impl<F: FileOperations> Drop for MiscDevice<F> {
    fn drop(&mut self) {
        // SAFETY: registered by us, deregistered once; after this returns no
        // `open` can see `self.dev`, which is dropped right after.
        unsafe { abi::rkm_miscdev_deregister(self.handle.as_ptr()) };
    }
}

#[cfg(rkm_ktest)]
pub(crate) mod ktests {
    use super::*;
    use crate::ktest::{kassert, Case};

    pub(crate) const CASES: &[Case] = &[
        ("whence_round_trips", whence_round_trips),
        ("fixed_size_llseek_as_the_kernel", fixed_size_llseek_as_the_kernel),
        ("mmap_buffer_pages_and_bounds", mmap_buffer_pages_and_bounds),
        ("poll_mask_bits_are_epoll", poll_mask_bits_are_epoll),
    ];

    fn mmap_buffer_pages_and_bounds() -> Result {
        kassert!(MmapBuffer::try_new(0).err() == Some(EINVAL));
        let b = MmapBuffer::try_new(4097)?;
        kassert!(b.len() == 8192);
        let mut word = [0xa5u8; 8];
        // Zeroed, then what was written.
        b.read(8184, &mut word)?;
        kassert!(word == [0; 8]);
        b.write(8184, &[7; 8])?;
        b.read(8184, &mut word)?;
        kassert!(word == [7; 8]);
        kassert!(b.write(8185, &[0; 8]) == Err(EINVAL));
        kassert!(b.read(usize::MAX, &mut word) == Err(EINVAL));
        kassert!(b.write(8192, &[]) == Ok(()));
        Ok(())
    }

    /// The kernel's EPOLL* values (include/uapi/linux/eventpoll.h).
    fn poll_mask_bits_are_epoll() -> Result {
        kassert!(PollMask::IN.0 == 0x1 && PollMask::PRI.0 == 0x2 && PollMask::OUT.0 == 0x4);
        kassert!(PollMask::ERR.0 == 0x8 && PollMask::HUP.0 == 0x10);
        kassert!(PollMask::RDNORM.0 == 0x40 && PollMask::WRNORM.0 == 0x100);
        kassert!(PollMask::RDHUP.0 == 0x2000);
        kassert!((PollMask::IN | PollMask::HUP).contains(PollMask::HUP));
        kassert!(!PollMask::IN.contains(PollMask::IN | PollMask::OUT));
        Ok(())
    }

    fn whence_round_trips() -> Result {
        for w in [0, 1, 2, 3, 4, 5, -1, i32::MIN, i32::MAX] {
            kassert!(Whence::from_raw(w).as_raw() == w);
        }
        kassert!(Whence::from_raw(3) == Whence::Data && Whence::from_raw(4) == Whence::Hole);
        kassert!(Whence::from_raw(5) == Whence::Other(5));
        Ok(())
    }

    /// As fs/read_write.c's fixed_size_llseek() with size 4095, at pos 100.
    fn fixed_size_llseek_as_the_kernel() -> Result {
        // Never dereferenced: the position is given.
        let f = File { raw: core::ptr::null_mut(), pos: Some(100) };
        let seek = |off, w| fixed_size_llseek(&f, off, w, 4095);
        kassert!(seek(10, Whence::Set) == Ok(10));
        kassert!(seek(4095, Whence::Set) == Ok(4095));
        kassert!(seek(4096, Whence::Set) == Err(EINVAL));
        kassert!(seek(-1, Whence::Set) == Err(EINVAL));
        kassert!(seek(-100, Whence::Cur) == Ok(0));
        kassert!(seek(-101, Whence::Cur) == Err(EINVAL));
        kassert!(seek(i64::MAX, Whence::Cur) == Err(EINVAL));
        kassert!(seek(0, Whence::End) == Ok(4095));
        kassert!(seek(-4095, Whence::End) == Ok(0));
        kassert!(seek(i64::MAX, Whence::End) == Err(EINVAL));
        kassert!(seek(i64::MIN, Whence::End) == Err(EINVAL));
        for w in [Whence::Data, Whence::Hole, Whence::Other(5), Whence::Other(-1)] {
            kassert!(seek(0, w) == Err(EINVAL));
        }
        // The position query, even past the size (the kernel's must_set_pos()).
        let past = File { raw: core::ptr::null_mut(), pos: Some(5000) };
        kassert!(fixed_size_llseek(&past, 0, Whence::Cur, 4095) == Ok(5000));
        kassert!(fixed_size_llseek(&past, -1, Whence::Cur, 4095) == Err(EINVAL));
        Ok(())
    }
}

// --- sysfs attributes of a misc device (issue 16) ---

/// A sysfs attribute file of a misc device (`/sys/class/misc/NAME/ATTR`),
/// declared like a bound device's [`driver::Attr`](crate::driver::Attr) but
/// with callbacks of the device data `T`. List them in
/// [`MiscAttributes::ATTRS`] and register with
/// [`MiscDevice::register_with_attrs`].
///
/// ```
/// # use rkm::prelude::*;
/// # use rkm::driver::AttrBuf;
/// # use rkm::miscdev::{MiscAttr, MiscAttributes};
/// # use core::fmt::Write;
/// struct Ctl { level: Mutex<u32> }
/// impl MiscAttributes for Ctl {
///     const ATTRS: &'static [MiscAttr<Self>] = &[MiscAttr::rw("level", show, store)];
/// }
/// fn show(ctl: &Ctl, out: &mut AttrBuf<'_>) -> Result {
///     writeln!(out, "{}", *ctl.level.lock()).map_err(|_| EFBIG)
/// }
/// fn store(ctl: &Ctl, text: &[u8]) -> Result {
///     let s = core::str::from_utf8(text).map_err(|_| EINVAL)?;
///     *ctl.level.lock() = s.trim().parse().map_err(|_| EINVAL)?;
///     Ok(())
/// }
/// ```
pub struct MiscAttr<T> {
    name: &'static str,
    mode: u16,
    show: Option<MiscShowFn<T>>,
    store: Option<MiscStoreFn<T>>,
}

/// A misc attribute's show: writes the file's text (less than a page, see
/// [`AttrBuf`](crate::driver::AttrBuf)). Process context, may sleep.
///
/// ```
/// # use rkm::prelude::*;
/// # use rkm::{driver::AttrBuf, miscdev::MiscShowFn};
/// # use core::fmt::Write;
/// struct Ctl { level: u32 }
/// fn show(ctl: &Ctl, out: &mut AttrBuf<'_>) -> Result {
///     writeln!(out, "{}", ctl.level).map_err(|_| EFBIG)
/// }
/// const SHOW: MiscShowFn<Ctl> = show;
/// ```
pub type MiscShowFn<T> = fn(&T, &mut crate::driver::AttrBuf<'_>) -> Result;
/// A misc attribute's store: gets the written bytes (a trailing newline
/// included); an error fails the write(2) with it. Process context, may sleep.
///
/// ```
/// # use rkm::prelude::*;
/// # use rkm::miscdev::MiscStoreFn;
/// struct Ctl;
/// fn store(_ctl: &Ctl, text: &[u8]) -> Result {
///     if text.is_empty() { Err(EINVAL) } else { Ok(()) }
/// }
/// const STORE: MiscStoreFn<Ctl> = store;
/// ```
pub type MiscStoreFn<T> = fn(&T, &[u8]) -> Result;

impl<T> MiscAttr<T> {
    /// Readable by everyone (0444).
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// # use rkm::{driver::AttrBuf, miscdev::MiscAttr};
    /// # struct Ctl;
    /// # fn show(_: &Ctl, _: &mut AttrBuf<'_>) -> Result { Ok(()) }
    /// const ID: MiscAttr<Ctl> = MiscAttr::ro("id", show);
    /// ```
    pub const fn ro(name: &'static str, show: MiscShowFn<T>) -> Self {
        MiscAttr { name, mode: 0o444, show: Some(show), store: None }
    }

    /// Readable by everyone, writable by root (0644).
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// # use rkm::{driver::AttrBuf, miscdev::MiscAttr};
    /// # struct Ctl;
    /// # fn show(_: &Ctl, _: &mut AttrBuf<'_>) -> Result { Ok(()) }
    /// # fn store(_: &Ctl, _: &[u8]) -> Result { Ok(()) }
    /// const LEVEL: MiscAttr<Ctl> = MiscAttr::rw("level", show, store);
    /// ```
    pub const fn rw(name: &'static str, show: MiscShowFn<T>, store: MiscStoreFn<T>) -> Self {
        MiscAttr { name, mode: 0o644, show: Some(show), store: Some(store) }
    }

    /// Writable by root only (0200).
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// # use rkm::miscdev::MiscAttr;
    /// # struct Ctl;
    /// # fn store(_: &Ctl, _: &[u8]) -> Result { Ok(()) }
    /// const RESET: MiscAttr<Ctl> = MiscAttr::wo("reset", store);
    /// ```
    pub const fn wo(name: &'static str, store: MiscStoreFn<T>) -> Self {
        MiscAttr { name, mode: 0o200, show: None, store: Some(store) }
    }
}

/// Device data with sysfs attributes on its misc device.
///
/// ```
/// # use rkm::prelude::*;
/// # use rkm::miscdev::{MiscAttr, MiscAttributes};
/// # struct Ctl;
/// # fn store(_: &Ctl, _: &[u8]) -> Result { Ok(()) }
/// impl MiscAttributes for Ctl {
///     const ATTRS: &'static [MiscAttr<Self>] = &[MiscAttr::wo("reset", store)];
/// }
/// ```
pub trait MiscAttributes: Sized + Send + Sync + 'static {
    /// The attribute files (1 to 64; names as for a driver's attributes,
    /// and not `dev`, `uevent`, `power` or `subsystem`, which every misc
    /// device has).
    const ATTRS: &'static [MiscAttr<Self>];
}

/// The C attribute callbacks for device data `T`.
struct AttrTrampolines<T>(PhantomData<T>);

impl<T: MiscAttributes> AttrTrampolines<T> {
    const OPS: abi::MiscAttrOps =
        abi::MiscAttrOps { show: Some(Self::show), store: Some(Self::store) };

    /// # Safety
    ///
    /// `dev` is the device data pointer of a registration with these
    /// callbacks (an `Arc<T>` in the MiscDevice's box), whose files the
    /// glue removes before deregistration returns.
    unsafe fn dev<'a>(dev: *const c_void) -> &'a T {
        // SAFETY: the caller's contract.
        unsafe { &*dev.cast::<Arc<T>>() }
    }

    extern "C" fn show(
        dev: *const c_void,
        idx: core::ffi::c_uint,
        buf: *mut core::ffi::c_char,
        cap: usize,
    ) -> c_long {
        let Some(show) = T::ATTRS.get(idx as usize).and_then(|a| a.show) else {
            return EIO.to_errno().into();
        };
        // SAFETY: sysfs gives a page of `cap` bytes, ours until we return.
        let page = unsafe { core::slice::from_raw_parts_mut(buf.cast::<u8>(), cap) };
        let mut out = crate::driver::AttrBuf::page(page);
        // SAFETY: the glue calls this with its registration's device data,
        // while the attribute file exists.
        let r = show(unsafe { Self::dev(dev) }, &mut out);
        out.finish(r)
    }

    extern "C" fn store(
        dev: *const c_void,
        idx: core::ffi::c_uint,
        buf: *const core::ffi::c_char,
        len: usize,
    ) -> c_int {
        let Some(store) = T::ATTRS.get(idx as usize).and_then(|a| a.store) else {
            return EIO.to_errno();
        };
        // SAFETY: sysfs gives the written bytes, valid until we return.
        let text = unsafe { core::slice::from_raw_parts(buf.cast::<u8>(), len) };
        // SAFETY: as in show.
        match store(unsafe { Self::dev(dev) }, text) {
            Ok(()) => 0,
            Err(e) => e.to_errno(),
        }
    }
}

impl<F: FileOperations> MiscDevice<F>
where
    F::Device: MiscAttributes,
{
    /// [`register`](MiscDevice::register), with the device data's
    /// [`MiscAttributes::ATTRS`] as sysfs files of the device, created
    /// with it and removed (no callback running) before drop returns.
    /// `EINVAL` also for a bad attribute table.
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// # use rkm::miscdev::{MiscAttr, MiscAttributes};
    /// # struct Ctl;
    /// # fn store(_: &Ctl, _: &[u8]) -> Result { Ok(()) }
    /// # impl MiscAttributes for Ctl { const ATTRS: &'static [MiscAttr<Self>] = &[MiscAttr::wo("reset", store)]; }
    /// # struct Open;
    /// # #[rkm::vtable] impl FileOperations for Open { type Device = Ctl; fn open(_: &Arc<Ctl>, _file: &OpenFile) -> Result<Self> { Ok(Open) } }
    /// let reg = MiscDevice::<Open>::register_with_attrs("my_ctl", 0o600, Arc::try_new(Ctl)?)?;
    /// # Ok::<(), Error>(())
    /// ```
    pub fn register_with_attrs(name: &str, mode: u16, dev: Arc<F::Device>) -> Result<Self> {
        let mut attrs: crate::alloc::KVec<abi::Attr> = crate::alloc::KVec::new();
        for a in F::Device::ATTRS {
            attrs.try_push(abi::Attr {
                name: a.name.as_ptr().cast(),
                name_len: a.name.len(),
                mode: a.mode,
            })?;
        }
        let dev = KBox::try_new(dev)?;
        let ops: &'static abi::FileOps = &Trampolines::<F>::OPS;
        let attr_ops: &'static abi::MiscAttrOps = &AttrTrampolines::<F::Device>::OPS;
        let mut err: c_int = 0;
        // SAFETY: name and attributes are valid for their lengths (copied by
        // the glue); both op tables are static; `dev` points into a KBox
        // kept until after deregistration, which removes the attribute
        // files first.
        let h = unsafe {
            abi::rkm_miscdev_register_attrs(
                name.as_ptr().cast(),
                name.len(),
                mode,
                ops,
                (&*dev as *const Arc<F::Device>).cast(),
                attrs.as_ptr(),
                attrs.len(),
                attr_ops,
                &mut err,
            )
        };
        let handle = NonNull::new(h).ok_or_else(|| Error::from_errno(err))?;
        Ok(MiscDevice { handle, dev })
    }
}
