// SPDX-License-Identifier: GPL-2.0
// Guarantee: a misc device registration has one owner and is deregistered
// exactly once. (It need not be pinned: the glue owns the struct
// miscdevice and the device data sits in a KBox, so the handle moves freely.)
// Misuse: clone the registration, which would deregister the device twice.
// Refused because: MiscDevice implements neither Clone nor Copy.
#![no_std]
#![forbid(unsafe_code)]

use rkm::prelude::*;

pub struct Dev;

pub struct Open;

#[rkm::vtable]
impl FileOperations for Open {
    type Device = Dev;

    fn open(_dev: &Arc<Dev>, _file: &OpenFile) -> Result<Self> {
        Ok(Open)
    }
}

pub struct Driver {
    _a: MiscDevice<Open>,
    _b: MiscDevice<Open>,
}

impl Module for Driver {
    fn init() -> Result<Self> {
        let reg = MiscDevice::<Open>::register("cf_dev", 0o600, Arc::try_new(Dev)?)?;
        let copy = reg.clone(); //~ ERROR E0599: no method named `clone`
        Ok(Driver { _a: reg, _b: copy })
    }
}


module! {
    type: Driver,
    name: "miscdev_not_clone",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
