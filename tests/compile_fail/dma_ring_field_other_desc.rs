// SPDX-License-Identifier: GPL-2.0
// Guarantee: a field offset is used only on the descriptor type it was
// taken from (inside it, aligned for its type).
// Misuse: read a field of a 16-byte descriptor on a ring of 8-byte ones.
// Refused because: Field<T, V> names its descriptor type (E0308).
#![no_std]
#![forbid(unsafe_code)]

use rkm::dma::DescRing;
use rkm::prelude::*;

rkm::dma_descriptor! {
    pub struct Small {
        pub addr: u32,
        pub len: u32,
    }
    pub struct Big {
        pub addr: u64,
        pub len: u32,
        pub status: u32,
    }
}

pub fn status(ring: &DescRing<Small>) -> u32 {
    ring.read(0, Big::status) //~ ERROR E0308: mismatched types
}

pub struct Driver;

impl Module for Driver {
    fn init() -> Result<Self> {
        Ok(Driver)
    }
}

module! {
    type: Driver,
    name: "dma_ring_field_other_desc",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
