// SPDX-License-Identifier: GPL-2.0
// Guarantee: the hard interrupt handler (and the timer callback) never
// sleep: they reach nothing that sleeps through their Hw.
// Misuse: a Mutex in Hw, which the handler would lock in atomic context.
// Refused because: irq_safe! requires every field to be IrqSafe, and Mutex
// is not (mutex_lock sleeps).
#![no_std]
#![forbid(unsafe_code)]

use core::sync::atomic::AtomicU32;
use rkm::prelude::*;

irq_safe! {
    /// What the interrupt handler would see.
    pub struct Hw {
        pub status: AtomicU32,
        pub count: Mutex<u32>, //~ ERROR E0277: MutexBackend>: IrqSafe` is not satisfied
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
    name: "irq_hw_mutex_not_irq_safe",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
