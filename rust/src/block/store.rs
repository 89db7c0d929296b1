// SPDX-License-Identifier: GPL-2.0
//! A sparse page store: a memory-backed disk's contents.

use super::mq::{QueueContext, Request};
use crate::abi;
use crate::error::{code::*, to_result, Result};
use crate::irq::IrqSafe;
use core::ptr::NonNull;

/// A disk's contents in memory, a page at a time: a page is allocated on
/// its first write and freed when discarded whole; what was never written
/// (or was discarded) reads as zeroes.
///
/// Pages are allocated on the I/O path, as the [`QueueContext`] allows
/// (`GFP_NOIO` on a blocking disk, `GFP_NOWAIT` otherwise); failing that,
/// the write ends with `ENOSPC` (as `null_blk`'s does) and what was
/// written before stays.
///
/// ```
/// use rkm::block::{mq, PageStore, Status};
/// rkm::irq_safe! { struct Mem { store: PageStore } }
/// struct Ops;
/// impl mq::Operations for Ops {
///     type QueueData = Mem;
///     fn queue_rq(mem: &Mem, mut rq: mq::Request, ctx: &mq::QueueContext<'_>) {
///         let st = match rq.op() {
///             mq::Op::Read | mq::Op::Write => mem.store.transfer(&mut rq, ctx).into(),
///             mq::Op::Discard | mq::Op::WriteZeroes => {
///                 mem.store.discard(rq.sector(), rq.bytes() as u64);
///                 Status::Ok
///             }
///             mq::Op::Flush => Status::Ok,
///         };
///         rq.end(st);
///     }
/// }
/// # fn f() -> rkm::Result {
/// let mem = Mem { store: PageStore::new()? };
/// # let _ = mem; Ok(()) }
/// ```
///
/// # Invariants
///
/// `raw` is a glue store, freed once, by drop. The glue serialises every
/// operation on a page under the store's lock (taken with interrupts off),
/// so a page is never freed while copied.
pub struct PageStore {
    raw: NonNull<abi::BlkStore>,
}

// SAFETY: the glue's store may be used and freed from any CPU.
unsafe impl Send for PageStore {}
// SAFETY: every operation through `&PageStore` takes the glue's lock.
unsafe impl Sync for PageStore {}
// SAFETY: through `&PageStore`: transfer (allocating only as its
// QueueContext allows, which exists only inside queue_rq), discard and
// pages, all under a spinlock taken irqsave: none sleeps or deadlocks
// against process context.
unsafe impl IrqSafe for PageStore {}

impl PageStore {
    /// An empty store. `ENOMEM`. Process context.
    ///
    /// ```
    /// let store = rkm::block::PageStore::new()?;
    /// # let _ = store; Ok::<(), rkm::Error>(())
    /// ```
    pub fn new() -> Result<Self> {
        // SAFETY: no precondition.
        let raw = unsafe { abi::rkm_blk_store_new() };
        // INVARIANT: a fresh store, ours.
        Ok(PageStore { raw: NonNull::new(raw).ok_or(ENOMEM)? })
    }

    /// Reads or writes `rq`'s data at its sector. `ENOSPC`: a page could
    /// not be allocated; `EINVAL`: not a read or a write. In `queue_rq`.
    ///
    /// ```
    /// # fn f(s: &rkm::block::PageStore, rq: &mut rkm::block::mq::Request,
    /// #      ctx: &rkm::block::mq::QueueContext<'_>) -> rkm::Result {
    /// s.transfer(rq, ctx)?;
    /// # Ok(()) }
    /// ```
    pub fn transfer(&self, rq: &mut Request, ctx: &QueueContext<'_>) -> Result {
        // SAFETY: a live store (type invariant) and a started request
        // (Request's invariant), exclusively borrowed for its data; the
        // glue sleeps only if the context allows it.
        to_result(unsafe {
            abi::rkm_blk_store_rw(self.raw.as_ptr(), rq.raw(), ctx.may_sleep() as i32)
        })
    }

    /// Makes `len` bytes at `sector` read as zeroes; frees the pages
    /// wholly inside. Any context.
    ///
    /// ```
    /// # fn f(s: &rkm::block::PageStore) {
    /// s.discard(8, 4096);
    /// # }
    /// ```
    pub fn discard(&self, sector: u64, len: u64) {
        // SAFETY: a live store.
        unsafe { abi::rkm_blk_store_discard(self.raw.as_ptr(), sector.saturating_mul(512), len) };
    }

    /// How many pages it holds. Any context.
    ///
    /// ```
    /// # fn f(s: &rkm::block::PageStore) {
    /// let bytes = s.pages() * 4096;
    /// # let _ = bytes; }
    /// ```
    pub fn pages(&self) -> u64 {
        // SAFETY: a live store.
        unsafe { abi::rkm_blk_store_pages(self.raw.as_ptr()) }
    }
}

impl Drop for PageStore {
    fn drop(&mut self) {
        // SAFETY: ours, freed once.
        unsafe { abi::rkm_blk_store_free(self.raw.as_ptr()) };
    }
}
