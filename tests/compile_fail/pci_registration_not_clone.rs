// SPDX-License-Identifier: GPL-2.0
// Guarantee: a PCI driver is registered with one owner and unregistered
// exactly once (and its boxed driver value freed once, after that).
// Misuse: clone the Registration, which would unregister twice.
// Refused because: Registration implements neither Clone nor Copy (E0599).
#![no_std]
#![forbid(unsafe_code)]

use core::sync::atomic::AtomicU32;
use rkm::driver;
use rkm::pci;
use rkm::prelude::*;

irq_safe! {
    pub struct Hw {
        pub status: AtomicU32,
    }
}

pub struct Data {
    pub count: Mutex<u64>,
}

pub struct Dev;

impl driver::Driver for Dev {
    const NAME: &'static str = "cf_dev";
    type Hw = Hw;
    type Data = Data;
}

impl pci::Driver for Dev {
    const IDS: &'static [pci::DeviceId] = &[pci::DeviceId::new(0x1234, 0x11e8)];

    fn probe(&self, _dev: &mut pci::Device<'_, Self>) -> Result<(Hw, Data)> {
        Ok((Hw { status: AtomicU32::new(0) }, Data { count: new_mutex!(0)? }))
    }
}

pub struct Driver {
    _a: pci::Registration<Dev>,
    _b: pci::Registration<Dev>,
}

impl Module for Driver {
    fn init() -> Result<Self> {
        let reg = pci::Registration::register(Dev)?;
        let copy = reg.clone(); //~ ERROR E0599: no method named `clone` found for struct `
        Ok(Driver { _a: reg, _b: copy })
    }
}

module! {
    type: Driver,
    name: "pci_registration_not_clone",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
