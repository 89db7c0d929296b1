// SPDX-License-Identifier: GPL-2.0
// Guarantee: per-open state cannot borrow the registration's device data,
// which is dropped when the device is deregistered while files stay open:
// it must hold its own Arc.
// Misuse: keep the &Arc given to open() in the per-open state.
// Refused because: open() gets the reference for the call only.
#![no_std]
#![forbid(unsafe_code)]

use rkm::prelude::*;

pub struct Dev {
    pub count: Mutex<u64>,
}

pub struct Open {
    dev: &'static Arc<Dev>,
}

#[rkm::vtable]
impl FileOperations for Open {
    type Device = Dev;

    fn open(dev: &Arc<Dev>, _file: &OpenFile) -> Result<Self> {
        Ok(Open { dev }) //~ ERROR: lifetime may not live long enough
    }

    fn read(&self, _file: &File, _out: UserSliceWriter, _pos: &mut i64) -> Result<usize> {
        *self.dev.count.lock() += 1;
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
    name: "open_borrows_device",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
