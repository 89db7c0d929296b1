// SPDX-License-Identifier: GPL-2.0
// Guarantee: queue_rq, which runs in atomic context, cannot sleep on a lock through its data.
// Misuse: make a Mutex a disk's queue data.
// Refused because: QueueData must be IrqSafe, and Mutex is not (E0277).
#![no_std]
#![forbid(unsafe_code)]

use rkm::block::{mq, Status};
use rkm::prelude::*;

pub struct Ops;

impl mq::Operations for Ops {
    type QueueData = Mutex<u64>; //~ ERROR E0277: IrqSafe` is not satisfied
    fn queue_rq(data: &Mutex<u64>, rq: mq::Request, _: &mq::QueueContext<'_>) {
        *data.lock() += 1;
        rq.end(Status::Ok);
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
    name: "block_queue_data_mutex",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
