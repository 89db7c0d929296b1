// SPDX-License-Identifier: GPL-2.0
// Guarantee: the hard interrupt handler never sleeps on a lock reached
// through its Hw, however the lock is held.
// Misuse: a shared reference to a (leaked, static) Mutex in Hw.
// Refused because: IrqSafe is implemented for owned values only, not for
// references, so irq_safe! refuses the field.
#![no_std]
#![forbid(unsafe_code)]

use core::sync::atomic::AtomicU32;
use rkm::prelude::*;

irq_safe! {
    /// What the interrupt handler would see.
    pub struct Hw {
        pub status: AtomicU32,
        pub count: &'static Mutex<u32>, //~ ERROR E0277: &'static Lock<u32, rkm::sync::MutexBackend>: IrqSafe` is not satisfied
    }
}

pub struct Driver;

impl Module for Driver {
    fn init() -> Result<Self> {
        Ok(Driver)
    }
}

module! {
    type: Driver,
    name: "irq_hw_ref_not_irq_safe",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
