// SPDX-License-Identifier: GPL-2.0
// Guarantee: MMIO at a constant offset is naturally aligned (readl/writel
// of a misaligned address faults or tears on some architectures and buses).
// Misuse: read a u32 at offset 2 and write a u16 at offset 1 of a BAR.
// Refused because: the accessors assert OFF % size_of::<T>() == 0 in a const
// block, evaluated when they are instantiated (only when the call is
// reachable from the module, i.e. compiled).
// Each error is rustc's at the assertion in rkm's io.rs, with a note naming
// this file's line that instantiated the accessor (kbuild/rustc-kernel
// makes sure it is there): the annotations match that line and the instance.
#![no_std]
#![forbid(unsafe_code)]

use rkm::driver;
use rkm::io::Bar;
use rkm::pci;
use rkm::prelude::*;

irq_safe! {
    pub struct Hw { bar: Bar<0x1000> }
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
        let bar = dev.iomap::<0x1000>(0)?;
        let v = bar.read32::<2>(); //~ ERROR E0080: read32::<2>
        bar.write16::<1>(v as u16); //~ ERROR E0080: write16::<1>
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
    name: "pci_mmio_misaligned",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
