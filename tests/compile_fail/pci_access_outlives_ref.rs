// SPDX-License-Identifier: GPL-2.0
// Guarantee: the binding a pass through the gate refers to lives until the
// pass ends (the DeviceRef holds the reference count that keeps it).
// Misuse: drop the (possibly last) DeviceRef while its Access is held: the
// binding, with the rw_semaphore the Access must release, could be freed.
// Refused because: access() borrows the DeviceRef for the Access's
// lifetime: E0505.
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

pub fn last_use(r: DeviceRef<Dev>) -> Result<u32> {
    let a = r.access().ok_or(ENODEV)?;
    drop(r); //~ ERROR E0505: cannot move out of `r` because it is borrowed
    Ok(a.hw().status.load(Ordering::Relaxed))
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
    name: "pci_access_outlives_ref",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
