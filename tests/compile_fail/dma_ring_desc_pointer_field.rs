// SPDX-License-Identifier: GPL-2.0
// Guarantee: a descriptor on a DMA ring holds only integers, none of them
// a pointer the CPU could follow after the device rewrote it.
// Misuse: a dma_descriptor! struct with a *mut u8 field.
// Refused because: raw pointers are not DescValue.
#![no_std]
#![forbid(unsafe_code)]

use rkm::prelude::*;

rkm::dma_descriptor! {
    pub struct Desc {
        pub buf: *mut u8, //~ ERROR E0277: the trait bound `*mut u8: DescValue` is not satisfied
        pub len: u64,
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
    name: "dma_ring_desc_pointer_field",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
