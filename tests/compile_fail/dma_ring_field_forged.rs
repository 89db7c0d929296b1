// SPDX-License-Identifier: GPL-2.0
// Guarantee: a ring's per-field accesses stay inside their descriptor: a
// Field's offset is the real offset of a field of that type.
// Misuse: a driver makes its own Field with an offset past the end of the
// 16-byte descriptor, to read beyond the ring.
// Refused because: Field's only constructor is an unsafe fn (for
// dma_descriptor!'s expansion), which a driver cannot call without unsafe.
#![no_std]
#![forbid(unsafe_code)]

use rkm::dma::{DescRing, Field};
use rkm::prelude::*;

rkm::dma_descriptor! {
    pub struct Desc { pub addr: u64, pub len: u64 }
}

pub fn peek(ring: &DescRing<Desc>) -> u64 {
    let past: Field<Desc, u64> = Field::__new(4096); //~ ERROR E0133
    ring.read(0, past)
}

pub struct Driver;

impl Module for Driver {
    fn init() -> Result<Self> {
        Ok(Driver)
    }
}

module! {
    type: Driver,
    name: "dma_ring_field_forged",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
