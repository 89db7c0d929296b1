// SPDX-License-Identifier: GPL-2.0
// Guarantee: a descriptor has no padding, whatever the driver calls
// `assert`.
// Misuse: the driver defines its own `assert!` that expands to nothing,
// then declares a dma_descriptor! struct with 3 bytes of padding (u8 then
// u32).
// Refused because: dma_descriptor! names its check
// `$crate::__private::assert!`, which no item or macro of the driver can
// shadow.
#![no_std]
#![forbid(unsafe_code)]

use rkm::prelude::*;

pub struct Driver;

impl Module for Driver {
    fn init() -> Result<Self> {
        Ok(Driver)
    }
}

module! {
    type: Driver,
    name: "dma_ring_desc_padding_shadowed_assert",
    authors: ["rkm developers"],
    description: "compile-fail case",
    license: "GPL",
}

#[allow(unused_macros)]
macro_rules! assert {
    ($($t:tt)*) => {};
}

rkm::dma_descriptor! { //~ ERROR E0080: a descriptor may not have padding
    pub struct Desc { pub kind: u8, pub len: u32 }
}
