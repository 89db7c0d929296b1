// SPDX-License-Identifier: GPL-2.0
// Guarantee: only a live binding (the probe's Device, a Bound) can be
// passed where the glue dereferences one: CoherentBuffer::alloc and
// dev_info! take any DeviceContext and hand its binding() pointer to C.
// Misuse: implement DeviceContext for a driver type returning a forged
// binding pointer, then allocate a DMA buffer "for" it (the glue would
// dereference the forged pointer as a struct rkm_pci_binding).
// Refused because: DeviceContext has the supertrait Sealed, in a private
// module of rkm, which no other crate can implement (E0277).
#![no_std]
#![forbid(unsafe_code)]

use core::ffi::c_void;
use rkm::dma::CoherentBuffer;
use rkm::pci::DeviceContext;
use rkm::prelude::*;

pub struct Forged;

impl DeviceContext for Forged {
    //~^ ERROR E0277: the trait bound `Forged: pci::sealed::Sealed` is not satisfied
    fn binding(&self) -> *mut c_void {
        0x1000 as *mut c_void
    }
}

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
    name: "pci_device_context_sealed",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
