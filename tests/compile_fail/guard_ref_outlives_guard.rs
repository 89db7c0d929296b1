// SPDX-License-Identifier: GPL-2.0
// Guarantee: a reference into locked data cannot outlive the guard, i.e. it
// cannot be used after the unlock.
// Misuse: keep a reference to a field after the guard's scope ends.
// Refused because: Deref ties the reference to the borrow of the guard.
#![no_std]
#![forbid(unsafe_code)]

use rkm::prelude::*;

pub struct Pair {
    pub a: u64,
    pub b: u64,
}

pub fn read_a(m: &Mutex<Pair>) -> u64 {
    let a;
    {
        let g = m.lock();
        a = &g.a; //~ ERROR E0597: `g` does not live long enough
    } // unlocked here
    *a
}

pub struct Driver;

impl Module for Driver {
    fn init() -> Result<Self> {
        Ok(Driver)
    }
}

module! {
    type: Driver,
    name: "guard_ref_outlives_guard",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
