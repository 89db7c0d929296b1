// SPDX-License-Identifier: GPL-2.0
// Guarantee: a one-shot timer callback (softirq or hard interrupt context)
// never reaches anything that sleeps.
// Misuse: give the callback context a Mutex, to lock it when it fires.
// Refused because: OneShotCallback requires IrqSafe, and a Mutex is not.
#![no_std]
#![forbid(unsafe_code)]

use rkm::hrtimer::OneShotCallback;
use rkm::prelude::*;

pub struct Ctx {
    pub total: Mutex<u64>,
}

impl OneShotCallback for Ctx { //~ ERROR E0277: `Ctx: IrqSafe` is not satisfied
    type Value = u64;
    fn fire(&self, v: u64) {
        *self.total.lock() += v;
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
    name: "oneshot_callback_mutex",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
