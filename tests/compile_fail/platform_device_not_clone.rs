// SPDX-License-Identifier: GPL-2.0
// Guarantee: a module-created platform device has one owner and is
// unregistered exactly once.
// Misuse: clone the PlatformDevice, which would unregister it twice.
// Refused because: PlatformDevice implements neither Clone nor Copy (E0599).
#![no_std]
#![forbid(unsafe_code)]

use rkm::platform::PlatformDevice;
use rkm::prelude::*;

pub struct Driver {
    _a: PlatformDevice,
    _b: PlatformDevice,
}

impl Module for Driver {
    fn init() -> Result<Self> {
        let dev = PlatformDevice::register("cf_dev", 0)?;
        let copy = dev.clone(); //~ ERROR E0599: no method named `clone` found for struct `PlatformDevice`
        Ok(Driver { _a: dev, _b: copy })
    }
}

module! {
    type: Driver,
    name: "platform_device_not_clone",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
