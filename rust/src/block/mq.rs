// SPDX-License-Identifier: GPL-2.0
//! blk-mq: a disk with its own tag set, and the requests it gets.
//!
//! # Soundness
//!
//! - A [`Request`] is the only handle to a started `struct request`: the
//!   glue starts it and hands it to Rust in `queue_rq`, and from then on
//!   only the `Request` value can end it. It is neither `Clone` nor `Copy`;
//!   [`Request::end`] and [`Request::complete`] take it by value, and its
//!   `Drop` ends it with [`Status::IoError`] — so it is ended exactly once
//!   and never used after (a second end or any use after it is a use of a
//!   moved value, refused by the compiler). `mem::forget` on it leaks the
//!   request: the disk's removal then waits for it forever — a hang, not
//!   memory unsafety.
//! - The `struct request` stays valid until it is ended: the block layer
//!   frees or reuses it only after `blk_mq_end_request`. Ending is allowed
//!   in any context, so a `Request` is `Send`, [`IrqSafe`] and [`IrqDrop`]:
//!   it may be moved to a timer, a work item or another CPU.
//! - Data is reached only by copying ([`Request::copy_from`],
//!   [`Request::copy_to`]): no Rust reference to request memory (user pages
//!   under `O_DIRECT`, which another thread may be writing) ever exists.
//!   Writing into it takes `&mut Request`.
//! - A [`Disk`] owns its queue data; `queue_rq` gets `&QueueData` only
//!   between `add` and removal. Dropping the disk removes it
//!   (`del_gendisk`, which freezes the queue and waits for every request
//!   in flight to end) before the data is dropped, so no request or
//!   callback can see freed data. The queue data must not itself own
//!   requests that only its drop would end (a deadlock, as above).
//! - `queue_rq` runs in atomic context unless [`DiskOptions::blocking`]:
//!   the queue data must be [`IrqSafe`] (no `Mutex`, no `KBox` methods that
//!   allocate with `GFP_KERNEL`), checked at compile time whatever the mode.
//!   Allocation on the I/O path goes through [`QueueContext`], lent to
//!   `queue_rq` only: [`PageStore`](super::PageStore) allocates with
//!   `GFP_NOIO` when the disk is blocking, `GFP_NOWAIT` otherwise.
//! - Opening the disk is refused (`ENXIO`) until the module's init has
//!   succeeded (a failed init frees the module whatever is open); the
//!   block device's `.owner` is the module, so `rmmod` is refused while it
//!   is open. Disks a driver leaks are removed at module exit.

use super::Status;
use crate::abi;
use crate::alloc::{KBox, KString};
use crate::error::{code::*, to_result, Error, Result};
use crate::irq::{IrqDrop, IrqSafe};
use core::ffi::{c_int, c_void};
use core::fmt;
use core::marker::PhantomData;
use core::mem::ManuallyDrop;
use core::ptr::NonNull;

/// The deepest tag set (`BLK_MQ_MAX_DEPTH`).
pub const MAX_DEPTH: u32 = abi::BLK_MAX_DEPTH;

/// The longest disk name, in bytes (`DISK_NAME_LEN` - 1).
pub const MAX_NAME: usize = abi::BLK_NAME_MAX;

/// What a request asks for.
///
/// ```
/// # use rkm::block::mq::{Op, Request};
/// fn is_data(rq: &Request) -> bool {
///     matches!(rq.op(), Op::Read | Op::Write)
/// }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// Read [`Request::bytes`] bytes at [`Request::sector`] into the request.
    Read,
    /// Write the request's data at its sector.
    Write,
    /// Make written data durable (only with [`DiskOptions::write_cache`]).
    Flush,
    /// The range's contents may be dropped (only with
    /// [`DiskOptions::max_discard_sectors`]).
    Discard,
    /// The range reads as zeroes (only with
    /// [`DiskOptions::max_write_zeroes_sectors`]); no data.
    WriteZeroes,
}

/// A started request, owned by the driver until it ends it.
///
/// ```
/// # use rkm::prelude::*;
/// use rkm::block::{mq::{Op, Request}, Status};
/// fn serve(mut rq: Request) {
///     let st = match rq.op() {
///         Op::Read => {
///             let zeroes = [0u8; 512];
///             let mut off = 0;
///             let mut st = Status::Ok;
///             while off < rq.bytes() {
///                 let n = zeroes.len().min(rq.bytes() - off);
///                 if rq.copy_to(off, &zeroes[..n]).is_err() {
///                     st = Status::IoError;
///                     break;
///                 }
///                 off += n;
///             }
///             st
///         }
///         _ => Status::Ok,
///     };
///     rq.end(st); // consumed: cannot be ended again
/// }
/// ```
///
/// # Invariants
///
/// `ptr` is a started request of a disk added by [`Disk::add`], not yet
/// ended; this value is its only handle and ends it once (`end`,
/// `complete` or drop). `op`, `sector`, `bytes` and `fua` are its.
pub struct Request {
    ptr: NonNull<abi::BlkRequest>,
    op: Op,
    fua: bool,
    sector: u64,
    bytes: u32,
    tag: u32,
}

