// SPDX-License-Identifier: GPL-2.0
// Guarantee: a UserSlice gives either a reader, a writer, or both together
// (reader_writer), and each only once.
// Misuse: take the reader, then a writer from the consumed slice.
// Refused because: reader() and writer() take the slice by value.
#![no_std]
#![forbid(unsafe_code)]

use rkm::prelude::*;

pub fn echo(arg: usize) -> Result {
    let s = UserSlice::new(arg, 8);
    let v: u64 = s.reader().read()?;
    s.writer().write(&(v + 1)) //~ ERROR E0382: use of moved value: `s`
}

pub struct Driver;

impl Module for Driver {
    fn init() -> Result<Self> {
        Ok(Driver)
    }
}

module! {
    type: Driver,
    name: "user_writer_after_reader",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
