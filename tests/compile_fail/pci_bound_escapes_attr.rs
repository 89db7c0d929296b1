// SPDX-License-Identifier: GPL-2.0
// Guarantee: a sysfs callback reaches the device's state only while it
// runs: the driver core removes the files (waiting for running callbacks)
// before remove, and the state is freed after it.
// Misuse: a show callback that saves a reference to the device's Hw in
// module-wide state (which outlives every binding), for later use.
// Refused because: show gets &Bound<'_, D> for a lifetime local to the call,
// and hw() borrows it: the borrowed data escapes the function (E0521).
#![no_std]
#![forbid(unsafe_code)]

use core::fmt::Write;
use core::sync::atomic::{AtomicU32, Ordering};
use rkm::driver;
use rkm::pci::{self, Attr, AttrBuf, Bound};
use rkm::prelude::*;

irq_safe! {
    pub struct Hw {
        pub status: AtomicU32,
    }
}

/// Module-wide state: outlives every binding.
pub struct Hub {
    pub last: Mutex<Option<&'static Hw>>,
}

pub struct Data {
    pub hub: Arc<Hub>,
}

fn show_status(dev: &Bound<'_, Dev>, out: &mut AttrBuf<'_>) -> Result {
    *dev.data().hub.last.lock() = Some(dev.hw()); //~ ERROR E0521: borrowed data escapes outside of function
    writeln!(out, "{}", dev.hw().status.load(Ordering::Relaxed)).map_err(|_| EFBIG)
}

pub struct Dev {
    hub: Arc<Hub>,
}

impl driver::Driver for Dev {
    const NAME: &'static str = "cf_dev";
    const ATTRS: &'static [Attr<Self>] = &[Attr::ro("cf_status", show_status)];
    type Hw = Hw;
    type Data = Data;
}

impl pci::Driver for Dev {
    const IDS: &'static [pci::DeviceId] = &[pci::DeviceId::new(0x1234, 0x11e8)];

    fn probe(&self, _dev: &mut pci::Device<'_, Self>) -> Result<(Hw, Data)> {
        Ok((Hw { status: AtomicU32::new(0) }, Data { hub: self.hub.clone() }))
    }
}

pub struct Driver {
    _pci: pci::Registration<Dev>,
}

impl Module for Driver {
    fn init() -> Result<Self> {
        let hub = Arc::try_new(Hub { last: new_mutex!(None)? })?;
        Ok(Driver { _pci: pci::Registration::register(Dev { hub })? })
    }
}

module! {
    type: Driver,
    name: "pci_bound_escapes_attr",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
