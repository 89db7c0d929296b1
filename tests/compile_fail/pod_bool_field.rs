// SPDX-License-Identifier: GPL-2.0
// Guarantee: a pod! struct accepts any bytes from userspace: it has no field
// with invalid bit patterns.
// Misuse: a pod! struct with a bool field (no padding: two bytes).
// Refused because: pod! requires every field type to be Pod.
#![no_std]
#![forbid(unsafe_code)]

use rkm::prelude::*;

pod! {
    pub struct Flags {
        pub kind: u8,
        pub enabled: bool, //~ ERROR E0277: the trait bound `bool: Pod` is not satisfied
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
    name: "pod_bool_field",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
