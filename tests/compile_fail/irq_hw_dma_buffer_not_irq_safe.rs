// SPDX-License-Identifier: GPL-2.0
// Guarantee: the hard interrupt handler does not copy to or from user
// memory (which faults and sleeps) through its Hw.
// Misuse: a CoherentBuffer in Hw (its read_to_user/write_from_user copy
// user memory).
// Refused because: irq_safe! requires every field to be IrqSafe, and a DMA
// buffer is not.
#![no_std]
#![forbid(unsafe_code)]

use core::sync::atomic::AtomicU32;
use rkm::dma::CoherentBuffer;
use rkm::prelude::*;

irq_safe! {
    /// What the interrupt handler would see.
    pub struct Hw {
        pub status: AtomicU32,
        pub buf: CoherentBuffer, //~ ERROR E0277: CoherentBuffer: IrqSafe` is not satisfied
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
    name: "irq_hw_dma_buffer_not_irq_safe",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
