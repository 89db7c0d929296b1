// SPDX-License-Identifier: GPL-2.0
// Guarantee: stream_open()/nonseekable_open() change f_mode only during
// open, before any other callback sees the file (as the kernel requires).
// Misuse: keep the OpenFile past open() to call stream_open() later.
// Refused because: open gets &OpenFile for the call only (E0521); OpenFile
// is also !Send and !Sync, so no per-open state can hold it.
#![no_std]
#![forbid(unsafe_code)]

use rkm::prelude::*;

fn stash<T: 'static>(_: T) {}

pub struct Dev;

pub struct Open;

#[rkm::vtable]
impl FileOperations for Open {
    type Device = Dev;

    fn open(_dev: &Arc<Dev>, file: &OpenFile) -> Result<Self> {
        stash(file); //~ ERROR E0521: borrowed data escapes outside of associated function
        Ok(Open)
    }
}

pub struct Driver;

impl Module for Driver {
    fn init() -> Result<Self> {
        Ok(Driver)
    }
}

module! {
    type: Driver,
    name: "open_file_escapes",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
