// SPDX-License-Identifier: GPL-2.0
// Guarantee: the probe-time platform Device (which hands out DeviceRefs on a
// binding that may be freed once probe fails) is usable only during probe.
// Misuse: keep the probe's &mut Device in a container that outlives probe
// (modelled by a function requiring 'static).
// Refused because: probe gets the Device by a reference whose lifetime is
// that of the call: the borrowed data escapes the method (E0521).
#![no_std]
#![forbid(unsafe_code)]

use rkm::driver;
use rkm::platform;
use rkm::prelude::*;

/// Where something kept past probe would have to go.
fn keep_forever<T: 'static>(_: T) {}

pub struct Dev;

impl driver::Driver for Dev {
    const NAME: &'static str = "cf_dev";
    type Hw = ();
    type Data = ();
}

impl platform::Driver for Dev {
    fn probe(&self, dev: &mut platform::Device<'_, Self>) -> Result<((), ())> {
        keep_forever(dev); //~ ERROR E0521: borrowed data escapes outside of method
        Ok(((), ()))
    }
}

pub struct Driver {
    _drv: platform::Registration<Dev>,
}

impl Module for Driver {
    fn init() -> Result<Self> {
        Ok(Driver { _drv: platform::Registration::register(Dev)? })
    }
}

module! {
    type: Driver,
    name: "platform_device_outlives_probe",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
