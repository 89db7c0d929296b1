// SPDX-License-Identifier: GPL-2.0
// Guarantee: a request's data is not written once it is handed to its completion.
// Misuse: complete a request, then copy into its data.
// Refused because: complete() consumes the Request (E0382).
#![no_std]
#![forbid(unsafe_code)]

use rkm::block::{mq, Status};
use rkm::prelude::*;

pub fn serve(mut rq: mq::Request) -> Result {
    rq.complete(Status::Ok);
    rq.copy_to(0, &[0u8; 512]) //~ ERROR E0382: borrow of moved value: `rq`
}

pub struct Driver;

impl Module for Driver {
    fn init() -> Result<Self> {
        Ok(Driver)
    }
}

module! {
    type: Driver,
    name: "block_request_data_after_complete",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
