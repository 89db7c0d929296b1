// SPDX-License-Identifier: GPL-2.0
// Guarantee: MMIO at an offset known only at run time is checked against
// the BAR's real length and alignment, and the driver cannot ignore that
// a write was refused.
// Misuse: ignore whether try_write32 happened.
// Refused because: it returns Result, which is #[must_use]; -Dwarnings (the
// kernel build's flag) makes the unused_must_use lint an error.
#![no_std]
#![forbid(unsafe_code)]

use rkm::io::Bar;
use rkm::prelude::*;

pub fn set_reg(bar: &Bar<0x100>, off: usize, v: u32) {
    bar.try_write32(off, v); //~ ERROR unused_must_use: Result` that must be used
}

pub struct Driver;

impl Module for Driver {
    fn init() -> Result<Self> {
        Ok(Driver)
    }
}

module! {
    type: Driver,
    name: "pci_mmio_try_write_ignored",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
