// SPDX-License-Identifier: GPL-2.0
// Guarantee: dropping a guard (unlocking) ends every borrow of the data.
// Misuse: take a reference to the data, drop the guard, then read through
// the reference.
// Refused because: drop(g) moves the guard while it is borrowed.
#![no_std]
#![forbid(unsafe_code)]

use rkm::prelude::*;

pub fn racy_len(s: &SpinLock<KVec<u8>>) -> usize {
    let g = s.lock();
    let data: &KVec<u8> = &g;
    drop(g); //~ ERROR E0505: cannot move out of `g` because it is borrowed
    data.len()
}

pub struct Driver;

impl Module for Driver {
    fn init() -> Result<Self> {
        Ok(Driver)
    }
}

module! {
    type: Driver,
    name: "guard_ref_after_drop",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
