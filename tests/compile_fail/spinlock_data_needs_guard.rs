// SPDX-License-Identifier: GPL-2.0
// Guarantee: the data a SpinLock protects is reachable only through a guard.
// Misuse: call a method of the protected KVec on the lock, unlocked.
// Refused because: Lock<T, B> has no Deref to T, so T's methods are not
// found on it.
#![no_std]
#![forbid(unsafe_code)]

use rkm::prelude::*;

pub fn log(s: &SpinLock<KVec<u8>>, b: u8) -> Result {
    s.try_push(b) //~ ERROR E0599: no method named `try_push`
}

pub struct Driver;

impl Module for Driver {
    fn init() -> Result<Self> {
        Ok(Driver)
    }
}

module! {
    type: Driver,
    name: "spinlock_data_needs_guard",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
