// SPDX-License-Identifier: GPL-2.0
// Guarantee: a lock name, read by the kernel as a C string, ends with NUL.
// Misuse: a lock name without the terminating NUL.
// Refused because: LockName::new asserts it, at compile time in a const.
#![no_std]
#![forbid(unsafe_code)]

use rkm::prelude::*;
use rkm::sync::LockName;

pub const NAME: LockName = LockName::new("no_nul"); //~ ERROR E0080: a lock name ends with NUL

pub struct Driver;

impl Module for Driver {
    fn init() -> Result<Self> {
        Ok(Driver)
    }
}

module! {
    type: Driver,
    name: "lock_name_needs_nul",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
