// SPDX-License-Identifier: GPL-2.0
// Guarantee: a file's fasync queue lives at least until the file's release
// (the kernel takes the file off it then), so kill_fasync never meets a
// freed queue or file.
// Misuse: name a queue that dies before the per-open state (a temporary).
// Refused because: fasync_queue returns a borrow of &self (E0515).
#![no_std]
#![forbid(unsafe_code)]

use rkm::prelude::*;

pub struct Dev;

pub struct Open;

#[rkm::vtable]
impl FileOperations for Open {
    type Device = Dev;

    fn open(_dev: &Arc<Dev>, _file: &OpenFile) -> Result<Self> {
        Ok(Open)
    }

    fn fasync_queue(&self) -> Option<&FasyncQueue> {
        let q = FasyncQueue::try_new().ok()?;
        Some(&q) //~ ERROR E0515: cannot return value referencing local variable `q`
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
    name: "fasync_queue_short_lived",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
