// SPDX-License-Identifier: GPL-2.0
// Guarantee: per-open state, which callbacks on the same file may run
// concurrently, is never mutated without synchronisation.
// Misuse: increment a plain counter of the state in read().
// Refused because: callbacks get &self; mutating needs a lock or an atomic.
#![no_std]
#![forbid(unsafe_code)]

use rkm::prelude::*;

pub struct Dev;

pub struct Open {
    reads: u64,
}

#[rkm::vtable]
impl FileOperations for Open {
    type Device = Dev;

    fn open(_dev: &Arc<Dev>, _file: &OpenFile) -> Result<Self> {
        Ok(Open { reads: 0 })
    }

    fn read(&self, _file: &File, _out: UserSliceWriter, _pos: &mut i64) -> Result<usize> {
        self.reads += 1; //~ ERROR E0594: cannot assign to `self.reads`
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
    name: "state_mutate_shared_self",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