// SAFETY: a request may be ended, and its data copied, from any CPU.
unsafe impl Send for Request {}
// SAFETY: `&Request` only reads its fields and copies out of its data
// (writing into it takes `&mut`).
unsafe impl Sync for Request {}
// SAFETY: copying (kmap_local, memcpy) and ending (blk_mq_end_request,
// blk_mq_complete_request) are allowed in hard interrupt context.
unsafe impl IrqSafe for Request {}
// SAFETY: dropping ends it (blk_mq_end_request), allowed in any context.
unsafe impl IrqDrop for Request {}

impl Request {
    /// The operation.
    ///
    /// ```
    /// # fn f(rq: &rkm::block::mq::Request) {
    /// let write = rq.op() == rkm::block::mq::Op::Write;
    /// # let _ = write; }
    /// ```
    pub fn op(&self) -> Op {
        self.op
    }

    /// The first 512-byte sector.
    ///
    /// ```
    /// # fn f(rq: &rkm::block::mq::Request) {
    /// let byte_pos = rq.sector() * 512;
    /// # let _ = byte_pos; }
    /// ```
    pub fn sector(&self) -> u64 {
        self.sector
    }

    /// The length in bytes (of the data for reads and writes, of the range
    /// for discard and write-zeroes; 0 for a flush).
    ///
    /// ```
    /// # fn f(rq: &rkm::block::mq::Request) {
    /// let sectors = rq.bytes() / 512;
    /// # let _ = sectors; }
    /// ```
    pub fn bytes(&self) -> usize {
        self.bytes as usize
    }

    /// A number no other request of the disk in flight has, below
    /// ([`DiskOptions::nr_hw_queues`] + [`DiskOptions::poll_queues`]) ×
    /// [`DiskOptions::queue_depth`]: an
    /// index into per-request state the driver allocated up front (as
    /// `null_blk`'s per-tag timers). A request that has ended gives its
    /// number to a later one.
    ///
    /// ```
    /// # fn f(rq: &rkm::block::mq::Request, slots: &[u8]) -> Option<u8> {
    /// slots.get(rq.tag() as usize).copied()
    /// # }
    /// ```
    pub fn tag(&self) -> u32 {
        self.tag
    }

    /// Whether the write must be durable when it ends (`REQ_FUA`).
    ///
    /// ```
    /// # fn f(rq: &rkm::block::mq::Request) {
    /// let fua = rq.is_fua();
    /// # let _ = fua; }
    /// ```
    pub fn is_fua(&self) -> bool {
        self.fua
    }

    /// Copies a write request's data at byte `offset` into `dst`. `EINVAL`
    /// if the request is not a [`Op::Write`] (a read's pages hold nothing
    /// yet: old kernel memory) or the range is not within
    /// [`bytes`](Self::bytes). Any context.
    ///
    /// ```
    /// # fn f(rq: &rkm::block::mq::Request) -> rkm::Result {
    /// let mut head = [0u8; 16];
    /// rq.copy_from(0, &mut head)?;
    /// # Ok(()) }
    /// ```
    pub fn copy_from(&self, offset: usize, dst: &mut [u8]) -> Result {
        if self.op != Op::Write {
            return Err(EINVAL);
        }
        // SAFETY: a started request (type invariant); `dst` is valid for
        // `dst.len()` bytes of writes; the glue checks the range.
        let r = unsafe {
            abi::rkm_blk_rq_copy(
                self.ptr.as_ptr(),
                offset as u64,
                dst.as_mut_ptr().cast(),
                dst.len(),
                0,
            )
        };
        to_result(r)
    }

