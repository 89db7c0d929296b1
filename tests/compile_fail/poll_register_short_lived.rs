// SPDX-License-Identifier: GPL-2.0
// Guarantee: every wait queue registered with poll_wait lives until the file
// is released (poll and epoll keep their entries until then).
// Misuse: register a CondVar that is freed when poll() returns; the kernel
// later walks or removes the freed wait queue head (use after free).
// This compiled until this suite found it: register() takes &'a CondVar, 'a being the
// borrow of the per-open state. But PollTable holds PhantomData<&'a ()>,
// covariant, so &PollTable<'a> coerces to &PollTable<'short> and any
// short-lived CondVar fits. Fixed: make 'a invariant, e.g.
// PhantomData<fn(&'a ()) -> &'a ()>; the error is then E0597.
#![no_std]
#![forbid(unsafe_code)]

use rkm::prelude::*;

pub struct Dev;

pub struct Open;

#[rkm::vtable]
impl FileOperations for Open {
    type Device = Dev;

    fn open(_dev: &Arc<Dev>, _file: &OpenFile) -> Result<Self> {
        Ok(Open)
    }

    fn poll<'a>(&'a self, _file: &File, table: &PollTable<'a>) -> PollMask {
        if let Ok(cv) = new_condvar!() {
            table.register(&cv); //~ ERROR E0597: `cv` does not live long enough
        } // cv and its wait queue head are freed here
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
    name: "poll_register_short_lived",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
