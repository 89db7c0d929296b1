// SPDX-License-Identifier: GPL-2.0
// Guarantee: a device address leaves its buffer only into a device
// register (Bar::write_dma_addr), while the buffer is borrowed: the driver
// cannot keep the raw number and program it after the buffer is freed.
// Misuse: read the raw u64 out of a DmaAddr, by its field and by the
// crate's accessor.
// Refused because: the field is private (E0616) and value() is
// pub(crate) (E0624).
#![no_std]
#![forbid(unsafe_code)]

use rkm::dma::{CoherentBuffer, DmaAddr};
use rkm::prelude::*;

pub fn raw(a: DmaAddr<'_>) -> u64 {
    a.addr //~ ERROR E0616: field `addr` of struct `DmaAddr` is private
}

pub fn raw_by_method(buf: &CoherentBuffer) -> Result<u64> {
    Ok(buf.dma_addr(0)?.value()) //~ ERROR E0624: method `value` is private
}

pub struct Driver;

impl Module for Driver {
    fn init() -> Result<Self> {
        Ok(Driver)
    }
}

module! {
    type: Driver,
    name: "dma_addr_value_private",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}