    /// Copies `src` into a read request's data at byte `offset`. `EINVAL`
    /// if the request is not a [`Op::Read`] (a write's pages may be shared:
    /// the zero page of a zero-out, page cache being written back) or the
    /// range is not within [`bytes`](Self::bytes). Any context.
    ///
    /// ```
    /// # fn f(rq: &mut rkm::block::mq::Request) -> rkm::Result {
    /// rq.copy_to(0, b"hello")?;
    /// # Ok(()) }
    /// ```
    pub fn copy_to(&mut self, offset: usize, src: &[u8]) -> Result {
        if self.op != Op::Read {
            return Err(EINVAL);
        }
        // SAFETY: as in `copy_from`; the glue only reads `src` (the
        // pointer is mut for the shared copy function).
        let r = unsafe {
            abi::rkm_blk_rq_copy(
                self.ptr.as_ptr(),
                offset as u64,
                src.as_ptr().cast_mut().cast(),
                src.len(),
                1,
            )
        };
        to_result(r)
    }

    pub(crate) fn raw(&self) -> *mut abi::BlkRequest {
        self.ptr.as_ptr()
    }

    /// Ends the request now, in the caller's context
    /// (`blk_mq_end_request`). Any context.
    ///
    /// ```
    /// # fn f(rq: rkm::block::mq::Request) {
    /// rq.end(rkm::block::Status::Ok);
    /// # }
    /// ```
    pub fn end(self, status: Status) {
        let this = ManuallyDrop::new(self);
        // SAFETY: started, not ended (type invariant); `this` is not
        // dropped, so this is its only end.
        unsafe { abi::rkm_blk_rq_end(this.ptr.as_ptr(), status.errno()) };
    }

    /// Ends the request through the block layer's completion: in softirq
    /// context on the CPU that submitted it (`blk_mq_complete_request`),
    /// as a device interrupt would. Any context.
    ///
    /// ```
    /// # fn f(rq: rkm::block::mq::Request) {
    /// rq.complete(rkm::block::Status::Ok);
    /// # }
    /// ```
    pub fn complete(self, status: Status) {
        let this = ManuallyDrop::new(self);
        // SAFETY: as in `end`.
        unsafe { abi::rkm_blk_rq_complete(this.ptr.as_ptr(), status.errno()) };
    }
}

impl Drop for Request {
    /// Ends a request the driver did not end with [`Status::IoError`].
    fn drop(&mut self) {
        // SAFETY: started, not ended (the consuming methods skip drop).
        unsafe { abi::rkm_blk_rq_end(self.ptr.as_ptr(), Status::IoError.errno()) };
    }
}

/// What `queue_rq` may do here, lent for the call only.
///
/// ```
/// # fn f(ctx: &rkm::block::mq::QueueContext<'_>) {
/// let may_sleep = ctx.may_sleep();
/// # let _ = may_sleep; }
/// ```
///
/// # Invariants
///
/// `may_sleep` is true only if this `queue_rq` may sleep (a blocking disk).
pub struct QueueContext<'a> {
    may_sleep: bool,
    _call: PhantomData<&'a ()>,
}

impl QueueContext<'_> {
    /// Whether this `queue_rq` may sleep ([`DiskOptions::blocking`]).
    ///
    /// ```
    /// # fn f(ctx: &rkm::block::mq::QueueContext<'_>) {
    /// if ctx.may_sleep() { /* a blocking disk */ }
    /// # }
    /// ```
    pub fn may_sleep(&self) -> bool {
        self.may_sleep
    }
}

/// A disk's request handling.
///
/// `queue_rq` runs in atomic context (unless [`DiskOptions::blocking`]),
/// possibly on several CPUs at once (one per hardware queue): the queue
/// data is shared and must be [`IrqSafe`].
///
/// ```
/// use core::sync::atomic::{AtomicU64, Ordering};
/// use rkm::block::{mq, Status};
/// rkm::irq_safe! { struct Counted { ios: AtomicU64 } }
/// struct Ops;
/// impl mq::Operations for Ops {
///     type QueueData = Counted;
///     fn queue_rq(data: &Counted, rq: mq::Request, _: &mq::QueueContext<'_>) {
///         data.ios.fetch_add(1, Ordering::Relaxed);
///         rq.complete(Status::Ok);
///     }
/// }
/// ```
pub trait Operations: Sized + 'static {
    /// What every `queue_rq` of the disk sees.
    type QueueData: IrqSafe + Send + Sync;

    /// Handles a started request, which it owns: end it now, or move it
    /// where it will be ended.
    fn queue_rq(data: &Self::QueueData, rq: Request, ctx: &QueueContext<'_>);
}

