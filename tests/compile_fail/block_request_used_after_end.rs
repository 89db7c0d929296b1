// SPDX-License-Identifier: GPL-2.0
// Guarantee: a request is not touched once ended (the block layer may reuse it).
// Misuse: read its sector after ending it.
// Refused because: end() consumes the Request (E0382).
#![no_std]
#![forbid(unsafe_code)]

use rkm::block::{mq, Status};
use rkm::prelude::*;

pub fn serve(rq: mq::Request) -> u64 {
    rq.end(Status::Ok);
    rq.sector() //~ ERROR E0382: borrow of moved value: `rq`
}

pub struct Driver;

impl Module for Driver {
    fn init() -> Result<Self> {
        Ok(Driver)
    }
}

module! {
    type: Driver,
    name: "block_request_used_after_end",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
