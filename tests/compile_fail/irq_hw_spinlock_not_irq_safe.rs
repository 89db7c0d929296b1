// SPDX-License-Identifier: GPL-2.0
// Guarantee: the interrupt handler cannot deadlock on a lock that process
// context holds: locks it may take are held with interrupts off.
// Misuse: a plain SpinLock in Hw: process context takes it with interrupts
// on, the interrupt arrives on the same CPU and the handler spins forever.
// Refused because: irq_safe! requires every field to be IrqSafe; only
// SpinLockIrq (spin_lock_irqsave) is, SpinLock is not.
#![no_std]
#![forbid(unsafe_code)]

use core::sync::atomic::AtomicU32;
use rkm::prelude::*;

irq_safe! {
    /// What the interrupt handler would see.
    pub struct Hw {
        pub status: AtomicU32,
        pub count: SpinLock<u32>, //~ ERROR E0277: SpinBackend>: IrqSafe` is not satisfied
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
    name: "irq_hw_spinlock_not_irq_safe",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
