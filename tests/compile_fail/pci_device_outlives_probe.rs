// SPDX-License-Identifier: GPL-2.0
// Guarantee: the probe-time Device (which can enable the device, map BARs,
// allocate vectors and hand out DeviceRefs on a binding that may be freed
// once probe fails) is usable only during probe.
// Misuse: keep the probe's &mut Device in a container that outlives probe
// (modelled by a function requiring 'static, as a static, a work item or
// the module state would).
// Refused because: probe gets the Device by a reference whose lifetime is
// that of the call: the borrowed data escapes the method (E0521).
#![no_std]
#![forbid(unsafe_code)]

use core::sync::atomic::AtomicU32;
use rkm::driver;
use rkm::pci;
use rkm::prelude::*;

/// Where something kept past probe would have to go.
fn keep_forever<T: 'static>(_: T) {}

irq_safe! {
    pub struct Hw {
        pub status: AtomicU32,
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
        dev.enable()?;
        keep_forever(dev); //~ ERROR E0521: borrowed data escapes outside of method
        Ok((Hw { status: AtomicU32::new(0) }, ()))
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
    name: "pci_device_outlives_probe",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
