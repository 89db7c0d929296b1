// SPDX-License-Identifier: GPL-2.0
// Guarantee: a scatter-gather buffer handed to the device is not the CPU's
// until it comes back (unmap), and cannot be freed while mapped.
// Misuse: write the SgBuffer after mapping it.
// Refused because: map() takes the buffer by value: E0382.
#![no_std]
#![forbid(unsafe_code)]

use rkm::dma::{Direction, SgBuffer};
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
        let mut buf = SgBuffer::alloc(dev, 4096, 512)?;
        let m = buf.map(Direction::ToDevice)?;
        buf.write(0, b"late")?; //~ ERROR E0382: borrow of moved value: `buf`
        drop(m);
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
    name: "dma_sg_buffer_used_after_map",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
