// SPDX-License-Identifier: GPL-2.0
// Guarantee: a disk's page store is dropped only after its disk (no request sees a freed store).
// Misuse: drop the queue data while the disk still uses it, by taking it out of the disk.
// Refused because: Disk::data gives only a shared borrow; the data cannot be moved out (E0507).
#![no_std]
#![forbid(unsafe_code)]

use rkm::block::{mq, PageStore};
use rkm::prelude::*;

pub struct Ops;

rkm::irq_safe! {
    pub struct Mem { store: PageStore }
}

impl mq::Operations for Ops {
    type QueueData = Mem;
    fn queue_rq(_: &Mem, _: mq::Request, _: &mq::QueueContext<'_>) {}
}

pub fn steal(disk: &mq::Disk<Ops>) -> Mem {
    *disk.data() //~ ERROR E0507: cannot move out of a shared reference
}

pub struct Driver;

impl Module for Driver {
    fn init() -> Result<Self> {
        Ok(Driver)
    }
}

module! {
    type: Driver,
    name: "block_queue_data_moved_out",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
