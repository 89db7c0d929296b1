// SPDX-License-Identifier: GPL-2.0
// Guarantee: a lock is shared between threads only if its data may move
// between them (T: Send): a raw pointer to thread-local state stays put.
// Misuse: device data (shared by every opener) holding a Mutex of a raw
// pointer.
// Refused because: Lock<T, B>: Sync needs T: Send, and FileOperations'
// Device must be Send + Sync.
#![no_std]
#![forbid(unsafe_code)]

use rkm::prelude::*;

pub struct Dev {
    pub cursor: Mutex<*mut u8>,
}

pub struct Open;

#[rkm::vtable]
impl FileOperations for Open {
    type Device = Dev; //~ ERROR E0277: `*mut u8` cannot be sent between threads safely

    fn open(_dev: &Arc<Dev>, _file: &OpenFile) -> Result<Self> {
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
    name: "lock_data_not_send",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
