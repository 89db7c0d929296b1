// SPDX-License-Identifier: GPL-2.0
// Guarantee: an Error always holds an errno in 1..=4095, so returning it to
// the kernel always reads as a failure (never 0 or a positive count, never
// a pointer-looking value).
// Misuse: build an Error with errno 0.
// Refused because: Error's field is private; Error::from_errno maps
// anything outside -4095..=-1 to EINVAL.
#![no_std]
#![forbid(unsafe_code)]

use rkm::prelude::*;

pub fn success_as_error() -> Result {
    Err(Error(0)) //~ ERROR E0423: cannot initialize a tuple struct which contains private fields
}

pub struct Driver;

impl Module for Driver {
    fn init() -> Result<Self> {
        Ok(Driver)
    }
}

module! {
    type: Driver,
    name: "error_private_errno",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
