// SPDX-License-Identifier: GPL-2.0
// Guarantee: a coherent DMA buffer has one owner and is freed
// (dma_free_coherent) exactly once; no copy reaches it afterwards.
// Misuse: clone a CoherentBuffer, so that dropping one frees the memory
// the other (and the device) still uses.
// Refused because: CoherentBuffer implements neither Clone nor Copy (E0599).
#![no_std]
#![forbid(unsafe_code)]

use rkm::dma::CoherentBuffer;
use rkm::prelude::*;

pub fn spare(buf: CoherentBuffer) -> (CoherentBuffer, CoherentBuffer) {
    (buf.clone(), buf) //~ ERROR E0599: no method named `clone` found for struct `CoherentBuffer`
}

pub struct Driver;

impl Module for Driver {
    fn init() -> Result<Self> {
        Ok(Driver)
    }
}

module! {
    type: Driver,
    name: "dma_buffer_not_clone",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
