// SPDX-License-Identifier: GPL-2.0
// Guarantee: a timer is never dropped in atomic context (dropping cancels it
// synchronously, which waits and, on PREEMPT_RT, sleeps).
// Misuse: keep an hrtimer in a SpinLockIrq that another timer's callback
// can take it out of, and drop it there.
// Refused because: SpinLockIrq<T> is IrqSafe only for T: IrqDrop, and
// HrTimer is not IrqDrop.
#![no_std]
#![forbid(unsafe_code)]

use rkm::prelude::*;
use rkm::timer::{HrTimer, Restart, TimerCallback};

irq_safe! {
    pub struct Inner {}
}

impl TimerCallback for Inner {
    fn expired(&self) -> Restart {
        Restart::No
    }
}

irq_safe! {
    pub struct Outer {
        pub slot: SpinLockIrq<Option<HrTimer<Inner>>>, //~ ERROR E0277: `HrTimer<Inner>: IrqDrop` is not satisfied
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
    name: "hrtimer_dropped_in_handler",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
