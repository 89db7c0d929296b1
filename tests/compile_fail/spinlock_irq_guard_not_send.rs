// SPDX-License-Identifier: GPL-2.0
// Guarantee: a SpinLockIrq guard, which holds the saved interrupt flags of
// this CPU, cannot be released on another thread (CPU).
// Misuse: send the guard of a SpinLockIrq to another thread.
// Refused because: every Guard is !Send, whatever its backend.
#![no_std]
#![forbid(unsafe_code)]

use rkm::prelude::*;

fn need_send<T: Send>(_: T) {}

pub fn hand_off(irq: &SpinLockIrq<u64>) {
    let g = irq.lock();
    need_send(g); //~ ERROR E0277: cannot be sent between threads safely
}

pub struct Driver;

impl Module for Driver {
    fn init() -> Result<Self> {
        Ok(Driver)
    }
}

module! {
    type: Driver,
    name: "spinlock_irq_guard_not_send",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
