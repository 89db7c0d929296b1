// SPDX-License-Identifier: GPL-2.0
// Guarantee: a pod! struct holds no pointer or reference that userspace
// could forge.
// Misuse: a pod! struct with a &'static u64 field (8 bytes, no padding).
// Refused because: references are not Pod (nor Default, which pod! derives).
#![no_std]
#![forbid(unsafe_code)]

use rkm::prelude::*;

pod! { //~ ERROR E0277: the trait bound `&u64: Default` is not satisfied
    pub struct Req {
        pub len: u64,
        pub buf: &'static u64, //~ ERROR E0277: the trait bound `&'static u64: Pod` is not satisfied
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
    name: "pod_reference_field",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
