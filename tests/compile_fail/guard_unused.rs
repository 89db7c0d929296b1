// SPDX-License-Identifier: GPL-2.0
// Guarantee: a lock is not taken and dropped by mistake in one statement
// (the data then looks protected but is not).
// Misuse: call lock() as a statement, then use the data as if held.
// Refused because: Guard is #[must_use]; -Dwarnings (the kernel build's
// flag) makes the unused_must_use lint an error.
#![no_std]
#![forbid(unsafe_code)]

use rkm::prelude::*;

pub fn critical(m: &Mutex<u32>) {
    m.lock(); //~ ERROR unused_must_use: unused `Guard` that must be used
}

pub struct Driver;

impl Module for Driver {
    fn init() -> Result<Self> {
        Ok(Driver)
    }
}

module! {
    type: Driver,
    name: "guard_unused",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
