// SPDX-License-Identifier: GPL-2.0
// Guarantee: while a streaming buffer is mapped for the device, the CPU
// cannot touch its bytes (the device owns them; without a sync the CPU would
// read stale cache lines or bounce-buffer contents).
// Misuse: map a buffer for the device, then read it directly.
// Refused because: map() consumes the StreamBuffer; a Mapping has no byte
// access, only sync_for_cpu(): E0599.
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
        let m = buf.map(Direction::FromDevice)?;
        bar.write_dma_addr::<0x80>(m.dma_addr(0)?);
        let mut out = [0u8; 4];
        m.read(0, &mut out)?; //~ ERROR E0599: no method named `read` found
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
    name: "dma_stream_touch_while_mapped",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
