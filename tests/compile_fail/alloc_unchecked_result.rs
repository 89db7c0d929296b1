// SPDX-License-Identifier: GPL-2.0
// Guarantee: an allocation's result must be checked before the memory is
// used.
// Misuse: use the result of KBox::try_new as the box.
// Refused because: it is a Result<KBox<T>>, not a KBox<T> (E0614: no deref).
#![no_std]
#![forbid(unsafe_code)]

use rkm::prelude::*;

pub fn first() -> u64 {
    let b = KBox::try_new(7u64);
    *b //~ ERROR E0614: cannot be dereferenced
}

pub struct Driver;

impl Module for Driver {
    fn init() -> Result<Self> {
        Ok(Driver)
    }
}

module! {
    type: Driver,
    name: "alloc_unchecked_result",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
