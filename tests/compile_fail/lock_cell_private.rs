// SPDX-License-Identifier: GPL-2.0
// Guarantee: the UnsafeCell inside a lock cannot be reached by a driver, so
// there is no way around the guard.
// Misuse: read the data through the lock's `data` field.
// Refused because: the fields of Lock are private to the rkm crate.
#![no_std]
#![forbid(unsafe_code)]

use rkm::prelude::*;

pub fn peek(m: &Mutex<u64>) -> *mut u64 {
    m.data.get() //~ ERROR E0616: field `data` of struct `Lock` is private
}

pub struct Driver;

impl Module for Driver {
    fn init() -> Result<Self> {
        Ok(Driver)
    }
}

module! {
    type: Driver,
    name: "lock_cell_private",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
