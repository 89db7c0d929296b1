// SPDX-License-Identifier: GPL-2.0
// Guarantee: a minor's device data lives as long as files opened on it may
// (after the registration is dropped, and after its creator returned).
// Misuse: per-minor device data that borrows a local of the function that
// makes the region.
// Refused because: FileOperations::Device is 'static, so the borrow would
// have to be 'static (E0597).
#![no_std]
#![forbid(unsafe_code)]

use rkm::chrdev;
use rkm::prelude::*;

pub struct Minor {
    pub name: &'static [u8],
}

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
}

impl Module for Driver {
    fn init() -> Result<Self> {
        let name = [b'x'; 4];
        let reg = chrdev::Registration::<Open>::register("cf_dev", 1, 0o600, |_| {
            Arc::try_new(Minor { name: &name }) //~ ERROR E0597
        })?;
        Ok(Driver { _a: reg })
    }
}

module! {
    type: Driver,
    name: "chrdev_minor_borrows_caller",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
