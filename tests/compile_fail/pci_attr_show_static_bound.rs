// SPDX-License-Identifier: GPL-2.0
// Guarantee: a sysfs callback cannot demand that the device's state outlive
// the call (it may be unbound and freed right after).
// Misuse: a show callback declared for a Bound that lives forever, so that
// it may keep its Data (here, in module-wide state).
// Refused because: Attr::ro takes a fn(&Bound<'_, D>, ..) for every
// lifetime; a fn accepting only 'static is not one (E0308).
#![no_std]
#![forbid(unsafe_code)]

use core::sync::atomic::AtomicU32;
use rkm::driver;
use rkm::pci::{self, Attr, AttrBuf, Bound};
use rkm::prelude::*;

irq_safe! {
    pub struct Hw {
        pub status: AtomicU32,
    }
}

pub struct Data {
    pub hub: Arc<Hub>,
}

/// Module-wide state: outlives every binding.
pub struct Hub {
    pub kept: Mutex<Option<&'static Data>>,
}

fn show_keep(dev: &'static Bound<'static, Dev>, _out: &mut AttrBuf<'_>) -> Result {
    *dev.data().hub.kept.lock() = Some(dev.data());
    Ok(())
}

pub struct Dev {
    hub: Arc<Hub>,
}

impl driver::Driver for Dev {
    const NAME: &'static str = "cf_dev";
    const ATTRS: &'static [Attr<Self>] = &[Attr::ro("cf_keep", show_keep)]; //~ ERROR E0308: one type is more general than the other
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
        let hub = Arc::try_new(Hub { kept: new_mutex!(None)? })?;
        Ok(Driver { _pci: pci::Registration::register(Dev { hub })? })
    }
}

module! {
    type: Driver,
    name: "pci_attr_show_static_bound",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
