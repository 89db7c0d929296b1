// SPDX-License-Identifier: GPL-2.0
// Guarantee: the HAS_* flags of a FileOperations implementation are the
// methods it defines, nothing else.
// Misuse: declare a flag by hand that disagrees with the code (poll()
// defined, HAS_POLL set to false).
// Refused because: #[rkm::vtable] refuses any HAS_* written in the impl,
// with an error at that line saying why.
#![no_std]
#![forbid(unsafe_code)]

use rkm::prelude::*;

pub struct Dev;

pub struct Open;

#[rkm::vtable]
impl FileOperations for Open {
    type Device = Dev;
    const HAS_POLL: bool = false; //~ ERROR: `HAS_POLL` is derived by #[rkm::vtable]

    fn open(_dev: &Arc<Dev>, _file: &OpenFile) -> Result<Self> {
        Ok(Open)
    }

    fn poll<'a>(&'a self, _file: &File, _table: &PollTable<'a>) -> PollMask {
        PollMask::IN
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
    name: "fileops_has_by_hand",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
