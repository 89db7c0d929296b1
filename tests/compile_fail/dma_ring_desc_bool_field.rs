// SPDX-License-Identifier: GPL-2.0
// Guarantee: any bytes the device writes into a descriptor make a valid
// value.
// Misuse: a dma_descriptor! struct with a bool field (only 0 and 1 are
// valid bools; the device may write 2).
// Refused because: bool is not a DescValue.
#![no_std]
#![forbid(unsafe_code)]

use rkm::prelude::*;

rkm::dma_descriptor! {
    pub struct Desc {
        pub addr: u64,
        pub len: u32,
        pub done: bool, //~ ERROR E0277: the trait bound `bool: DescValue` is not satisfied
        pub pad: [u8; 3], //~ ERROR E0277: the trait bound `[u8; 3]: DescValue` is not satisfied
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
    name: "dma_ring_desc_bool_field",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
