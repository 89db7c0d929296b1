// SPDX-License-Identifier: GPL-2.0
//! debugfs: a directory of files showing (and setting) the driver's data.
//!
//! A [`Dir`] holds an [`Arc<T>`] of the data its files read, and every file
//! is a pair of plain functions of `&T`: a number ([`Dir::u64`], for
//! integers and atomic counters alike) or read/write callbacks on the user
//! buffer ([`Dir::file`]). Dropping the `Dir` removes the directory and
//! waits for the callers inside its files before the `Arc` is released.
//!
//! ```
//! use core::sync::atomic::{AtomicU64, Ordering};
//! use rkm::{debugfs::Dir, sync::Arc};
//! struct Stats { ticks: AtomicU64, limit: u32 }
//! # fn f() -> rkm::Result {
//! let stats = Arc::try_new(Stats { ticks: AtomicU64::new(0), limit: 7 })?;
//! let mut dir = Dir::new("my_driver", stats.clone())?;
//! dir.u64("ticks", |s| s.ticks.load(Ordering::Relaxed))?;
//! dir.u64("limit", |s| u64::from(s.limit))?;
//! # Ok(()) }
//! ```
//!
//! Without debugfs (a kernel built without it, or booted with `debugfs=off`)
//! [`Dir::new`] fails with `ENODEV` or `EPERM`: a driver for which debugfs
//! is optional keeps going (`Dir::new(..).ok()`).
//!
//! # Invariants
//!
//! Each file's record (callbacks and a pointer to the `T` of the `Arc`) is
//! in kernel memory owned by the `Dir` and freed after the directory is
//! removed. debugfs calls the callbacks through its proxy, which counts the
//! callers inside each file: `debugfs_remove` waits for them, and calls on
//! files still open afterwards fail with `EIO` without reaching the
//! callbacks (6.1 and 6.12). An open file holds a reference to the module,
//! so unloading waits for it (`rmmod` fails with `EWOULDBLOCK`/`EBUSY`);
//! a leaked `Dir` is removed at module exit. Callbacks run in process
//! context (the reading task) and may sleep. Everything here sleeps:
//! process context only.

use crate::abi;
use crate::alloc::{KBox, KVec};
use crate::error::{code::*, Error, Result};
use crate::sync::Arc;
use crate::user::{UserSlice, UserSliceReader, UserSliceWriter};
use core::ffi::{c_int, c_long};
use core::fmt::Write;

/// A read callback: copies to `out` from position `*pos`, advances it,
/// returns the count (0 at the end).
///
/// ```
/// # use rkm::prelude::*;
/// fn show(_: &u32, out: &mut UserSliceWriter, pos: &mut i64) -> Result<usize> {
///     rkm::debugfs::read_from_buffer(out, pos, b"ok\n")
/// }
/// let f: rkm::debugfs::ReadFn<u32> = show;
/// ```
pub type ReadFn<T> = fn(&T, &mut UserSliceWriter, &mut i64) -> Result<usize>;
/// A write callback: consumes `input` at position `*pos`, advances it,
/// returns the count taken.
///
/// ```
/// # use rkm::prelude::*;
/// fn take(_: &u32, input: &mut UserSliceReader, _pos: &mut i64) -> Result<usize> {
///     Ok(input.len())
/// }
/// let f: rkm::debugfs::WriteFn<u32> = take;
/// ```
pub type WriteFn<T> = fn(&T, &mut UserSliceReader, &mut i64) -> Result<usize>;

enum Kind<T> {
    Value(fn(&T) -> u64),
    Rw(ReadFn<T>, Option<WriteFn<T>>),
}

#[repr(C)]
struct Entry<T> {
    head: abi::DebugfsEntry,
    data: *const T,
    kind: Kind<T>,
}

