// SPDX-License-Identifier: GPL-2.0
// Guarantee: a driver cannot switch the unsafe_code lint off.
// Misuse: #![allow(unsafe_code)] at the top of the driver, then an unsafe
// block.
// Refused because: -Funsafe_code on the command line is a forbid, which no
// attribute in the source can lower (E0453); the block stays refused.
#![no_std]
#![allow(unsafe_code)] //~ ERROR E0453: allow(unsafe_code) incompatible with previous forbid

use rkm::prelude::*;

pub fn read_at(addr: usize) -> u8 {
    unsafe { core::ptr::read_volatile(addr as *const u8) } //~ ERROR unsafe_code: usage of an `unsafe` block
}

pub struct Driver;

impl Module for Driver {
    fn init() -> Result<Self> {
        Ok(Driver)
    }
}

module! {
    type: Driver,
    name: "unsafe_code_allowed_in_source",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
