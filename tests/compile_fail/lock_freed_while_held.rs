// SPDX-License-Identifier: GPL-2.0
// Guarantee: a lock (and the kernel object the glue allocated for it) cannot
// be freed while it is held.
// Misuse: drop the Mutex while its guard is alive, then use the guard.
// Refused because: the guard borrows the lock (Guard<'a, ..> holds &'a Lock).
#![no_std]
#![forbid(unsafe_code)]

use rkm::prelude::*;

pub fn use_after_free() -> Result<u32> {
    let m = new_mutex!(5u32)?;
    let g = m.lock();
    drop(m); //~ ERROR E0505: cannot move out of `m` because it is borrowed
    Ok(*g)
}

pub struct Driver;

impl Module for Driver {
    fn init() -> Result<Self> {
        Ok(Driver)
    }
}

module! {
    type: Driver,
    name: "lock_freed_while_held",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