/// A debugfs directory at the debugfs root, with files reading `T`.
///
/// ```
/// # use rkm::prelude::*;
/// # fn f() -> Result {
/// let dir = rkm::debugfs::Dir::new("mine", Arc::try_new(0u64)?)?;
/// # Ok(()) }
/// ```
///
/// # Invariants
///
/// `raw` is a glue directory; every file in it points to a record of
/// `entries` (boxed: they never move), whose `data` is the `T` of `data`;
/// all stay alive until `drop` has removed the directory.
pub struct Dir<T: Send + Sync + 'static> {
    raw: core::ptr::NonNull<abi::DebugfsDir>,
    data: Arc<T>,
    entries: KVec<KBox<Entry<T>>>,
}

// SAFETY: the callbacks use `&T` from reading tasks (T: Sync); the Arc is
// dropped by the owner (Arc<T>: Send needs T: Send + Sync).
unsafe impl<T: Send + Sync + 'static> Send for Dir<T> {}
// SAFETY: `&Dir` gives only `&T`.
unsafe impl<T: Send + Sync + 'static> Sync for Dir<T> {}

struct Tramp<T>(core::marker::PhantomData<T>);

impl<T: Send + Sync + 'static> Tramp<T> {
    const RO: abi::DebugfsOps = abi::DebugfsOps { read: Some(Self::read), write: None };
    const RW: abi::DebugfsOps =
        abi::DebugfsOps { read: Some(Self::read), write: Some(Self::write) };

    /// # Safety
    ///
    /// `e` is the head of a live `Entry<T>` (the glue passes the file's).
    unsafe fn entry<'a>(e: *mut abi::DebugfsEntry) -> &'a Entry<T> {
        // SAFETY: the caller's contract; the head is the first field.
        unsafe { &*e.cast::<Entry<T>>() }
    }

    extern "C" fn read(e: *mut abi::DebugfsEntry, buf: usize, len: usize, pos: *mut i64) -> c_long {
        // SAFETY: debugfs calls this only on a file not yet removed, whose
        // record lives until the removal has waited for this call.
        let e = unsafe { Self::entry(e) };
        // SAFETY: the record's `data` is the T of the Dir's Arc (as above).
        let data = unsafe { &*e.data };
        // SAFETY: the glue passes its own position for this call.
        let pos = unsafe { &mut *pos };
        let mut out = UserSlice::new(buf, len).writer();
        let r = match &e.kind {
            Kind::Value(get) => {
                let mut text = Text::new();
                let _ = writeln!(text, "{}", get(data));
                read_from_buffer(&mut out, pos, text.as_bytes())
            }
            Kind::Rw(read, _) => read(data, &mut out, pos),
        };
        crate::miscdev::count(r, len)
    }

    extern "C" fn write(
        e: *mut abi::DebugfsEntry,
        buf: usize,
        len: usize,
        pos: *mut i64,
    ) -> c_long {
        // SAFETY: as in `read`.
        let e = unsafe { Self::entry(e) };
        // SAFETY: as in `read`.
        let data = unsafe { &*e.data };
        // SAFETY: as in `read`.
        let pos = unsafe { &mut *pos };
        let mut input = UserSlice::new(buf, len).reader();
        let r = match &e.kind {
            Kind::Rw(_, Some(write)) => write(data, &mut input, pos),
            _ => Err(EINVAL),
        };
        crate::miscdev::count(r, len)
    }
}

/// A small formatting buffer (a number and a newline).
struct Text {
    buf: [u8; 32],
    len: usize,
}

impl Text {
    fn new() -> Self {
        Text { buf: [0; 32], len: 0 }
    }
    fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

impl Write for Text {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        let end = self.len.checked_add(s.len()).ok_or(core::fmt::Error)?;
        let dst = self.buf.get_mut(self.len..end).ok_or(core::fmt::Error)?;
        dst.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }

    fn write_char(&mut self, c: char) -> core::fmt::Result {
        self.write_str(crate::print::encode_char(c, &mut [0; 4]))
    }
}

