// SPDX-License-Identifier: GPL-2.0
// Guarantee: a char-device region has one owner and is torn down exactly
// once, before the per-minor device data it hands to open is freed.
// Misuse: clone the Registration, which would tear it down twice.
// Refused because: chrdev::Registration implements neither Clone nor Copy (E0599).
#![no_std]
#![forbid(unsafe_code)]

use rkm::chrdev;
use rkm::prelude::*;

pub struct Minor;

pub struct Open;

#[rkm::vtable]
impl FileOperations for Open {
    type Device = Minor;

    fn open(_dev: &Arc<Minor>, _file: &OpenFile) -> Result<Self> {
        Ok(Open)
    }
}

pub struct Driver {
    _a: chrdev::Registration<Open>,
    _b: chrdev::Registration<Open>,
}

impl Module for Driver {
    fn init() -> Result<Self> {
        let reg = chrdev::Registration::<Open>::register("cf_dev", 2, 0o600, |_| Arc::try_new(Minor))?;
        let copy = reg.clone(); //~ ERROR E0599: no method named `clone` found for struct `rkm::chrdev::Registration
        Ok(Driver { _a: reg, _b: copy })
    }
}

module! {
    type: Driver,
    name: "chrdev_registration_not_clone",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
