// SPDX-License-Identifier: GPL-2.0
// Guarantee: two CPUs never write the same descriptor at once (a data
// race): writes to a ring need &mut, so a shared ring (an interrupt
// handler's Hw) is only read.
// Misuse: an interrupt handler that writes a descriptor through &DescRing.
// Refused because: DescRing::write takes &mut self: E0596.
#![no_std]
#![forbid(unsafe_code)]

use rkm::dma::DescRing;
use rkm::prelude::*;

rkm::dma_descriptor! {
    pub struct Desc { pub addr: u64, pub status: u32, pub len: u32 }
}

pub fn irq(ring: &DescRing<Desc>) {
    if ring.read(0, Desc::status) & 1 != 0 {
        ring.write(0, Desc::status, 0); //~ ERROR E0596
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
    name: "dma_ring_write_through_shared",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