/// `simple_read_from_buffer`: copies `content` from `*pos` to `out`,
/// advances `*pos`; 0 at or past the end, `EINVAL` for a negative position,
/// `EFAULT` if nothing could be copied.
///
/// ```
/// # use rkm::prelude::*;
/// # fn f(out: &mut UserSliceWriter, pos: &mut i64) -> Result<usize> {
/// rkm::debugfs::read_from_buffer(out, pos, b"idle\n")
/// # }
/// ```
pub fn read_from_buffer(out: &mut UserSliceWriter, pos: &mut i64, content: &[u8]) -> Result<usize> {
    let start = usize::try_from(*pos).map_err(|_| EINVAL)?;
    let Some(rest) = content.get(start..) else {
        return Ok(0);
    };
    let n = out.write_partial(rest)?;
    *pos += n as i64;
    Ok(n)
}

fn check_mode(mode: u16) -> Result {
    if mode & !0o666 != 0 {
        return Err(EINVAL);
    }
    Ok(())
}

impl<T: Send + Sync + 'static> Dir<T> {
    /// Creates directory `name` at the debugfs root for files reading
    /// `data`. `EINVAL` for an empty name, one longer than 64 bytes or with
    /// a `/`; `EEXIST`; `ENODEV` or `EPERM` without debugfs.
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// # use rkm::debugfs::Dir;
    /// assert_eq!(Dir::new("a/b", Arc::try_new(0u32)?).err(), Some(EINVAL));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn new(name: &str, data: Arc<T>) -> Result<Self> {
        if name.len() > abi::NAME_MAX {
            return Err(EINVAL);
        }
        let mut err: c_int = 0;
        // SAFETY: name is valid for its length (copied).
        let raw = unsafe { abi::rkm_debugfs_dir_new(name.as_ptr().cast(), name.len(), &mut err) };
        let raw = core::ptr::NonNull::new(raw).ok_or_else(|| Error::from_kernel(err))?;
        Ok(Dir { raw, data, entries: KVec::new() })
    }

    /// The data the files read.
    ///
    /// ```
    /// # fn f(dir: &rkm::debugfs::Dir<u64>) -> u64 { **dir.data() }
    /// ```
    pub fn data(&self) -> &Arc<T> {
        &self.data
    }

    fn add(&mut self, name: &str, mode: u16, kind: Kind<T>) -> Result {
        check_mode(mode)?;
        let ops: &'static abi::DebugfsOps = match &kind {
            Kind::Rw(_, Some(_)) => &Tramp::<T>::RW,
            _ => &Tramp::<T>::RO,
        };
        self.entries.try_reserve(1)?;
        let mut entry =
            KBox::try_new(Entry { head: abi::DebugfsEntry { ops }, data: &*self.data, kind })?;
        let p: *mut Entry<T> = &mut *entry;
        // SAFETY: the directory is live; name valid for its length
        // (copied); the record is boxed and kept (below) until after the
        // directory's removal, its data pointer is the Arc's T.
        let r = unsafe {
            abi::rkm_debugfs_file_new(
                self.raw.as_ptr(),
                name.as_ptr().cast(),
                name.len(),
                mode,
                p.cast(),
            )
        };
        if r < 0 {
            return Err(Error::from_kernel(r));
        }
        // Reserved above: cannot fail, and the record stays alive.
        self.entries.try_push(entry)
    }

    /// A read-only file (mode 0444) showing `get(&data)` in decimal and a
    /// newline. `EINVAL` for a bad name, `EEXIST`, `ENOMEM`.
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// # use core::sync::atomic::{AtomicU32, Ordering};
    /// # fn f(dir: &mut rkm::debugfs::Dir<AtomicU32>) -> Result {
    /// dir.u64("count", |c| u64::from(c.load(Ordering::Relaxed)))?;
    /// # Ok(()) }
    /// ```
    pub fn u64(&mut self, name: &str, get: fn(&T) -> u64) -> Result {
        self.add(name, 0o444, Kind::Value(get))
    }

    /// A file with its own callbacks: `read` required, `write` optional
    /// (write bits in `mode` need it). `mode` at most 0666, else `EINVAL`.
    ///
    /// ```
    /// # use rkm::prelude::*;
    /// # use core::sync::atomic::{AtomicU32, Ordering};
    /// fn show(c: &AtomicU32, out: &mut UserSliceWriter, pos: &mut i64) -> Result<usize> {
    ///     rkm::debugfs::read_from_buffer(out, pos, if c.load(Ordering::Relaxed) > 0 { b"on\n" } else { b"off\n" })
    /// }
    /// fn set(c: &AtomicU32, input: &mut UserSliceReader, _pos: &mut i64) -> Result<usize> {
    ///     let n = input.len();
    ///     c.store(1, Ordering::Relaxed);
    ///     Ok(n)
    /// }
    /// # fn f(dir: &mut rkm::debugfs::Dir<AtomicU32>) -> Result {
    /// dir.file("state", 0o644, show, Some(set))?;
    /// # Ok(()) }
    /// ```
    pub fn file(
        &mut self,
        name: &str,
        mode: u16,
        read: ReadFn<T>,
        write: Option<WriteFn<T>>,
    ) -> Result {
        if write.is_none() && mode & 0o222 != 0 {
            return Err(EINVAL);
        }
        self.add(name, mode, Kind::Rw(read, write))
    }
}

