// SPDX-License-Identifier: GPL-2.0
// Guarantee: a lock's lockdep class key is static storage, as the kernel
// requires (lockdep keeps pointers to it forever).
// Misuse: build a lock by hand with a key on the stack.
// Refused because: try_new takes &'static LockClassKey, and a key (an
// UnsafeCell) is never promoted to a static.
#![no_std]
#![forbid(unsafe_code)]

use rkm::prelude::*;
use rkm::sync::{LockClassKey, LockName};

pub fn hand_made() -> Result<Mutex<u32>> {
    const NAME: LockName = LockName::new("hand_made\0");
    Mutex::try_new(0, NAME, &LockClassKey::new()) //~ ERROR E0716: temporary value dropped while borrowed
}

pub struct Driver;

impl Module for Driver {
    fn init() -> Result<Self> {
        Ok(Driver)
    }
}

module! {
    type: Driver,
    name: "lock_key_not_static",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
