// SPDX-License-Identifier: GPL-2.0
// Guarantee: the waiting cancel of a one-shot timer never runs in atomic
// context (it waits for a callback, and sleeps on PREEMPT_RT).
// Misuse: cancel another timer, waiting, from a timer callback.
// Refused because: OneShot::cancel takes &mut self, and a callback gets only
// shared access to its context.
#![no_std]
#![forbid(unsafe_code)]

use rkm::hrtimer::{OneShot, OneShotCallback};
use rkm::prelude::*;

irq_safe! {
    pub struct Leaf {}
}

impl OneShotCallback for Leaf {
    type Value = u32;
    fn fire(&self, _v: u32) {}
}

irq_safe! {
    pub struct Ctx {
        pub other: OneShot<Leaf>,
    }
}

impl OneShotCallback for Ctx {
    type Value = u32;
    fn fire(&self, _v: u32) {
        let _ = self.other.cancel(); //~ ERROR E0596
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
    name: "oneshot_cancel_in_callback",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
