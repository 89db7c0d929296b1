// SPDX-License-Identifier: GPL-2.0
// Guarantee: MMIO at a constant offset stays inside the mapped BAR: a
// Bar<SIZE> maps at least SIZE bytes (checked when it is mapped), and every
// access at constant offset OFF ends at or before SIZE.
// Misuse: read and write the 32-bit register at 0x1000 of a Bar<0x1000>,
// just past the end of what the mapping guarantees.
// Refused because: read32::<OFF>() and write32::<OFF>() assert
// OFF + 4 <= SIZE in a const block, evaluated when they are instantiated
// (each instance reports its own error; only when the call is reachable
// from the module, i.e. compiled).
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
        let v = bar.read32::<0x1000>(); //~ ERROR E0080: read32::<4096>
        bar.write32::<0x1000>(v + 1); //~ ERROR E0080: write32::<4096>
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
    name: "pci_mmio_offset_outside_bar",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
