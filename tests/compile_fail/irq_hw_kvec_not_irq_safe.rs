// SPDX-License-Identifier: GPL-2.0
// Guarantee: the hard interrupt handler never allocates with GFP_KERNEL
// (which sleeps) through its data.
// Misuse: a KVec in Hw, whose try_push allocates with Flags::KERNEL.
// Refused because: irq_safe! requires every field to be IrqSafe, and KVec
// (like KBox) is not.
#![no_std]
#![forbid(unsafe_code)]

use core::sync::atomic::AtomicU32;
use rkm::prelude::*;

irq_safe! {
    /// What the interrupt handler would see.
    pub struct Hw {
        pub status: AtomicU32,
        pub log: KVec<u8>, //~ ERROR E0277: KVec<u8>: IrqSafe` is not satisfied
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
    name: "irq_hw_kvec_not_irq_safe",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
