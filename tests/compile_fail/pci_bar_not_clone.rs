// SPDX-License-Identifier: GPL-2.0
// Guarantee: a BAR mapping has one owner and is unmapped (and its region
// released) exactly once, after which no access through it can happen.
// Misuse: clone a Bar, so that one copy is dropped (unmapped) while the
// other is still used, and the region is released twice.
// Refused because: Bar implements neither Clone nor Copy (E0599).
#![no_std]
#![forbid(unsafe_code)]

use rkm::io::Bar;
use rkm::prelude::*;

pub fn twice(bar: Bar<0x100>) -> (Bar<0x100>, Bar<0x100>) {
    (bar.clone(), bar) //~ ERROR E0599: no method named `clone` found for struct `Bar
}

pub struct Driver;

impl Module for Driver {
    fn init() -> Result<Self> {
        Ok(Driver)
    }
}

module! {
    type: Driver,
    name: "pci_bar_not_clone",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
