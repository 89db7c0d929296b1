// SPDX-License-Identifier: GPL-2.0
// Guarantee: ioctl structs have the same layout for 32-bit and 64-bit
// callers (compat ioctls): usize and isize are not Pod.
// Misuse: a pod! struct with a usize field.
// Refused because: pod! checks every field is Pod, and usize is not.
#![no_std]
#![forbid(unsafe_code)]

use rkm::prelude::*;

pod! {
    pub struct Req {
        pub len: usize, //~ ERROR E0277: the trait bound `usize: Pod` is not satisfied
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
    name: "usize_not_pod",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
