// SPDX-License-Identifier: GPL-2.0
// Guarantee: the ring's base address given to the device (RDBAL/RDBAH)
// stays valid while the driver hands it over: the DmaAddr borrows the
// DescRing, so the ring cannot be freed while the address is in use.
// Misuse: take a ring's device address, drop the ring, then write the
// address to the device's ring base registers.
// Refused because: dma_addr() borrows the ring for the DmaAddr's
// lifetime, so it cannot be moved into drop: E0505.
#![no_std]
#![forbid(unsafe_code)]

use rkm::dma::DescRing;
use rkm::driver;
use rkm::io::Bar;
use rkm::pci;
use rkm::prelude::*;

rkm::dma_descriptor! {
    pub struct RxDesc { pub addr: u64, pub len: u16, pub csum: u16, pub status: u8, pub errors: u8, pub special: u16 }
}

irq_safe! {
    pub struct Hw {
        pub bar: Bar<0x4000>,
    }
}

pub struct Dev;

impl driver::Driver for Dev {
    const NAME: &'static str = "cf_dev";
    type Hw = Hw;
    type Data = DescRing<RxDesc>;
}

impl pci::Driver for Dev {
    const IDS: &'static [pci::DeviceId] = &[pci::DeviceId::new(0x8086, 0x100e)];

    fn probe(&self, dev: &mut pci::Device<'_, Self>) -> Result<(Hw, DescRing<RxDesc>)> {
        dev.enable()?;
        dev.dma_mask(64)?;
        let bar = dev.iomap::<0x4000>(0)?;
        let old = DescRing::<RxDesc>::alloc(dev, 256)?;
        let base = old.dma_addr();
        drop(old); //~ ERROR E0505: cannot move out of `old` because it is borrowed
        bar.write_dma_addr_lo_hi::<0x2800, 0x2804>(base);
        let ring = DescRing::<RxDesc>::alloc(dev, 256)?;
        Ok((Hw { bar }, ring))
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
    name: "dma_ring_addr_outlives_ring",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
