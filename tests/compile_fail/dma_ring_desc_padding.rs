// SPDX-License-Identifier: GPL-2.0
// Guarantee: a descriptor's layout is exactly its fields, as the device
// reads them: no padding byte the CPU would never write.
// Misuse: a dma_descriptor! struct with a u16 followed by a u64 (6 bytes
// of padding: the device would find the address 6 bytes late).
// Refused because: dma_descriptor! asserts, at compile time, that the size
// is the sum of the field sizes.
#![no_std]
#![forbid(unsafe_code)]

use rkm::prelude::*;

rkm::dma_descriptor! { //~ ERROR E0080: a descriptor may not have padding
    pub struct Desc { pub len: u16, pub addr: u64 }
}

pub struct Driver;

impl Module for Driver {
    fn init() -> Result<Self> {
        Ok(Driver)
    }
}

module! {
    type: Driver,
    name: "dma_ring_desc_padding",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
