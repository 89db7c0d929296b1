// SPDX-License-Identifier: GPL-2.0
//! rkm: safe abstractions for Linux kernel drivers built for stock kernels.
//!
//! Drivers use only this crate and stay `#![forbid(unsafe_code)]`. Every
//! kernel facility is reached through the C ABI of `include/rkm_abi.h`,
//! implemented by the glue that Kbuild compiles against the target kernel, so
//! no kernel struct layout is ever seen here.
#![no_std]
#![allow(internal_features)]
#![feature(allow_internal_unsafe)]
#![deny(unsafe_op_in_unsafe_fn, missing_docs)]

mod abi;
pub mod alloc;
pub mod device;
pub mod dma;
pub mod driver;
pub mod error;
pub mod io;
pub mod irq;
#[cfg(rkm_ktest)]
pub mod ktest;
#[doc(hidden)]
pub mod miscdev;
pub mod module;
pub mod param;
pub mod pci;
pub mod print;
pub mod sync;
pub mod task;
pub mod user;

pub use alloc::{Flags, KBox, KString, KVec};
pub use error::{Error, Result};
pub use module::Module;

/// What a driver needs in scope: `use rkm::prelude::*;`.
pub mod prelude {
    pub use crate::alloc::{Flags, KBox, KString, KVec};
    pub use crate::error::{code::*, Error, Result};
    pub use crate::miscdev::{
        fixed_size_llseek, File, FileOperations, MiscDevice, PollMask, PollTable, Whence,
    };
    pub use crate::module::Module;
    pub use crate::sync::{Arc, Completion, CondVar, Mutex, SpinLock, SpinLockIrq};
    pub use crate::task::{capable, CAP_SYS_ADMIN};
    pub use crate::user::{ioctl, UserSlice, UserSliceReader, UserSliceWriter};
    pub use crate::{dev_err, dev_info, dev_warn, irq_safe};
    pub use crate::{
        module, pr_alert, pr_crit, pr_debug, pr_emerg, pr_err, pr_info, pr_notice, pr_warn,
    };
    pub use crate::{new_condvar, new_mutex, new_spinlock, new_spinlock_irq, pod};
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    print::panic(info)
}
