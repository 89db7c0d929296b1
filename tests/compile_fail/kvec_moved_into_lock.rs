// SPDX-License-Identifier: GPL-2.0
// Guarantee: data handed to a lock is reachable only through the lock.
// Misuse: keep using a KVec after moving it into a Mutex.
// Refused because: the move ends the variable (E0382).
#![no_std]
#![forbid(unsafe_code)]

use rkm::prelude::*;

pub fn bypass() -> Result<Mutex<KVec<u8>>> {
    let mut v = KVec::new();
    v.try_push(1u8)?;
    let m = new_mutex!(v)?;
    v.try_push(2)?; //~ ERROR E0382: borrow of moved value: `v`
    Ok(m)
}

pub struct Driver;

impl Module for Driver {
    fn init() -> Result<Self> {
        Ok(Driver)
    }
}

module! {
    type: Driver,
    name: "kvec_moved_into_lock",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
