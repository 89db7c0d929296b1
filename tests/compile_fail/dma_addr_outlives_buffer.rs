// SPDX-License-Identifier: GPL-2.0
// Guarantee: a device address given to the device stays valid while the
// driver hands it over: a DmaAddr borrows its CoherentBuffer, so the buffer
// cannot be freed (dma_free_coherent) while the address is in use.
// Misuse: take a buffer's device address, free the buffer, then write the
// address to the device's DMA register.
// Refused because: dma_addr() borrows the buffer for the DmaAddr's
// lifetime, so it cannot be moved into drop: E0505.
#![no_std]
#![forbid(unsafe_code)]

use rkm::dma::CoherentBuffer;
use rkm::driver;
use rkm::io::Bar;
use rkm::pci;
use rkm::prelude::*;

irq_safe! {
    pub struct Hw {
        pub bar: Bar<0x100>,
    }
}

pub struct Data {
    pub buf: Mutex<CoherentBuffer>,
}

pub struct Dev;

impl driver::Driver for Dev {
    const NAME: &'static str = "cf_dev";
    type Hw = Hw;
    type Data = Data;
}

impl pci::Driver for Dev {
    const IDS: &'static [pci::DeviceId] = &[pci::DeviceId::new(0x1234, 0x11e8)];

    fn probe(&self, dev: &mut pci::Device<'_, Self>) -> Result<(Hw, Data)> {
        dev.enable()?;
        dev.dma_mask(32)?;
        let bar = dev.iomap::<0x100>(0)?;
        let scratch = CoherentBuffer::alloc(dev, 4096)?;
        let addr = scratch.dma_addr(0)?;
        drop(scratch); //~ ERROR E0505: cannot move out of `scratch` because it is borrowed
        bar.write_dma_addr::<0x80>(addr);
        let buf = CoherentBuffer::alloc(dev, 4096)?;
        Ok((Hw { bar }, Data { buf: new_mutex!(buf)? }))
    }
}

pub struct Driver {
    _pci: pci::Registration<Dev>,
}

impl Module for Driver {
    fn init() -> Result<Self> {
        Ok(Driver { _pci: pci::Registration::register(Dev)? })
    }
}

module! {
    type: Driver,
    name: "dma_addr_outlives_buffer",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
