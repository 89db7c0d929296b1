// SPDX-License-Identifier: GPL-2.0
// Guarantee: a lock's lockdep subclass is one lockdep accepts (below
// MAX_LOCKDEP_SUBCLASSES, 8): a bigger one would make lockdep report a bug
// and turn itself off.
// Misuse: lock_nested::<8>().
// Refused because: lock_nested checks SUBCLASS < Lock::SUBCLASSES in a
// const block; the error names this file's line (rustc's "encountered while
// instantiating" note, see kbuild/rustc-kernel).
#![no_std]
#![forbid(unsafe_code)]

use rkm::prelude::*;

pub fn deep(parent: &Mutex<u32>, child: &Mutex<u32>) -> u32 {
    let p = parent.lock();
    let c = child.lock_nested::<8>(); //~ ERROR E0080: lockdep subclass out of range
    *p + *c
}

pub struct Driver;

impl Module for Driver {
    fn init() -> Result<Self> {
        let (a, b) = (new_mutex!(0)?, new_mutex!(0)?);
        deep(&a, &b);
        Ok(Driver)
    }
}

module! {
    type: Driver,
    name: "lock_nested_subclass_out_of_range",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
