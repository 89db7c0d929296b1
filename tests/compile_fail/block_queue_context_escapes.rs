// SPDX-License-Identifier: GPL-2.0
// Guarantee: the permission to sleep that queue_rq is lent does not outlive the call.
// Misuse: keep queue_rq's QueueContext for use after the call.
// Refused because: QueueContext<'a> is borrowed for the call; keeping it needs 'static (lifetime error).
#![no_std]
#![forbid(unsafe_code)]

use rkm::block::mq;
use rkm::prelude::*;

pub fn keep<'a>(ctx: &'a mq::QueueContext<'a>) -> &'static mq::QueueContext<'static> {
    ctx //~ ERROR: lifetime may not live long enough
}

pub struct Driver;

impl Module for Driver {
    fn init() -> Result<Self> {
        Ok(Driver)
    }
}

module! {
    type: Driver,
    name: "block_queue_context_escapes",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
