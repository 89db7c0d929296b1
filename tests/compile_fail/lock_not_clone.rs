// SPDX-License-Identifier: GPL-2.0
// Guarantee: a lock has exactly one owner, which frees its kernel object
// once. (Nothing needs pinning: the kernel mutex lives in memory the glue
// allocated, so moving the Rust value moves a handle, not the mutex; what
// must be impossible instead is duplicating the handle.)
// Misuse: clone a Mutex, which would give two handles to one struct mutex
// (a double free when both drop, and two unrelated copies of the data).
// Refused because: Lock implements neither Clone nor Copy (and m.clone()
// would only copy the reference).
#![no_std]
#![forbid(unsafe_code)]

use rkm::prelude::*;

pub fn duplicate(m: &Mutex<u32>) -> Mutex<u32> {
    Clone::clone(m) //~ ERROR E0277: Clone` is not satisfied
}

pub struct Driver;

impl Module for Driver {
    fn init() -> Result<Self> {
        Ok(Driver)
    }
}

module! {
    type: Driver,
    name: "lock_not_clone",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
