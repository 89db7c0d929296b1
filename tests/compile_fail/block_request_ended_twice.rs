// SPDX-License-Identifier: GPL-2.0
// Guarantee: a block request is ended exactly once.
// Misuse: end a request, then end it again (complete it).
// Refused because: end() takes the Request by value: the first call moves it (E0382).
#![no_std]
#![forbid(unsafe_code)]

use rkm::block::{mq, Status};
use rkm::prelude::*;

pub fn serve(rq: mq::Request) {
    rq.end(Status::Ok);
    rq.complete(Status::IoError); //~ ERROR E0382: use of moved value: `rq`
}

pub struct Driver;

impl Module for Driver {
    fn init() -> Result<Self> {
        Ok(Driver)
    }
}

module! {
    type: Driver,
    name: "block_request_ended_twice",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
