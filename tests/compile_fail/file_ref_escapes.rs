// SPDX-License-Identifier: GPL-2.0
// Guarantee: the File handed to a callback (the kernel's struct file) is
// used only during the callback.
// Misuse: keep the File past read() (e.g. to check its flags later).
// Refused because: callbacks get &File for the call only (E0521); File is
// also !Send and !Sync.
#![no_std]
#![forbid(unsafe_code)]

use rkm::prelude::*;

fn stash<T: 'static>(_: T) {}

pub struct Dev;

pub struct Open;

#[rkm::vtable]
impl FileOperations for Open {
    type Device = Dev;

    fn open(_dev: &Arc<Dev>, _file: &OpenFile) -> Result<Self> {
        Ok(Open)
    }

    fn read(&self, file: &File, _out: UserSliceWriter, _pos: &mut i64) -> Result<usize> {
        stash(file); //~ ERROR E0521: borrowed data escapes outside of method
        Ok(0)
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
    name: "file_ref_escapes",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
