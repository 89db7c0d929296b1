// SPDX-License-Identifier: GPL-2.0
// Guarantee: request memory is written by its owner only, one writer at a time.
// Misuse: copy into a request's data through a shared reference (as two CPUs could).
// Refused because: copy_to takes &mut self (E0596).
#![no_std]
#![forbid(unsafe_code)]

use rkm::block::mq;
use rkm::prelude::*;

pub fn fill(rq: &mq::Request) -> Result {
    rq.copy_to(0, &[1u8; 512]) //~ ERROR E0596: cannot borrow `*rq` as mutable
}

pub struct Driver;

impl Module for Driver {
    fn init() -> Result<Self> {
        Ok(Driver)
    }
}

module! {
    type: Driver,
    name: "block_request_write_through_shared",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
