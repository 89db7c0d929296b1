// SPDX-License-Identifier: GPL-2.0
// Guarantee: the buffer inside a Mapping stays mapped until unmap; the CPU
// guard cannot let it escape as a CPU-owned StreamBuffer.
// Misuse: swap the mapped buffer out through the sync_for_cpu() guard with
// an unmapped one, then use the escaped (still mapped) buffer freely.
// Refused because: CpuAccess derefs to &StreamBuffer only (no DerefMut): E0596.
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
        let mut other = StreamBuffer::alloc(dev, 4096)?;
        let buf = StreamBuffer::alloc(dev, 4096)?;
        let mut m = buf.map(Direction::FromDevice)?;
        let cpu = m.sync_for_cpu();
        core::mem::swap(&mut *cpu, &mut other); //~ ERROR E0596: cannot borrow data in dereference
        drop(cpu);
        other.write(0, b"escaped")?;
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
    name: "dma_stream_cpu_access_swap",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
