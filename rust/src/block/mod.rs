// SPDX-License-Identifier: GPL-2.0
//! Block devices: blk-mq disks ([`mq`]) and a sparse page store for
//! memory-backed ones ([`PageStore`]).
//!
//! A driver implements [`mq::Operations`] and adds a [`mq::Disk`] with its
//! queue data; the block layer calls [`mq::Operations::queue_rq`] with an
//! owned [`mq::Request`], which the driver ends exactly once — at once, or
//! later from another context (a softirq completion, a timer) — with a
//! [`Status`]. Dropping a request without ending it ends it with
//! [`Status::IoError`]; ending it consumes it, so it cannot be ended twice
//! or touched afterwards. Its data is reached only by copying to and from
//! its segments (the glue maps one page at a time).
//!
//! ```
//! use rkm::block::{mq, Status};
//! struct Null;
//! impl mq::Operations for Null {
//!     type QueueData = ();
//!     fn queue_rq(_: &(), rq: mq::Request, _: &mq::QueueContext<'_>) {
//!         rq.end(Status::Ok);
//!     }
//! }
//! # fn f() -> rkm::Result {
//! let opts = mq::DiskOptions { capacity_sectors: 1 << 21, ..Default::default() };
//! let disk = mq::Disk::<Null>::add(format_args!("null{}", 0), &opts, ())?;
//! // ... dropping `disk` removes it, waiting for the requests in flight.
//! # drop(disk); Ok(()) }
//! ```
//!
//! Modules using block devices need a kernel with `CONFIG_BLOCK` (the build
//! stops with a message saying so otherwise); others do not.

pub mod mq;
mod store;

pub use store::PageStore;

use crate::error::{code::*, Error};
use core::ffi::c_int;

/// How a request ends (`blk_status_t`), as the errno the block layer maps
/// it from (`errno_to_blk_status`) and that userspace sees.
///
/// ```
/// use rkm::block::Status;
/// let st = Status::from(rkm::error::code::ENOSPC);
/// assert_eq!(st, Status::NoSpace);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// `BLK_STS_OK`.
    Ok,
    /// `BLK_STS_NOTSUPP` (`EOPNOTSUPP`).
    NotSupported,
    /// `BLK_STS_NOSPC` (`ENOSPC`).
    NoSpace,
    /// `BLK_STS_RESOURCE` (`ENOMEM`): out of a resource.
    Resource,
    /// `BLK_STS_TIMEOUT` (`ETIMEDOUT`).
    TimedOut,
    /// `BLK_STS_IOERR` (`EIO`).
    IoError,
}

// SAFETY: a plain value: no drop, nothing to sleep on.
unsafe impl crate::irq::IrqSafe for Status {}
// SAFETY: no drop.
unsafe impl crate::irq::IrqDrop for Status {}

impl Status {
    /// The errno the glue hands to `errno_to_blk_status` (0 for `Ok`).
    pub(crate) fn errno(self) -> c_int {
        match self {
            Status::Ok => 0,
            Status::NotSupported => EOPNOTSUPP.to_errno(),
            Status::NoSpace => ENOSPC.to_errno(),
            Status::Resource => ENOMEM.to_errno(),
            Status::TimedOut => ETIMEDOUT.to_errno(),
            Status::IoError => EIO.to_errno(),
        }
    }
}

impl From<Error> for Status {
    /// The status of that errno where there is one, else [`Status::IoError`]
    /// (as `errno_to_blk_status`).
    fn from(e: Error) -> Self {
        match e {
            e if e == EOPNOTSUPP => Status::NotSupported,
            e if e == ENOSPC => Status::NoSpace,
            e if e == ENOMEM => Status::Resource,
            e if e == ETIMEDOUT => Status::TimedOut,
            _ => Status::IoError,
        }
    }
}

impl From<crate::error::Result> for Status {
    /// `Ok(())` is [`Status::Ok`]; an error as [`From<Error>`](#impl-From<Error>-for-Status).
    fn from(r: crate::error::Result) -> Self {
        match r {
            Ok(()) => Status::Ok,
            Err(e) => e.into(),
        }
    }
}
