// SPDX-License-Identifier: GPL-2.0
// Guarantee: a user buffer is read through one reader, so each user byte is
// fetched at most once (no double fetch: userspace may change the bytes
// between a check and a use).
// Misuse: make a second reader of the same UserSlice to re-read the header
// after validating it.
// Refused because: UserSlice::reader takes the slice by value.
#![no_std]
#![forbid(unsafe_code)]

use rkm::prelude::*;

pub fn set_len(arg: usize) -> Result<u32> {
    let s = UserSlice::new(arg, 8);
    let len: u32 = s.reader().read()?;
    if len > 4096 {
        return Err(EINVAL);
    }
    let again: u32 = s.reader().read()?; //~ ERROR E0382: use of moved value: `s`
    Ok(again)
}

pub struct Driver;

impl Module for Driver {
    fn init() -> Result<Self> {
        Ok(Driver)
    }
}

module! {
    type: Driver,
    name: "user_slice_read_twice",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
