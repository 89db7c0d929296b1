// SPDX-License-Identifier: GPL-2.0
// Guarantee: IrqSafe is only implemented where rkm checked it: for plain
// values, atomics, BARs, completions and SpinLockIrq by the crate, for
// structs by irq_safe! (every field IrqSafe).
// Misuse: implement IrqSafe by hand for a struct holding a Mutex, so the
// interrupt handler could sleep on it.
// Refused because: IrqSafe is an unsafe trait, and the driver forbids
// unsafe code (the unsafe_code lint).
#![no_std]
#![forbid(unsafe_code)]

use rkm::prelude::*;

pub struct Hw {
    pub count: Mutex<u32>,
}

unsafe impl rkm::irq::IrqSafe for Hw {} //~ ERROR unsafe_code: implementation of an `unsafe` trait

pub struct Driver;

impl Module for Driver {
    fn init() -> Result<Self> {
        Ok(Driver)
    }
}

module! {
    type: Driver,
    name: "irq_safe_manual_impl",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
