// SPDX-License-Identifier: GPL-2.0
// Guarantee: the module state is dropped once, by the kernel's module exit.
// Misuse: drop it early through the static slot that module! declares.
// Refused because: ModuleSlot::exit is an unsafe fn (E0133).
#![no_std]
#![forbid(unsafe_code)]

use rkm::prelude::*;

pub fn unload_now() {
    __RKM_MODULE.exit(); //~ ERROR E0133: call to unsafe function `rkm::module::ModuleSlot::<T>::exit` is unsafe
}

pub struct Driver;

impl Module for Driver {
    fn init() -> Result<Self> {
        Ok(Driver)
    }
}

module! {
    type: Driver,
    name: "module_slot_unsafe",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
