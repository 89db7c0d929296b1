// SPDX-License-Identifier: GPL-2.0
// Guarantee: per-open state is Sync, because read, write, ioctl and poll on
// one file may run at the same time on several CPUs.
// Misuse: per-open state with a Cell updated from &self.
// Refused because: FileOperations requires Send + Sync.
#![no_std]
#![forbid(unsafe_code)]

use core::cell::Cell;
use rkm::prelude::*;

pub struct Dev;

pub struct Open {
    reads: Cell<u64>,
}

#[rkm::vtable]
impl FileOperations for Open { //~ ERROR E0277: cannot be shared between threads safely
    type Device = Dev;

    fn open(_dev: &Arc<Dev>, _file: &OpenFile) -> Result<Self> {
        Ok(Open { reads: Cell::new(0) })
    }

    fn read(&self, _file: &File, _out: UserSliceWriter, _pos: &mut i64) -> Result<usize> {
        self.reads.set(self.reads.get() + 1);
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
    name: "file_state_not_sync",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
