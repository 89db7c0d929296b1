// SPDX-License-Identifier: GPL-2.0
// Guarantee: a work item's data, used by the worker thread while its owner
// uses it too, is safe to share between threads.
// Misuse: a WorkItem holding a Cell.
// Refused because: WorkItem requires Sync, and Cell is not.
#![no_std]
#![forbid(unsafe_code)]

use core::cell::Cell;
use rkm::prelude::*;
use rkm::workqueue::{WorkItem, WorkRef};

pub struct Job {
    pub runs: Cell<u32>,
}

impl WorkItem for Job { //~ ERROR E0277: cannot be shared between threads safely
    fn run(&self, _work: &WorkRef<'_>) {
        self.runs.set(self.runs.get() + 1);
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
    name: "work_data_not_sync",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
