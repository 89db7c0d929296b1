// SPDX-License-Identifier: GPL-2.0
// Guarantee: an ioctl number encodes its argument size faithfully (14 bits,
// as _IOC does); a larger struct cannot silently wrap into another number.
// Misuse: an _IOW command for a 16 KiB argument.
// Refused because: ioctl::ioc asserts the size, at compile time in a const.
#![no_std]
#![forbid(unsafe_code)]

use rkm::prelude::*;

pub const IOC_LOAD: u32 = ioctl::iow::<[u8; 16384]>(b'x', 1); //~ ERROR E0080: ioctl argument too large

pub struct Driver;

impl Module for Driver {
    fn init() -> Result<Self> {
        Ok(Driver)
    }
}

module! {
    type: Driver,
    name: "ioctl_arg_too_large",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
