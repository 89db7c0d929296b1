// SPDX-License-Identifier: GPL-2.0
// Guarantee: MMIO at an offset known only at run time is checked against
// the BAR's real length and alignment before it happens, and the driver
// cannot skip the check's verdict.
// Misuse: use try_read32's result as the register value.
// Refused because: it is a Result<u32>, not a u32 (E0308).
#![no_std]
#![forbid(unsafe_code)]

use rkm::io::Bar;
use rkm::prelude::*;

pub fn reg(bar: &Bar<0x100>, off: usize) -> u32 {
    bar.try_read32(off) //~ ERROR E0308: mismatched types
}

pub struct Driver;

impl Module for Driver {
    fn init() -> Result<Self> {
        Ok(Driver)
    }
}

module! {
    type: Driver,
    name: "pci_mmio_try_unchecked",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
