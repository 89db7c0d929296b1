// SPDX-License-Identifier: GPL-2.0
// Guarantee: userspace cannot hand the driver a kernel pointer: no reference
// is ever read from user memory.
// Misuse: read a &'static u64 from a user buffer and dereference it (an
// arbitrary kernel read).
// Refused because: references are not Pod.
#![no_std]
#![forbid(unsafe_code)]

use rkm::prelude::*;

pub fn peek(mut r: UserSliceReader) -> Result<u64> {
    let p: &'static u64 = r.read()?; //~ ERROR E0277: the trait bound `&u64: Pod` is not satisfied
    Ok(*p)
}

pub struct Driver;

impl Module for Driver {
    fn init() -> Result<Self> {
        Ok(Driver)
    }
}

module! {
    type: Driver,
    name: "user_read_reference",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
