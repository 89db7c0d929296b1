// SPDX-License-Identifier: GPL-2.0
// Guarantee: #![forbid(unsafe_code)] cannot be switched off for a part of
// the driver.
// Misuse: allow unsafe_code on one function.
// Refused because: forbid, unlike deny, cannot be overridden (E0453).
#![no_std]
#![forbid(unsafe_code)]

use rkm::prelude::*;

#[allow(unsafe_code)] //~ ERROR E0453: allow(unsafe_code) incompatible with previous forbid
pub fn zero() -> u32 {
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
    name: "forbid_not_overridable",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
