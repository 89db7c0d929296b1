// SPDX-License-Identifier: GPL-2.0
// Guarantee: a SplitRing is freed only when no producer, consumer or
// exclusive handle of it exists (their flags and slots live in it).
// Misuse: return a consumer of a ring that the function drops.
// Refused because: the Consumer borrows the ring: E0515.
#![no_std]
#![forbid(unsafe_code)]

use rkm::dma::{Consumer, DescRing, SplitRing};
use rkm::prelude::*;

rkm::dma_descriptor! {
    pub struct D {
        pub addr: u64,
        pub cmd: u64,
    }
}

pub fn escape(ring: DescRing<D>) -> Option<Consumer<'static, D, u32>> {
    let r = SplitRing::<D, u32>::new(ring).ok()?;
    r.consumer() //~ ERROR E0515: cannot return value referencing local variable `r`
}

pub struct Driver;

impl Module for Driver {
    fn init() -> Result<Self> {
        Ok(Driver)
    }
}

module! {
    type: Driver,
    name: "dma_split_ring_handle_outlives_ring",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
