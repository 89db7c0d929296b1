// SPDX-License-Identifier: GPL-2.0
// Guarantee: a driver contains no unsafe code: every unsafe operation is in
// the audited rkm crate.
// Misuse: an unsafe block in a driver.
// Refused because: #![forbid(unsafe_code)] makes the unsafe_code lint an
// error.
#![no_std]
#![forbid(unsafe_code)]

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
    name: "unsafe_block",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
