// SPDX-License-Identifier: GPL-2.0
// Guarantee: a driver cannot make an Error holding a kernel-internal errno
// (ERESTARTSYS and the rest of include/linux/errno.h's block from 512):
// returned without a signal pending, userspace would see errno 512.
// Misuse: return ERESTARTSYS from a driver's own code.
// Refused because: the constant is crate-private (the crate's interruptible
// waits return it), and Error::from_errno maps -4095..=-512 to EINVAL.
#![no_std]
#![forbid(unsafe_code)]

use rkm::prelude::*;

pub fn interrupted() -> Result {
    Err(rkm::error::code::ERESTARTSYS) //~ ERROR E0603: constant `ERESTARTSYS` is private
}

pub struct Driver;

impl Module for Driver {
    fn init() -> Result<Self> {
        Ok(Driver)
    }
}

module! {
    type: Driver,
    name: "error_restart_private",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
