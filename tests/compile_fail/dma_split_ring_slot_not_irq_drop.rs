// SPDX-License-Identifier: GPL-2.0
// Guarantee: what a SplitRing's slots hold may be replaced, hence dropped,
// wherever a producer or consumer runs (start_xmit, a NAPI poll, an
// interrupt handler): it must be IrqDrop for the ring to be IrqSafe.
// Misuse: a SplitRing whose slots hold BARs (usable in a handler, but
// unmapping one sleeps: IrqSafe, not IrqDrop) in Hw: the handler could
// take one out of its slot and drop it.
// Refused because: IrqSafe for SplitRing<T, B> requires B: IrqSafe + IrqDrop: E0277.
#![no_std]
#![forbid(unsafe_code)]

use rkm::dma::SplitRing;
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
        pub tx: SplitRing<D, rkm::io::Bar<0x100>>, //~ ERROR E0277: IrqDrop` is not satisfied
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
    name: "dma_split_ring_slot_not_irq_drop",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
