// SPDX-License-Identifier: GPL-2.0
// Guarantee: an interrupt handler or timer callback never drops what sleeps
// to drop: a SpinLockIrq is IrqSafe only if its content is IrqDrop, and a
// Bar (whose unmapping sleeps) is IrqSafe but not IrqDrop.
// Misuse: a SpinLockIrq<Option<Bar>> in Hw: the handler could take the BAR
// out of the lock and drop it there (iounmap and a mutex in atomic context).
// Refused because: IrqSafe for SpinLockIrq<T> requires T: IrqDrop.
#![no_std]
#![forbid(unsafe_code)]

use rkm::io::Bar;
use rkm::prelude::*;

irq_safe! {
    /// What the interrupt handler would see.
    pub struct Hw {
        pub bar: SpinLockIrq<Option<Bar<0x100>>>, //~ ERROR E0277: Bar<256>: IrqDrop` is not satisfied
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
    name: "irq_hw_bar_dropped_in_handler",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
