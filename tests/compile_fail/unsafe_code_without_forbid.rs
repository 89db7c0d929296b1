// SPDX-License-Identifier: GPL-2.0
// Guarantee: a driver contains no unsafe code even if its source does not
// say #![forbid(unsafe_code)]: the build, not the source, decides.
// Misuse: an unsafe block in a driver that leaves out #![forbid(unsafe_code)].
// Refused because: the driver is compiled with -Funsafe_code (kbuild/rkm.mk),
// so the unsafe_code lint is an error in every driver.
#![no_std]

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
    name: "unsafe_code_without_forbid",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
