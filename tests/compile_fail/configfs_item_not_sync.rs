// SPDX-License-Identifier: GPL-2.0
// Guarantee: an item's attributes may be read and written by several tasks
// at once.
// Misuse: an item type with unsynchronised interior mutability (Cell).
// Refused because: Subsystem::Item must be Sync.
#![no_std]
#![forbid(unsafe_code)]

use core::cell::Cell;
use rkm::configfs::{Attribute, Subsystem};
use rkm::prelude::*;

pub struct Devs;

impl Subsystem for Devs {
    type Item = Cell<u64>; //~ ERROR E0277: `Cell<u64>` cannot be shared between threads safely
    const ITEM_ATTRS: &'static [Attribute<Cell<u64>>] = &[];
    fn make_item(&self, _name: &str) -> Result<Cell<u64>> {
        Ok(Cell::new(0))
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
    name: "configfs_item_not_sync",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
