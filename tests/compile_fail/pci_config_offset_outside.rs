// SPDX-License-Identifier: GPL-2.0
// Guarantee: config-space accesses at a constant offset stay inside the 256
// bytes every PCI device has (larger offsets go through try_read*/try_write*,
// checked against the device's real size at run time).
// Misuse: read a u32 at 0x100 and write a u8 at 0x100 of a pci::Config.
// Refused because: the accessors assert OFF + size_of::<T>() <= 256 in a
// const block, evaluated when they are instantiated (only when the call is
// reachable from the module, i.e. compiled); the build names the driver's
// line and the instance, which the annotations below match.
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
        let v = cfg.read32::<0x100>(); //~ ERROR E0080: read32::<256>
        cfg.write8::<0x100>(v as u8)?; //~ ERROR E0080: write8::<256>
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
    name: "pci_config_offset_outside",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
