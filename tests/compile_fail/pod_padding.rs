// SPDX-License-Identifier: GPL-2.0
// Guarantee: a pod! struct has no padding, so writing it to userspace never
// leaks uninitialised kernel bytes.
// Misuse: a pod! struct with a u8 followed by a u32 (3 bytes of padding).
// Refused because: pod! asserts, at compile time, that the size is the sum
// of the field sizes.
#![no_std]
#![forbid(unsafe_code)]

use rkm::prelude::*;

pod! { //~ ERROR E0080: a Pod struct may not have padding
    pub struct Hdr { pub kind: u8, pub len: u32 }
}

pub struct Driver;

impl Module for Driver {
    fn init() -> Result<Self> {
        Ok(Driver)
    }
}

module! {
    type: Driver,
    name: "pod_padding",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