impl<T: Send + Sync + 'static> Drop for Dir<T> {
    fn drop(&mut self) {
        // SAFETY: ours (type invariant); waits for the callers inside its
        // files, after which no callback reaches the records.
        unsafe { abi::rkm_debugfs_dir_remove(self.raw.as_ptr()) };
        // Then `entries` and `data` are dropped (field drop order).
    }
}

#[cfg(rkm_ktest)]
pub(crate) mod ktests {
    use super::*;
    use crate::ktest::{kassert, Case};
    use core::sync::atomic::{AtomicU64, Ordering};

    pub(crate) const CASES: &[Case] = &[("files_and_refusals", files_and_refusals)];

    fn show(_: &AtomicU64, out: &mut UserSliceWriter, pos: &mut i64) -> Result<usize> {
        read_from_buffer(out, pos, b"x\n")
    }

    fn store(_: &AtomicU64, input: &mut UserSliceReader, _pos: &mut i64) -> Result<usize> {
        Ok(input.len())
    }

    fn files_and_refusals() -> Result {
        let data = Arc::try_new(AtomicU64::new(3))?;
        let mut dir = match Dir::new("rkm_ktest_debugfs", data.clone()) {
            // No debugfs in this kernel: nothing more to test.
            Err(e) if e == ENODEV || e == EPERM => return Ok(()),
            r => r?,
        };
        kassert!(Dir::new("rkm_ktest_debugfs", data.clone()).err() == Some(EEXIST));
        kassert!(Dir::new("a/b", data.clone()).err() == Some(EINVAL));
        kassert!(Dir::new("", data.clone()).err() == Some(EINVAL));
        kassert!(Dir::new("..", data.clone()).err() == Some(EINVAL));
        dir.u64("value", |d| d.load(Ordering::Relaxed))?;
        kassert!(dir.u64("value", |d| d.load(Ordering::Relaxed)).err() == Some(EEXIST));
        kassert!(dir.u64("x/y", |d| d.load(Ordering::Relaxed)).err() == Some(EINVAL));
        dir.file("rw", 0o600, show, Some(store))?;
        dir.file("ro", 0o400, show, None)?;
        kassert!(dir.file("ro2", 0o644, show, None).err() == Some(EINVAL));
        kassert!(dir.file("exec", 0o755, show, Some(store)).err() == Some(EINVAL));
        kassert!(Arc::count(&data) == 2);
        drop(dir);
        kassert!(Arc::count(&data) == 1);
        // The name is free again.
        let dir = Dir::new("rkm_ktest_debugfs", data.clone())?;
        drop(dir);
        Ok(())
    }
}
