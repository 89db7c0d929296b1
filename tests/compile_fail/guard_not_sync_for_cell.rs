// SPDX-License-Identifier: GPL-2.0
// Guarantee: sharing a guard with another thread is allowed only when the
// data may be shared (T: Sync): a Cell behind a lock stays single-threaded.
// Misuse: share the guard of a Mutex<Cell<u32>> between threads.
// Refused because: Guard is Sync only if T: Sync, and Cell is not.
#![no_std]
#![forbid(unsafe_code)]

use core::cell::Cell;
use rkm::prelude::*;

fn need_sync<T: Sync>(_: &T) {}

pub fn share(m: &Mutex<Cell<u32>>) {
    let g = m.lock();
    need_sync(&g); //~ ERROR E0277: cannot be shared between threads safely
}

pub struct Driver;

impl Module for Driver {
    fn init() -> Result<Self> {
        Ok(Driver)
    }
}

module! {
    type: Driver,
    name: "guard_not_sync_for_cell",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
