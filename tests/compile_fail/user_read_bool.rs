// SPDX-License-Identifier: GPL-2.0
// Guarantee: only types for which every bit pattern is valid are read from
// user memory (a user byte 2 read as a bool is undefined behaviour).
// Misuse: read a bool from a user buffer.
// Refused because: read::<T>() needs T: Pod, and bool is not Pod.
#![no_std]
#![forbid(unsafe_code)]

use rkm::prelude::*;

pub fn flag(mut r: UserSliceReader) -> Result<bool> {
    r.read::<bool>() //~ ERROR E0277: the trait bound `bool: Pod` is not satisfied
}

pub struct Driver;

impl Module for Driver {
    fn init() -> Result<Self> {
        Ok(Driver)
    }
}

module! {
    type: Driver,
    name: "user_read_bool",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