/// A disk's geometry, limits and tag set.
///
/// ```
/// let opts = rkm::block::mq::DiskOptions {
///     capacity_sectors: 250 << 21, // 250 GiB
///     logical_block_size: 4096,
///     physical_block_size: 4096,
///     nr_hw_queues: 2,
///     queue_depth: 128,
///     ..Default::default()
/// };
/// # let _ = opts;
/// ```
#[derive(Clone, Copy, Debug)]
pub struct DiskOptions {
    /// Size in 512-byte sectors, at most `i64::MAX >> 9` (byte positions
    /// fit a `loff_t`; more is `EINVAL`).
    pub capacity_sectors: u64,
    /// Logical block size: a power of two, 512 to 4096 (`PAGE_SIZE`).
    pub logical_block_size: u32,
    /// Physical block size: a power of two, at least the logical one, up
    /// to 4096.
    pub physical_block_size: u32,
    /// A rotating disk (`queue/rotational`).
    pub rotational: bool,
    /// Largest discard, in sectors (0: no discard).
    pub max_discard_sectors: u32,
    /// Largest write-zeroes, in sectors (0: none; the block layer then
    /// writes zeroes itself).
    pub max_write_zeroes_sectors: u32,
    /// A volatile write cache: flushes and FUA reach `queue_rq`.
    pub write_cache: bool,
    /// Hardware queues (1 up to the CPUs; more are clamped).
    pub nr_hw_queues: u32,
    /// Requests in flight per hardware queue (1 to [`MAX_DEPTH`]).
    pub queue_depth: u32,
    /// `queue_rq` may sleep (`BLK_MQ_F_BLOCKING`).
    pub blocking: bool,
    /// Hardware queues for polled I/O (io_uring `IOPOLL`, `RWF_HIPRI`),
    /// after the others (0 to the CPUs; more are clamped). Their requests
    /// reach `queue_rq` like any other; the poll finds them ended.
    pub poll_queues: u32,
}

impl Default for DiskOptions {
    fn default() -> Self {
        DiskOptions {
            capacity_sectors: 0,
            logical_block_size: 512,
            physical_block_size: 512,
            rotational: false,
            max_discard_sectors: 0,
            max_write_zeroes_sectors: 0,
            write_cache: false,
            nr_hw_queues: 1,
            queue_depth: 64,
            blocking: false,
            poll_queues: 0,
        }
    }
}

struct Trampolines<T>(PhantomData<T>);

impl<T: Operations> Trampolines<T> {
    const OPS: abi::BlkOps = abi::BlkOps { queue_rq: Some(Self::queue_rq) };

    extern "C" fn queue_rq(
        data: *const c_void,
        rq: *mut abi::BlkRequest,
        info: *const abi::BlkRqInfo,
        may_sleep: c_int,
    ) {
        // SAFETY: the glue passes the disk's boxed queue data, live until the
        // disk is removed (after every queue_rq), and this call's info.
        let (data, info) = unsafe { (&*data.cast::<T::QueueData>(), &*info) };
        let op = match info.op {
            abi::BLK_OP_READ => Op::Read,
            abi::BLK_OP_WRITE => Op::Write,
            abi::BLK_OP_FLUSH => Op::Flush,
            abi::BLK_OP_DISCARD => Op::Discard,
            abi::BLK_OP_WRITE_ZEROES => Op::WriteZeroes,
            // The glue refuses other operations; one it would not is still
            // refused, and ended (by the drop below).
            _ => Op::Flush,
        };
        // INVARIANT: the glue started the request and hands it over once.
        let rq = Request {
            ptr: NonNull::new(rq).expect("queue_rq without a request"),
            op,
            fua: info.flags & abi::BLK_RQ_FUA != 0,
            sector: info.sector,
            bytes: info.bytes,
            tag: info.tag,
        };
        // INVARIANT: the glue says whether this call may sleep.
        let ctx = QueueContext { may_sleep: may_sleep != 0, _call: PhantomData };
        if info.op > abi::BLK_OP_WRITE_ZEROES {
            rq.end(Status::NotSupported);
            return;
        }
        T::queue_rq(data, rq, &ctx);
    }
}

/// An added disk (`/dev/NAME`); dropping it removes it, waiting for the
/// requests in flight, then drops the queue data.
///
/// ```
/// # use rkm::block::{mq, Status};
/// # struct Null;
/// # impl mq::Operations for Null {
/// #     type QueueData = ();
/// #     fn queue_rq(_: &(), rq: mq::Request, _: &mq::QueueContext<'_>) { rq.end(Status::Ok) }
/// # }
/// # fn f() -> rkm::Result {
/// let opts = mq::DiskOptions { capacity_sectors: 2048, ..Default::default() };
/// let disk = mq::Disk::<Null>::add(format_args!("mydisk"), &opts, ())?;
/// let data: &() = disk.data();
/// # let _ = data; Ok(()) }
/// ```
///
/// # Invariants
///
/// `handle` is a glue disk added with `*data` and `Trampolines::<T>::OPS`,
/// removed once, by drop, before `data` is freed. Process context.
pub struct Disk<T: Operations> {
    handle: NonNull<abi::BlkDisk>,
    data: KBox<T::QueueData>,
}

