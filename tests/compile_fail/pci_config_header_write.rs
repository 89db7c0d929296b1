// SPDX-License-Identifier: GPL-2.0
// Guarantee: a driver cannot write the standard config-space header
// (0x00-0x3f: command, BARs, expansion ROM, interrupt line), which belongs
// to the PCI core: a rewritten BAR moves the device under the kernel's
// mapping.
// Misuse: write the command register (0x04) and BAR 0 (0x10) through
// constant-offset writes of a pci::Config.
// Refused because: the writes assert OFF >= 0x40 in a const block,
// evaluated when they are instantiated; the build names the driver's line
// and the instance, and the message names the Device methods to use, which
// the annotations below match. (Run-time offsets there are EPERM:
// tests/pci_escape.)
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
        cfg.write16::<0x04>(0x0006)?; //~ ERROR E0080: write16::<4>
        cfg.write32::<0x10>(0)?; //~ ERROR E0080: belongs to the PCI core: use pci::Device's enable, set_master
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
    name: "pci_config_header_write",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
