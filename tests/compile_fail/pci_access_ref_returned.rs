// SPDX-License-Identifier: GPL-2.0
// Guarantee: a device's state is not reachable after the caller has left
// its gate, even through a function's return value.
// Misuse: return a reference to the device's Data from a function that
// entered the device.
// Refused because: the reference borrows the local Access: E0515.
#![no_std]
#![forbid(unsafe_code)]

use core::sync::atomic::AtomicU32;
use rkm::driver;
use rkm::pci::{self, DeviceRef};
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

pub fn data_of(r: &DeviceRef<Dev>) -> Option<&Data> {
    let a = r.access()?;
    Some(a.data()) //~ ERROR E0515: cannot return value referencing local variable `a`
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
    name: "pci_access_ref_returned",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
