// SPDX-License-Identifier: GPL-2.0
// Guarantee: a lock the interrupt handler may take only guards data the
// handler may use: a SpinLockIrq is IrqSafe only if its content is.
// Misuse: a SpinLockIrq<KVec<u8>> in Hw: the handler would take the lock
// (fine) and then grow the vector with GFP_KERNEL (sleeps).
// Refused because: IrqSafe for SpinLockIrq<T> requires T: IrqSafe.
#![no_std]
#![forbid(unsafe_code)]

use core::sync::atomic::AtomicU32;
use rkm::prelude::*;

irq_safe! {
    /// What the interrupt handler would see.
    pub struct Hw {
        pub status: AtomicU32,
        pub log: SpinLockIrq<KVec<u8>>, //~ ERROR E0277: SpinIrqBackend>` to implement `IrqSafe`
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
    name: "irq_hw_spinlock_irq_kvec_not_irq_safe",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
