// SPDX-License-Identifier: GPL-2.0
// Guarantee: a device address of a streaming mapping is not used after the
// mapping is gone (unmap gives the buffer back to the CPU).
// Misuse: take a mapping's device address, unmap, then give the address to
// the device.
// Refused because: the DmaAddr borrows the Mapping; unmap() moves it: E0505.
#![no_std]
#![forbid(unsafe_code)]

use rkm::dma::{Direction, StreamBuffer};
use rkm::driver;
use rkm::io::Bar;
use rkm::pci;
use rkm::prelude::*;

irq_safe! {
    pub struct Hw {
        pub bar: Bar<0x100>,
    }
}

pub struct Dev;

impl driver::Driver for Dev {
    const NAME: &'static str = "cf_dev";
    type Hw = Hw;
    type Data = ();
}

impl pci::Driver for Dev {
    const IDS: &'static [pci::DeviceId] = &[pci::DeviceId::new(0x1234, 0x11e8)];

    fn probe(&self, dev: &mut pci::Device<'_, Self>) -> Result<(Hw, ())> {
        dev.enable()?;
        dev.dma_mask(32)?;
        let bar = dev.iomap::<0x100>(0)?;
        let buf = StreamBuffer::alloc(dev, 4096)?;
        let m = buf.map(Direction::ToDevice)?;
        let addr = m.dma_addr(0)?;
        let buf = m.unmap(); //~ ERROR E0505: cannot move out of `m` because it is borrowed
        bar.write_dma_addr::<0x80>(addr);
        drop(buf);
        Ok((Hw { bar }, ()))
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
    name: "dma_stream_addr_outlives_unmap",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
