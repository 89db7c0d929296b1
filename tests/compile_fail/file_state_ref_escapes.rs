// SPDX-License-Identifier: GPL-2.0
// Guarantee: no reference to per-open state outlives the callback it was
// lent to, so nothing can use the state after release() frees it.
// Misuse: record "the last reader" in the device data as a &'static
// reference to the per-open state.
// Refused because: callbacks get &self for the call only (E0521).
#![no_std]
#![forbid(unsafe_code)]

use rkm::prelude::*;

pub struct Dev {
    last_reader: Mutex<Option<&'static Open>>,
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

    fn read(&self, _file: &File, _out: UserSliceWriter, _pos: &mut i64) -> Result<usize> {
        *self.dev.last_reader.lock() = Some(self); //~ ERROR E0521: borrowed data escapes outside of method
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
    name: "file_state_ref_escapes",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
