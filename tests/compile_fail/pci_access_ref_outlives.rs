// SPDX-License-Identifier: GPL-2.0
// Guarantee: nothing of a device's state is reachable once the caller has
// left its gate: unbinding waits for every Access to drop, then frees the
// state, so a reference kept past the Access would dangle.
// Misuse: keep a reference to the device's Hw from an Access after the
// Access is dropped (at the end of the block).
// Refused because: Bound::hw() (reached through Access's Deref) borrows the
// Access itself, not the DeviceRef: E0597.
#![no_std]
#![forbid(unsafe_code)]

use core::sync::atomic::{AtomicU32, Ordering};
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

pub fn status(r: &DeviceRef<Dev>) -> Result<u32> {
    let hw = {
        let a = r.access().ok_or(ENODEV)?;
        a.hw() //~ ERROR E0597: `a` does not live long enough
    }; // the Access drops here: unbinding may free the state now
    Ok(hw.status.load(Ordering::Relaxed))
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
    name: "pci_access_ref_outlives",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
