// SPDX-License-Identifier: GPL-2.0
// Guarantee: the name in module! is the module's file name (KBUILD_MODNAME),
// so modinfo, parameters and the log all agree.
// Misuse: module! names another module.
// Refused because: module! compares it with RKM_MODNAME, which the build
// sets, at compile time (the runner sets it to the case's file name).
#![no_std]
#![forbid(unsafe_code)]

use rkm::prelude::*;

pub struct Driver;

impl Module for Driver {
    fn init() -> Result<Self> {
        Ok(Driver)
    }
}

module! { //~ ERROR E0080: module! name differs from the module's file name
    type: Driver,
    name: "some_other_module",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
