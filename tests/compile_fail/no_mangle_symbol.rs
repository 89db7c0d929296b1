// SPDX-License-Identifier: GPL-2.0
// Guarantee: a driver cannot define or replace a C symbol (such as an entry
// point the glue calls, or a kernel function).
// Misuse: replace the glue's rkm_file_state with a #[no_mangle] function.
// Refused because: #[no_mangle] is unsafe code (the unsafe_code lint).
#![no_std]
#![forbid(unsafe_code)]

use rkm::prelude::*;

#[no_mangle] //~ ERROR unsafe_code: declaration of a `no_mangle` function
pub extern "C" fn rkm_file_state(_file: usize) -> usize {
    0
}

pub struct Driver;

impl Module for Driver {
    fn init() -> Result<Self> {
        Ok(Driver)
    }
}

module! {
    type: Driver,
    name: "no_mangle_symbol",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
