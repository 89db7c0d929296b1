// SPDX-License-Identifier: GPL-2.0
// Guarantee: a KBox is freed once and never used after it is given away.
// Misuse: move a KBox into a function that frees it, then read it.
// Refused because: KBox is not Copy: the move ends the variable (E0382).
#![no_std]
#![forbid(unsafe_code)]

use rkm::prelude::*;

pub fn use_after_free() -> Result<u64> {
    let b = KBox::try_new(7u64)?;
    drop(b);
    Ok(*b) //~ ERROR E0382: borrow of moved value: `b`
}

pub struct Driver;

impl Module for Driver {
    fn init() -> Result<Self> {
        Ok(Driver)
    }
}

module! {
    type: Driver,
    name: "kbox_use_after_move",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
