// SPDX-License-Identifier: GPL-2.0
// Guarantee: probe gets the driver data of its id table entry typed as the
// driver declared it (IdInfo); no entry can carry another type.
// Misuse: declare IdInfo = u32 but attach a string to an entry.
// Refused because: IDS is &[DeviceId<Self::IdInfo>]: E0308.
#![no_std]
#![forbid(unsafe_code)]

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
    type IdInfo = u32;
    const IDS: &'static [pci::DeviceId<u32>] = &[pci::DeviceId::new(0x1234, 0x11e8).data("fifo")]; //~ ERROR E0308: mismatched types

    fn probe(&self, dev: &mut pci::Device<'_, Self>) -> Result<(Hw, ())> {
        dev.enable()?;
        dev.dma_mask(32)?;
        let bar = dev.iomap::<0x100>(0)?;
        let fifo: u32 = *dev.id().driver_data();
        let _ = fifo;
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
    name: "pci_id_data_wrong_type",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
