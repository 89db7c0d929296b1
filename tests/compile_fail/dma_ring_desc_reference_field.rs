// SPDX-License-Identifier: GPL-2.0
// Guarantee: a descriptor on a DMA ring holds only integers: the device
// writes any bytes into it, which must all make a valid value.
// Misuse: a dma_descriptor! struct with a &'static u64 field (8 bytes, no
// padding): a device write would forge a reference.
// Refused because: dma_descriptor! requires every field to be a DescValue
// (a sealed trait of the integer types; nor are references Default).
#![no_std]
#![forbid(unsafe_code)]

use rkm::prelude::*;

rkm::dma_descriptor! { //~ ERROR E0277: the trait bound `&u64: Default` is not satisfied
    pub struct Desc {
        pub len: u64,
        pub buf: &'static u64, //~ ERROR E0277: the trait bound `&'static u64: DescValue` is not satisfied
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
    name: "dma_ring_desc_reference_field",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
