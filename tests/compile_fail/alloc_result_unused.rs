// SPDX-License-Identifier: GPL-2.0
// Guarantee: an allocation failure is never ignored.
// Misuse: grow a KVec and ignore whether it worked.
// Refused because: Result is #[must_use]; -Dwarnings (the kernel build's
// flag) makes the unused_must_use lint an error.
#![no_std]
#![forbid(unsafe_code)]

use rkm::prelude::*;

pub fn grow(v: &mut KVec<u8>) {
    v.try_reserve(4096); //~ ERROR unused_must_use: Result` that must be used
}

pub struct Driver;

impl Module for Driver {
    fn init() -> Result<Self> {
        Ok(Driver)
    }
}

module! {
    type: Driver,
    name: "alloc_result_unused",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
