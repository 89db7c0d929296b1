// SPDX-License-Identifier: GPL-2.0
// Allowed: a request moved out of queue_rq into data a timer callback or an
// interrupt handler reaches (IrqSafe, IrqDrop), and ended there; a memory-
// backed disk's store used from queue_rq with its context.
#![no_std]
#![forbid(unsafe_code)]

use rkm::block::{mq, PageStore, Status};
use rkm::prelude::*;
use rkm::timer::{Restart, TimerCallback};

rkm::irq_safe! {
    pub struct Pending { rq: SpinLockIrq<Option<mq::Request>> }
}

impl TimerCallback for Pending {
    fn expired(&self) -> Restart {
        if let Some(rq) = self.rq.lock().take() {
            rq.end(Status::Ok);
        }
        Restart::No
    }
}

rkm::irq_safe! {
    pub struct Mem { store: PageStore, pending: Pending }
}

pub struct Ops;

impl mq::Operations for Ops {
    type QueueData = Mem;
    fn queue_rq(mem: &Mem, mut rq: mq::Request, ctx: &mq::QueueContext<'_>) {
        let st: Status = mem.store.transfer(&mut rq, ctx).into();
        if st != Status::Ok {
            rq.end(st);
            return;
        }
        // Dropping a request left there ends it with an I/O error.
        *mem.pending.rq.lock() = Some(rq);
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
    name: "ok_block_deferred_completion",
    authors: ["rkm developers"],
    description: "compile-pass case",
    license: "GPL",
}
