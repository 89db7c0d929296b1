// SPDX-License-Identifier: GPL-2.0
// Guarantee: a driver cannot declare and call C functions (the glue's or the
// kernel's) itself.
// Misuse: declare the glue's rkm_free in an extern block and call it.
// Refused because: an `unsafe extern` block is unsafe code (the unsafe_code
// lint), and calling a foreign function needs unsafe (E0133).
#![no_std]
#![forbid(unsafe_code)]

use rkm::prelude::*;

unsafe extern "C" { //~ ERROR unsafe_code: usage of an `unsafe extern` block
    fn rkm_free(p: *mut core::ffi::c_void);
}

pub fn free(p: *mut core::ffi::c_void) {
    rkm_free(p) //~ ERROR E0133: call to unsafe function `rkm_free` is unsafe
}

pub struct Driver;

impl Module for Driver {
    fn init() -> Result<Self> {
        Ok(Driver)
    }
}

module! {
    type: Driver,
    name: "extern_block",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
