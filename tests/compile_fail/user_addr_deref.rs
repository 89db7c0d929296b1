// SPDX-License-Identifier: GPL-2.0
// Guarantee: a user address from a system call (an ioctl argument) is only
// accessed through copy_{from,to}_user, never dereferenced.
// Misuse: cast the ioctl argument to a pointer and read through it.
// Refused because: dereferencing a raw pointer needs unsafe (E0133), and
// the driver forbids unsafe code.
#![no_std]
#![forbid(unsafe_code)]

use rkm::prelude::*;

pub fn get(arg: usize) -> u32 {
    let p = arg as *const u32;
    *p //~ ERROR E0133: dereference of raw pointer is unsafe
}

pub struct Driver;

impl Module for Driver {
    fn init() -> Result<Self> {
        Ok(Driver)
    }
}

module! {
    type: Driver,
    name: "user_addr_deref",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
