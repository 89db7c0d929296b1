// SPDX-License-Identifier: GPL-2.0
// Guarantee: a request has one owner, which ends it.
// Misuse: clone a request to end it from two places.
// Refused because: Request is neither Clone nor Copy (E0599).
#![no_std]
#![forbid(unsafe_code)]

use rkm::block::{mq, Status};
use rkm::prelude::*;

pub fn serve(rq: mq::Request) {
    let other = rq.clone(); //~ ERROR E0599: no method named `clone` found
    other.end(Status::Ok);
    rq.end(Status::Ok);
}

pub struct Driver;

impl Module for Driver {
    fn init() -> Result<Self> {
        Ok(Driver)
    }
}

module! {
    type: Driver,
    name: "block_request_not_clone",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
