// SPDX-License-Identifier: GPL-2.0
// Guarantee: a SplitRing's producer touches a slot only until it hands the
// position over (advance): from then on the consumer may take the slot on
// another CPU.
// Misuse: keep the reference to a slot across the advance that hands it
// over, and write through it after.
// Refused because: the slot borrows the Producer mutably, and advance
// needs it mutably too: E0499.
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

pub fn late_write(ring: &SplitRing<D, u32>) {
    if let Some(mut p) = ring.producer() {
        if let Some(slot) = p.slot(0) {
            let _ = p.advance(1); //~ ERROR E0499: cannot borrow `p` as mutable more than once at a time
            *slot = Some(1);
        }
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
    name: "dma_split_ring_slot_after_advance",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
