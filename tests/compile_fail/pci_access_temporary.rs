// SPDX-License-Identifier: GPL-2.0
// Guarantee: nothing of a device's state is reachable once the caller has
// left its gate: unbinding waits for every Access to drop, then frees the
// state.
// Misuse: take the device's Data from a temporary Access (left at the end
// of the statement) and use it afterwards.
// Refused because: Bound::data() borrows the Access, a temporary dropped
// while still borrowed: E0716.
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

pub fn bump(r: &DeviceRef<Dev>) -> Result {
    let data = r.access().ok_or(ENODEV)?.data(); //~ ERROR E0716: temporary value dropped while borrowed
    *data.count.lock() += 1;
    Ok(())
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
    name: "pci_access_temporary",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
