// SPDX-License-Identifier: GPL-2.0
// Guarantee: a driver cannot place data in the sections the build reads
// (.modinfo, .rkm_params, whose text becomes C code), except through
// module!.
// Misuse: a hand-made parameter descriptor in .rkm_params.
// Refused because: #[link_section] is unsafe code (the unsafe_code lint).
#![no_std]
#![forbid(unsafe_code)]

use rkm::prelude::*;

#[link_section = ".rkm_params"] //~ ERROR unsafe_code: declaration of a static with `link_section`
#[used]
pub static DESC: [u8; 4] = *b"x\0y\0";

pub struct Driver;

impl Module for Driver {
    fn init() -> Result<Self> {
        Ok(Driver)
    }
}

module! {
    type: Driver,
    name: "link_section_param",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
