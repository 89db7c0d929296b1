// SPDX-License-Identifier: GPL-2.0
// Guarantee: a watchdog's state is shared between the core's callbacks
// (start, ping, stop run in whichever task opened /dev/watchdogN, in the
// core's ping worker and at reboot), so it must be Send + Sync.
// Misuse: a state with a Cell counter, bumped from ping.
// Refused because: Watchdog requires Send + Sync + 'static (E0277).
#![no_std]
#![forbid(unsafe_code)]

use rkm::driver;
use rkm::pci;
use rkm::prelude::*;
use rkm::watchdog::{Context, Watchdog};


struct Soft {
    pings: core::cell::Cell<u32>,
}

#[rkm::vtable]
impl Watchdog for Soft { //~ ERROR E0277: cannot be shared between threads safely
    const IDENTITY: &'static str = "soft";
    const OPTIONS: u32 = 0;
    fn start(&self, _: &Context<'_>) -> Result {
        Ok(())
    }
    fn stop(&self, _: &Context<'_>) -> Result {
        Ok(())
    }
    fn ping(&self, _: &Context<'_>) -> Result {
        self.pings.set(self.pings.get() + 1);
        Ok(())
    }
}

pub struct Dev;

impl driver::Driver for Dev {
    const NAME: &'static str = "cf_dev";
    type Hw = ();
    type Data = ();
}

impl pci::Driver for Dev {
    const IDS: &'static [pci::DeviceId] = &[pci::DeviceId::new(0x8086, 0x25ab)];

    fn probe(&self, _dev: &mut pci::Device<'_, Self>) -> Result<((), ())> {
        Ok(((), ()))
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
    name: "watchdog_state_not_sync",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
