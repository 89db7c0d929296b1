// SPDX-License-Identifier: GPL-2.0
// Guarantee: data shared with interrupt handlers (SpinLockIrq) is reachable
// only with the lock held and local interrupts off.
// Misuse: increment the protected counter through the lock, unlocked.
// Refused because: Lock<T, B> is not T and does not deref to it.
#![no_std]
#![forbid(unsafe_code)]

use rkm::prelude::*;

pub fn count(irq: &SpinLockIrq<u32>) {
    *irq += 1; //~ ERROR E0368: cannot use `+=` on type `Lock<u32
}

pub struct Driver;

impl Module for Driver {
    fn init() -> Result<Self> {
        Ok(Driver)
    }
}

module! {
    type: Driver,
    name: "spinlock_irq_data_needs_guard",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
