// SPDX-License-Identifier: GPL-2.0
// Guarantee: a driver reaches the kernel only through the safe API, never
// through the raw C ABI of the glue.
// Misuse: call the glue's allocator directly.
// Refused because: rkm::abi is a private module (E0603), and its functions
// are unsafe (E0133).
#![no_std]
#![forbid(unsafe_code)]

use rkm::prelude::*;

pub fn raw_alloc() -> *mut core::ffi::c_void {
    rkm::abi::rkm_realloc(core::ptr::null_mut(), 64, 8, 0) //~ ERROR E0603: module `abi` is private //~ ERROR E0133: call to unsafe function
}

pub struct Driver;

impl Module for Driver {
    fn init() -> Result<Self> {
        Ok(Driver)
    }
}

module! {
    type: Driver,
    name: "abi_private",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
