// SPDX-License-Identifier: GPL-2.0
// Guarantee: while the CPU has its turn on a scatter-gather mapping
// (sync_for_cpu), no device address of it can be handed out.
// Misuse: take a segment address while the CpuAccess guard lives.
// Refused because: the guard borrows the mapping mutably: E0502.
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
        let mut m = buf.map(Direction::Bidirectional)?;
        let mut cpu = m.sync_for_cpu();
        let seg = m.segments().next(); //~ ERROR E0502: cannot borrow `m` as immutable because it is also borrowed as mutable
        cpu.write(0, b"x")?;
        drop(seg);
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
    name: "dma_sg_addr_during_cpu_access",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
