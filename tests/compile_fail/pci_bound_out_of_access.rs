// SPDX-License-Identifier: GPL-2.0
// Guarantee: nothing of a device's state is reachable once the caller has
// left its gate. The Bound inside an Access is typed with the DeviceRef's
// borrow (Bound<'a, D>), which outlives the pass through the gate, so it
// must never be taken out of the Access.
// Misuse: move the Bound out of the Access, then drop the Access (leaving
// the gate; unbinding may free the state) and keep using the Bound.
// Refused because: Access only derefs (no DerefMut, no accessor by value)
// and Bound is neither Clone nor Copy: E0507.
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
    let a = r.access().ok_or(ENODEV)?;
    let bound = *a; //~ ERROR E0507: cannot move out of dereference of `Access<'_, Dev>`
    drop(a);
    Ok(bound.hw().status.load(Ordering::Relaxed))
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
    name: "pci_bound_out_of_access",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
