// SPDX-License-Identifier: GPL-2.0
// Guarantee: the sleeping operations of a work item (cancel_sync, flush)
// are never reached from atomic context, where a Work is shared (IrqSafe).
// Misuse: cancel synchronously through a shared reference.
// Refused because: cancel_sync takes &mut self.
#![no_std]
#![forbid(unsafe_code)]

use rkm::prelude::*;
use rkm::workqueue::{Work, WorkItem, WorkRef};

pub struct Job;

impl WorkItem for Job {
    fn run(&self, _work: &WorkRef<'_>) {}
}

pub fn stop(w: &Work<Job>) {
    w.cancel_sync(); //~ ERROR E0596
}

pub struct Driver;

impl Module for Driver {
    fn init() -> Result<Self> {
        Ok(Driver)
    }
}

module! {
    type: Driver,
    name: "work_cancel_sync_shared",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
