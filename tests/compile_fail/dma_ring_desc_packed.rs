// SPDX-License-Identifier: GPL-2.0
// Guarantee: every descriptor field is aligned, so its volatile access is
// sound.
// Misuse: a #[repr(packed)] descriptor (a u64 at offset 1).
// Refused because: dma_descriptor! accepts only doc comments as attributes.
#![no_std]
#![forbid(unsafe_code)]

use rkm::prelude::*;

rkm::dma_descriptor! {
    #[repr(packed)] //~ ERROR: no rules expected
    pub struct Desc {
        pub flag: u8,
        pub addr: u64,
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
    name: "dma_ring_desc_packed",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
