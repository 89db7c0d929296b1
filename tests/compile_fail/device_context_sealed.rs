// SPDX-License-Identifier: GPL-2.0
// Guarantee: only a live binding (the probe's Device, a Bound) can be
// passed where the glue dereferences one: CoherentBuffer::alloc and
// dev_info! take any DeviceContext and hand its binding() pointer to C.
// Misuse: implement DeviceContext for a driver type, then allocate a DMA
// buffer "for" it (the glue would dereference whatever binding pointer the
// type gave as a struct rkm_binding).
// Refused because: DeviceContext has the supertrait Sealed, which alone
// gives the binding pointer, in a crate-private module of rkm that no other
// crate can name or implement (E0277).
#![no_std]
#![forbid(unsafe_code)]

use rkm::device::DeviceContext;
use rkm::dma::CoherentBuffer;
use rkm::prelude::*;

pub struct Forged;

impl DeviceContext for Forged {}
//~^ ERROR E0277: the trait bound `Forged: device::sealed::Sealed` is not satisfied

pub fn alloc() -> Result<CoherentBuffer> {
    CoherentBuffer::alloc(&Forged, 4096)
}

pub struct Driver;

impl Module for Driver {
    fn init() -> Result<Self> {
        Ok(Driver)
    }
}

module! {
    type: Driver,
    name: "device_context_sealed",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
