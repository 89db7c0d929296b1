// SPDX-License-Identifier: GPL-2.0
// Guarantee: a timer callback (hard interrupt or softirq context) never
// reaches anything that sleeps.
// Misuse: give an hrtimer data holding a Mutex, to lock it in the callback.
// Refused because: TimerCallback requires IrqSafe, and a Mutex is not.
#![no_std]
#![forbid(unsafe_code)]

use rkm::prelude::*;
use rkm::timer::{Restart, TimerCallback};

pub struct Ticks {
    pub count: Mutex<u64>,
}

impl TimerCallback for Ticks { //~ ERROR E0277: `Ticks: IrqSafe` is not satisfied
    fn expired(&self) -> Restart {
        *self.count.lock() += 1;
        Restart::No
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
    name: "timer_callback_mutex",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
