// SPDX-License-Identifier: GPL-2.0
// Guarantee: no uninitialised kernel memory (struct padding) is copied to
// userspace.
// Misuse: write a #[repr(C)] struct with a padding hole to a user buffer.
// Refused because: write() needs T: Pod, and only pod! (which refuses
// padding) or the integer types implement it.
#![no_std]
#![forbid(unsafe_code)]

use rkm::prelude::*;

#[repr(C)]
#[derive(Clone, Copy)]
pub struct Info {
    pub kind: u8,
    pub len: u64,
}

pub fn info(mut w: UserSliceWriter) -> Result {
    w.write(&Info { kind: 1, len: 2 }) //~ ERROR E0277: the trait bound `Info: Pod` is not satisfied
}

pub struct Driver;

impl Module for Driver {
    fn init() -> Result<Self> {
        Ok(Driver)
    }
}

module! {
    type: Driver,
    name: "user_write_padded",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
