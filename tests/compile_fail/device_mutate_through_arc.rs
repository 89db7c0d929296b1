// SPDX-License-Identifier: GPL-2.0
// Guarantee: device data shared by every opener (in an Arc) is mutated only
// under a lock.
// Misuse: append to a KVec of the device data from write().
// Refused because: Arc gives only &T (no DerefMut).
#![no_std]
#![forbid(unsafe_code)]

use rkm::prelude::*;

pub struct Dev {
    log: KVec<u8>,
}

pub struct Open {
    dev: Arc<Dev>,
}

#[rkm::vtable]
impl FileOperations for Open {
    type Device = Dev;

    fn open(dev: &Arc<Dev>, _file: &OpenFile) -> Result<Self> {
        Ok(Open { dev: dev.clone() })
    }

    fn write(&self, _file: &File, mut input: UserSliceReader, _pos: &mut i64) -> Result<usize> {
        let b: u8 = input.read()?;
        self.dev.log.try_push(b)?; //~ ERROR E0596: cannot borrow data in dereference of `rkm::sync::Arc<Dev>` as mutable
        Ok(1)
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
    name: "device_mutate_through_arc",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
