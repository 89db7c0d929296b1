// SPDX-License-Identifier: GPL-2.0
// Guarantee: the value handed to a one-shot timer may move to the CPU the
// timer fires on.
// Misuse: hand it a value that must stay on its thread (a raw pointer).
// Refused because: OneShotCallback::Value must be Send (and IrqDrop).
#![no_std]
#![forbid(unsafe_code)]

use rkm::hrtimer::OneShotCallback;
use rkm::prelude::*;

irq_safe! {
    pub struct Ctx {}
}

impl OneShotCallback for Ctx {
    type Value = *const u8; //~ ERROR E0277: `*const u8` cannot be sent between threads safely //~ ERROR E0277: `*const u8: IrqDrop` is not satisfied
    fn fire(&self, _v: *const u8) {}
}

pub struct Driver;

impl Module for Driver {
    fn init() -> Result<Self> {
        Ok(Driver)
    }
}

module! {
    type: Driver,
    name: "oneshot_value_not_send",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
