// SPDX-License-Identifier: GPL-2.0
// Guarantee: what a RingLock's guard hands out by `&mut` may be replaced,
// hence dropped, in atomic context: it must be IrqDrop for the lock to be
// IrqSafe.
// Misuse: a RingLock whose bookkeeping holds a BAR (usable in a handler,
// but unmapping it sleeps: IrqSafe, not IrqDrop) in Hw: the handler could
// take it out of the guard and drop it.
// Refused because: IrqSafe for RingLock<T, D> requires D: IrqSafe + IrqDrop: E0277.
#![no_std]
#![forbid(unsafe_code)]

use rkm::dma::RingLock;
use rkm::prelude::*;

rkm::dma_descriptor! {
    pub struct D {
        pub addr: u64,
        pub cmd: u64,
    }
}

irq_safe! {
    /// What the interrupt handler would see.
    pub struct Hw {
        pub tx: RingLock<D, Option<rkm::io::Bar<0x100>>>, //~ ERROR E0277: IrqDrop` is not satisfied
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
    name: "dma_ring_lock_data_not_irq_drop",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
