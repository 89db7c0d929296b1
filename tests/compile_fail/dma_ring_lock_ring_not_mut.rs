// SPDX-License-Identifier: GPL-2.0
// Guarantee: a DescRing shared with atomic context through a RingLock is
// freed only with the RingLock, in process context (freeing coherent
// memory sleeps).
// Misuse: replace the locked ring from the guard (dropping the old one
// wherever the guard is: a NAPI poll, an interrupt handler).
// Refused because: the guard gives the ring by `&` only: E0308.
#![no_std]
#![forbid(unsafe_code)]

use rkm::dma::{DescRing, RingLock};
use rkm::prelude::*;

rkm::dma_descriptor! {
    pub struct D {
        pub addr: u64,
        pub cmd: u64,
    }
}

pub fn swap(lock: &RingLock<D, usize>, other: DescRing<D>) {
    let g = lock.lock();
    drop(core::mem::replace(g.ring(), other)); //~ ERROR E0308: mismatched types
}

pub struct Driver;

impl Module for Driver {
    fn init() -> Result<Self> {
        Ok(Driver)
    }
}

module! {
    type: Driver,
    name: "dma_ring_lock_ring_not_mut",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
