// SPDX-License-Identifier: GPL-2.0
// Guarantee: a reader only moves forward: no copy of it can go back and
// fetch the same user bytes again.
// Misuse: clone the reader before reading, to read the bytes twice.
// Refused because: UserSliceReader implements neither Clone nor Copy.
#![no_std]
#![forbid(unsafe_code)]

use rkm::prelude::*;

pub fn checked(mut r: UserSliceReader) -> Result<u64> {
    let mut again = r.clone(); //~ ERROR E0599: no method named `clone`
    let v: u64 = r.read()?;
    if v == 0 {
        return Err(EINVAL);
    }
    again.read()
}

pub struct Driver;

impl Module for Driver {
    fn init() -> Result<Self> {
        Ok(Driver)
    }
}

module! {
    type: Driver,
    name: "user_reader_not_clone",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
