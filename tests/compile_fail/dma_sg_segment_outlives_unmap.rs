// SPDX-License-Identifier: GPL-2.0
// Guarantee: a scatter-gather segment's device address is not used after
// the mapping is gone (unmap gives the chunks back to the CPU).
// Misuse: keep a segment's address across unmap, then give it to the device.
// Refused because: Segment and its DmaAddr borrow the SgMapping; unmap()
// moves it: E0505.
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
        let buf = SgBuffer::alloc(dev, 4096, 512)?;
        let m = buf.map(Direction::ToDevice)?;
        let seg = m.segments().next().ok_or(EINVAL)?;
        let buf = m.unmap(); //~ ERROR E0505: cannot move out of `m` because it is borrowed
        bar.write_dma_addr::<0x80>(seg.dma_addr(0)?);
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
    name: "dma_sg_segment_outlives_unmap",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
