// SPDX-License-Identifier: GPL-2.0
// Guarantee: a driver cannot call C functions (the glue's or the kernel's)
// itself, even through an edition-2021 extern block, which needs no `unsafe`
// keyword to declare.
// Misuse: declare the glue's rkm_free in a plain extern "C" block and call
// it.
// Refused because: calling a foreign function needs an unsafe block (E0133),
// and a driver cannot write one (-Funsafe_code, kbuild/rkm.mk).
#![no_std]

use rkm::prelude::*;

extern "C" {
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
    name: "extern_c_block_without_unsafe",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
