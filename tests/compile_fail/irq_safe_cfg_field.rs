// SPDX-License-Identifier: GPL-2.0
// Guarantee: irq_safe! checks every field of the struct it declares.
// Misuse: a field under #[cfg(...)]: were attributes other than doc
// comments accepted, a configured-out field check (or a configured-in field
// whose check was configured out) would leave a Mutex unchecked in Hw.
// Refused because: irq_safe! accepts only doc attributes on fields; it has
// no rule for this input (no error code).
#![no_std]
#![forbid(unsafe_code)]

use core::sync::atomic::AtomicU32;
use rkm::prelude::*;

irq_safe! {
    pub struct Hw {
        pub status: AtomicU32,
        #[cfg(all())] //~ ERROR: no rules expected
        pub count: Mutex<u32>,
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
    name: "irq_safe_cfg_field",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