// SAFETY: the handle is only used to remove the disk; the data is Send.
unsafe impl<T: Operations> Send for Disk<T> {}
// SAFETY: `&Disk` only gives `&QueueData` (Sync).
unsafe impl<T: Operations> Sync for Disk<T> {}

impl<T: Operations> Disk<T> {
    /// Its hardware queues for normal (not polled) I/O:
    /// [`DiskOptions::nr_hw_queues`], at most the number of CPUs.
    ///
    /// ```
    /// # fn f<T: rkm::block::mq::Operations>(d: &rkm::block::mq::Disk<T>) -> u32 {
    /// d.nr_hw_queues()
    /// # }
    /// ```
    pub fn nr_hw_queues(&self) -> u32 {
        // SAFETY: an added disk (type invariant).
        unsafe { abi::rkm_blk_disk_queues(self.handle.as_ptr()) }
    }

    /// Adds a disk named `name` (1 to 31 bytes, no `/`; formatted, as
    /// `format_args!("rust_nullb{}", i)`). `EINVAL`: a bad name or option;
    /// `EEXIST`: this module has a disk of that name; `ENOMEM`. Requests may
    /// arrive before it returns. Process context.
    ///
    /// ```
    /// # use rkm::block::{mq, Status};
    /// # struct Null;
    /// # impl mq::Operations for Null {
    /// #     type QueueData = ();
    /// #     fn queue_rq(_: &(), rq: mq::Request, _: &mq::QueueContext<'_>) { rq.end(Status::Ok) }
    /// # }
    /// # fn f(i: u32) -> rkm::Result {
    /// let opts = mq::DiskOptions { capacity_sectors: 2048, ..Default::default() };
    /// let disk = mq::Disk::<Null>::add(format_args!("null{}", i), &opts, ())?;
    /// # drop(disk); Ok(()) }
    /// ```
    pub fn add(name: fmt::Arguments<'_>, opts: &DiskOptions, data: T::QueueData) -> Result<Self> {
        let name = KString::try_fmt(name)?;
        if name.as_str().is_empty() || name.as_str().len() > abi::BLK_NAME_MAX {
            return Err(EINVAL);
        }
        let data = KBox::try_new(data)?;
        let mut flags = 0;
        if opts.rotational {
            flags |= abi::BLK_ROTATIONAL;
        }
        if opts.blocking {
            flags |= abi::BLK_BLOCKING;
        }
        if opts.write_cache {
            flags |= abi::BLK_WRITE_CACHE;
        }
        let desc = abi::BlkDiskDesc {
            name: name.as_str().as_ptr().cast(),
            name_len: name.as_str().len(),
            capacity: opts.capacity_sectors,
            logical_block_size: opts.logical_block_size,
            physical_block_size: opts.physical_block_size,
            max_discard_sectors: opts.max_discard_sectors,
            max_write_zeroes_sectors: opts.max_write_zeroes_sectors,
            nr_hw_queues: opts.nr_hw_queues,
            queue_depth: opts.queue_depth,
            flags,
            poll_queues: opts.poll_queues,
        };
        let ptr: *const T::QueueData = &*data;
        let mut err: c_int = 0;
        // SAFETY: the descriptor and name are copied; the ops are static;
        // the boxed data outlives the disk (removed before it is dropped,
        // type invariant).
        let h =
            unsafe { abi::rkm_blk_disk_add(&desc, &Trampolines::<T>::OPS, ptr.cast(), &mut err) };
        let handle = NonNull::new(h).ok_or_else(|| Error::from_kernel(err))?;
        Ok(Disk { handle, data })
    }

    /// The queue data `queue_rq` sees.
    ///
    /// ```
    /// # fn f<T: rkm::block::mq::Operations>(disk: &rkm::block::mq::Disk<T>) {
    /// let data: &T::QueueData = disk.data();
    /// # let _ = data; }
    /// ```
    pub fn data(&self) -> &T::QueueData {
        &self.data
    }
}

impl<T: Operations> Drop for Disk<T> {
    fn drop(&mut self) {
        // SAFETY: added by us, removed once; no queue_rq runs and no
        // request is in flight after it returns, so the data may go.
        unsafe { abi::rkm_blk_disk_del(self.handle.as_ptr()) };
    }
}
