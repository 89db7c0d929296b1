// SPDX-License-Identifier: GPL-2.0
// Guarantee: the hard interrupt handler reaches only its Hw, never the
// process-context Data, and never sleeps on the binding's gate.
// Misuse: a DeviceRef to the device itself in Hw, through which the
// handler would enter the gate (down_read, which sleeps) and reach Data.
// Refused because: irq_safe! requires every field to be IrqSafe, and a
// DeviceRef is not (so neither is Hw, which pci::Driver::Hw requires).
#![no_std]
#![forbid(unsafe_code)]

use core::sync::atomic::AtomicU32;
use rkm::driver;
use rkm::pci::{self, DeviceRef};
use rkm::prelude::*;

irq_safe! {
    pub struct Hw {
        pub status: AtomicU32,
        pub me: Option<DeviceRef<Dev>>, //~ ERROR E0277: DeviceRef<Dev>: IrqSafe` is not satisfied
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
        Ok((Hw { status: AtomicU32::new(0), me: Some(dev.device_ref()) }, ()))
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
    name: "irq_hw_device_ref_not_irq_safe",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
