// SPDX-License-Identifier: GPL-2.0
// Guarantee: config-space accesses at a constant offset are naturally
// aligned (the PCI config mechanisms access aligned words only).
// Misuse: read a u16 at 0x61 and write a u32 at 0x62 of a pci::Config.
// Refused because: the accessors assert OFF % size_of::<T>() == 0 in a const
// block, evaluated when they are instantiated; the build names the
// driver's line and the instance, which the annotations below match.
#![no_std]
#![forbid(unsafe_code)]

use rkm::driver;
use rkm::pci;
use rkm::prelude::*;

pub struct Dev;

impl driver::Driver for Dev {
    const NAME: &'static str = "cf_dev";
    type Hw = ();
    type Data = pci::Config;
}

impl pci::Driver for Dev {
    const IDS: &'static [pci::DeviceId] = &[pci::DeviceId::new(0x8086, 0x25ab)];

    fn probe(&self, dev: &mut pci::Device<'_, Self>) -> Result<((), pci::Config)> {
        let cfg = dev.config()?;
        let v = cfg.read16::<0x61>(); //~ ERROR E0080: read16::<97>
        cfg.write32::<0x62>(u32::from(v))?; //~ ERROR E0080: write32::<98>
        Ok(((), cfg))
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
    name: "pci_config_misaligned",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
