// SPDX-License-Identifier: GPL-2.0
// Guarantee: the data a Mutex protects is reachable only through a guard,
// i.e. only while the lock is held.
// Misuse: update a field of the protected data through the lock itself.
// Refused because: Lock<T, B> has no Deref to T; only Guard derefs to it.
#![no_std]
#![forbid(unsafe_code)]

use rkm::prelude::*;

pub struct Pair {
    pub a: u64,
    pub b: u64,
}

pub fn bump(m: &Mutex<Pair>) {
    m.a += 1; //~ ERROR E0609: no field `a`
}

pub struct Driver;

impl Module for Driver {
    fn init() -> Result<Self> {
        Ok(Driver)
    }
}

module! {
    type: Driver,
    name: "lock_data_needs_guard",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
