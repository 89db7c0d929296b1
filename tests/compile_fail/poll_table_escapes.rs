// SPDX-License-Identifier: GPL-2.0
// Guarantee: a PollTable (the kernel's poll_table of one poll call) is used
// only during that call.
// Misuse: keep the table past poll() to register wait queues later.
// Refused because: poll() gets &PollTable with a lifetime local to the
// call, and a place that outlives the call needs 'static (E0521).
#![no_std]
#![forbid(unsafe_code)]

use rkm::prelude::*;

/// Anything that outlives the call: a static, a work item, the device data.
fn stash<T: 'static>(_: T) {}

pub struct Dev {
    ready: CondVar,
}

pub struct Open {
    dev: Arc<Dev>,
}

#[rkm::vtable]
impl FileOperations for Open {
    type Device = Dev;

    fn open(dev: &Arc<Dev>, _file: &OpenFile) -> Result<Self> {
        Ok(Open { dev: dev.clone() })
    }

    fn poll<'a>(&'a self, _file: &File, table: &PollTable<'a>) -> PollMask {
        table.register(&self.dev.ready);
        stash(table); //~ ERROR E0521: borrowed data escapes outside of method
        PollMask::NONE
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
    name: "poll_table_escapes",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
