// SPDX-License-Identifier: GPL-2.0
// Guarantee: while the CPU has its turn on a mapping (sync_for_cpu), the
// device is not given the buffer's address.
// Misuse: take the device address while the CPU guard is alive and program
// the device with it, then use the guard.
// Refused because: sync_for_cpu() borrows the Mapping mutably for the
// guard's lifetime, dma_addr() borrows it shared: E0502.
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
        let mut m = buf.map(Direction::Bidirectional)?;
        let cpu = m.sync_for_cpu();
        bar.write_dma_addr::<0x80>(m.dma_addr(0)?); //~ ERROR E0502: cannot borrow `m` as immutable
        let mut out = [0u8; 4];
        cpu.read(0, &mut out)?;
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
    name: "dma_stream_addr_during_cpu_access",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
