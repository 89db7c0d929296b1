// SPDX-License-Identifier: GPL-2.0
// Guarantee: a callback a driver defines is the callback the kernel calls;
// which ones are set in the C table is derived from the code.
// Misuse: define poll() but forget what tells the glue it exists (once a
// `const HAS_POLL: bool = true`, which compiled without and silently used
// the default poll mask).
// Refused because: FileOperations has an item without default,
// ADD_RKM_VTABLE_TO_THIS_IMPL, that only #[rkm::vtable] defines (E0046).
#![no_std]
#![forbid(unsafe_code)]

use rkm::prelude::*;

pub struct Dev {
    ready: CondVar,
}

pub struct Open {
    dev: Arc<Dev>,
}

impl FileOperations for Open { //~ ERROR E0046: not all trait items implemented, missing: `ADD_RKM_VTABLE_TO_THIS_IMPL`
    type Device = Dev;

    fn open(dev: &Arc<Dev>, _file: &OpenFile) -> Result<Self> {
        Ok(Open { dev: dev.clone() })
    }

    fn poll<'a>(&'a self, _file: &File, table: &PollTable<'a>) -> PollMask {
        table.register(&self.dev.ready);
        PollMask::IN
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
    name: "fileops_without_vtable",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
