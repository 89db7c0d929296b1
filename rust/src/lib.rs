// SPDX-License-Identifier: GPL-2.0
//! rkm: safe abstractions for Linux kernel drivers built for stock kernels.
//!
//! Drivers use only this crate and stay `#![forbid(unsafe_code)]`. Every
//! kernel facility is reached through the C ABI of `include/rkm_abi.h`,
//! implemented by the glue that Kbuild compiles against the target kernel, so
//! no kernel struct layout is ever seen here.
#![no_std]
#![allow(internal_features)]
#![feature(allow_internal_unsafe, associated_type_defaults)]
#![deny(unsafe_op_in_unsafe_fn, missing_docs)]

mod abi;
pub mod alloc;
pub mod block;
pub mod chrdev;
pub mod configfs;
pub mod debugfs;
pub mod device;
pub mod dma;
pub mod driver;
pub mod error;
pub mod hrtimer;
pub mod io;
pub mod irq;
#[cfg(rkm_ktest)]
pub mod ktest;
pub mod kthread;
#[doc(hidden)]
pub mod miscdev;
pub mod module;
pub mod net;
pub mod param;
pub mod pci;
pub mod platform;
pub mod print;
pub mod ring;
pub mod sync;
pub mod task;
pub mod timer;
pub mod user;
pub mod watchdog;
pub mod workqueue;

pub use alloc::{Flags, KBox, KString, KVec};
pub use error::{Error, Result};
pub use module::Module;
/// Derives, from the methods an implementation defines, which optional
/// callbacks of a trait the glue registers (see [`miscdev::FileOperations`]).
pub use rkm_macros::vtable;

/// Everything the crate's exported macros name, reached as
/// `$crate::__private::NAME`: not part of the API.
///
/// # Guarantees
///
/// A macro expands in the driver's scope, where any name can mean something
/// else: a driver may define `macro_rules! assert { ($($t:tt)*) => {} }`
/// (which would silence `pod!`'s padding check and let uninitialised stack
/// bytes reach userspace), `macro_rules! concat`/`option_env`/`stringify`,
/// `struct Some`, `enum Option`, `type u8 = ...`, or rebind `core` itself
/// (`extern crate rkm as core;` at the crate root is accepted, so `::core::`
/// is not safe either). `$crate` always names this crate, so every macro,
/// type, trait and function an exported macro uses goes through this
/// module; only the tokens the driver passes in are resolved in the driver's
/// scope. `tests/compile_fail/` `ok_shadowed_names` (a driver shadowing all
/// of these) and `*_shadowed*` (checks that still refuse) hold the tests.
/// A new exported macro follows the same rule: no bare name in its
/// expansion but `$crate::...` and the driver's own `$tokens`.
#[doc(hidden)]
pub mod __private {
    pub use core::clone::Clone;
    pub use core::cmp::{Eq, PartialEq};
    pub use core::default::Default;
    pub use core::ffi::c_int;
    pub use core::fmt::Debug;
    pub use core::marker::Copy;
    pub use core::mem::offset_of;
    pub use core::mem::size_of;
    pub use core::option::Option;
    pub use core::primitive::{bool, str, u8};
    pub use core::{assert, concat, file, format_args, line, option_env, stringify};
    pub use rkm_macros::print_parts;
}

/// What a driver needs in scope: `use rkm::prelude::*;`.
pub mod prelude {
    pub use crate::alloc::{Flags, KBox, KString, KVec};
    pub use crate::error::{code::*, Error, Result};
    pub use crate::miscdev::{
        fixed_size_llseek, FasyncQueue, File, FileOperations, MiscDevice, MmapBuffer, OpenFile,
        PollMask, PollTable, SigioBand, Vma, Whence,
    };
    pub use crate::miscdev::{MiscAttr, MiscAttributes};
    pub use crate::module::Module;
    pub use crate::sync::{Arc, Completion, CondVar, Mutex, SpinLock, SpinLockIrq, WaitTimeout};
    pub use crate::task::{capable, CAP_SYS_ADMIN};
    pub use crate::user::{ioctl, UserSlice, UserSliceReader, UserSliceWriter};
    pub use crate::{dev_err, dev_info, dev_warn, irq_safe};
    pub use crate::{
        module, pr_alert, pr_crit, pr_debug, pr_emerg, pr_err, pr_info, pr_notice, pr_warn,
    };
    pub use crate::{new_condvar, new_mutex, new_spinlock, new_spinlock_irq, pod, vtable};
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    print::panic(info)
}
