// SPDX-License-Identifier: GPL-2.0
// Guarantee: a one-shot timer never holds a value that borrows memory its
// owner may free before the timer fires.
// Misuse: hand the timer a reference to a local.
// Refused because: OneShotCallback::Value is 'static, so the reference must
// be too, and a local does not live that long; no reference is IrqDrop
// either (a value the callback may drop must be owned).
#![no_std]
#![forbid(unsafe_code)]

use core::time::Duration;
use rkm::hrtimer::{OneShot, OneShotCallback};
use rkm::prelude::*;

irq_safe! {
    pub struct Ctx {}
}

impl OneShotCallback for Ctx {
    type Value = &'static u32; //~ ERROR E0277: `&'static u32: IrqDrop` is not satisfied
    fn fire(&self, _v: &'static u32) {}
}

pub fn arm(slot: &OneShot<Ctx>) {
    let local = 5u32;
    let _ = slot.start(Duration::from_micros(10), &local); //~ ERROR E0597
}

pub struct Driver;

impl Module for Driver {
    fn init() -> Result<Self> {
        Ok(Driver)
    }
}

module! {
    type: Driver,
    name: "oneshot_value_borrowed",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
