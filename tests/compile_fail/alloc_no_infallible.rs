// SPDX-License-Identifier: GPL-2.0
// Guarantee: no allocation can fail silently or abort the kernel: every
// growth returns a Result.
// Misuse: the infallible Vec::push and Box::new of std.
// Refused because: KVec has only try_push, KBox only try_new.
#![no_std]
#![forbid(unsafe_code)]

use rkm::prelude::*;

pub fn fill(v: &mut KVec<u8>) -> KBox<u8> {
    v.push(1); //~ ERROR E0599: no method named `push`
    KBox::new(2) //~ ERROR E0599: no associated function or constant named `new`
}

pub struct Driver;

impl Module for Driver {
    fn init() -> Result<Self> {
        Ok(Driver)
    }
}

module! {
    type: Driver,
    name: "alloc_no_infallible",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
