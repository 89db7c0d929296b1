// SPDX-License-Identifier: GPL-2.0
// Guarantee: a driver cannot promise thread safety that the compiler cannot
// check.
// Misuse: unsafe impl Send for a type holding a raw pointer, to move it to
// another thread.
// Refused because: an unsafe impl is unsafe code, and the driver is compiled
// with -Funsafe_code (kbuild/rkm.mk).
#![no_std]

use rkm::prelude::*;

pub struct Shared(pub *mut u8);

unsafe impl Send for Shared {} //~ ERROR unsafe_code: implementation of an `unsafe` trait

pub struct Driver;

impl Module for Driver {
    fn init() -> Result<Self> {
        Ok(Driver)
    }
}

module! {
    type: Driver,
    name: "unsafe_impl_send",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
