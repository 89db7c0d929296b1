// SPDX-License-Identifier: GPL-2.0
// Guarantee: a reader cannot be rewound or pointed elsewhere: its address
// and length come from the system call only.
// Misuse: move the reader's position back after a read.
// Refused because: the fields of UserSliceReader are private.
#![no_std]
#![forbid(unsafe_code)]

use rkm::prelude::*;

pub fn rewind(mut r: UserSliceReader) -> Result<u32> {
    let _: u32 = r.read()?;
    r.ptr -= 4; //~ ERROR E0616: field `ptr` of struct `rkm::user::UserSliceReader` is private
    r.read()
}

pub struct Driver;

impl Module for Driver {
    fn init() -> Result<Self> {
        Ok(Driver)
    }
}

module! {
    type: Driver,
    name: "user_reader_no_rewind",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
