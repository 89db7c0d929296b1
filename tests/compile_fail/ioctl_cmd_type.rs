// SPDX-License-Identifier: GPL-2.0
// Guarantee: ioctl commands are the 32-bit numbers of _IO/_IOR/_IOW/_IOWR,
// compared as such (no sign extension or truncation of a wider type).
// Misuse: match the command against a u64 constant.
// Refused because: FileOperations::ioctl receives cmd as u32 (E0308).
#![no_std]
#![forbid(unsafe_code)]

use rkm::prelude::*;

const IOC_RESET: u64 = 0xffff_ffff_0000_7302;

pub struct Dev;

pub struct Open;

#[rkm::vtable]
impl FileOperations for Open {
    type Device = Dev;

    fn open(_dev: &Arc<Dev>, _file: &OpenFile) -> Result<Self> {
        Ok(Open)
    }

    fn ioctl(&self, _file: &File, cmd: u32, _arg: usize) -> Result<isize> {
        match cmd {
            IOC_RESET => Ok(0), //~ ERROR E0308: mismatched types
            _ => Err(ENOTTY),
        }
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
    name: "ioctl_cmd_type",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
